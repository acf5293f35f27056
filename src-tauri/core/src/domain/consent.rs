//! Consent: three separate facts that only the owner can give, each recorded with who wrote it
//! down and when. Never a volunteer's guess, and never anything about nationality or status.
//! Records are append-only; the newest of each kind is the one that stands.

use super::ids::{RestaurantId, VolunteerId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConsentKind {
    /// The owner agreed to display a sticker.
    DisplaySticker,
    /// The owner agreed to be listed publicly (e.g. on the campaign's map).
    ListedPublicly,
    /// The owner describes the business as migrant-owned, in their own words.
    SelfIdentifiesMigrantOwned,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 3] =
        [ConsentKind::DisplaySticker, ConsentKind::ListedPublicly, ConsentKind::SelfIdentifiesMigrantOwned];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::DisplaySticker => "display_sticker",
            ConsentKind::ListedPublicly => "listed_publicly",
            ConsentKind::SelfIdentifiesMigrantOwned => "self_identifies_migrant_owned",
        }
    }
}

impl FromStr for ConsentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConsentKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown consent '{s}'"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConsentAnswer {
    Yes,
    No,
    Unknown,
}

impl ConsentAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentAnswer::Yes => "yes",
            ConsentAnswer::No => "no",
            ConsentAnswer::Unknown => "unknown",
        }
    }
}

impl FromStr for ConsentAnswer {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "yes" => Ok(ConsentAnswer::Yes),
            "no" => Ok(ConsentAnswer::No),
            "unknown" => Ok(ConsentAnswer::Unknown),
            _ => Err(format!("unknown consent answer '{s}'; use yes, no or unknown")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConsentRecord {
    pub restaurant_id: RestaurantId,
    pub kind: ConsentKind,
    pub answer: ConsentAnswer,
    pub recorded_by: VolunteerId,
    pub recorded_by_name: String,
    #[ts(type = "string")]
    pub recorded_at: DateTime<Utc>,
}

/// The standing answer for each kind; `None` means nobody has asked yet (unknown).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Consents {
    pub display_sticker: Option<ConsentRecord>,
    pub listed_publicly: Option<ConsentRecord>,
    pub self_identifies_migrant_owned: Option<ConsentRecord>,
}

impl Consents {
    /// The newest record of each kind wins; `records` may come in any order.
    pub fn from_records(records: impl IntoIterator<Item = ConsentRecord>) -> Self {
        let mut out = Consents::default();
        for r in records {
            let slot = match r.kind {
                ConsentKind::DisplaySticker => &mut out.display_sticker,
                ConsentKind::ListedPublicly => &mut out.listed_publicly,
                ConsentKind::SelfIdentifiesMigrantOwned => &mut out.self_identifies_migrant_owned,
            };
            if slot.as_ref().is_none_or(|s| consent_replaces(s, &r)) {
                *slot = Some(r);
            }
        }
        out
    }
}

/// Input for recording one consent answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewConsent {
    pub restaurant_id: RestaurantId,
    pub kind: ConsentKind,
    pub answer: ConsentAnswer,
    pub recorded_by: VolunteerId,
}

/// True when `incoming` should stand instead of `current` (both the same kind, same restaurant).
pub fn consent_replaces(current: &ConsentRecord, incoming: &ConsentRecord) -> bool {
    match current.recorded_at.cmp(&incoming.recorded_at) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        // Recorded at the same moment: a withdrawal wins, whatever order they arrived in.
        std::cmp::Ordering::Equal => {
            incoming.answer == ConsentAnswer::No || current.answer != ConsentAnswer::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_answer_stands() {
        let rec = |kind, answer, minute: u32| ConsentRecord {
            restaurant_id: "r".into(),
            kind,
            answer,
            recorded_by: "v".into(),
            recorded_by_name: "Sam".into(),
            recorded_at: format!("2026-05-01T10:{minute:02}:00Z").parse().unwrap(),
        };
        let c = Consents::from_records([
            rec(ConsentKind::ListedPublicly, ConsentAnswer::No, 30),
            rec(ConsentKind::ListedPublicly, ConsentAnswer::Yes, 10),
            rec(ConsentKind::DisplaySticker, ConsentAnswer::Yes, 5),
        ]);
        assert_eq!(c.listed_publicly.map(|r| r.answer), Some(ConsentAnswer::No));
        assert_eq!(c.display_sticker.map(|r| r.answer), Some(ConsentAnswer::Yes));
        assert_eq!(c.self_identifies_migrant_owned, None);
    }

    #[test]
    fn consent_cases() {
        let rec = |answer, minute: u32| ConsentRecord {
            restaurant_id: RestaurantId("r".into()),
            kind: ConsentKind::ListedPublicly,
            answer,
            recorded_by: VolunteerId("v".into()),
            recorded_by_name: "V".into(),
            recorded_at: format!("2026-06-01T12:{minute:02}:00Z").parse().unwrap(),
        };
        use ConsentAnswer::{No, Unknown, Yes};
        // (current, incoming, incoming stands)
        let cases = [
            (rec(Yes, 1), rec(No, 2), true),
            (rec(No, 2), rec(Yes, 1), false), // an older yes never undoes a withdrawal
            (rec(Yes, 1), rec(No, 1), true),  // same moment: the withdrawal
            (rec(No, 1), rec(Yes, 1), false),
            (rec(No, 1), rec(Unknown, 1), false),
            (rec(No, 1), rec(Yes, 3), true), // asked again later and agreed
        ];
        for (i, (current, incoming, want)) in cases.into_iter().enumerate() {
            assert_eq!(consent_replaces(&current, &incoming), want, "case {i}");
        }
    }
}

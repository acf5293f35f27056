//! Visits are append-only events. Nothing is edited in place: a mistake is put right by a new
//! visit whose `corrects` names the one it replaces.

use super::ids::{RestaurantId, VisitId, VolunteerId};
use super::validation::{invalid, optional_text, ValidationResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

/// What happened at a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Outcome {
    /// Nobody to talk to (closed, too busy, owner away).
    NoAnswer,
    /// Talked; undecided.
    Spoke,
    /// Asked us to come back: needs a follow-up.
    ComeBack,
    /// Agreed to display a sticker.
    Agreed,
    StickerPlaced,
    Declined,
    /// Asked not to be contacted again. Final until a coordinator reopens.
    DoNotContact,
    ClosedPermanently,
    /// A coordinator clears `do_not_contact` or `closed` (e.g. new owners).
    Reopened,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::NoAnswer,
        Outcome::Spoke,
        Outcome::ComeBack,
        Outcome::Agreed,
        Outcome::StickerPlaced,
        Outcome::Declined,
        Outcome::DoNotContact,
        Outcome::ClosedPermanently,
        Outcome::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NoAnswer => "no_answer",
            Outcome::Spoke => "spoke",
            Outcome::ComeBack => "come_back",
            Outcome::Agreed => "agreed",
            Outcome::StickerPlaced => "sticker_placed",
            Outcome::Declined => "declined",
            Outcome::DoNotContact => "do_not_contact",
            Outcome::ClosedPermanently => "closed_permanently",
            Outcome::Reopened => "reopened",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
            format!("unknown outcome '{s}'; use one of {}", names.join(", "))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Visit {
    pub id: VisitId,
    pub restaurant_id: RestaurantId,
    pub volunteer_id: VolunteerId,
    pub volunteer_name: String,
    /// When the visit happened.
    #[ts(type = "string")]
    pub visited_at: DateTime<Utc>,
    /// When it was written down (may be later, e.g. typed in from paper).
    #[ts(type = "string")]
    pub recorded_at: DateTime<Utc>,
    pub outcome: Outcome,
    pub stickers_left: u32,
    pub note: Option<String>,
    #[ts(type = "string | null")]
    pub follow_up_on: Option<NaiveDate>,
    /// The earlier visit this one replaces.
    pub corrects: Option<VisitId>,
    /// Set when a later visit corrects this one.
    pub corrected_by: Option<VisitId>,
}

/// A visit as logged in the form or on the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewVisit {
    pub restaurant_id: RestaurantId,
    pub volunteer_id: VolunteerId,
    /// Defaults to the time it is recorded.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub visited_at: Option<DateTime<Utc>>,
    pub outcome: Outcome,
    #[serde(default)]
    pub stickers_left: u32,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub follow_up_on: Option<NaiveDate>,
    #[serde(default)]
    pub corrects: Option<VisitId>,
    /// With `sticker_placed`: the codes of the stickers put up (printed under each QR code).
    #[serde(default)]
    pub sticker_codes: Vec<String>,
}

pub const MAX_STICKERS_PER_VISIT: u32 = 50;

impl NewVisit {
    /// Checks the visit against the clock; `now` is passed in so the rule is testable.
    pub fn validate(mut self, now: DateTime<Utc>) -> ValidationResult<NewVisit> {
        let visited_at = self.visited_at.unwrap_or(now);
        if visited_at > now + chrono::Duration::minutes(5) {
            return invalid("visited_at", "is in the future");
        }
        if self.stickers_left > MAX_STICKERS_PER_VISIT {
            return invalid("stickers_left", format!("must be between 0 and {MAX_STICKERS_PER_VISIT}"));
        }
        if let Some(date) = self.follow_up_on {
            if date < visited_at.date_naive() {
                return invalid("follow_up_on", "is before the visit");
            }
        }
        if !self.sticker_codes.is_empty() {
            if self.outcome != Outcome::StickerPlaced {
                return invalid("sticker_codes", "go with the outcome sticker_placed");
            }
            let mut codes = Vec::new();
            for typed in &self.sticker_codes {
                match super::sticker_code::normalise(typed) {
                    Some(c) if !codes.contains(&c) => codes.push(c),
                    Some(_) => {}
                    None => {
                        return invalid(
                            "sticker_codes",
                            format!("'{typed}' is not a sticker code (7 letters and digits)"),
                        )
                    }
                }
            }
            self.stickers_left = self.stickers_left.max(codes.len() as u32);
            self.sticker_codes = codes;
        }
        self.visited_at = Some(visited_at);
        self.note = optional_text("note", self.note, 2000)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), o);
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.as_str()));
        }
        assert!("maybe".parse::<Outcome>().unwrap_err().contains("sticker_placed"));
    }

    #[test]
    fn visit_validation() {
        let now: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().unwrap();
        let base = NewVisit {
            restaurant_id: "r".into(),
            volunteer_id: "v".into(),
            visited_at: None,
            outcome: Outcome::Spoke,
            stickers_left: 0,
            note: None,
            follow_up_on: None,
            corrects: None,
            sticker_codes: vec![],
        };
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let cases: Vec<(NewVisit, Option<&str>)> = vec![
            (base.clone(), None),
            (NewVisit { stickers_left: 51, ..base.clone() }, Some("stickers_left")),
            (NewVisit { follow_up_on: Some(date("2026-05-31")), ..base.clone() }, Some("follow_up_on")),
            (NewVisit { follow_up_on: Some(date("2026-06-01")), ..base.clone() }, None),
            (
                NewVisit { visited_at: Some(now + chrono::Duration::hours(1)), ..base.clone() },
                Some("visited_at"),
            ),
            (NewVisit { note: Some("x".repeat(2001)), ..base.clone() }, Some("note")),
            (NewVisit { sticker_codes: vec!["7K3M9QZ".into()], ..base.clone() }, Some("sticker_codes")),
            (
                NewVisit {
                    outcome: Outcome::StickerPlaced,
                    sticker_codes: vec!["7K3M9Q".into()],
                    ..base.clone()
                },
                Some("sticker_codes"),
            ),
            (
                NewVisit {
                    outcome: Outcome::StickerPlaced,
                    sticker_codes: vec!["7k3-m9q-z".into()],
                    ..base.clone()
                },
                None,
            ),
        ];
        for (visit, field) in cases {
            assert_eq!(visit.clone().validate(now).err().map(|e| e.field), field, "{visit:?}");
        }
        assert_eq!(base.validate(now).unwrap().visited_at, Some(now));
    }
}

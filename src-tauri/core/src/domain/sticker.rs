//! A sticker's life: printed, handed to a volunteer, placed at a restaurant, and later perhaps
//! missing or replaced. The state is the latest event's; these are the moves allowed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StickerState {
    Printed,
    WithVolunteer,
    Placed,
    Missing,
    Replaced,
}

impl StickerState {
    pub const ALL: [StickerState; 5] = [
        StickerState::Printed,
        StickerState::WithVolunteer,
        StickerState::Placed,
        StickerState::Missing,
        StickerState::Replaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StickerState::Printed => "printed",
            StickerState::WithVolunteer => "with_volunteer",
            StickerState::Placed => "placed",
            StickerState::Missing => "missing",
            StickerState::Replaced => "replaced",
        }
    }

    /// Whether a sticker in this state may move to `next`.
    pub fn may_become(self, next: StickerState) -> bool {
        use StickerState::*;
        matches!(
            (self, next),
            (Printed, WithVolunteer)
                | (Printed, Placed)
                | (WithVolunteer, WithVolunteer)
                | (WithVolunteer, Placed)
                | (WithVolunteer, Missing)
                | (Placed, Missing)
                | (Placed, Replaced)
                | (Printed, Missing)
        )
    }
}

/// One event in a code's life, as far as where it is goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    pub id: &'a str,
    pub at: chrono::DateTime<chrono::Utc>,
    pub state: StickerState,
    pub restaurant_id: Option<&'a str>,
}

/// The restaurant a code is up at now: its latest event (by time, then id, as the store orders
/// them) placed it there. A code missing, replaced or never placed is nowhere.
pub fn placed_at<'a>(events: &[Event<'a>]) -> Option<&'a str> {
    let latest = events.iter().max_by(|a, b| (a.at, a.id).cmp(&(b.at, b.id)))?;
    match latest.state {
        StickerState::Placed => latest.restaurant_id,
        _ => None,
    }
}

impl fmt::Display for StickerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StickerState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StickerState::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown sticker state '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::StickerState::*;

    #[test]
    fn moves() {
        #[rustfmt::skip]
        let cases = [
            (Printed, WithVolunteer, true), (Printed, Placed, true), (Printed, Replaced, false),
            (WithVolunteer, Placed, true), (WithVolunteer, Printed, false), (WithVolunteer, WithVolunteer, true),
            (Placed, Missing, true), (Placed, Replaced, true), (Placed, Placed, false), (Placed, WithVolunteer, false),
            (Missing, Placed, false), (Replaced, Placed, false),
        ];
        for (from, to, ok) in cases {
            assert_eq!(from.may_become(to), ok, "{from} -> {to}");
        }
    }
}

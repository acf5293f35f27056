//! A restaurant's status is derived from its visits, never typed in. The rules are one function,
//! [`next`], folded over the visits in the order they happened; ARCHITECTURE.md shows the table.

use super::ids::{VisitId, VolunteerId};
use super::visit::{Outcome, Visit};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    NotContacted,
    Contacted,
    FollowUp,
    Agreed,
    StickerPlaced,
    Declined,
    DoNotContact,
    Closed,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::NotContacted,
        Status::Contacted,
        Status::FollowUp,
        Status::Agreed,
        Status::StickerPlaced,
        Status::Declined,
        Status::DoNotContact,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotContacted => "not_contacted",
            Status::Contacted => "contacted",
            Status::FollowUp => "follow_up",
            Status::Agreed => "agreed",
            Status::StickerPlaced => "sticker_placed",
            Status::Declined => "declined",
            Status::DoNotContact => "do_not_contact",
            Status::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|o| o.as_str() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = Status::ALL.iter().map(|o| o.as_str()).collect();
            format!("unknown status '{s}'; use one of {}", names.join(", "))
        })
    }
}

/// The status after a visit with `outcome` at a restaurant whose status was `from`.
pub fn next(from: Status, outcome: Outcome) -> Status {
    use Outcome as O;
    use Status as S;
    match (from, outcome) {
        // Final until a coordinator reopens: nothing but `reopened` moves these.
        (S::DoNotContact, O::Reopened) | (S::Closed, O::Reopened) => S::Contacted,
        (S::DoNotContact, _) => S::DoNotContact,
        (S::Closed, O::DoNotContact) => S::DoNotContact,
        (S::Closed, _) => S::Closed,
        // `reopened` only clears the final states; elsewhere it changes nothing.
        (s, O::Reopened) => s,
        (_, O::DoNotContact) => S::DoNotContact,
        (_, O::ClosedPermanently) => S::Closed,
        // The owner's latest decision stands, even against a sticker already up.
        (_, O::Declined) => S::Declined,
        (_, O::StickerPlaced) => S::StickerPlaced,
        // A sticker in the window is not undone by a visit that finds nobody or chats.
        (S::StickerPlaced, _) => S::StickerPlaced,
        (_, O::Agreed) => S::Agreed,
        (S::Agreed, _) => S::Agreed,
        (_, O::ComeBack) => S::FollowUp,
        // Finding nobody in keeps what we knew.
        (S::NotContacted, O::NoAnswer) => S::Contacted,
        (s, O::NoAnswer) => s,
        // Talking again re-opens a refusal or settles a follow-up.
        (_, O::Spoke) => S::Contacted,
    }
}

/// The status and the facts shown beside it, derived from every visit of one restaurant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusSummary {
    pub status: Status,
    #[ts(type = "string | null")]
    pub last_visit_at: Option<DateTime<Utc>>,
    /// The follow-up date of the latest visit, while the restaurant is still open to contact.
    #[ts(type = "string | null")]
    pub follow_up_on: Option<NaiveDate>,
    pub stickers_left: u32,
}

impl StatusSummary {
    pub fn not_contacted() -> Self {
        StatusSummary {
            status: Status::NotContacted,
            last_visit_at: None,
            follow_up_on: None,
            stickers_left: 0,
        }
    }
}

/// The visits that stand (those no later visit corrects), in the order they happened.
fn standing(visits: &[Visit]) -> Vec<&Visit> {
    let corrected: HashSet<&VisitId> = visits.iter().filter_map(|v| v.corrects.as_ref()).collect();
    let mut standing: Vec<&Visit> = visits.iter().filter(|v| !corrected.contains(&v.id)).collect();
    standing.sort_by(|a, b| (a.visited_at, a.recorded_at, &a.id).cmp(&(b.visited_at, b.recorded_at, &b.id)));
    standing
}

/// When a restaurant first reached each stage of the report's funnel, by the visits that stand:
/// its first visit, its first agreement (agreed or sticker placed), its first sticker placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FirstReached {
    pub visit: Option<DateTime<Utc>>,
    pub agreed: Option<DateTime<Utc>>,
    pub placed: Option<DateTime<Utc>>,
}

/// Everything kept beside a restaurant from its visits, in one pass over those that stand: the
/// status, who owes its follow-up (whoever logged the visit that set the date, the last that
/// stands; `None` when none is due), and when it first reached each stage of the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived<'a> {
    pub summary: StatusSummary,
    pub follow_up_by: Option<&'a VolunteerId>,
    pub first: FirstReached,
}

pub fn derive_all(visits: &[Visit]) -> Derived<'_> {
    let mut summary = StatusSummary::not_contacted();
    let mut first = FirstReached::default();
    let mut last = None;
    for visit in standing(visits) {
        summary.status = next(summary.status, visit.outcome);
        summary.last_visit_at = Some(visit.visited_at);
        summary.follow_up_on = visit.follow_up_on;
        summary.stickers_left += visit.stickers_left;
        first.visit = first.visit.or(Some(visit.visited_at));
        if matches!(visit.outcome, Outcome::Agreed | Outcome::StickerPlaced) {
            first.agreed = first.agreed.or(Some(visit.visited_at));
        }
        if visit.outcome == Outcome::StickerPlaced {
            first.placed = first.placed.or(Some(visit.visited_at));
        }
        last = Some(&visit.volunteer_id);
    }
    if matches!(summary.status, Status::Declined | Status::DoNotContact | Status::Closed) {
        summary.follow_up_on = None;
    }
    let follow_up_by = summary.follow_up_on.and(last);
    Derived { summary, follow_up_by, first }
}

/// Folds the visits that stand (those no later visit corrects) in the order they happened.
pub fn derive(visits: &[Visit]) -> StatusSummary {
    derive_all(visits).summary
}

/// Who owes the follow-up `derive` gives (see [`derive_all`]).
pub fn follow_up_owed_by(visits: &[Visit]) -> Option<&VolunteerId> {
    derive_all(visits).follow_up_by
}

/// When the restaurant first reached each stage (see [`derive_all`]).
pub fn first_reached(visits: &[Visit]) -> FirstReached {
    derive_all(visits).first
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome as O;
    use Status as S;

    /// Each row: the outcomes of successive visits, and the status they leave.
    #[test]
    fn status_after_visits() {
        let cases: &[(&[Outcome], Status)] = &[
            (&[], S::NotContacted),
            (&[O::NoAnswer], S::Contacted),
            (&[O::Spoke], S::Contacted),
            (&[O::ComeBack], S::FollowUp),
            (&[O::ComeBack, O::NoAnswer], S::FollowUp),
            (&[O::ComeBack, O::Spoke], S::Contacted),
            (&[O::ComeBack, O::Agreed], S::Agreed),
            (&[O::Agreed], S::Agreed),
            (&[O::Agreed, O::NoAnswer], S::Agreed),
            (&[O::Agreed, O::ComeBack], S::Agreed),
            (&[O::Agreed, O::StickerPlaced], S::StickerPlaced),
            (&[O::StickerPlaced], S::StickerPlaced),
            (&[O::StickerPlaced, O::NoAnswer], S::StickerPlaced),
            (&[O::StickerPlaced, O::Spoke], S::StickerPlaced),
            (&[O::StickerPlaced, O::ComeBack], S::StickerPlaced),
            (&[O::StickerPlaced, O::Agreed], S::StickerPlaced),
            (&[O::StickerPlaced, O::Declined], S::Declined),
            (&[O::Declined], S::Declined),
            (&[O::Declined, O::NoAnswer], S::Declined),
            (&[O::Declined, O::Spoke], S::Contacted),
            (&[O::Declined, O::Agreed], S::Agreed),
            (&[O::DoNotContact], S::DoNotContact),
            (&[O::StickerPlaced, O::DoNotContact], S::DoNotContact),
            (&[O::DoNotContact, O::Agreed], S::DoNotContact),
            (&[O::DoNotContact, O::StickerPlaced], S::DoNotContact),
            (&[O::DoNotContact, O::ClosedPermanently], S::DoNotContact),
            (&[O::DoNotContact, O::Reopened], S::Contacted),
            (&[O::DoNotContact, O::Reopened, O::Agreed], S::Agreed),
            (&[O::ClosedPermanently], S::Closed),
            (&[O::ClosedPermanently, O::Spoke], S::Closed),
            (&[O::ClosedPermanently, O::DoNotContact], S::DoNotContact),
            (&[O::ClosedPermanently, O::Reopened], S::Contacted),
            (&[O::Reopened], S::NotContacted),
            (&[O::Spoke, O::Reopened], S::Contacted),
        ];
        for (outcomes, expected) in cases {
            let got = outcomes.iter().fold(S::NotContacted, |s, o| next(s, *o));
            assert_eq!(got, *expected, "{outcomes:?}");
        }
    }

    /// ARCHITECTURE.md shows the transition table; it must be the one `next` implements.
    #[test]
    fn architecture_md_shows_this_table() {
        let mut table = String::from("| from \\ outcome |");
        for o in Outcome::ALL {
            table.push_str(&format!(" {} |", o.as_str()));
        }
        table.push_str("\n|---|");
        table.push_str(&"---|".repeat(Outcome::ALL.len()));
        for from in Status::ALL {
            table.push_str(&format!("\n| {} |", from.as_str()));
            for o in Outcome::ALL {
                table.push_str(&format!(" {} |", next(from, o).as_str()));
            }
        }
        let doc = include_str!("../../../../ARCHITECTURE.md");
        assert!(
            doc.contains(&table),
            "ARCHITECTURE.md's status table is out of date; it should read:\n{table}"
        );
    }

    fn visit(id: &str, minute: u32, outcome: Outcome, corrects: Option<&str>) -> Visit {
        let at: DateTime<Utc> = format!("2026-05-01T10:{minute:02}:00Z").parse().unwrap();
        Visit {
            id: id.into(),
            restaurant_id: "r".into(),
            volunteer_id: "v".into(),
            volunteer_name: "Sam".into(),
            visited_at: at,
            recorded_at: at,
            outcome,
            stickers_left: u32::from(outcome == O::StickerPlaced),
            note: None,
            follow_up_on: None,
            corrects: corrects.map(Into::into),
            corrected_by: None,
        }
    }

    #[test]
    fn derivation_orders_by_time_and_honours_corrections() {
        // Given out of order: the fold follows visited_at, not the slice order.
        let visits = [visit("b", 20, O::NoAnswer, None), visit("a", 10, O::StickerPlaced, None)];
        assert_eq!(derive(&visits).status, S::StickerPlaced);

        // A sticker logged by mistake, corrected to `spoke`: the correction stands in its place.
        let visits = [
            visit("a", 10, O::StickerPlaced, None),
            visit("b", 20, O::NoAnswer, None),
            visit("c", 10, O::Spoke, Some("a")),
        ];
        let s = derive(&visits);
        assert_eq!(s.status, S::Contacted);
        assert_eq!(s.stickers_left, 0);

        // A correction of a correction: only the last one counts.
        let visits = [
            visit("a", 10, O::Declined, None),
            visit("b", 10, O::Spoke, Some("a")),
            visit("c", 10, O::Agreed, Some("b")),
        ];
        assert_eq!(derive(&visits).status, S::Agreed);
    }

    #[test]
    fn follow_up_date_is_dropped_when_contact_ends() {
        let mut a = visit("a", 10, O::ComeBack, None);
        a.follow_up_on = NaiveDate::from_ymd_opt(2026, 5, 8);
        assert_eq!(derive(std::slice::from_ref(&a)).follow_up_on, a.follow_up_on);
        let mut b = visit("b", 20, O::DoNotContact, None);
        b.follow_up_on = NaiveDate::from_ymd_opt(2026, 5, 9);
        assert_eq!(derive(&[a, b]).follow_up_on, None);
    }

    #[test]
    fn the_first_visit_agreement_and_sticker_are_those_that_stand() {
        let t = |minute: u32| Some(visit("x", minute, O::Spoke, None).visited_at);
        // (visits, first visit, first agreement, first sticker placed)
        let cases: Vec<(Vec<Visit>, FirstReached)> = vec![
            (vec![], FirstReached::default()),
            (
                vec![visit("b", 20, O::StickerPlaced, None), visit("a", 10, O::Spoke, None)],
                FirstReached { visit: t(10), agreed: t(20), placed: t(20) },
            ),
            (
                vec![visit("a", 10, O::Agreed, None), visit("b", 30, O::StickerPlaced, None)],
                FirstReached { visit: t(10), agreed: t(10), placed: t(30) },
            ),
            // A sticker logged by mistake and corrected to "spoke" never placed one.
            (
                vec![visit("a", 10, O::StickerPlaced, None), visit("c", 10, O::Spoke, Some("a"))],
                FirstReached { visit: t(10), agreed: None, placed: None },
            ),
        ];
        for (visits, want) in cases {
            assert_eq!(first_reached(&visits), want, "{visits:?}");
        }
    }

    #[test]
    fn a_follow_up_is_owed_by_whoever_logged_the_visit_that_set_it() {
        let by =
            |id: &str, minute: u32, outcome: Outcome, who: &str, follow_up: bool, corrects: Option<&str>| {
                let mut v = visit(id, minute, outcome, corrects);
                v.volunteer_id = who.into();
                v.follow_up_on = follow_up.then(|| NaiveDate::from_ymd_opt(2026, 5, 8).unwrap());
                v
            };
        // (visits, who owes the follow-up)
        let cases: Vec<(Vec<Visit>, Option<&str>)> = vec![
            (vec![], None),
            (vec![by("a", 10, O::ComeBack, "amina", true, None)], Some("amina")),
            // A later visit by someone else sets the date again: they owe it.
            (
                vec![
                    by("a", 10, O::ComeBack, "amina", true, None),
                    by("b", 20, O::ComeBack, "olu", true, None),
                ],
                Some("olu"),
            ),
            // A later visit with no date clears it: nobody owes one.
            (
                vec![
                    by("a", 10, O::ComeBack, "amina", true, None),
                    by("b", 20, O::Agreed, "olu", false, None),
                ],
                None,
            ),
            // A correction logged by someone else stands in the corrected visit's place.
            (
                vec![
                    by("a", 10, O::ComeBack, "amina", true, None),
                    by("c", 10, O::ComeBack, "olu", true, Some("a")),
                ],
                Some("olu"),
            ),
            // A refusal owes nothing, whatever date it carried.
            (vec![by("a", 10, O::Declined, "amina", true, None)], None),
        ];
        for (visits, want) in cases {
            assert_eq!(follow_up_owed_by(&visits).map(|v| v.as_str()), want, "{visits:?}");
        }
    }
}

//! Claims on an area: "I am walking these streets until then". Claims are events, never edited;
//! a release is an event too (by nobody, ending at once). Who holds an area is the latest event
//! that has happened, if it is a claim that has not expired.

use crate::domain::validation::{invalid, ValidationResult};
use crate::domain::VolunteerId;
use chrono::{DateTime, Duration, Utc};

/// How long a claim lasts unless the coordinator says otherwise.
pub const DEFAULT_CLAIM_DAYS: u32 = 14;
/// The longest claim: claims exist so that two volunteers do not walk the same streets, and one
/// held for more than three months is a forgotten one that keeps others out.
pub const MAX_CLAIM_DAYS: u32 = 90;

#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// `None`: a release, which ends whatever claim stood before it.
    pub volunteer_id: Option<VolunteerId>,
    pub claimed_at: DateTime<Utc>,
    /// The claim lapses at this instant; a release's is its own time.
    pub expires_at: DateTime<Utc>,
}

impl Claim {
    /// A claim by `volunteer` from `now` for `days` days (1 to [`MAX_CLAIM_DAYS`]).
    pub fn new(volunteer: VolunteerId, days: u32, now: DateTime<Utc>) -> ValidationResult<Claim> {
        if days == 0 || days > MAX_CLAIM_DAYS {
            return invalid("days", format!("must be between 1 and {MAX_CLAIM_DAYS}"));
        }
        Ok(Claim {
            volunteer_id: Some(volunteer),
            claimed_at: now,
            expires_at: now + Duration::days(i64::from(days)),
        })
    }

    pub fn release(now: DateTime<Utc>) -> Claim {
        Claim { volunteer_id: None, claimed_at: now, expires_at: now }
    }

    pub fn is_release(&self) -> bool {
        self.volunteer_id.is_none()
    }
}

/// The claim that holds the area at `now`, if any: the latest event up to `now` (on equal times,
/// the later in `claims`, which the store gives in the order they were written), when it is a
/// claim that has not yet expired.
pub fn holder(claims: &[Claim], now: DateTime<Utc>) -> Option<&Claim> {
    claims
        .iter()
        .filter(|c| c.claimed_at <= now)
        .max_by_key(|c| c.claimed_at)
        .filter(|c| !c.is_release() && c.expires_at > now)
}

/// The claim that stops `volunteer` from claiming the area at `now`: another volunteer's that is
/// still running. A volunteer's own claim never stands in their way (claiming again renews it).
pub fn rival<'a>(claims: &'a [Claim], volunteer: &VolunteerId, now: DateTime<Utc>) -> Option<&'a Claim> {
    holder(claims, now).filter(|c| c.volunteer_id.as_ref() != Some(volunteer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i64) -> DateTime<Utc> {
        "2026-06-01T12:00:00Z".parse::<DateTime<Utc>>().expect("time") + Duration::days(d)
    }

    fn claim(who: &str, on: i64, days: u32) -> Claim {
        Claim::new(VolunteerId::from(who), days, day(on)).expect("claim")
    }

    /// Each row: the events in the order they were written, the day asked about, and who holds
    /// the area then.
    #[test]
    fn who_holds_an_area() {
        let cases: Vec<(&str, Vec<Claim>, i64, Option<&str>)> = vec![
            ("never claimed", vec![], 0, None),
            ("active", vec![claim("amina", 0, 14)], 3, Some("amina")),
            ("the first instant", vec![claim("amina", 0, 14)], 0, Some("amina")),
            ("not yet made", vec![claim("amina", 5, 14)], 3, None),
            ("the last day", vec![claim("amina", 0, 14)], 13, Some("amina")),
            ("lapses at the instant it expires", vec![claim("amina", 0, 14)], 14, None),
            ("expired", vec![claim("amina", 0, 14)], 20, None),
            ("a short claim", vec![claim("amina", 0, 1)], 2, None),
            ("released", vec![claim("amina", 0, 14), Claim::release(day(2))], 3, None),
            ("before the release", vec![claim("amina", 0, 14), Claim::release(day(2))], 1, Some("amina")),
            ("re-claimed by another", vec![claim("amina", 0, 14), claim("tom", 4, 14)], 5, Some("tom")),
            (
                "released, then claimed by another",
                vec![claim("amina", 0, 14), Claim::release(day(2)), claim("tom", 3, 14)],
                4,
                Some("tom"),
            ),
            ("renewed", vec![claim("amina", 0, 14), claim("amina", 10, 14)], 20, Some("amina")),
            ("taken over, then expired", vec![claim("amina", 0, 30), claim("tom", 4, 7)], 12, None),
            ("expired, then claimed again", vec![claim("amina", 0, 2), claim("tom", 5, 14)], 6, Some("tom")),
            // Same instant: the one written later wins.
            ("claimed and released at once", vec![claim("amina", 0, 14), Claim::release(day(0))], 0, None),
            (
                "released and claimed at once",
                vec![Claim::release(day(0)), claim("tom", 0, 14)],
                0,
                Some("tom"),
            ),
            // Written out of order (a database merged from two machines): time decides.
            ("written late", vec![claim("tom", 4, 14), claim("amina", 0, 14)], 5, Some("tom")),
        ];
        for (name, claims, on, expected) in cases {
            let got = holder(&claims, day(on)).and_then(|c| c.volunteer_id.as_ref()).map(VolunteerId::as_str);
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn rivals() {
        let claims = vec![claim("amina", 0, 14)];
        let amina = VolunteerId::from("amina");
        let tom = VolunteerId::from("tom");
        assert!(rival(&claims, &amina, day(1)).is_none(), "renewing your own claim");
        assert!(rival(&claims, &tom, day(1)).is_some());
        assert!(rival(&claims, &tom, day(14)).is_none(), "expired");
    }

    #[test]
    fn days_in_range() {
        let v = VolunteerId::from("amina");
        let cases = [(0, false), (1, true), (DEFAULT_CLAIM_DAYS, true), (MAX_CLAIM_DAYS, true), (91, false)];
        for (days, ok) in cases {
            let c = Claim::new(v.clone(), days, day(0));
            assert_eq!(c.is_ok(), ok, "{days}");
            if let Ok(c) = c {
                assert_eq!(c.expires_at - c.claimed_at, Duration::days(i64::from(days)));
            }
        }
    }
}

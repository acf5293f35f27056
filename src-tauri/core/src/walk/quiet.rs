//! When to call: a restaurant in its lunch or dinner rush has no time for a stranger with a
//! sticker. For a planned time this says whether the venue is open then, whether that falls in
//! a rush, and suggests a quiet window the same day (open, outside the rushes, within
//! visiting hours).

use super::hours::{Change, Holiday, OpeningHours, Openness};
use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A stretch of a day, written `HH:MM` in JSON (`24:00` is the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimeWindow {
    #[serde(with = "hhmm")]
    #[ts(type = "string")]
    pub start: u16,
    #[serde(with = "hhmm")]
    #[ts(type = "string")]
    pub end: u16,
}

impl TimeWindow {
    pub const fn new(start_hour: u16, start_minute: u16, end_hour: u16, end_minute: u16) -> Self {
        TimeWindow { start: start_hour * 60 + start_minute, end: end_hour * 60 + end_minute }
    }

    pub fn contains(&self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }

    pub fn minutes(&self) -> u16 {
        self.end.saturating_sub(self.start)
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", hhmm::text(self.start), hhmm::text(self.end))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Rush {
    Lunch,
    Dinner,
}

/// What counts as busy and when volunteers call; every part can be overridden.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuietRules {
    pub lunch: TimeWindow,
    pub dinner: TimeWindow,
    /// Suggestions stay inside this (nobody knocks at 01:00 because the kebab shop is quiet).
    pub visiting: TimeWindow,
    /// Shorter quiet stretches are not worth suggesting.
    pub min_minutes: u16,
}

impl Default for QuietRules {
    fn default() -> Self {
        QuietRules {
            lunch: TimeWindow::new(12, 0, 14, 0),
            dinner: TimeWindow::new(18, 0, 21, 0),
            visiting: TimeWindow::new(9, 0, 21, 30),
            min_minutes: 30,
        }
    }
}

/// What the walk sheet says about calling at one venue at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub open: Openness,
    pub rush: Option<Rush>,
    /// The suggested quiet window that day: the one holding the planned time, else the next,
    /// else the last one before it.
    pub quiet: Option<TimeWindow>,
    /// Every quiet window that day, in order.
    pub windows: Vec<TimeWindow>,
    /// When the state next changes after the planned time (it opens, or closes), within a week.
    pub next_change: Option<Change>,
}

impl Timing {
    /// Worth a flag on the sheet: closed when the volunteer gets there.
    pub fn closed(&self) -> bool {
        self.open == Openness::Closed
    }
}

/// The timing of a call at `at` (local) on a venue with `hours` (OSM syntax, maybe absent).
pub fn timing(hours: Option<&str>, at: NaiveDateTime, rules: &QuietRules, holiday: Holiday) -> Timing {
    let minute = (at.hour() * 60 + at.minute()) as u16;
    let rush = if rules.lunch.contains(minute) {
        Some(Rush::Lunch)
    } else if rules.dinner.contains(minute) {
        Some(Rush::Dinner)
    } else {
        None
    };
    let parsed = hours.map(str::trim).filter(|h| !h.is_empty()).and_then(|h| OpeningHours::parse(h).ok());
    let Some(parsed) = parsed else {
        return Timing { open: Openness::Unknown, rush, quiet: None, windows: Vec::new(), next_change: None };
    };
    let open = parsed.state_at(at, holiday);
    let mut windows = Vec::new();
    for interval in parsed.intervals(at.date(), holiday) {
        if interval.state != Openness::Open {
            continue;
        }
        let start = interval.start.max(rules.visiting.start);
        let end = interval.end.min(rules.visiting.end);
        if start < end {
            windows.extend(subtract(TimeWindow { start, end }, &[rules.lunch, rules.dinner]));
        }
    }
    windows.retain(|w| w.minutes() >= rules.min_minutes);
    let quiet = windows.iter().find(|w| w.end > minute).or_else(|| windows.last()).copied();
    Timing { open, rush, quiet, windows, next_change: parsed.next_change(at, holiday) }
}

/// `window` with the `holes` cut out, as the pieces left in order.
fn subtract(window: TimeWindow, holes: &[TimeWindow]) -> Vec<TimeWindow> {
    let mut pieces = vec![window];
    for hole in holes {
        pieces = pieces
            .into_iter()
            .flat_map(|p| {
                let before = TimeWindow { start: p.start, end: p.end.min(hole.start) };
                let after = TimeWindow { start: p.start.max(hole.end), end: p.end };
                [before, after]
            })
            .filter(|p| p.start < p.end)
            .collect();
    }
    pieces.sort_by_key(|p| p.start);
    pieces
}

/// Minutes after midnight as `HH:MM`, both ways.
pub mod hhmm {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn text(minutes: u16) -> String {
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }

    pub fn parse(s: &str) -> Option<u16> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    }

    pub fn serialize<S: Serializer>(minutes: &u16, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(*minutes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not a time like 14:30")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Openness::{Closed as C, Open as O, Unknown as U};

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s)
    }

    fn w(s: &str) -> TimeWindow {
        let (a, b) = s.split_once('-').expect("a-b");
        TimeWindow { start: hhmm::parse(a).expect("start"), end: hhmm::parse(b).expect("end") }
    }

    /// (hours, planned local time (Mon 1 June 2026), open, rush, quiet suggestion, every window)
    type Case = (
        Option<&'static str>,
        &'static str,
        Openness,
        Option<Rush>,
        Option<&'static str>,
        &'static [&'static str],
    );

    #[test]
    fn timings() {
        let cases: &[Case] = &[
            (
                Some("Mo-Su 12:00-23:00"),
                "2026-06-01 15:00",
                O,
                None,
                Some("14:00-18:00"),
                &["14:00-18:00", "21:00-21:30"],
            ),
            (
                Some("Mo-Su 12:00-23:00"),
                "2026-06-01 12:30",
                O,
                Some(Rush::Lunch),
                Some("14:00-18:00"),
                &["14:00-18:00", "21:00-21:30"],
            ),
            (
                Some("Mo-Su 12:00-23:00"),
                "2026-06-01 19:00",
                O,
                Some(Rush::Dinner),
                Some("21:00-21:30"),
                &["14:00-18:00", "21:00-21:30"],
            ),
            // Evening-only: the hour before service.
            (
                Some("Mo-Th 17:00-23:00; Fr-Su 12:00-24:00"),
                "2026-06-01 11:00",
                C,
                None,
                Some("17:00-18:00"),
                &["17:00-18:00", "21:00-21:30"],
            ),
            // A café shut for dinner: the afternoon, and the morning before lunch.
            (
                Some("Mo-Sa 08:00-18:00"),
                "2026-06-01 10:00",
                O,
                None,
                Some("09:00-12:00"),
                &["09:00-12:00", "14:00-18:00"],
            ),
            (
                Some("Mo-Sa 08:00-18:00"),
                "2026-06-01 20:00",
                C,
                Some(Rush::Dinner),
                Some("14:00-18:00"),
                &["09:00-12:00", "14:00-18:00"],
            ),
            // Split service: open only in the rushes, so no quiet window.
            (Some("Mo-Fr 12:00-14:00,18:00-21:00"), "2026-06-01 13:00", O, Some(Rush::Lunch), None, &[]),
            // Closed on Mondays.
            (Some("Tu-Su 11:00-22:00"), "2026-06-01 15:00", C, None, None, &[]),
            // A 20-minute gap is too short to suggest.
            (Some("Mo-Su 11:40-12:00,13:00-14:00"), "2026-06-01 11:45", O, None, None, &[]),
            (None, "2026-06-01 15:00", U, None, None, &[]),
            (Some("  "), "2026-06-01 13:00", U, Some(Rush::Lunch), None, &[]),
            (Some("by appointment"), "2026-06-01 15:00", U, None, None, &[]),
            (
                Some("24/7"),
                "2026-06-01 03:00",
                O,
                None,
                Some("09:00-12:00"),
                &["09:00-12:00", "14:00-18:00", "21:00-21:30"],
            ),
        ];
        for (hours, at, open, rush, quiet, windows) in cases {
            let t = timing(*hours, dt(at), &QuietRules::default(), Holiday::Unknown);
            let label = format!("{hours:?} at {at}");
            assert_eq!(t.open, *open, "{label}");
            assert_eq!(t.rush, *rush, "{label}");
            assert_eq!(t.quiet, quiet.map(w), "{label}");
            assert_eq!(t.windows, windows.iter().map(|s| w(s)).collect::<Vec<_>>(), "{label}");
            assert_eq!(t.closed(), *open == C, "{label}");
        }
        let t =
            timing(Some("Mo-Su 17:00-23:00"), dt("2026-06-01 15:00"), &QuietRules::default(), Holiday::No);
        assert_eq!(t.next_change, Some(Change { at: dt("2026-06-01 17:00"), to: O }));
    }

    #[test]
    fn rules_can_be_overridden() {
        let rules = QuietRules {
            lunch: w("11:30-14:30"),
            dinner: w("17:00-22:00"),
            visiting: w("10:00-17:00"),
            min_minutes: 60,
        };
        let t = timing(Some("Mo-Su 11:00-23:00"), dt("2026-06-01 14:00"), &rules, Holiday::Unknown);
        assert_eq!(t.rush, Some(Rush::Lunch));
        assert_eq!(t.windows, vec![w("14:30-17:00")]);
    }

    #[test]
    fn windows_read_and_write_as_hh_mm() {
        let json = serde_json::to_string(&w("09:05-24:00")).expect("json");
        assert_eq!(json, r#"{"start":"09:05","end":"24:00"}"#);
        assert_eq!(serde_json::from_str::<TimeWindow>(&json).expect("back"), w("09:05-24:00"));
        for bad in ["25:00", "12:60", "noon", "12"] {
            assert!(hhmm::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(w("15:00-17:30").to_string(), "15:00–17:30");
    }
}

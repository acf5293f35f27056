//! OpenStreetMap `opening_hours`: the part of the specification restaurants use, parsed and
//! evaluated at a local date and time. What is not understood makes the answer "unknown",
//! never an error that stops a walk being planned.
//!
//! Understood: `24/7`; weekdays, ranges and lists (`Mo-Fr`, `Sa,Su`, `Fr-Mo`; English
//! three-letter and full names and any case, as people type them); months and dates (`Jan-Mar`,
//! `Dec 25`, `Dec 24-26`, `Dec 24-Jan 02`); time lists (`11:30-15:00,17:30-22:30`), times past
//! midnight (`18:00-02:00`, `22:00-26:00`), open ends (`18:00+`); the modifiers `open`, `off`,
//! `closed`, `unknown` and comments; rule separators `;` (a later rule replaces earlier ones on
//! the days it names), `,` (adds to them) and `||` (applies where nothing before did); `PH` and
//! `SH` (public and school holidays). Not understood: years, weeks, nth weekdays (`Su[1]`),
//! sunrise/sunset, `easter`, repeating times (`10:00-16:00/90`).
//!
//! Tablemap has no holiday calendar. Unless the caller says whether a day is a public holiday,
//! the rules are evaluated both ways and, where the answers differ, the result is unknown.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod parse;

const DAY: u16 = 24 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Openness {
    Open,
    Closed,
    Unknown,
}

/// What the caller knows about the day being a public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Holiday {
    #[default]
    Unknown,
    Yes,
    No,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (at character {at})")]
pub struct HoursError {
    /// Character offset into the text.
    pub at: usize,
    pub reason: String,
}

/// A moment when the state changes, and what it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: NaiveDateTime,
    pub to: Openness,
}

/// A stretch of one day, in minutes from midnight (`end` may be 1440), and its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: u16,
    pub end: u16,
    pub state: Openness,
}

/// Parsed opening hours.
#[derive(Debug, Clone, PartialEq)]
pub struct OpeningHours {
    /// Rule sequences separated by `||`; each applies where the ones before it say nothing.
    groups: Vec<Vec<Rule>>,
    uses_ph: bool,
    uses_sh: bool,
    uses_dates: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    /// Joined to the rule before with `,`: adds to it rather than replacing it.
    additional: bool,
    months: Option<Vec<DateRange>>,
    weekdays: Option<Weekdays>,
    /// `None`: the whole day.
    times: Option<Vec<Span>>,
    state: Openness,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Weekdays {
    /// Monday first.
    days: [bool; 7],
    ph: bool,
    sh: bool,
}

/// Month and day, as `month * 32 + day`, inclusive at both ends; wraps over the new year when
/// `from > to`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DateRange {
    from: u16,
    to: u16,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    start: u16,
    /// Up to 2880: past midnight runs into the next day.
    end: u16,
    /// `+`: open-ended after `end` (or after `start` when there is no end).
    open_end: bool,
}

/// The holiday facts one evaluation assumes (for the day asked about; the day before is taken
/// as an ordinary day, which matters only to hours running past midnight into a holiday).
#[derive(Debug, Clone, Copy)]
struct Facts {
    ph: bool,
    sh: bool,
}

/// The state at `at` for `rule`, an OSM `opening_hours` value; `Unknown` when it cannot be
/// read or depends on whether the day is a holiday.
pub fn is_open(rule: &str, at: NaiveDateTime) -> Openness {
    OpeningHours::parse(rule).map_or(Openness::Unknown, |h| h.state_at(at, Holiday::Unknown))
}

/// The next moment after `at` when the state changes, within the coming week (a year when
/// the rule names dates); `None` when it does not change or cannot be read.
pub fn next_change(rule: &str, at: NaiveDateTime) -> Option<Change> {
    OpeningHours::parse(rule).ok()?.next_change(at, Holiday::Unknown)
}

impl OpeningHours {
    pub fn parse(text: &str) -> Result<Self, HoursError> {
        let groups = parse::rules(text)?;
        let rules = || groups.iter().flatten();
        Ok(OpeningHours {
            uses_ph: rules().any(|r| r.weekdays.is_some_and(|w| w.ph)),
            uses_sh: rules().any(|r| r.weekdays.is_some_and(|w| w.sh)),
            uses_dates: rules().any(|r| r.months.is_some()),
            groups,
        })
    }

    pub fn state_at(&self, at: NaiveDateTime, holiday: Holiday) -> Openness {
        let minute = (at.hour() * 60 + at.minute()) as u16;
        self.agree(holiday, |facts| state_in(&self.day(at.date(), facts), minute))
    }

    /// The day's intervals in order, each with the state it has, covering 00:00-24:00.
    pub fn intervals(&self, date: NaiveDate, holiday: Holiday) -> Vec<Interval> {
        let mut cuts = vec![0, DAY];
        for facts in self.fact_sets(holiday) {
            for (s, e, _) in self.day(date, facts) {
                cuts.extend([s, e]);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut out: Vec<Interval> = Vec::new();
        for w in cuts.windows(2) {
            let state = self.agree(holiday, |facts| state_in(&self.day(date, facts), w[0]));
            match out.last_mut() {
                Some(last) if last.state == state => last.end = w[1],
                _ => out.push(Interval { start: w[0], end: w[1], state }),
            }
        }
        out
    }

    pub fn next_change(&self, at: NaiveDateTime, holiday: Holiday) -> Option<Change> {
        let now = self.state_at(at, holiday);
        let days = if self.uses_dates { 367 } else { 8 };
        let start_minute = (at.hour() * 60 + at.minute()) as u16;
        for offset in 0..=days {
            let date = at.date() + Duration::days(offset);
            // Holiday knowledge is about the day asked; later days are unknown.
            let h = if offset == 0 { holiday } else { Holiday::Unknown };
            for i in self.intervals(date, h) {
                if (offset == 0 && i.start <= start_minute) || i.state == now {
                    continue;
                }
                let at = date.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(i.start));
                return Some(Change { at, to: i.state });
            }
        }
        None
    }

    /// Evaluates under each holiday assumption still open; unknown unless they agree.
    fn agree(&self, holiday: Holiday, eval: impl Fn(Facts) -> Openness) -> Openness {
        let mut answer = None;
        for facts in self.fact_sets(holiday) {
            let state = eval(facts);
            match answer {
                None => answer = Some(state),
                Some(a) if a != state => return Openness::Unknown,
                _ => {}
            }
        }
        answer.unwrap_or(Openness::Unknown)
    }

    fn fact_sets(&self, holiday: Holiday) -> Vec<Facts> {
        let ph: &[bool] = match (self.uses_ph, holiday) {
            (false, _) | (true, Holiday::No) => &[false],
            (true, Holiday::Yes) => &[true],
            (true, Holiday::Unknown) => &[false, true],
        };
        let sh: &[bool] = if self.uses_sh { &[false, true] } else { &[false] };
        ph.iter().flat_map(|&ph| sh.iter().map(move |&sh| Facts { ph, sh })).collect()
    }

    /// The stretches rules give `date`, in order of precedence (later wins). Past-midnight
    /// parts of the day before come in with the rule that made them, so a later rule that
    /// names this day replaces them too (as the specification and opening_hours.js do).
    fn day(&self, date: NaiveDate, facts: Facts) -> Vec<(u16, u16, Openness)> {
        let before = date.pred_opt().unwrap_or(date);
        let ordinary = Facts { ph: false, sh: false };
        let mut result = Vec::new();
        for group in &self.groups {
            let mut spans: Vec<(u16, u16, Openness)> = Vec::new();
            for rule in group {
                let today = rule.matches(date, facts);
                let yesterday = rule.matches(before, ordinary);
                // A closing rule with its own times cuts those hours out and leaves the rest
                // of the day ("Mo-Fr 08:00-18:00; We 12:00-13:00 off" is a lunch break).
                let cuts_only = rule.state == Openness::Closed && rule.times.is_some();
                if today && !rule.additional && !cuts_only {
                    spans.clear();
                }
                match &rule.times {
                    None if today => spans.push((0, DAY, rule.state)),
                    None => {}
                    Some(times) => {
                        for t in times {
                            if today {
                                spans.push((t.start, t.end.min(DAY), rule.state));
                                if t.open_end && t.end < DAY {
                                    spans.push((t.end, DAY, Openness::Unknown));
                                }
                            }
                            if yesterday && t.end > DAY {
                                spans.push((0, t.end - DAY, rule.state));
                            }
                        }
                    }
                }
            }
            // A fallback group (after `||`) fills only what the groups before left unsaid.
            if result.is_empty() {
                result = spans;
            } else {
                let covered = result.clone();
                for (s, e, state) in spans {
                    let mut cuts = vec![s, e];
                    cuts.extend(covered.iter().flat_map(|c| [c.0, c.1]).filter(|c| *c > s && *c < e));
                    cuts.sort_unstable();
                    cuts.dedup();
                    for w in cuts.windows(2) {
                        if !covered.iter().any(|c| c.0 <= w[0] && w[0] < c.1) {
                            result.insert(0, (w[0], w[1], state));
                        }
                    }
                }
            }
        }
        result
    }
}

/// The state of the last stretch covering `minute`; closed when none does.
fn state_in(spans: &[(u16, u16, Openness)], minute: u16) -> Openness {
    spans.iter().rev().find(|(s, e, _)| *s <= minute && minute < *e).map_or(Openness::Closed, |t| t.2)
}

impl Rule {
    fn matches(&self, date: NaiveDate, facts: Facts) -> bool {
        let md = date.month() as u16 * 32 + date.day() as u16;
        let in_months = self.months.as_ref().is_none_or(|ranges| {
            ranges.iter().any(|r| {
                if r.from <= r.to {
                    r.from <= md && md <= r.to
                } else {
                    md >= r.from || md <= r.to
                }
            })
        });
        let on_day = self.weekdays.is_none_or(|w| {
            w.days[date.weekday().num_days_from_monday() as usize] || (w.ph && facts.ph) || (w.sh && facts.sh)
        });
        in_months && on_day
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Openness::{Closed as C, Open as O, Unknown as U};

    /// A local time in the first week of June 2026: Monday the 1st to Sunday the 7th.
    fn at(day: &str, time: &str) -> NaiveDateTime {
        let d = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].iter().position(|x| *x == day).expect("day");
        let (h, m) = time.split_once(':').expect("time");
        NaiveDate::from_ymd_opt(2026, 6, 1 + d as u32)
            .and_then(|d| d.and_hms_opt(h.parse().expect("h"), m.parse().expect("m"), 0))
            .expect("date")
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s)
    }

    #[test]
    fn states_at_times() {
        // (opening_hours, day of 1-7 June 2026, time, expected); most from the OSM wiki.
        let cases: &[(&str, &str, &str, Openness)] = &[
            ("24/7", "Su", "03:00", O),
            ("Mo-Fr 08:30-20:00", "Mo", "08:30", O),
            ("Mo-Fr 08:30-20:00", "Mo", "08:29", C),
            ("Mo-Fr 08:30-20:00", "Fr", "19:59", O),
            ("Mo-Fr 08:30-20:00", "Fr", "20:00", C),
            ("Mo-Fr 08:30-20:00", "Sa", "12:00", C),
            ("Sa,Su 10:00-14:00", "Su", "11:00", O),
            ("Sa,Su 10:00-14:00", "We", "11:00", C),
            ("Mo,We,Fr 09:00-12:00", "Tu", "10:00", C),
            ("Mo-We,Fr 09:00-12:00", "We", "10:00", O),
            ("Fr-Mo 12:00-15:00", "Su", "13:00", O),
            ("Fr-Mo 12:00-15:00", "Tu", "13:00", C),
            ("11:00-23:00", "Tu", "22:00", O),
            // Lunch and dinner service.
            ("Mo-Fr 11:30-15:00,17:30-22:30; Sa,Su 12:00-22:30", "Tu", "16:00", C),
            ("Mo-Fr 11:30-15:00,17:30-22:30; Sa,Su 12:00-22:30", "Tu", "18:00", O),
            ("Mo-Fr 11:30-15:00,17:30-22:30; Sa,Su 12:00-22:30", "Sa", "16:00", O),
            ("Mo-Sa 12:00-15:00, 18:00-23:00", "Mo", "19:00", O),
            // Past midnight: the early hours belong to the day before's rule.
            ("18:00-02:00", "We", "01:30", O),
            ("18:00-02:00", "We", "02:00", C),
            ("Fr,Sa 18:00-03:00", "Sa", "02:00", O),
            ("Fr,Sa 18:00-03:00", "Su", "02:00", O),
            ("Fr,Sa 18:00-03:00", "Fr", "02:00", C),
            ("Mo-Su 22:00-26:00", "Tu", "01:00", O),
            ("Mo-Th 17:00-23:00; Fr-Su 12:00-24:00", "Fr", "23:59", O),
            ("Mo-Th 17:00-23:00; Fr-Su 12:00-24:00", "Mo", "00:30", C),
            // A later rule replaces earlier ones on its days, past-midnight hours included.
            ("Mo-Fr 08:00-18:00; We 08:00-12:00", "We", "14:00", C),
            ("Mo-Fr 08:00-18:00; We 08:00-12:00", "Th", "14:00", O),
            ("Mo-Sa 10:00-20:00; Tu off", "Tu", "12:00", C),
            ("Mo-Sa 10:00-20:00; Tu closed", "Mo", "12:00", O),
            ("Mo-Fr 18:00-02:00; Sa 12:00-16:00", "Sa", "01:00", C),
            ("Mo-Fr 18:00-02:00, Sa 12:00-16:00", "Sa", "01:00", O),
            ("Mo-Fr 08:00-12:00; 14:00-20:00", "Mo", "10:00", C),
            // Closing hours cut out of the day; an added rule adds.
            ("Mo-Fr 08:00-18:00; Mo-Fr 12:00-13:00 off", "Tu", "12:30", C),
            ("Mo-Fr 08:00-18:00; Mo-Fr 12:00-13:00 off", "Tu", "14:00", O),
            ("Mo-Fr 08:00-12:00, We 14:00-18:00", "We", "15:00", O),
            ("Mo-Fr 08:00-12:00, We 14:00-18:00", "We", "10:00", O),
            ("Mo-Fr 10:00-20:00; Su off", "Su", "12:00", C),
            // Modifiers and comments.
            ("Mo-Fr 10:00-20:00 unknown", "Mo", "12:00", U),
            ("Mo-Fr 10:00-20:00 open \"kitchen till 19:30\"", "Mo", "12:00", O),
            ("\"by appointment\"", "Mo", "12:00", U),
            ("off", "Mo", "12:00", C),
            ("Mo-Su 17:00+", "Mo", "19:00", U),
            ("Mo-Su 17:00+", "Mo", "16:00", C),
            ("Mo-Su 10:00-16:00+", "Mo", "12:00", O),
            ("Mo-Su 10:00-16:00+", "Mo", "17:00", U),
            ("Mo-Fr 10:00-20:00 || \"call ahead\"", "Sa", "12:00", U),
            ("Mo-Fr 10:00-20:00 || \"call ahead\"", "Mo", "12:00", O),
            // Public holidays are not known: unknown where they would change the answer.
            ("Mo-Fr 09:00-17:00; PH off", "We", "10:00", U),
            ("Mo-Fr 09:00-17:00; PH off", "We", "20:00", C),
            ("Mo-Fr 09:00-17:00; PH off", "Sa", "10:00", C),
            ("Sa,PH 10:00-14:00", "Mo", "11:00", U),
            ("Sa,PH 10:00-14:00", "Sa", "11:00", O),
            ("Mo-Fr 08:00-16:00; SH 09:00-12:00", "Tu", "08:30", U),
            // Months and dates (June 2026).
            ("Jun-Aug 10:00-22:00", "Mo", "12:00", O),
            ("Sep-May 10:00-22:00", "Mo", "12:00", C),
            ("Mo-Su 10:00-22:00; Jun 03 off", "We", "12:00", C),
            ("Mo-Su 10:00-22:00; Jun 03 off", "Th", "12:00", O),
            ("Mo-Su 10:00-22:00; Jun 02-04 off", "Th", "12:00", C),
            ("Mo-Su 10:00-19:00; Jun off; Dec 25 off", "Mo", "12:00", C),
            ("May 15-Jun 15 Sa,Su 09:00-12:00", "Sa", "10:00", O),
            ("May 15-Jun 15 Sa,Su 09:00-12:00", "Fr", "10:00", C),
            // What people type: lower case, English names, word-processor dashes, spaces.
            ("mo-fr 10:00-20:00", "Tu", "12:00", O),
            ("Mon-Fri 10:00 - 20:00", "Tu", "12:00", O),
            ("Monday-Sunday 9:00–17:30", "Su", "17:00", O),
            ("Mo-Fr: 10:00-20:00", "Tu", "12:00", O),
            ("Mo-Fr 10.00-20.00", "Tu", "12:00", O),
            ("Mo-Fr 10:00-20:00;", "Tu", "12:00", O),
            // Not understood: unknown, never an error.
            ("", "Mo", "12:00", U),
            ("sunrise-sunset", "Mo", "12:00", U),
            ("Su[1] 10:00-12:00", "Su", "11:00", U),
            ("2026 Mo-Fr 10:00-12:00", "Mo", "11:00", U),
            ("week 01-53 Mo 10:00-12:00", "Mo", "11:00", U),
            ("10am-10pm", "Mo", "12:00", U),
            ("Mo-Fr 10:00-16:00/90", "Mo", "12:00", U),
            ("Mo-Fr 25:00-26:00", "Mo", "12:00", U),
            // Found by the fuzz test: an hour too long to multiply, a day that wraps in 16 bits.
            ("sa-mo 1010101010:00-14:00", "Sa", "12:00", U),
            ("Mo-Su 10:00-22:00; Jun 65537 off", "Mo", "12:00", U),
            ("Mo-Su 10:00-22:00; Jun 1-65537 off", "Mo", "12:00", U),
            ("Mo-Fr 10:00-20:00 \"open", "Mo", "12:00", U),
            ("Mo-Fr 10:00", "Mo", "10:00", U),
            ("Mo-Fr 10:00-20:00 Sa 10:00-14:00", "Mo", "12:00", U),
            ("closed for refurbishment", "Mo", "12:00", U),
            ("Mo-Fr 10:00-20:00 ; ; Sa 09:00-10:00", "Sa", "09:30", O),
        ];
        for (rule, day, time, want) in cases {
            assert_eq!(is_open(rule, at(day, time)), *want, "{rule:?} on {day} at {time}");
        }
    }

    #[test]
    fn holidays_known_by_the_caller() {
        let h = OpeningHours::parse("Mo-Fr 09:00-17:00; PH off").expect("parses");
        let t = at("We", "10:00");
        let cases = [(Holiday::Unknown, U), (Holiday::Yes, C), (Holiday::No, O)];
        for (holiday, want) in cases {
            assert_eq!(h.state_at(t, holiday), want, "{holiday:?}");
        }
    }

    /// (opening_hours, from, next change at and to what)
    type ChangeCase = (&'static str, &'static str, Option<(&'static str, Openness)>);

    #[test]
    fn next_changes() {
        let cases: &[ChangeCase] = &[
            ("Mo-Fr 08:30-20:00", "2026-06-01 12:00", Some(("2026-06-01 20:00", C))),
            ("Mo-Fr 08:30-20:00", "2026-06-01 07:00", Some(("2026-06-01 08:30", O))),
            ("Mo-Fr 08:30-20:00", "2026-06-05 21:00", Some(("2026-06-08 08:30", O))),
            ("Mo-Fr 11:30-15:00,17:30-22:30", "2026-06-01 15:00", Some(("2026-06-01 17:30", O))),
            ("18:00-02:00", "2026-06-01 23:00", Some(("2026-06-02 02:00", C))),
            ("Mo-Su 17:00+", "2026-06-01 12:00", Some(("2026-06-01 17:00", U))),
            ("Mo-Su 10:00-22:00; Dec 25 off", "2026-12-24 22:30", Some(("2026-12-26 10:00", O))),
            ("24/7", "2026-06-01 12:00", None),
            ("off", "2026-06-01 12:00", None),
            ("nonsense", "2026-06-01 12:00", None),
        ];
        for (rule, from, want) in cases {
            let got = next_change(rule, dt(from));
            let want = want.map(|(t, to)| Change { at: dt(t), to });
            assert_eq!(got, want, "{rule:?} from {from}");
        }
    }

    #[test]
    fn intervals_cover_the_day() {
        let h = OpeningHours::parse("Mo-Fr 11:30-15:00,17:30-22:30; Sa 18:00-02:00").expect("parses");
        let monday = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        let got: Vec<(u16, u16, Openness)> =
            h.intervals(monday, Holiday::Unknown).iter().map(|i| (i.start, i.end, i.state)).collect();
        assert_eq!(got, vec![(0, 690, C), (690, 900, O), (900, 1050, C), (1050, 1350, O), (1350, 1440, C)]);
        let sunday = NaiveDate::from_ymd_opt(2026, 6, 7).expect("date");
        let got: Vec<(u16, u16, Openness)> =
            h.intervals(sunday, Holiday::Unknown).iter().map(|i| (i.start, i.end, i.state)).collect();
        assert_eq!(got, vec![(0, 120, O), (120, 1440, C)]);
    }

    #[test]
    fn errors_say_where() {
        let cases = [("Mo-Fr 10:00-20:00 Sa", 18), ("Mo-Xy 10:00", 3), ("Mo-Fr 10:00-2O:00", 12)];
        for (text, pos) in cases {
            let e = OpeningHours::parse(text).expect_err(text);
            assert_eq!(e.at, pos, "{text}: {e}");
        }
    }
}

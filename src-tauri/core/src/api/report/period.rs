//! Periods in the campaign's local time: which days a report covers, the instants that bound
//! them, and the weeks (starting on Monday) they fall into.

use super::super::{ApiError, Result};
use super::Week;
use crate::domain::ValidationError;
use crate::store::Store;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

pub use crate::store::reached::{Bounds, TIME_ZONE_KEY};

/// Which days to report on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum Period {
    /// A calendar month, `YYYY-MM`.
    Month {
        month: String,
    },
    /// From one day to another, both included.
    Days {
        #[ts(type = "string")]
        from: NaiveDate,
        #[ts(type = "string")]
        to: NaiveDate,
    },
    /// This month so far (the dashboard's default).
    ThisMonth,
    LastMonth,
    /// From the first restaurant or visit recorded to today.
    Campaign,
}

/// The campaign's time zone: the setting, or Europe/London.
pub fn time_zone(store: &Store) -> Result<Tz> {
    Ok(crate::store::reached::campaign_time_zone(store.conn())?)
}

/// The local day `at` falls on.
pub fn local_day(tz: &Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(tz).date_naive()
}

/// A day (`YYYY-MM-DD`, read as noon) or a day and time (`YYYY-MM-DDTHH:MM`) in the campaign's
/// local time, as an instant: a paper sheet typed in later keeps the day of the visit.
pub fn local_time(store: &Store, text: &str) -> Result<DateTime<Utc>> {
    let tz = time_zone(store)?;
    let text = text.trim();
    let local = match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => day.and_hms_opt(12, 0, 0),
        Err(_) => chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok(),
    }
    .ok_or_else(|| {
        ApiError::Invalid(ValidationError {
            field: "visited_at",
            reason: format!("'{text}' is not a day like 2026-11-02 or a time like 2026-11-02T14:30"),
        })
    })?;
    tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)).ok_or_else(|| {
        ApiError::Invalid(ValidationError {
            field: "visited_at",
            reason: format!("{text} does not exist in {} (the clocks went forward)", tz.name()),
        })
    })
}

fn invalid(reason: String) -> ApiError {
    ApiError::Invalid(ValidationError { field: "period", reason })
}

/// The first day of the month `YYYY-MM`.
fn month_start(month: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
        .map_err(|_| invalid(format!("'{month}' is not a month: write it as YYYY-MM, e.g. 2026-11")))
}

fn month_end(start: NaiveDate) -> NaiveDate {
    start.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(start)
}

impl Period {
    /// The first and last day, both included.
    pub fn days(&self, store: &Store, tz: &Tz, now: DateTime<Utc>) -> Result<(NaiveDate, NaiveDate)> {
        let today = local_day(tz, now);
        let this_month = today.with_day(1).expect("day 1");
        let (from, to) = match self {
            Period::Month { month } => {
                let start = month_start(month)?;
                (start, month_end(start))
            }
            Period::Days { from, to } => (*from, *to),
            Period::ThisMonth => (this_month, month_end(this_month)),
            Period::LastMonth => {
                let start = this_month.checked_sub_months(Months::new(1)).unwrap_or(this_month);
                (start, month_end(start))
            }
            Period::Campaign => {
                let first: Option<String> = store.conn().query_row(
                    "SELECT min(t) FROM (SELECT min(created_at) AS t FROM restaurants \
                     UNION ALL SELECT min(visited_at) FROM visits)",
                    [],
                    |r| r.get(0),
                )?;
                let first = first
                    .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| local_day(tz, t.with_timezone(&Utc)))
                    .unwrap_or(today);
                (first.min(today), today)
            }
        };
        if from > to {
            return Err(invalid(format!("starts on {from}, after it ends on {to}")));
        }
        Ok((from, to))
    }
}

/// The Monday of the week `day` is in.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The hour `YYYY-MM-DDTHH` (UTC, as SQL cuts it from a stored time) as the local week's Monday.
pub fn week_of_hour(tz: &Tz, hour: &str) -> Option<NaiveDate> {
    let at = chrono::NaiveDateTime::parse_from_str(&format!("{hour}:00"), "%Y-%m-%dT%H:%M").ok()?;
    Some(week_start(local_day(tz, Utc.from_utc_datetime(&at))))
}

/// Every week from the one holding `from` to the one holding `to`, with the counts found
/// (`visits`, `agreed`, `sticker_placed` per Monday); weeks without any are zeros.
pub fn weeks(from: NaiveDate, to: NaiveDate, found: &BTreeMap<NaiveDate, [u32; 3]>) -> Vec<Week> {
    let mut out = Vec::new();
    let mut monday = week_start(from);
    while monday <= to {
        let [visits, agreed, sticker_placed] = found.get(&monday).copied().unwrap_or_default();
        out.push(Week { start: monday, visits, agreed, sticker_placed });
        monday = monday + Days::new(7);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec::time;
    use crate::store::reached::day_start;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn local_days_start_at_local_midnight_across_clock_changes() {
        let tz = chrono_tz::Europe::London;
        let cases = [
            // Winter: GMT. Summer: BST, an hour ahead. The clocks changed on 29 March 2026.
            ("2026-01-15", "2026-01-15T00:00:00.000Z"),
            ("2026-07-01", "2026-06-30T23:00:00.000Z"),
            ("2026-03-29", "2026-03-29T00:00:00.000Z"),
            ("2026-03-30", "2026-03-29T23:00:00.000Z"),
        ];
        for (d, want) in cases {
            assert_eq!(time(day_start(&tz, day(d))), want, "{d}");
        }
        let b = Bounds::of(&tz, day("2026-06-01"), day("2026-06-30"));
        assert_eq!(
            (b.start.as_str(), b.end.as_str()),
            ("2026-05-31T23:00:00.000Z", "2026-06-30T23:00:00.000Z")
        );
    }

    #[test]
    fn weeks_start_on_monday_in_local_time() {
        let tz = chrono_tz::Europe::London;
        let cases = [
            ("2026-06-07T22", "2026-06-01"), // Sunday 23:00 in London: still that week
            ("2026-06-07T23", "2026-06-08"), // Monday 00:00 in London
            ("2026-12-06T23", "2026-11-30"), // winter: Sunday 23:00 in London
        ];
        for (hour, monday) in cases {
            assert_eq!(week_of_hour(&tz, hour), Some(day(monday)), "{hour}");
        }
        let mut found = BTreeMap::new();
        found.insert(day("2026-06-08"), [3, 1, 0]);
        let w = weeks(day("2026-06-03"), day("2026-06-16"), &found);
        let starts: Vec<String> = w.iter().map(|w| w.start.to_string()).collect();
        assert_eq!(starts, ["2026-06-01", "2026-06-08", "2026-06-15"]);
        assert_eq!((w[1].visits, w[1].agreed, w[0].visits), (3, 1, 0));
    }

    #[test]
    fn a_typed_day_is_noon_and_a_typed_time_is_local() {
        let store = Store::open_in_memory().expect("store");
        let cases = [
            ("2026-11-02", Some("2026-11-02T12:00:00.000Z")),
            ("2026-07-02", Some("2026-07-02T11:00:00.000Z")),
            ("2026-07-02T09:30", Some("2026-07-02T08:30:00.000Z")),
            ("2026-03-29T01:30", None), // skipped when the clocks went forward
            ("2 July", None),
        ];
        for (typed, want) in cases {
            assert_eq!(local_time(&store, typed).ok().map(time).as_deref(), want, "{typed}");
        }
    }

    #[test]
    fn months_are_read_whole_and_bad_ones_refused() {
        assert_eq!(month_start("2026-11").expect("month"), day("2026-11-01"));
        assert_eq!(month_end(day("2026-02-01")), day("2026-02-28"));
        for bad in ["2026-13", "Nov 2026", "2026/11", ""] {
            assert!(matches!(month_start(bad), Err(ApiError::Invalid(_))), "{bad}");
        }
    }
}

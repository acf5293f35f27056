//! UK bank holidays, worked out: the statutory rules for each part of the UK (Easter by the
//! Gregorian computus, "first/last Monday", substitute days when a fixed date falls at a
//! weekend) and the one-off changes announced since 2011 (royal and state occasions). A walk on
//! a bank holiday then reads `PH` opening hours as they say, instead of "unknown".
//!
//! Future one-off holidays are not known until announced: a new one needs a line in `ONE_OFF`.
//! Pure: no clock, no network.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which calendar: bank holidays differ between the parts of the UK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum Region {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::EnglandAndWales, Region::Scotland, Region::NorthernIreland];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
        }
    }

    pub fn parse(s: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Easter Sunday (anonymous Gregorian algorithm).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = date(year, month, 1);
    first + Duration::days(i64::from((7 - first.weekday().num_days_from_monday()) % 7))
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 { date(year + 1, 1, 1) } else { date(year, month + 1, 1) };
    let last = next - Duration::days(1);
    last - Duration::days(i64::from(last.weekday().num_days_from_monday()))
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Fixed-date holidays in order, each moved to the next weekday no other has taken when it
/// falls at a weekend (Christmas on a Saturday: Monday 27th and Tuesday 28th).
fn with_substitutes(days: &[NaiveDate], out: &mut Vec<NaiveDate>) {
    let mut taken: Vec<NaiveDate> = Vec::new();
    for &d in days {
        let mut day = d;
        while weekend(day) || taken.contains(&day) {
            day += Duration::days(1);
        }
        taken.push(day);
    }
    out.extend(taken);
}

/// One-off changes: (year, region or every region, moved from, to). `from` None adds a day.
const ONE_OFF: &[(i32, Option<Region>, Option<(u32, u32)>, (u32, u32))] = &[
    (2011, None, None, (4, 29)),         // royal wedding
    (2012, None, Some((5, 28)), (6, 4)), // spring holiday moved for the Diamond Jubilee
    (2012, None, None, (6, 5)),          // Diamond Jubilee
    (2020, None, Some((5, 4)), (5, 8)),  // early May holiday moved to VE Day
    (2022, None, Some((5, 30)), (6, 2)), // spring holiday moved for the Platinum Jubilee
    (2022, None, None, (6, 3)),          // Platinum Jubilee
    (2022, None, None, (9, 19)),         // state funeral of Queen Elizabeth II
    (2023, None, None, (5, 8)),          // coronation of King Charles III
];

/// Every bank holiday of `year` in `region`, in date order.
pub fn bank_holidays(year: i32, region: Region) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    let good_friday = easter(year) - Duration::days(2);
    match region {
        Region::Scotland => with_substitutes(&[date(year, 1, 1), date(year, 1, 2)], &mut days),
        _ => with_substitutes(&[date(year, 1, 1)], &mut days),
    }
    days.push(good_friday);
    if region != Region::Scotland {
        days.push(easter(year) + Duration::days(1));
    }
    days.push(first_monday(year, 5));
    days.push(last_monday(year, 5));
    days.push(match region {
        Region::Scotland => first_monday(year, 8),
        _ => last_monday(year, 8),
    });
    match region {
        Region::Scotland => with_substitutes(&[date(year, 11, 30)], &mut days),
        Region::NorthernIreland => {
            with_substitutes(&[date(year, 3, 17)], &mut days);
            with_substitutes(&[date(year, 7, 12)], &mut days);
        }
        Region::EnglandAndWales => {}
    }
    with_substitutes(&[date(year, 12, 25), date(year, 12, 26)], &mut days);
    for &(y, only, from, (m, d)) in ONE_OFF {
        if y != year || only.is_some_and(|r| r != region) {
            continue;
        }
        if let Some((fm, fd)) = from {
            days.retain(|&x| x != date(y, fm, fd));
        }
        days.push(date(y, m, d));
    }
    days.sort();
    days.dedup();
    days
}

pub fn is_bank_holiday(day: NaiveDate, region: Region) -> bool {
    bank_holidays(day.year(), region).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(list: &[(i32, u32, u32)]) -> Vec<NaiveDate> {
        list.iter().map(|&(y, m, d)| date(y, m, d)).collect()
    }

    /// As gov.uk/bank-holidays lists them.
    #[test]
    fn england_and_wales_as_published() {
        let cases: &[(i32, &[(i32, u32, u32)])] = &[
            (
                2022,
                &[
                    (2022, 1, 3),
                    (2022, 4, 15),
                    (2022, 4, 18),
                    (2022, 5, 2),
                    (2022, 6, 2),
                    (2022, 6, 3),
                    (2022, 8, 29),
                    (2022, 9, 19),
                    (2022, 12, 26),
                    (2022, 12, 27),
                ],
            ),
            (
                2023,
                &[
                    (2023, 1, 2),
                    (2023, 4, 7),
                    (2023, 4, 10),
                    (2023, 5, 1),
                    (2023, 5, 8),
                    (2023, 5, 29),
                    (2023, 8, 28),
                    (2023, 12, 25),
                    (2023, 12, 26),
                ],
            ),
            (
                2024,
                &[
                    (2024, 1, 1),
                    (2024, 3, 29),
                    (2024, 4, 1),
                    (2024, 5, 6),
                    (2024, 5, 27),
                    (2024, 8, 26),
                    (2024, 12, 25),
                    (2024, 12, 26),
                ],
            ),
            (
                2025,
                &[
                    (2025, 1, 1),
                    (2025, 4, 18),
                    (2025, 4, 21),
                    (2025, 5, 5),
                    (2025, 5, 26),
                    (2025, 8, 25),
                    (2025, 12, 25),
                    (2025, 12, 26),
                ],
            ),
            (
                2026,
                &[
                    (2026, 1, 1),
                    (2026, 4, 3),
                    (2026, 4, 6),
                    (2026, 5, 4),
                    (2026, 5, 25),
                    (2026, 8, 31),
                    (2026, 12, 25),
                    (2026, 12, 28),
                ],
            ),
            (
                2027,
                &[
                    (2027, 1, 1),
                    (2027, 3, 26),
                    (2027, 3, 29),
                    (2027, 5, 3),
                    (2027, 5, 31),
                    (2027, 8, 30),
                    (2027, 12, 27),
                    (2027, 12, 28),
                ],
            ),
            (
                2020,
                &[
                    (2020, 1, 1),
                    (2020, 4, 10),
                    (2020, 4, 13),
                    (2020, 5, 8),
                    (2020, 5, 25),
                    (2020, 8, 31),
                    (2020, 12, 25),
                    (2020, 12, 28),
                ],
            ),
        ];
        for (year, want) in cases {
            assert_eq!(bank_holidays(*year, Region::EnglandAndWales), dates(want), "{year}");
        }
    }

    #[test]
    fn scotland_and_northern_ireland_as_published() {
        let scotland_2025 = [
            (2025, 1, 1),
            (2025, 1, 2),
            (2025, 4, 18),
            (2025, 5, 5),
            (2025, 5, 26),
            (2025, 8, 4),
            (2025, 12, 1),
            (2025, 12, 25),
            (2025, 12, 26),
        ];
        assert_eq!(bank_holidays(2025, Region::Scotland), dates(&scotland_2025));
        // New Year on a Saturday: Monday 3 and Tuesday 4 January.
        let scotland_2022_new_year: Vec<NaiveDate> =
            bank_holidays(2022, Region::Scotland).into_iter().filter(|d| d.month() == 1).collect();
        assert_eq!(scotland_2022_new_year, dates(&[(2022, 1, 3), (2022, 1, 4)]));
        let ni_2025 = [
            (2025, 1, 1),
            (2025, 3, 17),
            (2025, 4, 18),
            (2025, 4, 21),
            (2025, 5, 5),
            (2025, 5, 26),
            (2025, 7, 14),
            (2025, 8, 25),
            (2025, 12, 25),
            (2025, 12, 26),
        ];
        assert_eq!(bank_holidays(2025, Region::NorthernIreland), dates(&ni_2025));
    }

    #[test]
    fn easter_sundays() {
        for (y, m, d) in
            [(2000, 4, 23), (2019, 4, 21), (2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2038, 4, 25)]
        {
            assert_eq!(easter(y), date(y, m, d), "{y}");
        }
    }

    #[test]
    fn regions_by_name() {
        for r in Region::ALL {
            assert_eq!(Region::parse(r.as_str()), Some(r));
        }
        assert_eq!(Region::parse("wales"), None);
        assert!(is_bank_holiday(date(2026, 5, 25), Region::Scotland));
        assert!(!is_bank_holiday(date(2026, 5, 26), Region::Scotland));
    }
}

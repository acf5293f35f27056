//! How domain values are written into SQLite columns and read back.

use super::{Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::str::FromStr;

/// UTC with milliseconds and a `Z`: text that sorts in time order.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_time(what: &'static str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt { what, value: s.to_string() })
}

pub fn parse_opt_time(what: &'static str, s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_time(what, &s)).transpose()
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_opt_date(what: &'static str, s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| StoreError::Corrupt { what, value: s.clone() })
    })
    .transpose()
}

pub fn list(items: &[String]) -> String {
    items.join(";")
}

pub fn parse_list(s: &str) -> Vec<String> {
    s.split(';').filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// Parses one of the domain's snake_case enums.
pub fn parse_enum<T: FromStr>(what: &'static str, s: &str) -> Result<T> {
    s.parse().map_err(|_| StoreError::Corrupt { what, value: s.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_and_sort() {
        let a: DateTime<Utc> = "2026-05-01T09:05:00.123Z".parse().unwrap();
        let b: DateTime<Utc> = "2026-05-01T10:00:00Z".parse().unwrap();
        assert_eq!(time(a), "2026-05-01T09:05:00.123Z");
        assert_eq!(parse_time("t", &time(a)).unwrap(), a);
        assert!(time(a) < time(b));
        assert!(parse_time("t", "yesterday").is_err());
    }

    #[test]
    fn lists() {
        assert_eq!(parse_list(&list(&["a".into(), "b c".into()])), vec!["a", "b c"]);
        assert!(parse_list("").is_empty());
    }
}

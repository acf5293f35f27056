//! A pulled row is checked as if it had been typed here before it is stored: a teammate's
//! machine may send anything. Each kind's fields are read with the domain's own rules (times
//! as strict RFC 3339 UTC within a sane range, outcomes, kinds, states, ids, text limits,
//! area outlines, label templates); times are rewritten in this file's one format, so text
//! order is time order. A row that fails is parked with the reason (`apply::row`), never
//! stored, and never fails the rest of its pull.

use crate::domain::area::{Area, Geometry};
use crate::domain::visit::MAX_STICKERS_PER_VISIT;
use crate::domain::{sticker_code, ConsentAnswer, ConsentKind, Outcome, StickerState};
use crate::stickers::Template;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::str::FromStr;

/// Why a pulled row was refused, in words for the team dialog.
pub type Refusal = String;

/// The longest id any kind uses (ULIDs are 26; sticker events add a suffix).
pub const MAX_ID: usize = 64;
/// Text limits, the same as the window's and the CLI's.
pub const MAX_NOTE: usize = 2000;
pub const MAX_NAME: usize = 200;
/// The largest print batch and label template accepted from a teammate.
pub const MAX_CODES: usize = 50_000;

/// The earliest time a campaign record can carry.
fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).unwrap_or_default() // 2000-01-01
}

/// A time as Tablemap writes it: `YYYY-MM-DDTHH:MM:SS[.fff]Z`, nothing else (PostgreSQL and
/// chrono both read 'epoch', offsets or spaces; a teammate's row may not use them), between
/// 2000 and a day after `now`.
pub fn strict_time(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    strict_time_until(text, now + chrono::Duration::days(1))
}

/// `strict_time` for times that may lie ahead (a claim's end), up to `latest`.
pub fn strict_time_until(text: &str, latest: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[b.len() - 1] == b'Z'
        && (b.len() == 20 || (b[19] == b'.' && b.len() <= 30 && digits(20..b.len() - 1) && b.len() > 21));
    if !shape {
        return None;
    }
    let t = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    (t >= earliest() && t <= latest).then_some(t)
}

/// A day as `YYYY-MM-DD`, between 2000 and ten years from now.
pub fn strict_date(text: &str, now: DateTime<Utc>) -> Option<NaiveDate> {
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|_| ok)?;
    (d >= earliest().date_naive() && d <= (now + chrono::Duration::days(3660)).date_naive()).then_some(d)
}

/// An id: 1 to 64 letters, digits, `-` or `_`.
pub fn strict_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_ID
        && text.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Checks `body` as a pulled row of `kind` and puts its times in this file's format.
pub fn check(kind: &str, body: &mut Value, now: DateTime<Utc>) -> Result<(), Refusal> {
    let mut row = Row { body, now };
    row.id("id")?;
    match kind {
        "visit" => {
            row.id("restaurant_id")?;
            row.id("volunteer_id")?;
            row.time("visited_at")?;
            row.time("recorded_at")?;
            row.parsed::<Outcome>("outcome")?;
            row.count("stickers_left", u64::from(MAX_STICKERS_PER_VISIT))?;
            row.text("note", MAX_NOTE, false)?;
            row.date("follow_up_on", false)?;
            row.optional_id("corrects")?;
        }
        "consent" => {
            row.id("restaurant_id")?;
            row.parsed::<ConsentKind>("kind")?;
            row.parsed::<ConsentAnswer>("answer")?;
            row.id("recorded_by")?;
            row.time("recorded_at")?;
        }
        "sticker_event" => {
            row.code("code")?;
            row.parsed::<StickerState>("state")?;
            row.optional_id("restaurant_id")?;
            row.optional_id("volunteer_id")?;
            row.optional_id("visit_id")?;
            row.time("at")?;
        }
        "print_batch" => {
            row.time("created_at")?;
            row.optional_id("volunteer_id")?;
            let codes = row.body.get("codes").and_then(Value::as_array).map_or(0, Vec::len);
            if codes == 0 || codes > MAX_CODES {
                return Err(format!("it should hold 1 to {MAX_CODES} sticker codes, not {codes}"));
            }
            for c in row.body.get_mut("codes").and_then(Value::as_array_mut).into_iter().flatten() {
                let mut code = Row { body: c, now };
                code.code("code")?;
                code.text("url", 2000, true)?;
                code.optional_id("restaurant_id")?;
            }
        }
        "area_claim" => {
            row.id("area_id")?;
            row.optional_id("volunteer_id")?;
            row.time("claimed_at")?;
            // Claims last at most 90 days (`domain::area::claim`); a little more is allowed.
            row.time_until("expires_at", chrono::Duration::days(100))?;
        }
        "area_note" => {
            row.id("area_id")?;
            row.id("volunteer_id")?;
            row.text("note", MAX_NOTE, true)?;
            row.time("written_at")?;
        }
        "template" => {
            row.text("name", MAX_NAME, true)?;
            let definition = row.body.get("definition").and_then(Value::as_str).unwrap_or_default();
            let template: Template = serde_json::from_str(definition)
                .map_err(|e| format!("its label template cannot be read ({e})"))?;
            template.validate().map_err(|e| format!("its label template does not fit its sheet: {e}"))?;
        }
        "area" => {
            row.text("name", MAX_NAME, true)?;
            let geometry = row.body.get("geometry").and_then(Value::as_str).unwrap_or_default();
            let geometry: Geometry =
                serde_json::from_str(geometry).map_err(|e| format!("its outline cannot be read ({e})"))?;
            Area::new(geometry).map_err(|e| format!("its outline {}", e.reason))?;
        }
        _ => return Err(format!("this version of Tablemap does not know rows of kind {kind}")),
    }
    Ok(())
}

/// One pulled row being checked.
struct Row<'a> {
    body: &'a mut Value,
    now: DateTime<Utc>,
}

impl Row<'_> {
    fn text_of(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }

    fn present(&self, field: &str) -> bool {
        self.body.get(field).is_some_and(|v| !v.is_null())
    }

    fn id(&mut self, field: &str) -> Result<(), Refusal> {
        match self.text_of(field) {
            Some(t) if strict_id(t) => Ok(()),
            Some(_) => Err(format!("its {field} is not an id (1 to {MAX_ID} letters, digits, - or _)")),
            None => Err(format!("it lacks {field}")),
        }
    }

    fn optional_id(&mut self, field: &str) -> Result<(), Refusal> {
        if self.present(field) {
            self.id(field)
        } else {
            Ok(())
        }
    }

    /// The server refuses a time more than a day ahead of its own clock; here a week is allowed,
    /// so a computer whose clock runs a few days slow still takes its teammates' rows (a parked
    /// row goes in at a later pull once the clock is right).
    fn time(&mut self, field: &str) -> Result<(), Refusal> {
        self.time_until(field, chrono::Duration::days(7))
    }

    fn time_until(&mut self, field: &str, ahead: chrono::Duration) -> Result<(), Refusal> {
        let text = self.text_of(field).ok_or_else(|| format!("it lacks {field}"))?;
        let t = strict_time_until(text, self.now + ahead).ok_or_else(|| {
            format!(
                "its {field} ({}) is not a time between 2000 and {} days from now",
                shorten(text),
                ahead.num_days()
            )
        })?;
        self.body[field] = Value::String(crate::store::codec_text_time(t));
        Ok(())
    }

    fn date(&mut self, field: &str, required: bool) -> Result<(), Refusal> {
        if !self.present(field) {
            return if required { Err(format!("it lacks {field}")) } else { Ok(()) };
        }
        let text = self.text_of(field).unwrap_or_default();
        strict_date(text, self.now)
            .map(|_| ())
            .ok_or_else(|| format!("its {field} ({}) is not a day (YYYY-MM-DD)", shorten(text)))
    }

    fn parsed<T: FromStr>(&mut self, field: &str) -> Result<(), Refusal> {
        let text = self.text_of(field).ok_or_else(|| format!("it lacks {field}"))?;
        T::from_str(text).map(|_| ()).map_err(|_| {
            format!(
                "its {field} '{}' is unknown to this version of Tablemap: update Tablemap on this computer",
                shorten(text)
            )
        })
    }

    fn count(&mut self, field: &str, max: u64) -> Result<(), Refusal> {
        match self.body.get(field).and_then(Value::as_u64) {
            Some(n) if n <= max => Ok(()),
            _ => Err(format!("its {field} should be a whole number from 0 to {max}")),
        }
    }

    fn text(&mut self, field: &str, max: usize, required: bool) -> Result<(), Refusal> {
        match self.body.get(field) {
            None | Some(Value::Null) if !required => Ok(()),
            Some(Value::String(s)) if s.chars().count() <= max && (!required || !s.trim().is_empty()) => {
                Ok(())
            }
            Some(Value::String(s)) if s.chars().count() > max => {
                Err(format!("its {field} is longer than {max} characters"))
            }
            _ => Err(format!("it lacks {field}")),
        }
    }

    fn code(&mut self, field: &str) -> Result<(), Refusal> {
        let text = self.text_of(field).unwrap_or_default();
        match sticker_code::normalise(text) {
            Some(c) if c == text => Ok(()),
            _ => Err(format!("its {field} '{}' is not a sticker code", shorten(text))),
        }
    }
}

/// At most 40 characters of something a teammate sent, for a sentence.
fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn times() {
        let cases = [
            ("2026-11-27T10:00:00Z", Some("2026-11-27T10:00:00.000Z")),
            ("2026-11-27T10:00:00.5Z", Some("2026-11-27T10:00:00.500Z")),
            ("2026-11-27T10:00:00.123456Z", Some("2026-11-27T10:00:00.123Z")),
            ("2026-11-28T11:00:00Z", Some("2026-11-28T11:00:00.000Z")), // within a day
            ("2026-11-29T12:00:00Z", None),                             // two days ahead (strict_time)
            ("1999-12-31T23:59:59Z", None),
            ("epoch", None),
            ("today", None),
            ("tomorrow", None),
            ("infinity", None),
            ("2026-11-27 10:00:00Z", None),
            ("2026-11-27T10:00:00+01:00", None),
            ("2026-11-27T10:00:00", None),
            ("2026-11-27T10:00:00.Z", None),
            ("2026-02-30T10:00:00Z", None),
            ("", None),
            ("２０２６-11-27T10:00:00Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                strict_time(text, now()).map(crate::store::codec_text_time).as_deref(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn ids_and_dates() {
        for (id, ok) in [("01JD", true), ("E1-0", true), ("", false), ("a b", false), ("é", false)] {
            assert_eq!(strict_id(id), ok, "{id}");
        }
        assert!(!strict_id(&"x".repeat(65)));
        for (d, ok) in
            [("2026-12-01", true), ("2026-1-01", false), ("tomorrow", false), ("2099-01-01", false)]
        {
            assert_eq!(strict_date(d, now()).is_some(), ok, "{d}");
        }
    }

    fn visit() -> Value {
        json!({ "id": "V1", "restaurant_id": "R1", "volunteer_id": "P1", "visited_at": "2026-11-27T10:00:00Z",
                "recorded_at": "2026-11-27T10:00:00Z", "outcome": "spoke", "stickers_left": 0, "note": null,
                "follow_up_on": null, "corrects": null, "hlc": "x" })
    }

    #[test]
    fn pulled_rows() {
        let with = |kind: &'static str, base: Value, field: &str, value: Value| {
            let mut b = base;
            b[field] = value;
            (kind, b)
        };
        // (kind, row, a word the refusal holds; "" for accepted)
        let cases = [
            ("visit", visit(), ""),
            with("visit", visit(), "visited_at", json!("tomorrow")).into_case("visited_at"),
            with("visit", visit(), "recorded_at", json!("epoch")).into_case("recorded_at"),
            with("visit", visit(), "outcome", json!("flew_away")).into_case("outcome"),
            with("visit", visit(), "stickers_left", json!(-1)).into_case("stickers_left"),
            with("visit", visit(), "stickers_left", json!(51)).into_case("stickers_left"),
            with("visit", visit(), "note", json!("x".repeat(2001))).into_case("longer than 2000"),
            with("visit", visit(), "follow_up_on", json!("soon")).into_case("follow_up_on"),
            with("visit", visit(), "id", json!("x".repeat(65))).into_case("not an id"),
            with("visit", visit(), "restaurant_id", json!("ünï")).into_case("not an id"),
            with("visit", visit(), "volunteer_id", Value::Null).into_case("lacks volunteer_id"),
            (
                "consent",
                json!({ "id": "C1", "restaurant_id": "R1", "kind": "listed_publicly", "answer": "yes",
                        "recorded_by": "P1", "recorded_at": "epoch" }),
                "recorded_at",
            ),
            (
                "consent",
                json!({ "id": "C1", "restaurant_id": "R1", "kind": "nationality", "answer": "yes",
                        "recorded_by": "P1", "recorded_at": "2026-11-27T10:00:00Z" }),
                "kind",
            ),
            (
                "sticker_event",
                json!({ "id": "E1", "code": "k7mp2qx", "state": "placed", "at": "2026-11-27T10:00:00Z" }),
                "not a sticker code",
            ),
            (
                "sticker_event",
                json!({ "id": "E1", "code": "K7MP2QX", "state": "stolen", "at": "2026-11-27T10:00:00Z" }),
                "state",
            ),
            (
                "area_note",
                json!({ "id": "N1", "area_id": "A1", "volunteer_id": "P1", "note": "x".repeat(5_000_000),
                        "written_at": "2026-11-27T10:00:00Z" }),
                "longer than",
            ),
            ("recipe", json!({ "id": "X1" }), "kind recipe"),
        ];
        for (i, (kind, mut body, word)) in cases.into_iter().enumerate() {
            let got = check(kind, &mut body, now());
            if word.is_empty() {
                assert_eq!(got, Ok(()), "case {i}");
            } else {
                let reason = got.expect_err(&format!("case {i} should be refused"));
                assert!(reason.contains(word), "case {i}: {reason}");
            }
        }
    }

    #[test]
    fn times_are_rewritten_in_one_format() {
        let mut v = visit();
        check("visit", &mut v, now()).unwrap();
        assert_eq!(v["visited_at"], "2026-11-27T10:00:00.000Z");
    }

    trait IntoCase {
        fn into_case(self, word: &'static str) -> (&'static str, Value, &'static str);
    }
    impl IntoCase for (&'static str, Value) {
        fn into_case(self, word: &'static str) -> (&'static str, Value, &'static str) {
            (self.0, self.1, word)
        }
    }
}

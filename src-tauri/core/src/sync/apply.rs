//! Applying pulled rows to the local file: events (inserted once, never changed) and documents
//! (templates and areas: the latest stamp wins, whole). Every row arrives as the JSON of the
//! local row, so one insert serves every kind.
//!
//! A row whose parent is not here yet (a sticker event before its batch, a visit before its
//! restaurant is complete: the server's transactions can commit out of order) is parked in
//! `sync_parked` and tried again after every pull, so it is never lost once the cursor moves on.

use super::Result;
use crate::store::outbox;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// A kind of pulled row: the local table and its columns (from `outbox::ROWS`), and the
/// references that must be here before it can go in: (column, table it points into).
struct Spec {
    kind: &'static str,
    parents: &'static [(&'static str, &'static str)],
}

/// In the order they are applied: parents before children.
const SPECS: &[Spec] = &[
    Spec {
        kind: "visit",
        parents: &[("restaurant_id", "restaurants"), ("volunteer_id", "volunteers"), ("corrects", "visits")],
    },
    Spec { kind: "consent", parents: &[("restaurant_id", "restaurants"), ("recorded_by", "volunteers")] },
    Spec { kind: "print_batch", parents: &[("volunteer_id", "volunteers")] },
    Spec {
        kind: "sticker_event",
        parents: &[
            ("code", "sticker_codes"),
            ("restaurant_id", "restaurants"),
            ("volunteer_id", "volunteers"),
            ("visit_id", "visits"),
        ],
    },
    Spec { kind: "template", parents: &[] },
    Spec { kind: "area", parents: &[] },
    Spec { kind: "area_claim", parents: &[("area_id", "areas"), ("volunteer_id", "volunteers")] },
    Spec { kind: "area_note", parents: &[("area_id", "areas"), ("volunteer_id", "volunteers")] },
];

/// The kinds pulled as rows, in the order they are applied.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    SPECS.iter().map(|s| s.kind)
}

fn spec(kind: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.kind == kind)
}

/// What applying one row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// New here.
    Added,
    /// Here already, or older than what is here.
    Unchanged,
    /// Its parent is not here yet: kept for the next pull.
    Parked,
}

/// Applies a pulled row of `kind` (the local row as JSON, with its `hlc`), or parks it: when
/// the checks a typed row meets refuse it (`checks::check`), when a parent is not here yet, or
/// when the database's own constraints refuse it (kept with the reason, so nothing the team has
/// is dropped unseen and no row stops the rest of a pull).
pub fn row(db: &Connection, kind: &str, body: &Value, now: DateTime<Utc>) -> Result<Applied> {
    let Some(spec) = spec(kind) else { return Ok(Applied::Unchanged) };
    let id = park_id(body);
    let mut body = body.clone();
    if let Err(reason) = super::checks::check(kind, &mut body, now) {
        park(db, kind, &id, &body, Some(&reason))?;
        return Ok(Applied::Parked);
    }
    let body = &body;
    if !parents_here(db, spec, body)? {
        park(db, kind, &id, body, None)?;
        return Ok(Applied::Parked);
    }
    db.execute_batch("SAVEPOINT pulled_row")?;
    let done = match kind {
        "template" | "area" => document(db, kind, &id, body),
        _ => insert(db, kind, body).and_then(|added| {
            if added && kind == "print_batch" {
                codes(db, &id, body)?;
            }
            Ok(added)
        }),
    };
    match done {
        Ok(added) => {
            db.execute_batch("RELEASE pulled_row")?;
            db.prepare_cached("DELETE FROM sync_parked WHERE kind = ?1 AND id = ?2")?
                .execute(params![kind, id])?;
            Ok(if added { Applied::Added } else { Applied::Unchanged })
        }
        Err(super::SyncError::Store(crate::store::StoreError::Sqlite(e))) if is_refusal(&e) => {
            db.execute_batch("ROLLBACK TO pulled_row; RELEASE pulled_row")?;
            park(db, kind, &id, body, Some(&refusal_in_words(&e)))?;
            Ok(Applied::Parked)
        }
        Err(e) => {
            db.execute_batch("ROLLBACK TO pulled_row; RELEASE pulled_row")?;
            Err(e)
        }
    }
}

/// The id a row is parked under: its own when it is a sane id, else one made from its bytes (a
/// hostile id must not collide with, or replace, another parked row).
fn park_id(body: &Value) -> String {
    match body.get("id").and_then(Value::as_str) {
        Some(id) if super::checks::strict_id(id) => id.to_string(),
        _ => {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            body.to_string().hash(&mut h);
            format!("unreadable-{:016x}", h.finish())
        }
    }
}

fn park(db: &Connection, kind: &str, id: &str, body: &Value, reason: Option<&str>) -> Result<()> {
    db.prepare_cached("INSERT OR REPLACE INTO sync_parked (kind, id, body, reason) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![kind, id, body.to_string(), reason])?;
    Ok(())
}

/// A local check refused the row (a CHECK, UNIQUE, NOT NULL or foreign key), rather than the
/// file failing.
fn is_refusal(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// Why the local checks refused a row, in words that say what to do.
fn refusal_in_words(e: &rusqlite::Error) -> String {
    let text = e.to_string();
    if text.contains("CHECK constraint failed") {
        "it holds a value this version of Tablemap does not know: update Tablemap on this computer".into()
    } else if text.contains("UNIQUE constraint failed: visits.corrects") {
        "the same visit has been corrected here already: a coordinator can correct the correction".into()
    } else if text.contains("UNIQUE constraint failed") {
        "it clashes with something recorded here already".into()
    } else if text.contains("FOREIGN KEY constraint failed") {
        "it refers to something this computer does not have".into()
    } else if let Some(column) = text.strip_prefix("NOT NULL constraint failed: ") {
        format!("it lacks {column}")
    } else {
        text
    }
}

/// What a kind of row is called in the window, at the start of a sentence.
pub fn kind_in_words(kind: &str) -> &str {
    match kind {
        "visit" => "A visit",
        "consent" => "A consent record",
        "print_batch" => "A print batch",
        "sticker_event" => "A sticker change",
        "template" => "A label template",
        "area" => "An area",
        "area_claim" => "A claim on an area",
        "area_note" => "A note on an area",
        "setting" => "The campaign's settings",
        other => other,
    }
}

/// Pulled rows the local checks refused, as (kind, id, reason).
pub fn refused(db: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = db
        .prepare_cached("SELECT kind, id, reason FROM sync_parked WHERE reason IS NOT NULL ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Tries the parked rows again (their parents may have come since); answers those that went
/// in, as (kind, row).
pub fn parked(db: &Connection, now: DateTime<Utc>) -> Result<Vec<(&'static str, Value)>> {
    let mut done = Vec::new();
    loop {
        let mut progress = 0;
        for kind in kinds() {
            let rows: Vec<String> = {
                let mut stmt =
                    db.prepare_cached("SELECT body FROM sync_parked WHERE kind = ?1 ORDER BY rowid")?;
                let rows = stmt.query_map([kind], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for text in rows {
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if row(db, kind, &body, now)? != Applied::Parked {
                    progress += 1;
                    done.push((kind, body));
                }
            }
        }
        if progress == 0 {
            return Ok(done);
        }
    }
}

/// How many pulled rows are waiting for their parents.
pub fn parked_count(db: &Connection) -> Result<u64> {
    Ok(db.query_row("SELECT count(*) FROM sync_parked", [], |r| r.get::<_, i64>(0))? as u64)
}

fn parents_here(db: &Connection, spec: &Spec, body: &Value) -> Result<bool> {
    for (column, table) in spec.parents {
        let Some(value) = body.get(*column).and_then(Value::as_str) else { continue };
        let key = if *table == "sticker_codes" { "code" } else { "id" };
        let here = db
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE {key} = ?1"))?
            .query_row([value], |_| Ok(()))
            .optional()?
            .is_some();
        if !here {
            return Ok(false);
        }
    }
    if spec.kind == "print_batch" {
        // Its pre-assigned codes name restaurants.
        for code in body.get("codes").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = code.get("restaurant_id").and_then(Value::as_str) {
                if db
                    .prepare_cached("SELECT 1 FROM restaurants WHERE id = ?1")?
                    .query_row([r], |_| Ok(()))
                    .optional()?
                    .is_none()
                {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// Inserts the row's columns, read from the JSON by SQLite itself; a row here already is left.
fn insert(db: &Connection, kind: &str, body: &Value) -> Result<bool> {
    let (table, columns) = outbox::row_kind(kind)?;
    let values: Vec<String> = columns.iter().map(|c| format!("json_extract(?1, '$.{c}')")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} WHERE true ON CONFLICT (id) DO NOTHING",
        columns.join(", "),
        values.join(", ")
    );
    Ok(db.prepare_cached(&sql)?.execute([body.to_string()])? > 0)
}

fn codes(db: &Connection, batch: &str, body: &Value) -> Result<()> {
    let mut stmt = db.prepare_cached(
        "INSERT INTO sticker_codes (code, batch_id, seq, url, restaurant_id) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (code) DO NOTHING",
    )?;
    for c in body.get("codes").and_then(Value::as_array).into_iter().flatten() {
        let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        stmt.execute(params![
            text("code"),
            batch,
            c.get("seq").and_then(Value::as_i64),
            text("url"),
            text("restaurant_id")
        ])?;
    }
    Ok(())
}

/// A template or an area: taken whole when its stamp is later than the one here. An area whose
/// name another area here already uses gets a number, as a pulled volunteer does.
fn document(db: &Connection, kind: &str, id: &str, body: &Value) -> Result<bool> {
    let hlc = body.get("hlc").and_then(Value::as_str).unwrap_or_default();
    if outbox::document_stamp(db, kind, id)?.is_some_and(|mine| mine.as_str() >= hlc) {
        return Ok(false);
    }
    let (table, columns) = outbox::row_kind(kind)?;
    let mut body = body.clone();
    if kind == "area" && body.get("deleted_at").is_none_or(Value::is_null) {
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let mut candidate = name.clone();
        let mut n = 2;
        while db
            .prepare_cached(
                "SELECT 1 FROM areas WHERE name = ?1 COLLATE NOCASE AND deleted_at IS NULL AND id != ?2",
            )?
            .query_row([&candidate, id], |_| Ok(()))
            .optional()?
            .is_some()
        {
            candidate = format!("{name} ({n})");
            n += 1;
        }
        body["name"] = Value::String(candidate);
    }
    let values: Vec<String> = columns.iter().map(|c| format!("json_extract(?1, '$.{c}')")).collect();
    let updates: Vec<String> =
        columns.iter().filter(|c| **c != "id").map(|c| format!("{c} = excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} WHERE true ON CONFLICT (id) DO UPDATE SET {}",
        columns.join(", "),
        values.join(", "),
        updates.join(", ")
    );
    db.prepare_cached(&sql)?.execute([body.to_string()])?;
    outbox::set_document_stamp(db, kind, id, hlc)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use serde_json::json;

    fn batch() -> Value {
        json!({
            "id": "B1", "template_id": "avery-l7160", "template_name": "Avery L7160", "count": 1, "start_at": 1,
            "ec_level": "M", "base_url": "https://mc.org.uk/s", "query": null, "purpose": "blank",
            "volunteer_id": null, "printed_by": null, "file_name": null, "created_at": "2026-11-27T10:00:00Z",
            "codes": [{ "code": "K7MP2QX", "seq": 1, "url": "https://mc.org.uk/s/K7MP2QX", "restaurant_id": null }],
            "hlc": "x",
        })
    }

    fn printed(id: &str, code: &str) -> Value {
        json!({ "id": id, "code": code, "state": "printed", "restaurant_id": null, "volunteer_id": null,
                "visit_id": null, "at": "2026-11-27T10:00:00Z", "hlc": "x" })
    }

    fn at() -> DateTime<Utc> {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    fn count(db: &Connection, sql: &str) -> i64 {
        db.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_row_before_its_parent_waits_then_goes_in_once() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|db| -> Result<()> {
                // The event came first (its batch's transaction committed later on the server).
                assert_eq!(row(db, "sticker_event", &printed("E1", "K7MP2QX"), at())?, Applied::Parked);
                assert_eq!(parked_count(db)?, 1);
                assert!(parked(db, at())?.is_empty(), "still no batch");
                assert_eq!(row(db, "print_batch", &batch(), at())?, Applied::Added);
                let went = parked(db, at())?;
                assert_eq!(went.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["sticker_event"]);
                assert_eq!(parked_count(db)?, 0);
                // Seen again (a window read twice): nothing changes.
                assert_eq!(row(db, "print_batch", &batch(), at())?, Applied::Unchanged);
                assert_eq!(row(db, "sticker_event", &printed("E1", "K7MP2QX"), at())?, Applied::Unchanged);
                assert_eq!(count(db, "SELECT count(*) FROM sticker_codes"), 1);
                assert_eq!(count(db, "SELECT count(*) FROM sticker_events"), 1);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_correction_before_its_visit_waits_and_a_refused_row_is_kept_with_its_reason() {
        let mut store = Store::open_in_memory().unwrap();
        let (restaurant, volunteer) = ("R1".to_string(), "P1".to_string());
        store
            .write(|db| -> Result<()> {
                let now = chrono::Utc::now();
                let draft = crate::domain::RestaurantDraft {
                    name: "Zaza".into(),
                    lat: 51.5,
                    lon: -0.07,
                    ..Default::default()
                };
                let person = crate::domain::VolunteerDraft { display_name: "Ana".into(), contact: None };
                let valid = draft.validate().unwrap();
                crate::store::restaurants::insert(
                    db,
                    &crate::domain::RestaurantId(restaurant.clone()),
                    &valid,
                    "manual",
                    None,
                    now,
                )?;
                crate::store::volunteers::insert(
                    db,
                    &crate::domain::VolunteerId(volunteer.clone()),
                    &person,
                    now,
                )?;
                Ok(())
            })
            .unwrap();
        let visit = |id: &str, outcome: &str, corrects: Option<&str>| {
            json!({ "id": id, "restaurant_id": restaurant, "volunteer_id": volunteer,
                    "visited_at": "2026-11-27T10:00:00.000Z", "recorded_at": "2026-11-27T10:00:00.000Z",
                    "outcome": outcome, "stickers_left": 0, "note": null, "follow_up_on": null,
                    "corrects": corrects, "hlc": "x" })
        };
        store
            .write(|db| -> Result<()> {
                let cases = [
                    // (row, applied now, parked after, refused after)
                    (visit("V2", "agreed", Some("V1")), Applied::Parked, 1, 0),
                    (visit("V1", "spoke", None), Applied::Added, 0, 0),
                    (visit("V3", "flew_away", None), Applied::Parked, 1, 1),
                ];
                for (body, want, parked_after, refused_after) in cases {
                    assert_eq!(row(db, "visit", &body, at())?, want, "{body}");
                    if want == Applied::Added {
                        let went = parked(db, at())?;
                        assert_eq!(went.len(), 1, "the correction follows its visit");
                    }
                    assert_eq!(parked_count(db)?, parked_after, "{body}");
                    assert_eq!(refused(db)?.len(), refused_after, "{body}");
                }
                let reason = &refused(db)?[0].2;
                assert!(reason.contains("update Tablemap"), "{reason}");
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn documents_take_the_later_stamp_whole() {
        let mut store = Store::open_in_memory().unwrap();
        let area = |name: &str, hlc: &str| {
            json!({ "id": "A1", "name": name, "geometry": "{\"type\":\"Polygon\",\"coordinates\":[[[0,51],[0.1,51],[0.1,51.1],[0,51]]]}",
                    "source": "drawn", "south": 51.0, "west": 0.0, "north": 51.1, "east": 0.1, "km2": 1.0,
                    "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z",
                    "deleted_at": null, "hlc": hlc })
        };
        store
            .write(|db| -> Result<()> {
                let cases = [
                    ("Dalston", "0000000000002-0000-a", Applied::Added, "Dalston"),
                    ("Older", "0000000000001-0000-a", Applied::Unchanged, "Dalston"),
                    ("Same stamp", "0000000000002-0000-a", Applied::Unchanged, "Dalston"),
                    ("Dalston East", "0000000000003-0000-a", Applied::Added, "Dalston East"),
                ];
                for (name, hlc, want, now_named) in cases {
                    assert_eq!(row(db, "area", &area(name, hlc), at())?, want, "{name}");
                    let got: String =
                        db.query_row("SELECT name FROM areas WHERE id = 'A1'", [], |r| r.get(0))?;
                    assert_eq!(got, now_named, "{name}");
                }
                Ok(())
            })
            .unwrap();
    }
}

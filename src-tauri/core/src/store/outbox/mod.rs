//! The local side of team sync: this machine's clock (`sync_state`), the `outbox` of changes
//! still to push, and each restaurant field's clock stamp. Every function takes the caller's
//! transaction, so a change and its outbox entry are written together or not at all.
//!
//! `ROWS` (each kind's table and columns) and every function that queues or shares a kind
//! must agree: one file is where a new kind is added whole. Reading the queue back (the push,
//! the counts, what the server refused) is `queue.rs`.

use super::codec::time;
use super::{Result, StoreError};
use crate::domain::hlc::{Clock, Hlc};
use crate::domain::merge::{field_values, FIELDS, STANDING};
use crate::domain::{Restaurant, RestaurantId, Standing};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

mod queue;
pub use queue::{counts, pending, refusals, refuse, remove, retry_refused, Entry};

pub fn state(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set_state(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

pub fn clear_state(conn: &Connection, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_state WHERE key = ?1")?.execute([key])?;
    Ok(())
}

fn clock(conn: &Connection) -> Result<Clock> {
    let node = state(conn, "node_id")?
        .ok_or(StoreError::Corrupt { what: "sync_state.node_id", value: "missing".into() })?;
    let last = match state(conn, "hlc")? {
        Some(text) => Some(
            text.parse::<Hlc>().map_err(|_| StoreError::Corrupt { what: "sync_state.hlc", value: text })?,
        ),
        None => None,
    };
    Ok(Clock::resume(&node, last.as_ref()))
}

fn save_clock(conn: &Connection, clock: &Clock) -> Result<()> {
    let last = Hlc { millis: clock.last_millis, counter: clock.last_counter, node: clock.node.clone() };
    set_state(conn, "hlc", &last.to_string())
}

fn millis(now: DateTime<Utc>) -> u64 {
    now.timestamp_millis().max(0) as u64
}

/// A fresh stamp for a local change at `now`.
pub fn tick(conn: &Connection, now: DateTime<Utc>) -> Result<Hlc> {
    let mut c = clock(conn)?;
    let stamp = c.tick(millis(now));
    save_clock(conn, &c)?;
    Ok(stamp)
}

/// Takes in the latest stamp seen from other machines.
pub fn observe(conn: &Connection, remote: &Hlc, now: DateTime<Utc>) -> Result<()> {
    let mut c = clock(conn)?;
    c.observe(remote, millis(now));
    save_clock(conn, &c)
}

pub fn append(
    conn: &Connection,
    kind: &str,
    entity_id: &str,
    hlc: &Hlc,
    payload: &Value,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO outbox (kind, entity_id, hlc, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![kind, entity_id, hlc.to_string(), payload.to_string(), time(now)])?;
    Ok(())
}

/// A row of `table` as a JSON object (SQLite builds it, so every column travels as stored).
fn row_json(conn: &Connection, table: &str, columns: &[&str], id: &str) -> Result<Value> {
    let pairs: Vec<String> = columns.iter().map(|c| format!("'{c}', {c}")).collect();
    let sql = format!("SELECT json_object({}) FROM {table} WHERE id = ?1", pairs.join(", "));
    let text: String = conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "row to sync", id: id.to_string() })?;
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt { what: "outbox payload", value: text })
}

/// Each kind of row that travels as itself: its table and the columns that make it up.
pub const ROWS: &[(&str, &str, &[&str])] = &[
    ("volunteer", "volunteers", &["id", "display_name", "created_at"]),
    (
        "visit",
        "visits",
        &[
            "id",
            "restaurant_id",
            "volunteer_id",
            "visited_at",
            "recorded_at",
            "outcome",
            "stickers_left",
            "note",
            "follow_up_on",
            "corrects",
        ],
    ),
    ("consent", "consent_records", &["id", "restaurant_id", "kind", "answer", "recorded_by", "recorded_at"]),
    (
        "sticker_event",
        "sticker_events",
        &["id", "code", "state", "restaurant_id", "volunteer_id", "visit_id", "at"],
    ),
    ("area_claim", "area_claims", &["id", "area_id", "volunteer_id", "claimed_at", "expires_at"]),
    ("area_note", "area_notes", &["id", "area_id", "volunteer_id", "note", "written_at"]),
    ("template", "label_templates", &["id", "name", "source", "definition", "created_at"]),
    (
        "area",
        "areas",
        &[
            "id",
            "name",
            "geometry",
            "source",
            "south",
            "west",
            "north",
            "east",
            "km2",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
    ),
    (
        "print_batch",
        "print_batches",
        &[
            "id",
            "template_id",
            "template_name",
            "count",
            "start_at",
            "ec_level",
            "base_url",
            "query",
            "purpose",
            "volunteer_id",
            "printed_by",
            "file_name",
            "created_at",
        ],
    ),
];

/// The table and columns of a kind of row.
pub fn row_kind(kind: &str) -> Result<(&'static str, &'static [&'static str])> {
    ROWS.iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, table, columns)| (*table, *columns))
        .ok_or_else(|| StoreError::Corrupt { what: "outbox kind", value: kind.to_string() })
}

/// Whether this database has joined a team. Until it has, nothing is queued: a volunteer working
/// alone pays nothing for sync (no outbox, no field clocks); joining queues what is already
/// there (`share_existing`).
pub fn sharing(conn: &Connection) -> Result<bool> {
    Ok(state(conn, "team")?.is_some())
}

/// Queues a row just written in this transaction: an event (visit, consent record, volunteer,
/// sticker event, area claim or note) or a document (template or area, whose latest stamp wins).
pub fn event(conn: &Connection, kind: &str, id: &str, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    let (table, columns) = row_kind(kind)?;
    let hlc = tick(conn, now)?;
    let mut payload = row_json(conn, table, columns, id)?;
    // Work recorded here under the joiner's own name before joining goes under their team id.
    for key in ["volunteer_id", "recorded_by"] {
        if let Some(local) = payload.get(key).and_then(Value::as_str) {
            if let Some(team) = state(conn, &format!("alias:{local}"))? {
                payload[key] = Value::String(team);
            }
        }
    }
    if kind == "print_batch" {
        // A batch travels with its codes: it is written once, whole.
        let codes: String = conn
            .prepare_cached(
                "SELECT json_group_array(json_object('code', code, 'seq', seq, 'url', url, \
                 'restaurant_id', restaurant_id)) FROM (SELECT * FROM sticker_codes WHERE batch_id = ?1 ORDER BY seq)",
            )?
            .query_row([id], |r| r.get(0))?;
        payload["codes"] = serde_json::from_str(&codes)
            .map_err(|_| StoreError::Corrupt { what: "sticker_codes", value: id.to_string() })?;
    }
    payload["hlc"] = Value::String(hlc.to_string());
    if kind == "template" || kind == "area" {
        set_document_stamp(conn, kind, id, &hlc.to_string())?;
    }
    append(conn, kind, id, &hlc, &payload, now)
}

/// The stamp of a template's or area's version here, if it was ever stamped.
pub fn document_stamp(conn: &Connection, kind: &str, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT hlc FROM document_clocks WHERE kind = ?1 AND id = ?2")?
        .query_row([kind, id], |r| r.get(0))
        .optional()?)
}

pub fn set_document_stamp(conn: &Connection, kind: &str, id: &str, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO document_clocks (kind, id, hlc) VALUES (?1, ?2, ?3) \
         ON CONFLICT (kind, id) DO UPDATE SET hlc = excluded.hlc",
    )?
    .execute([kind, id, hlc])?;
    Ok(())
}

/// Queues a print batch just recorded: the batch with its codes, then every event of its codes.
pub fn print_batch(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    event(conn, "print_batch", id, now)?;
    let events: Vec<String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT e.id FROM sticker_events e JOIN sticker_codes c ON c.code = e.code WHERE c.batch_id = ?1 \
             ORDER BY c.seq, e.at, e.id",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for e in events {
        event(conn, "sticker_event", &e, now)?;
    }
    Ok(())
}

/// Queues a coordinator's clearing of a review.
pub fn review_cleared(conn: &Connection, id: &str, by: &str, at: &str, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    let hlc = tick(conn, now)?;
    let payload = serde_json::json!({ "id": id, "cleared_by": by, "cleared_at": at });
    append(conn, "review_cleared", id, &hlc, &payload, now)
}

/// Queues the restaurant with this id, just inserted in this transaction.
pub fn restaurant_inserted(conn: &Connection, id: &RestaurantId, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    restaurant_added(conn, &super::restaurants::get(conn, id)?, now)
}

/// Queues what changed in the restaurant with this id since `before` (read before the update).
pub fn restaurant_updated(conn: &Connection, before: &Restaurant, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    restaurant_edited(conn, before, &super::restaurants::get(conn, &before.id)?, now)
}

/// Queues a restaurant just added here: the row, then every field from nothing.
pub fn restaurant_added(conn: &Connection, r: &Restaurant, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    let hlc = tick(conn, now)?;
    let payload = serde_json::json!({
        "id": r.id, "source": r.source, "external_ref": r.external_ref, "created_at": time(r.created_at),
        "proposed": r.standing == crate::domain::Standing::Proposed,
    });
    append(conn, "restaurant", r.id.as_str(), &hlc, &payload, now)?;
    for (field, value) in field_values(&crate::domain::merge::draft_of(r)) {
        queue_field(conn, &r.id, field, value, &hlc, now)?;
    }
    Ok(())
}

/// Queues an organiser's decision on a proposed restaurant (its `standing` field).
pub fn standing_decided(
    conn: &Connection,
    id: &RestaurantId,
    standing: Standing,
    now: DateTime<Utc>,
) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    let hlc = tick(conn, now)?;
    queue_field(conn, id, STANDING, Value::from(standing.as_str()), &hlc, now)
}

/// Queues the fields an edit changed, each stamped and with the stamp of the value it replaced.
pub fn restaurant_edited(
    conn: &Connection,
    before: &Restaurant,
    after: &Restaurant,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::domain::merge::draft_of;
    if !sharing(conn)? {
        return Ok(());
    }
    let old = field_values(&draft_of(before));
    let new = field_values(&draft_of(after));
    let changed: Vec<_> =
        new.into_iter().zip(old).filter(|((_, n), (_, o))| n != o).map(|(n, _)| n).collect();
    if changed.is_empty() {
        return Ok(());
    }
    let hlc = tick(conn, now)?;
    for (field, value) in changed {
        queue_field(conn, &after.id, field, value, &hlc, now)?;
    }
    Ok(())
}

fn queue_field(
    conn: &Connection,
    id: &RestaurantId,
    field: &str,
    value: Value,
    hlc: &Hlc,
    now: DateTime<Utc>,
) -> Result<()> {
    let base = field_clock(conn, id, field)?.map(|(h, _)| h);
    set_field_clock(conn, id, field, &hlc.to_string(), base.as_deref())?;
    let payload = serde_json::json!({
        "restaurant_id": id, "field": field, "value": value, "hlc": hlc.to_string(), "base_hlc": base,
    });
    append(conn, "field", id.as_str(), hlc, &payload, now)
}

/// A field's current stamp and the stamp it replaced, if the field was ever stamped.
pub fn field_clock(
    conn: &Connection,
    id: &RestaurantId,
    field: &str,
) -> Result<Option<(String, Option<String>)>> {
    debug_assert!(FIELDS.contains(&field) || field == STANDING);
    Ok(conn
        .prepare_cached(
            "SELECT hlc, base_hlc FROM restaurant_field_clocks WHERE restaurant_id = ?1 AND field = ?2",
        )?
        .query_row([id.as_str(), field], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn set_field_clock(
    conn: &Connection,
    id: &RestaurantId,
    field: &str,
    hlc: &str,
    base: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO restaurant_field_clocks (restaurant_id, field, hlc, base_hlc) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (restaurant_id, field) DO UPDATE SET hlc = excluded.hlc, base_hlc = excluded.base_hlc",
    )?
    .execute(params![id.as_str(), field, hlc, base])?;
    Ok(())
}

/// Queues a campaign setting (the campaign's words and address on stickers).
pub fn campaign_setting(conn: &Connection, key: &str, value: &Value, now: DateTime<Utc>) -> Result<()> {
    if !sharing(conn)? {
        return Ok(());
    }
    let hlc = tick(conn, now)?;
    let payload = serde_json::json!({ "key": key, "value": value, "hlc": hlc.to_string() });
    set_state(conn, &format!("setting_hlc:{key}"), &hlc.to_string())?;
    append(conn, "campaign_setting", key, &hlc, &payload, now)
}

/// Queues what this database already holds, on joining a team: volunteers who recorded
/// something, restaurants, visits, consent records, templates, print batches (with their sticker
/// events), areas, claims and notes, each oldest first. The demo set stays here (it is for
/// trying Tablemap out, not for a team). Answers how many entries were queued.
pub fn share_existing(conn: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let ids = |sql: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    const REAL: &str = "SELECT id FROM restaurants WHERE source != 'demo'";
    let volunteers = ids(&format!(
        "SELECT id FROM volunteers WHERE id IN \
           (SELECT volunteer_id FROM visits WHERE restaurant_id IN ({REAL}) \
            UNION SELECT recorded_by FROM consent_records WHERE restaurant_id IN ({REAL}) \
            UNION SELECT volunteer_id FROM print_batches UNION SELECT volunteer_id FROM sticker_events \
            UNION SELECT volunteer_id FROM area_claims UNION SELECT volunteer_id FROM area_notes) \
         ORDER BY created_at, id"
    ))?;
    let restaurants = ids(&format!("{REAL} ORDER BY pk"))?;
    let mut queued = volunteers.len() + restaurants.len();
    for id in &volunteers {
        if state(conn, &format!("alias:{id}"))?.is_none() {
            event(conn, "volunteer", id, now)?;
        }
    }
    for id in &restaurants {
        restaurant_inserted(conn, &RestaurantId(id.clone()), now)?;
    }
    let rows: [(&str, String); 7] = [
        ("visit", format!("SELECT id FROM visits WHERE restaurant_id IN ({REAL}) ORDER BY recorded_at, id")),
        (
            "consent",
            format!(
                "SELECT id FROM consent_records WHERE restaurant_id IN ({REAL}) ORDER BY recorded_at, id"
            ),
        ),
        ("template", "SELECT id FROM label_templates ORDER BY created_at, id".into()),
        ("print_batch", "SELECT id FROM print_batches ORDER BY created_at, id".into()),
        ("area", "SELECT id FROM areas ORDER BY created_at, id".into()),
        ("area_claim", "SELECT id FROM area_claims ORDER BY claimed_at, id".into()),
        ("area_note", "SELECT id FROM area_notes ORDER BY written_at, id".into()),
    ];
    for (kind, sql) in rows {
        for id in ids(&sql)? {
            if kind == "print_batch" {
                print_batch(conn, &id, now)?;
            } else {
                event(conn, kind, &id, now)?;
            }
            queued += 1;
        }
    }
    Ok(queued)
}

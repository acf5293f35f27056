//! Print batches, sticker codes and their events; label templates beyond the built-in ones.

use super::codec::{parse_enum, parse_time, time};
use super::{Result, StoreError};
use crate::domain::{RestaurantId, StickerState, VolunteerId};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrintBatch {
    pub id: String,
    pub template_id: String,
    pub template_name: String,
    pub count: u32,
    pub start_at: u32,
    pub ec_level: String,
    pub base_url: String,
    pub query: Option<String>,
    /// `blank` or `preassigned`.
    pub purpose: String,
    pub volunteer_id: Option<VolunteerId>,
    pub printed_by: Option<String>,
    pub file_name: Option<String>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StickerCode {
    pub code: String,
    pub seq: u32,
    pub url: String,
    pub restaurant_id: Option<RestaurantId>,
    pub restaurant_name: Option<String>,
    pub state: StickerState,
    /// Where it was placed (the latest `placed` event's restaurant), when it was.
    pub placed_at_restaurant: Option<String>,
    #[ts(type = "string")]
    pub state_since: DateTime<Utc>,
    /// Scans the campaign's web service counted (pulled by team sync), and the last day one was.
    pub scans: u32,
    #[ts(type = "string | null")]
    pub last_scanned: Option<chrono::NaiveDate>,
}

/// A sticker up at a restaurant now, with what the web service counted of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StickerUp {
    pub code: String,
    /// When it was put up.
    #[ts(type = "string")]
    pub placed_at: DateTime<Utc>,
    /// Scans in the current month (UTC), that month (`YYYY-MM`), and in all.
    pub month: String,
    pub month_scans: u32,
    pub scans: u32,
    #[ts(type = "string | null")]
    pub last_scanned: Option<chrono::NaiveDate>,
}

/// The stickers whose latest event put them up at `restaurant`, newest first, with their scans
/// as of `today`.
pub fn up_at(
    conn: &Connection,
    restaurant: &RestaurantId,
    today: chrono::NaiveDate,
) -> Result<Vec<StickerUp>> {
    let month = today.format("%Y-%m").to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT e.code, e.at, \
             (SELECT coalesce(sum(count), 0) FROM scans s WHERE s.code = e.code AND substr(s.day, 1, 7) = ?2), \
             (SELECT coalesce(sum(count), 0) FROM scans s WHERE s.code = e.code), \
             (SELECT max(day) FROM scans s WHERE s.code = e.code AND s.count > 0) \
         FROM sticker_events e \
         WHERE e.restaurant_id = ?1 AND e.state = 'placed' \
           AND e.id = (SELECT id FROM sticker_events WHERE code = e.code ORDER BY at DESC, id DESC LIMIT 1) \
         ORDER BY e.at DESC, e.code",
    )?;
    let rows = stmt.query_map(params![restaurant.as_str(), month], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (code, at, month_scans, scans, last) = row?;
        out.push(StickerUp {
            code,
            placed_at: parse_time("sticker_events.at", &at)?,
            month: month.clone(),
            month_scans: u32::try_from(month_scans).unwrap_or(u32::MAX),
            scans: u32::try_from(scans).unwrap_or(u32::MAX),
            last_scanned: last.and_then(|d| d.parse().ok()),
        });
    }
    Ok(out)
}

pub fn insert_batch(conn: &Connection, b: &PrintBatch) -> Result<()> {
    conn.execute(
        "INSERT INTO print_batches (id, template_id, template_name, count, start_at, ec_level, base_url, query, purpose, \
         volunteer_id, printed_by, file_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            b.id,
            b.template_id,
            b.template_name,
            b.count,
            b.start_at,
            b.ec_level,
            b.base_url,
            b.query,
            b.purpose,
            b.volunteer_id.as_ref().map(|v| v.as_str()),
            b.printed_by,
            b.file_name,
            time(b.created_at)
        ],
    )?;
    Ok(())
}

pub fn insert_code(
    conn: &Connection,
    batch: &str,
    seq: u32,
    code: &str,
    url: &str,
    restaurant: Option<&RestaurantId>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sticker_codes (code, batch_id, seq, url, restaurant_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![code, batch, seq, url, restaurant.map(|r| r.as_str())])?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn insert_event(
    conn: &Connection,
    id: &str,
    code: &str,
    state: StickerState,
    restaurant: Option<&RestaurantId>,
    volunteer: Option<&VolunteerId>,
    visit: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sticker_events (id, code, state, restaurant_id, volunteer_id, visit_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        code,
        state.as_str(),
        restaurant.map(|r| r.as_str()),
        volunteer.map(|v| v.as_str()),
        visit,
        time(at)
    ])?;
    Ok(())
}

/// Whether any of `codes` is already taken.
pub fn taken(conn: &Connection, codes: &[String]) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM sticker_codes WHERE code = ?1")?;
    let mut out = Vec::new();
    for c in codes {
        if stmt.exists([c])? {
            out.push(c.clone());
        }
    }
    Ok(out)
}

const BATCH_COLUMNS: &str =
    "id, template_id, template_name, count, start_at, ec_level, base_url, query, purpose, volunteer_id, \
     printed_by, file_name, created_at";

fn batch_from_row(r: &rusqlite::Row<'_>) -> Result<PrintBatch> {
    Ok(PrintBatch {
        id: r.get(0)?,
        template_id: r.get(1)?,
        template_name: r.get(2)?,
        count: r.get(3)?,
        start_at: r.get(4)?,
        ec_level: r.get(5)?,
        base_url: r.get(6)?,
        query: r.get(7)?,
        purpose: r.get(8)?,
        volunteer_id: r.get::<_, Option<String>>(9)?.map(VolunteerId),
        printed_by: r.get(10)?,
        file_name: r.get(11)?,
        created_at: parse_time("print_batches.created_at", &r.get::<_, String>(12)?)?,
    })
}

pub fn batch(conn: &Connection, id: &str) -> Result<PrintBatch> {
    conn.query_row(&format!("SELECT {BATCH_COLUMNS} FROM print_batches WHERE id = ?1"), [id], |r| {
        Ok(batch_from_row(r))
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound { what: "print batch", id: id.to_string() })?
}

pub fn batches(conn: &Connection) -> Result<Vec<PrintBatch>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {BATCH_COLUMNS} FROM print_batches ORDER BY created_at DESC"))?;
    let rows = stmt.query_map([], |r| Ok(batch_from_row(r)))?;
    rows.map(|r| r?).collect()
}

/// The codes of a batch with each one's current state (its latest event).
pub fn codes(conn: &Connection, batch: &str) -> Result<Vec<StickerCode>> {
    code_rows(conn, "c.batch_id = ?1", batch)
}

pub fn code(conn: &Connection, code: &str) -> Result<StickerCode> {
    code_rows(conn, "c.code = ?1", code)?
        .pop()
        .ok_or_else(|| StoreError::NotFound { what: "sticker code", id: code.to_string() })
}

fn code_rows(conn: &Connection, filter: &str, value: &str) -> Result<Vec<StickerCode>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.code, c.seq, c.url, c.restaurant_id, r.name, e.state, e.at, pr.name, \
         (SELECT coalesce(sum(count), 0) FROM scans s WHERE s.code = c.code), \
         (SELECT max(day) FROM scans s WHERE s.code = c.code AND s.count > 0) FROM sticker_codes c \
         LEFT JOIN restaurants r ON r.id = c.restaurant_id \
         JOIN sticker_events e ON e.id = (SELECT id FROM sticker_events WHERE code = c.code ORDER BY at DESC, id DESC LIMIT 1) \
         LEFT JOIN restaurants pr ON pr.id = (SELECT restaurant_id FROM sticker_events WHERE code = c.code AND state = 'placed' \
             ORDER BY at DESC, id DESC LIMIT 1) \
         WHERE {filter} ORDER BY c.seq"
    ))?;
    let rows = stmt.query_map([value], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, i64>(8)?,
            r.get::<_, Option<String>>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (code, seq, url, rid, rname, state, at, placed, scans, last) = row?;
        out.push(StickerCode {
            code,
            seq,
            url,
            restaurant_id: rid.map(RestaurantId),
            restaurant_name: rname,
            state: parse_enum("sticker_events.state", &state)?,
            placed_at_restaurant: placed,
            state_since: parse_time("sticker_events.at", &at)?,
            scans: u32::try_from(scans).unwrap_or(u32::MAX),
            last_scanned: last.and_then(|d| d.parse().ok()),
        });
    }
    Ok(out)
}

pub fn save_template(
    conn: &Connection,
    id: &str,
    name: &str,
    source: &str,
    definition: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO label_templates (id, name, source, definition, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, source = excluded.source, definition = excluded.definition",
        params![id, name, source, definition, time(now)],
    )?;
    Ok(())
}

/// Stored templates as (source, JSON definition).
pub fn templates(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT source, definition FROM label_templates ORDER BY name COLLATE NOCASE")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Takes back a batch recorded a moment ago whose PDF could not then be put in place: its
/// events, codes, outbox entries and the batch itself. Runs in the caller's transaction.
pub fn unrecord_batch(tx: &Connection, batch_id: &str) -> Result<()> {
    super::outbox::set_state(tx, "erasing", "1")?;
    tx.execute(
        "DELETE FROM outbox WHERE (kind = 'print_batch' AND entity_id = ?1) OR (kind = 'sticker_event' AND entity_id IN \
         (SELECT e.id FROM sticker_events e JOIN sticker_codes c ON c.code = e.code WHERE c.batch_id = ?1))",
        [batch_id],
    )?;
    tx.execute(
        "DELETE FROM sticker_events WHERE code IN (SELECT code FROM sticker_codes WHERE batch_id = ?1)",
        [batch_id],
    )?;
    tx.execute("DELETE FROM sticker_codes WHERE batch_id = ?1", [batch_id])?;
    tx.execute("DELETE FROM print_batches WHERE id = ?1", [batch_id])?;
    super::outbox::clear_state(tx, "erasing")?;
    Ok(())
}

//! The outbox read back: the oldest entries for a push, taking them out once the server holds
//! them, setting aside what it refused (with the reason), and the counts the window shows.

use super::super::{Result, StoreError};
use rusqlite::{params, Connection};
use serde_json::Value;

/// One outbox entry waiting to be pushed.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: i64,
    pub kind: String,
    pub entity_id: String,
    /// The change as JSON text, as stored (checked to be JSON when read): a push sends a kind's
    /// entries to the server as one array built from these texts, without parsing them.
    pub text: String,
}

impl Entry {
    /// The change as a JSON value (an entry sent alone, or worded in a refusal).
    pub fn payload(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// The oldest entries not refused, at most `limit`.
pub fn pending(conn: &Connection, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, entity_id, payload FROM outbox WHERE refused IS NULL ORDER BY seq LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, kind, entity_id, text) = row?;
        if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err() {
            return Err(StoreError::Corrupt { what: "outbox.payload", value: text });
        }
        out.push(Entry { seq, kind, entity_id, text });
    }
    Ok(out)
}

/// Entries the server now holds leave the outbox.
pub fn remove(conn: &Connection, seqs: &[i64]) -> Result<()> {
    let list = serde_json::to_string(seqs).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?1))")?
        .execute([list])?;
    Ok(())
}

/// The server refused this entry: it stays, with the reason, and is not pushed again.
pub fn refuse(conn: &Connection, seq: i64, reason: &str) -> Result<()> {
    conn.prepare_cached("UPDATE outbox SET refused = ?2 WHERE seq = ?1")?.execute(params![seq, reason])?;
    Ok(())
}

/// Sends the refused entries again at the next sync (after the coordinator changed a role, say).
pub fn retry_refused(conn: &Connection) -> Result<usize> {
    Ok(conn.execute("UPDATE outbox SET refused = NULL WHERE refused IS NOT NULL", [])?)
}

/// (waiting, refused) entries.
pub fn counts(conn: &Connection) -> Result<(u64, u64)> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE refused IS NULL), count(*) FILTER (WHERE refused IS NOT NULL) FROM outbox",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )?)
}

/// The reasons entries were refused, oldest first: (kind, entity id, reason).
pub fn refusals(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, entity_id, refused FROM outbox WHERE refused IS NOT NULL ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

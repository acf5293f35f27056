//! The `volunteers` table.

use super::codec::{parse_time, time};
use super::{Result, StoreError};
use crate::domain::{Volunteer, VolunteerDraft, VolunteerId};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

pub fn insert(conn: &Connection, id: &VolunteerId, draft: &VolunteerDraft, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO volunteers (id, display_name, contact, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id.as_str(), draft.display_name, draft.contact, time(now)])?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> Result<Volunteer> {
    Ok(Volunteer {
        id: VolunteerId(r.get(0)?),
        display_name: r.get(1)?,
        contact: r.get(2)?,
        created_at: parse_time("volunteers.created_at", &r.get::<_, String>(3)?)?,
    })
}

pub fn all(conn: &Connection) -> Result<Vec<Volunteer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, display_name, contact, created_at FROM volunteers ORDER BY display_name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| Ok(from_row(r)))?;
    rows.map(|r| r?).collect()
}

pub fn get(conn: &Connection, id: &VolunteerId) -> Result<Volunteer> {
    conn.prepare_cached("SELECT id, display_name, contact, created_at FROM volunteers WHERE id = ?1")?
        .query_row([id.as_str()], |r| Ok(from_row(r)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "volunteer", id: id.to_string() })?
}

/// Finds a volunteer by display name, ignoring case.
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<Volunteer>> {
    conn.prepare_cached(
        "SELECT id, display_name, contact, created_at FROM volunteers WHERE display_name = ?1 COLLATE NOCASE",
    )?
    .query_row([name.trim()], |r| Ok(from_row(r)))
    .optional()?
    .transpose()
}

//! The `areas` table and its two append-only companions, `area_claims` and `area_notes` (triggers
//! refuse UPDATE and DELETE; there is no such function here either). Also the one query over
//! restaurants that areas need: the points inside a box, by the `restaurants_position` index.

use super::codec::{parse_enum, parse_time, time};
use super::{Result, StoreError};
use crate::domain::area::{Area, AreaSource, Bounds, Claim, Geometry};
use crate::domain::{AreaId, Status, VolunteerId};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

/// An area as stored: its outline already checked and ready for point-in-polygon.
#[derive(Debug, Clone)]
pub struct StoredArea {
    pub id: AreaId,
    pub name: String,
    pub source: AreaSource,
    pub area: Area,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A claim event with the claiming volunteer's name.
#[derive(Debug, Clone)]
pub struct StoredClaim {
    pub claim: Claim,
    pub volunteer_name: Option<String>,
}

/// A note on an area, with its writer's name.
#[derive(Debug, Clone)]
pub struct StoredNote {
    pub id: String,
    pub area_id: AreaId,
    pub volunteer_id: VolunteerId,
    pub volunteer_name: String,
    pub note: String,
    pub written_at: DateTime<Utc>,
}

/// A restaurant as an area's count needs it, borrowed from the row being read (100,000 of these
/// go by for a city's areas, so nothing is allocated or parsed that a caller may not need).
#[derive(Debug, Clone, Copy)]
pub struct AreaPoint<'a> {
    pub id: &'a str,
    pub lat: f64,
    pub lon: f64,
    pub status: Status,
    /// As stored: UTC text that sorts in time order; [`visit_time`] reads it.
    pub last_visit_at: Option<&'a str>,
}

const COLUMNS: &str = "id, name, source, geometry, km2, created_at, updated_at";

fn from_row(r: &Row<'_>) -> Result<StoredArea> {
    let geometry: String = r.get(3)?;
    let corrupt =
        || StoreError::Corrupt { what: "areas.geometry", value: geometry.chars().take(80).collect() };
    let parsed: Geometry = serde_json::from_str(&geometry).map_err(|_| corrupt())?;
    Ok(StoredArea {
        id: AreaId(r.get(0)?),
        name: r.get(1)?,
        source: parse_enum("areas.source", &r.get::<_, String>(2)?)?,
        area: Area::restore(parsed, r.get(4)?).ok_or_else(corrupt)?,
        created_at: parse_time("areas.created_at", &r.get::<_, String>(5)?)?,
        updated_at: parse_time("areas.updated_at", &r.get::<_, String>(6)?)?,
    })
}

pub fn insert(
    conn: &Connection,
    id: &AreaId,
    name: &str,
    area: &Area,
    source: AreaSource,
    now: DateTime<Utc>,
) -> Result<()> {
    let b = area.bounds();
    conn.prepare_cached(
        "INSERT INTO areas (id, name, geometry, source, south, west, north, east, km2, created_at, \
         updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        id.as_str(),
        name,
        area.geometry().to_json(),
        source.as_str(),
        b.south,
        b.west,
        b.north,
        b.east,
        area.km2(),
        time(now)
    ])?;
    Ok(())
}

/// Replaces an area's outline (and where it came from).
pub fn set_geometry(
    conn: &Connection,
    id: &AreaId,
    area: &Area,
    source: AreaSource,
    now: DateTime<Utc>,
) -> Result<()> {
    let b = area.bounds();
    let changed = conn
        .prepare_cached(
            "UPDATE areas SET geometry = ?2, source = ?3, south = ?4, west = ?5, north = ?6, east = ?7, \
             km2 = ?8, updated_at = ?9 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![
            id.as_str(),
            area.geometry().to_json(),
            source.as_str(),
            b.south,
            b.west,
            b.north,
            b.east,
            area.km2(),
            time(now)
        ])?;
    found(changed, id)
}

pub fn rename(conn: &Connection, id: &AreaId, name: &str, now: DateTime<Utc>) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE areas SET name = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL")?
        .execute(params![id.as_str(), name, time(now)])?;
    found(changed, id)
}

/// Leaves a tombstone: the area disappears from every list, its claims and notes stay.
pub fn mark_deleted(conn: &Connection, id: &AreaId, now: DateTime<Utc>) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE areas SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id.as_str(), time(now)])?;
    found(changed, id)
}

fn found(changed: usize, id: &AreaId) -> Result<()> {
    match changed {
        0 => Err(StoreError::NotFound { what: "area", id: id.to_string() }),
        _ => Ok(()),
    }
}

/// Every area in use, by name.
pub fn all(conn: &Connection) -> Result<Vec<StoredArea>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM areas WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE, id"
    ))?;
    let rows = stmt.query_map([], |r| Ok(from_row(r)))?;
    rows.map(|r| r?).collect()
}

pub fn get(conn: &Connection, id: &AreaId) -> Result<StoredArea> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM areas WHERE id = ?1 AND deleted_at IS NULL"))?
        .query_row([id.as_str()], |r| Ok(from_row(r)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "area", id: id.to_string() })?
}

/// The area in use called `name`, ignoring case.
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<StoredArea>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM areas WHERE name = ?1 COLLATE NOCASE AND deleted_at IS NULL"
    ))?
    .query_row([name.trim()], |r| Ok(from_row(r)))
    .optional()?
    .transpose()
}

/// The id and name of every area in use, without reading the outlines.
pub fn names(conn: &Connection) -> Result<Vec<(AreaId, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM areas WHERE deleted_at IS NULL")?;
    let rows = stmt.query_map([], |r| Ok((AreaId(r.get(0)?), r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_claim(conn: &Connection, id: &str, area: &AreaId, claim: &Claim) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO area_claims (id, area_id, volunteer_id, claimed_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        area.as_str(),
        claim.volunteer_id.as_ref().map(VolunteerId::as_str),
        time(claim.claimed_at),
        time(claim.expires_at)
    ])?;
    Ok(())
}

/// Every claim event, grouped by area, each group in the order `holder` expects: by time, then
/// in the order written (rowid), so a claim and a release in the same millisecond keep their order.
pub fn claims(conn: &Connection) -> Result<HashMap<AreaId, Vec<StoredClaim>>> {
    claims_where(conn, "1", [])
}

pub fn claims_for(conn: &Connection, area: &AreaId) -> Result<Vec<StoredClaim>> {
    Ok(claims_where(conn, "c.area_id = ?1", [area.as_str()])?.remove(area).unwrap_or_default())
}

fn claims_where<P: rusqlite::Params>(
    conn: &Connection,
    clause: &str,
    params: P,
) -> Result<HashMap<AreaId, Vec<StoredClaim>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.area_id, c.volunteer_id, v.display_name, c.claimed_at, c.expires_at FROM area_claims c \
         LEFT JOIN volunteers v ON v.id = c.volunteer_id WHERE {clause} ORDER BY c.claimed_at, c.rowid"
    ))?;
    let rows = stmt.query_map(params, |r| {
        Ok((
            AreaId(r.get(0)?),
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out: HashMap<AreaId, Vec<StoredClaim>> = HashMap::new();
    for row in rows {
        let (area, volunteer, name, claimed, expires) = row?;
        out.entry(area).or_default().push(StoredClaim {
            claim: Claim {
                volunteer_id: volunteer.map(VolunteerId),
                claimed_at: parse_time("area_claims.claimed_at", &claimed)?,
                expires_at: parse_time("area_claims.expires_at", &expires)?,
            },
            volunteer_name: name,
        });
    }
    Ok(out)
}

pub fn insert_note(
    conn: &Connection,
    id: &str,
    area: &AreaId,
    volunteer: &VolunteerId,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO area_notes (id, area_id, volunteer_id, note, written_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, area.as_str(), volunteer.as_str(), note, time(now)])?;
    Ok(())
}

/// An area's notes, newest first.
pub fn notes(conn: &Connection, area: &AreaId) -> Result<Vec<StoredNote>> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.id, n.area_id, n.volunteer_id, v.display_name, n.note, n.written_at FROM area_notes n \
         JOIN volunteers v ON v.id = n.volunteer_id WHERE n.area_id = ?1 \
         ORDER BY n.written_at DESC, n.rowid DESC",
    )?;
    let rows = stmt.query_map([area.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, area_id, volunteer_id, volunteer_name, note, written) = row?;
        out.push(StoredNote {
            id,
            area_id: AreaId(area_id),
            volunteer_id: VolunteerId(volunteer_id),
            volunteer_name,
            note,
            written_at: parse_time("area_notes.written_at", &written)?,
        });
    }
    Ok(out)
}

/// How many notes each area has (areas without notes are absent).
pub fn note_counts(conn: &Connection) -> Result<HashMap<AreaId, u64>> {
    let mut stmt = conn.prepare_cached("SELECT area_id, count(*) FROM area_notes GROUP BY area_id")?;
    let rows = stmt.query_map([], |r| Ok((AreaId(r.get(0)?), r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Restaurants inside a box (edges included) and on the map (not rejected), with their status,
/// handed to `each` one at a time.
/// The latitude range walks the `restaurants_position` index.
pub fn points_in(conn: &Connection, b: Bounds, mut each: impl FnMut(AreaPoint<'_>)) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.lat, r.lon, s.status, s.last_visit_at FROM restaurants r \
         JOIN restaurant_status s ON s.restaurant_id = r.id \
         WHERE r.lat BETWEEN ?1 AND ?2 AND r.lon BETWEEN ?3 AND ?4 AND r.standing != 'rejected'",
    )?;
    let mut rows = stmt.query(params![b.south, b.north, b.west, b.east])?;
    while let Some(r) = rows.next()? {
        let text = |i: usize| -> Result<Option<&str>> {
            Ok(r.get_ref(i)?.as_str_or_null().map_err(rusqlite::Error::from)?)
        };
        let status = text(3)?.unwrap_or_default();
        each(AreaPoint {
            id: text(0)?.unwrap_or_default(),
            lat: r.get(1)?,
            lon: r.get(2)?,
            status: parse_enum("restaurant_status.status", status)?,
            last_visit_at: text(4)?,
        });
    }
    Ok(())
}

/// A time as [`AreaPoint::last_visit_at`] holds it.
pub fn visit_time(stored: &str) -> Result<DateTime<Utc>> {
    parse_time("restaurant_status.last_visit_at", stored)
}

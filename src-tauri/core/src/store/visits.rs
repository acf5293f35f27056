//! The append-only `visits` table. There is no update and no delete here, and triggers in the
//! schema refuse them from anywhere else.

use super::codec::{date, parse_enum, parse_opt_date, parse_time, time};
use super::{Result, StoreError};
use crate::domain::{NewVisit, RestaurantId, Visit, VisitId, VolunteerId};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// Writes a validated visit. `visit.visited_at` must be set (validation does it).
pub fn insert(conn: &Connection, id: &VisitId, visit: &NewVisit, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, \
         stickers_left, note, follow_up_on, corrects) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id.as_str(),
        visit.restaurant_id.as_str(),
        visit.volunteer_id.as_str(),
        time(visit.visited_at.unwrap_or(now)),
        time(now),
        visit.outcome.as_str(),
        visit.stickers_left,
        visit.note,
        visit.follow_up_on.map(date),
        visit.corrects.as_ref().map(|c| c.as_str()),
    ])?;
    Ok(())
}

/// Every visit of a restaurant, newest first, with who made it and what corrected it.
pub fn for_restaurant(conn: &Connection, restaurant: &RestaurantId) -> Result<Vec<Visit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.id, v.restaurant_id, v.volunteer_id, p.display_name, v.visited_at, v.recorded_at, \
         v.outcome, v.stickers_left, v.note, v.follow_up_on, v.corrects, c.id \
         FROM visits v JOIN volunteers p ON p.id = v.volunteer_id \
         LEFT JOIN visits c ON c.corrects = v.id \
         WHERE v.restaurant_id = ?1 ORDER BY v.visited_at DESC, v.recorded_at DESC, v.id DESC",
    )?;
    let rows = stmt.query_map([restaurant.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, u32>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, Option<String>>(10)?,
            r.get::<_, Option<String>>(11)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, rid, vid, name, visited, recorded, outcome, stickers, note, follow, corrects, corrected_by) =
            row?;
        out.push(Visit {
            id: VisitId(id),
            restaurant_id: RestaurantId(rid),
            volunteer_id: VolunteerId(vid),
            volunteer_name: name,
            visited_at: parse_time("visits.visited_at", &visited)?,
            recorded_at: parse_time("visits.recorded_at", &recorded)?,
            outcome: parse_enum("visits.outcome", &outcome)?,
            stickers_left: stickers,
            note,
            follow_up_on: parse_opt_date("visits.follow_up_on", follow)?,
            corrects: corrects.map(VisitId),
            corrected_by: corrected_by.map(VisitId),
        });
    }
    Ok(out)
}

/// The restaurant a visit belongs to, and whether a later visit already corrects it.
pub fn lookup(conn: &Connection, id: &VisitId) -> Result<(RestaurantId, bool)> {
    conn.query_row(
        "SELECT v.restaurant_id, EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id) FROM visits v WHERE v.id = ?1",
        [id.as_str()],
        |r| Ok((RestaurantId(r.get(0)?), r.get::<_, bool>(1)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound { what: "visit", id: id.to_string() })
}

/// Who logged a visit.
pub fn author(conn: &Connection, id: &VisitId) -> Result<VolunteerId> {
    conn.query_row("SELECT volunteer_id FROM visits WHERE id = ?1", [id.as_str()], |r| {
        Ok(VolunteerId(r.get(0)?))
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound { what: "visit", id: id.to_string() })
}

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM visits", [], |r| r.get::<_, i64>(0))? as u64)
}

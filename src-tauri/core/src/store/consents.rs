//! The append-only `consent_records` table.

use super::codec::{parse_enum, parse_time, time};
use super::Result;
use crate::domain::{ConsentRecord, Consents, NewConsent, RestaurantId, VolunteerId};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

pub fn insert(conn: &Connection, id: &str, consent: &NewConsent, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        consent.restaurant_id.as_str(),
        consent.kind.as_str(),
        consent.answer.as_str(),
        consent.recorded_by.as_str(),
        time(now)
    ])?;
    Ok(())
}

/// The standing answers for one restaurant.
pub fn for_restaurant(conn: &Connection, restaurant: &RestaurantId) -> Result<Consents> {
    Ok(Consents::from_records(history(conn, restaurant)?))
}

/// Every answer ever recorded for one restaurant, oldest first, with who recorded it.
pub fn history(conn: &Connection, restaurant: &RestaurantId) -> Result<Vec<ConsentRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.kind, c.answer, c.recorded_by, v.display_name, c.recorded_at FROM consent_records c \
         JOIN volunteers v ON v.id = c.recorded_by WHERE c.restaurant_id = ?1 ORDER BY c.recorded_at, c.id",
    )?;
    let rows = stmt.query_map([restaurant.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut records = Vec::new();
    for row in rows {
        let (kind, answer, by, name, at) = row?;
        records.push(ConsentRecord {
            restaurant_id: restaurant.clone(),
            kind: parse_enum("consent_records.kind", &kind)?,
            answer: parse_enum("consent_records.answer", &answer)?,
            recorded_by: VolunteerId(by),
            recorded_by_name: name,
            recorded_at: parse_time("consent_records.recorded_at", &at)?,
        });
    }
    Ok(records)
}

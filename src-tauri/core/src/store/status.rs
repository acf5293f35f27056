//! Keeps `restaurant_status` equal to what the domain derives from the visits.

use super::codec::{date, parse_enum, parse_opt_date, parse_opt_time, time};
use super::{visits, Result, StoreError};
use crate::domain::status::derive;
use crate::domain::{RestaurantId, StatusSummary};
use rusqlite::{params, Connection, OptionalExtension};

/// Recomputes one restaurant's status from all of its visits and stores it.
pub fn refresh(conn: &Connection, restaurant: &RestaurantId) -> Result<StatusSummary> {
    let summary = derive(&visits::for_restaurant(conn, restaurant)?);
    conn.prepare_cached(
        "INSERT INTO restaurant_status (restaurant_id, status, last_visit_at, follow_up_on, stickers_left) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (restaurant_id) DO UPDATE SET status = excluded.status, \
         last_visit_at = excluded.last_visit_at, follow_up_on = excluded.follow_up_on, \
         stickers_left = excluded.stickers_left",
    )?
    .execute(params![
        restaurant.as_str(),
        summary.status.as_str(),
        summary.last_visit_at.map(time),
        summary.follow_up_on.map(date),
        summary.stickers_left
    ])?;
    Ok(summary)
}

pub fn get(conn: &Connection, restaurant: &RestaurantId) -> Result<StatusSummary> {
    let row = conn
        .prepare_cached(
            "SELECT status, last_visit_at, follow_up_on, stickers_left FROM restaurant_status WHERE restaurant_id = ?1",
        )?
        .query_row([restaurant.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "restaurant", id: restaurant.to_string() })?;
    Ok(StatusSummary {
        status: parse_enum("restaurant_status.status", &row.0)?,
        last_visit_at: parse_opt_time("restaurant_status.last_visit_at", row.1)?,
        follow_up_on: parse_opt_date("restaurant_status.follow_up_on", row.2)?,
        stickers_left: row.3,
    })
}

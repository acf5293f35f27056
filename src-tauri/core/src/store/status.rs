//! Keeps `restaurant_status` equal to what the domain derives from the visits.

use super::codec::{date, parse_enum, parse_opt_date, parse_opt_time, time};
use super::{visits, Result, StoreError};
use crate::domain::status::{derive_all, Derived, FirstReached};
use crate::domain::{RestaurantId, StatusSummary};
use rusqlite::{params, Connection, OptionalExtension};

/// Recomputes one restaurant's status from all of its visits and stores it, with what the
/// report keeps beside it: who owes its follow-up, and when it first reached each stage.
pub fn refresh(conn: &Connection, restaurant: &RestaurantId) -> Result<StatusSummary> {
    let visits = visits::for_restaurant(conn, restaurant)?;
    let Derived { summary, follow_up_by, first } = derive_all(&visits);
    conn.prepare_cached(
        "INSERT INTO restaurant_status (restaurant_id, status, last_visit_at, follow_up_on, stickers_left, follow_up_by, \
         first_visit_at, first_agreed_at, first_placed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (restaurant_id) DO UPDATE SET status = excluded.status, \
         last_visit_at = excluded.last_visit_at, follow_up_on = excluded.follow_up_on, \
         stickers_left = excluded.stickers_left, follow_up_by = excluded.follow_up_by, \
         first_visit_at = excluded.first_visit_at, first_agreed_at = excluded.first_agreed_at, \
         first_placed_at = excluded.first_placed_at",
    )?
    .execute(params![
        restaurant.as_str(),
        summary.status.as_str(),
        summary.last_visit_at.map(time),
        summary.follow_up_on.map(date),
        summary.stickers_left,
        follow_up_by.map(|v| v.as_str()),
        first.visit.map(time),
        first.agreed.map(time),
        first.placed.map(time),
    ])?;
    Ok(summary)
}

/// What the report keeps beside the status, as stored: who owes the follow-up, and when the
/// restaurant first reached each stage.
pub fn kept(conn: &Connection, restaurant: &RestaurantId) -> Result<(Option<String>, FirstReached)> {
    let row = conn
        .prepare_cached(
            "SELECT follow_up_by, first_visit_at, first_agreed_at, first_placed_at FROM restaurant_status \
             WHERE restaurant_id = ?1",
        )?
        .query_row([restaurant.as_str()], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .optional()?
        .unwrap_or_default();
    let first = FirstReached {
        visit: parse_opt_time("restaurant_status.first_visit_at", row.1)?,
        agreed: parse_opt_time("restaurant_status.first_agreed_at", row.2)?,
        placed: parse_opt_time("restaurant_status.first_placed_at", row.3)?,
    };
    Ok((row.0, first))
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

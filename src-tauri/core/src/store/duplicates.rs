//! What duplicate detection on import needs to know of every restaurant, read once per import.
//! The judging is in `imports::duplicates`.

use super::Result;
use crate::domain::RestaurantId;
use rusqlite::Connection;

/// Just enough of an existing restaurant to judge whether a row is the same place.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub id: RestaurantId,
    pub name: String,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub external_ref: Option<String>,
}

/// Every restaurant, in no particular order.
pub fn all(conn: &Connection) -> Result<Vec<Existing>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, postcode, lat, lon, external_ref FROM restaurants")?;
    let rows = stmt.query_map([], |row| {
        Ok(Existing {
            id: RestaurantId(row.get(0)?),
            name: row.get(1)?,
            postcode: row.get(2)?,
            lat: row.get(3)?,
            lon: row.get(4)?,
            external_ref: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

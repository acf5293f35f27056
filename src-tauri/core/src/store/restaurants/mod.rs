//! The `restaurants` table: writing a restaurant, reading one, and reading them all for an
//! export. The list, search and map queries over it are `queries.rs`.

use super::codec::{list, parse_enum, parse_list, parse_opt_date, parse_opt_time, parse_time, time};
use super::{Result, StoreError};
use crate::domain::restaurant::ValidDraft;
use crate::domain::{Restaurant, RestaurantDraft, RestaurantId, Standing, Status, VolunteerId};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

mod batch;
pub mod bulk_indexes;
mod queries;
pub mod search_index;
pub use batch::Batch;
pub use queries::{
    cuisine_counts, extent, fts_query, index_points, list_page, list_page_by, matching_pks, status_counts,
    ListRow, Order, PositionRow,
};

/// Every column of a restaurant, in the order `from_row` reads them.
const COLUMNS: &str = "r.id, r.name, r.address, r.postcode, r.lat, r.lon, r.cuisines, r.languages, \
     r.opening_hours, r.phone, r.website, r.source, r.external_ref, r.created_at, r.updated_at, \
     r.standing, r.proposed_by";

/// Restaurants that stay on the map, in the list and in every count: all but the rejected.
const ON_MAP: &str = "r.standing != 'rejected'";

/// The draft's columns in the order both statements below name them (?2 to ?11).
fn draft_values(id: &RestaurantId, d: &RestaurantDraft) -> Vec<Value> {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    vec![
        Value::Text(id.to_string()),
        Value::Text(d.name.clone()),
        text(&d.address),
        text(&d.postcode),
        Value::Real(d.lat),
        Value::Real(d.lon),
        Value::Text(list(&d.cuisines)),
        Value::Text(list(&d.languages)),
        text(&d.opening_hours),
        text(&d.phone),
        text(&d.website),
    ]
}

pub fn insert(
    conn: &Connection,
    id: &RestaurantId,
    draft: &ValidDraft,
    source: &str,
    external_ref: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut values = draft_values(id, &draft.0);
    values.push(Value::Text(source.to_string()));
    values.push(external_ref.map_or(Value::Null, |r| Value::Text(r.to_string())));
    values.push(Value::Text(time(now)));
    conn.prepare_cached(
        "INSERT INTO restaurants (id, name, address, postcode, lat, lon, cuisines, languages, \
         opening_hours, phone, website, source, external_ref, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
    )?
    .execute(params_from_iter(values))?;
    conn.prepare_cached("INSERT INTO restaurant_status (restaurant_id) VALUES (?1)")?
        .execute([id.as_str()])?;
    Ok(())
}

pub fn update(conn: &Connection, id: &RestaurantId, draft: &ValidDraft, now: DateTime<Utc>) -> Result<()> {
    let mut values = draft_values(id, &draft.0);
    values.push(Value::Text(time(now)));
    let changed = conn
        .prepare_cached(
            "UPDATE restaurants SET name = ?2, address = ?3, postcode = ?4, lat = ?5, lon = ?6, \
             cuisines = ?7, languages = ?8, opening_hours = ?9, phone = ?10, website = ?11, updated_at = ?12 \
             WHERE id = ?1",
        )?
        .execute(params_from_iter(values))?;
    if changed == 0 {
        return Err(StoreError::NotFound { what: "restaurant", id: id.to_string() });
    }
    Ok(())
}

pub fn get(conn: &Connection, id: &RestaurantId) -> Result<Restaurant> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM restaurants r WHERE r.id = ?1"))?
        .query_row([id.as_str()], |row| Ok(from_row(row)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "restaurant", id: id.to_string() })?
}

/// The restaurant whose reference in its source is `external_ref` (`osm:node/123`), if any.
pub fn find_by_external_ref(conn: &Connection, external_ref: &str) -> Result<Option<Restaurant>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM restaurants r WHERE r.external_ref = ?1"))?
        .query_row([external_ref], |row| Ok(from_row(row)))
        .optional()?
        .transpose()
}

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM restaurants", [], |r| r.get::<_, i64>(0))? as u64)
}

fn from_row(row: &Row<'_>) -> Result<Restaurant> {
    Ok(Restaurant {
        id: RestaurantId(row.get(0)?),
        name: row.get(1)?,
        address: row.get(2)?,
        postcode: row.get(3)?,
        lat: row.get(4)?,
        lon: row.get(5)?,
        cuisines: parse_list(&row.get::<_, String>(6)?),
        languages: parse_list(&row.get::<_, String>(7)?),
        opening_hours: row.get(8)?,
        phone: row.get(9)?,
        website: row.get(10)?,
        source: row.get(11)?,
        external_ref: row.get(12)?,
        created_at: parse_time("restaurants.created_at", &row.get::<_, String>(13)?)?,
        updated_at: parse_time("restaurants.updated_at", &row.get::<_, String>(14)?)?,
        standing: parse_enum("restaurants.standing", &row.get::<_, String>(15)?)?,
        proposed_by: row.get::<_, Option<String>>(16)?.map(VolunteerId),
    })
}

/// Marks a restaurant just inserted here as a volunteer's proposal.
pub fn set_proposed(conn: &Connection, id: &RestaurantId, by: &VolunteerId) -> Result<()> {
    conn.prepare_cached("UPDATE restaurants SET standing = 'proposed', proposed_by = ?2 WHERE id = ?1")?
        .execute([id.as_str(), by.as_str()])?;
    Ok(())
}

/// Sets a restaurant's standing (a decision made here or pulled).
pub fn set_standing(conn: &Connection, id: &RestaurantId, standing: Standing) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE restaurants SET standing = ?2 WHERE id = ?1")?
        .execute([id.as_str(), standing.as_str()])?;
    if changed == 0 {
        return Err(StoreError::NotFound { what: "restaurant", id: id.to_string() });
    }
    Ok(())
}

/// One restaurant as the exports write it: its fields, derived status and public-listing consent.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub restaurant: Restaurant,
    pub status: Status,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub follow_up_on: Option<NaiveDate>,
    pub stickers_left: u32,
    /// The owner's latest answer to "may we list you publicly?" (`None`: never asked).
    pub listed_publicly: Option<bool>,
}

/// Every confirmed restaurant in name order, handed to `each` one at a time (so 100,000 rows never
/// sit in memory together). Proposed and rejected restaurants, and the demo set, never reach an
/// export.
pub fn for_export<E: From<StoreError>>(
    conn: &Connection,
    mut each: impl FnMut(ExportRow) -> std::result::Result<(), E>,
) -> std::result::Result<u64, E> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS}, s.status, s.last_visit_at, s.follow_up_on, s.stickers_left, \
         (SELECT answer FROM consent_records c WHERE c.restaurant_id = r.id AND c.kind = 'listed_publicly' \
          ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1) \
         FROM restaurants r JOIN restaurant_status s ON s.restaurant_id = r.id \
         WHERE r.standing = 'confirmed' AND r.source != 'demo' ORDER BY r.name COLLATE NOCASE, r.id"
        ))
        .map_err(StoreError::from)?;
    let mut rows = stmt.query([]).map_err(StoreError::from)?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let restaurant = from_row(row)?;
        let get = |i: usize| -> Result<Option<String>> { Ok(row.get(i)?) };
        let listed = get(21)?;
        each(ExportRow {
            restaurant,
            status: parse_enum("restaurant_status.status", &get(17)?.unwrap_or_default())?,
            last_visit_at: parse_opt_time("restaurant_status.last_visit_at", get(18)?)?,
            follow_up_on: parse_opt_date("restaurant_status.follow_up_on", get(19)?)?,
            stickers_left: row.get::<_, u32>(20).map_err(StoreError::from)?,
            listed_publicly: match listed.as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            },
        })?;
        n += 1;
    }
    Ok(n)
}

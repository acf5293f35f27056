//! The list, search and map queries over the restaurants: a filter turned into SQL (the
//! full-text index for words), the side list's pages, the map index's points, and the counts
//! the legend and the filters show.

use super::ON_MAP;
use crate::domain::filter::search_words;
use crate::domain::filter::{Bbox, RestaurantFilter};
use crate::domain::{RestaurantId, Status};
use crate::store::codec::{parse_enum, parse_list, parse_opt_date, parse_opt_time};
use crate::store::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// A restaurant as the side list shows it: its row joined with its status.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub id: RestaurantId,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub cuisines: Vec<String>,
    pub status: Status,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub follow_up_on: Option<NaiveDate>,
    pub proposed: bool,
}

/// Turns what a person typed into an FTS5 query: each word quoted (so `"`, `*`, `OR`, `NEAR`
/// are only text) and matched as a prefix; all words must match. `None` when nothing is left.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = search_words(text).map(|w| format!("\"{w}\"*")).collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The WHERE clause and its parameters for a filter.
fn where_clause(conn: &Connection, filter: &RestaurantFilter) -> Result<(String, Vec<Value>)> {
    let mut clauses = vec![ON_MAP.to_string()];
    let mut values: Vec<Value> = Vec::new();
    if let Some(q) = filter.search.as_deref().and_then(fts_query) {
        values.push(Value::Text(q));
        clauses.push(format!(
            "r.pk IN (SELECT rowid FROM restaurants_fts WHERE restaurants_fts MATCH ?{})",
            values.len()
        ));
    }
    if !filter.statuses.is_empty() {
        let mut marks = Vec::new();
        for s in &filter.statuses {
            values.push(Value::Text(s.as_str().to_string()));
            marks.push(format!("?{}", values.len()));
        }
        clauses.push(format!("s.status IN ({})", marks.join(", ")));
    }
    if let Some(c) = filter.cuisine.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        values.push(Value::Text(format!("%;{};%", c.to_lowercase().replace(['%', '_'], ""))));
        clauses.push(format!("(';' || lower(r.cuisines) || ';') LIKE ?{}", values.len()));
    }
    if let Some(v) = &filter.volunteer_id {
        values.push(Value::Text(v.as_str().to_string()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM visits v WHERE v.restaurant_id = r.id AND v.volunteer_id = ?{})",
            values.len()
        ));
    }
    if let Some(day) = filter.follow_up_due_by {
        values.push(Value::Text(day.format("%Y-%m-%d").to_string()));
        clauses.push(format!("s.follow_up_on IS NOT NULL AND s.follow_up_on <= ?{}", values.len()));
    }
    if let Some(area) = &filter.area_id {
        // Inside the outline: the box first (an index), then the polygon, point by point.
        let found = crate::store::areas::get(conn, area)?;
        let mut ids = Vec::new();
        crate::store::areas::points_in(conn, found.area.bounds(), |p| {
            if found.area.contains(p.lat, p.lon) {
                ids.push(p.id.to_string());
            }
        })?;
        values.push(Value::Text(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())));
        clauses.push(format!("r.id IN (SELECT value FROM json_each(?{}))", values.len()));
    }
    if let Some(reached) = &filter.reached {
        // The report's own definition of the stage, over the same instants it counts between.
        let tz = crate::store::reached::campaign_time_zone(conn)?;
        let b = crate::store::reached::Bounds::of(&tz, reached.from, reached.to);
        values.push(Value::Text(b.start));
        let start = format!("?{}", values.len());
        values.push(Value::Text(b.end));
        let end = format!("?{}", values.len());
        let condition = crate::store::reached::stage_condition(reached.stage);
        clauses.push(format!("({})", condition.replace(":start", &start).replace(":end", &end)));
    }
    Ok((clauses.join(" AND "), values))
}

/// How the side list is sorted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Order {
    /// By name.
    Name,
    /// The follow-up queue: the oldest follow-up date first, then the nearest to a point.
    FollowUp { lat: f64, lon: f64 },
}

/// One page of the side list, sorted by name, and how many match in all.
pub fn list_page(
    conn: &Connection,
    filter: &RestaurantFilter,
    limit: u32,
    offset: u32,
) -> Result<(Vec<ListRow>, u64)> {
    list_page_by(conn, filter, Order::Name, limit, offset)
}

/// One page of the side list in `order`, and how many match in all.
pub fn list_page_by(
    conn: &Connection,
    filter: &RestaurantFilter,
    order: Order,
    limit: u32,
    offset: u32,
) -> Result<(Vec<ListRow>, u64)> {
    let (clause, mut values) = where_clause(conn, filter)?;
    let total: u64 = conn.query_row(
        &format!("SELECT count(*) FROM restaurants r JOIN restaurant_status s ON s.restaurant_id = r.id WHERE {clause}"),
        params_from_iter(values.iter()),
        |r| r.get::<_, i64>(0).map(|n| n as u64),
    )?;
    let order_by = match order {
        Order::Name => "r.name COLLATE NOCASE, r.id".to_string(),
        Order::FollowUp { lat, lon } => {
            // Squared distance on a plane scaled for the latitude: enough to sort a street.
            let scale = lat.to_radians().cos().powi(2);
            values.extend([Value::Real(lat), Value::Real(lon), Value::Real(scale)]);
            let n = values.len();
            format!(
                "s.follow_up_on IS NULL, s.follow_up_on, \
                 (r.lat - ?{a}) * (r.lat - ?{a}) + (r.lon - ?{b}) * (r.lon - ?{b}) * ?{c}, r.id",
                a = n - 2,
                b = n - 1,
                c = n
            )
        }
    };
    values.push(Value::Integer(i64::from(limit)));
    values.push(Value::Integer(i64::from(offset)));
    let sql = format!(
        "SELECT r.id, r.name, r.address, r.postcode, r.lat, r.lon, r.cuisines, s.status, s.last_visit_at, s.follow_up_on, \
         r.standing = 'proposed' FROM restaurants r JOIN restaurant_status s ON s.restaurant_id = r.id WHERE {clause} \
         ORDER BY {order_by} LIMIT ?{} OFFSET ?{}",
        values.len() - 1,
        values.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |row| {
        Ok((
            RestaurantId(row.get(0)?),
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, f64>(4)?,
            row.get::<_, f64>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, Option<String>>(8)?,
            row.get::<_, Option<String>>(9)?,
            row.get::<_, bool>(10)?,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (id, name, address, postcode, lat, lon, cuisines, status, last, follow, proposed) = row?;
        items.push(ListRow {
            id,
            name,
            address,
            postcode,
            lat,
            lon,
            cuisines: parse_list(&cuisines),
            status: parse_enum("restaurant_status.status", &status)?,
            last_visit_at: parse_opt_time("restaurant_status.last_visit_at", last)?,
            follow_up_on: parse_opt_date("restaurant_status.follow_up_on", follow)?,
            proposed,
        });
    }
    Ok((items, total))
}

/// A restaurant's local row number, id, name, position and status: what the map's index holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionRow {
    pub pk: u32,
    pub id: RestaurantId,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub status: Status,
    /// A volunteer's proposal, not decided yet (the map marks it apart).
    pub proposed: bool,
}

/// Every restaurant's position, status and name, for the map's in-memory index.
pub fn index_points(conn: &Connection) -> Result<Vec<PositionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.pk, r.id, r.name, r.lat, r.lon, s.status, r.standing = 'proposed' FROM restaurants r \
         JOIN restaurant_status s ON s.restaurant_id = r.id WHERE {ON_MAP}"
    ))?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, bool>(6)?,
        ))
    })?;
    let mut points = Vec::new();
    for row in rows {
        let (pk, id, name, lat, lon, status, proposed) = row?;
        points.push(PositionRow {
            pk: u32::try_from(pk)
                .map_err(|_| StoreError::Corrupt { what: "restaurants.pk", value: pk.to_string() })?,
            id: RestaurantId(id),
            name,
            lat,
            lon,
            status: parse_enum("restaurant_status.status", &status)?,
            proposed,
        });
    }
    Ok(points)
}

/// The row numbers of the restaurants a filter keeps (for the map's index).
pub fn matching_pks(conn: &Connection, filter: &RestaurantFilter) -> Result<Vec<u32>> {
    let (clause, values) = where_clause(conn, filter)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.pk FROM restaurants r JOIN restaurant_status s ON s.restaurant_id = r.id WHERE {clause}"
    ))?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |r| r.get::<_, i64>(0))?;
    let mut pks = Vec::new();
    for pk in rows {
        pks.push(pk? as u32);
    }
    Ok(pks)
}

/// Every cuisine and how many restaurants serve it, most common first (for the filter).
pub fn cuisine_counts(conn: &Connection) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached("SELECT cuisines FROM restaurants WHERE cuisines != ''")?;
    let mut counts: std::collections::HashMap<String, (String, u64)> = std::collections::HashMap::new();
    for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
        for c in parse_list(&row?) {
            counts.entry(c.to_lowercase()).or_insert_with(|| (c.clone(), 0)).1 += 1;
        }
    }
    let mut out: Vec<(String, u64)> = counts.into_values().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_lowercase().cmp(&b.0.to_lowercase())));
    Ok(out)
}

/// The box around every restaurant, or `None` when there are none.
pub fn extent(conn: &Connection) -> Result<Option<Bbox>> {
    let row: (Option<f64>, Option<f64>, Option<f64>, Option<f64>) =
        conn.query_row("SELECT min(lat), min(lon), max(lat), max(lon) FROM restaurants", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    Ok(match row {
        (Some(south), Some(west), Some(north), Some(east)) => Some(Bbox { south, west, north, east }),
        _ => None,
    })
}

/// How many restaurants are in each status, under a filter's search text.
pub fn status_counts(conn: &Connection, filter: &RestaurantFilter) -> Result<Vec<(Status, u64)>> {
    // Every filter but the statuses: the legend counts what each status chip would show.
    let search_only = RestaurantFilter { statuses: vec![], ..filter.clone() };
    let (clause, values) = where_clause(conn, &search_only)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.status, count(*) FROM restaurants r JOIN restaurant_status s ON s.restaurant_id = r.id \
         WHERE {clause} GROUP BY s.status"
    ))?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    let mut out: Vec<(Status, u64)> = Status::ALL.iter().map(|s| (*s, 0)).collect();
    for row in rows {
        let (status, n) = row?;
        let status: Status = parse_enum("restaurant_status.status", &status)?;
        if let Some(slot) = out.iter_mut().find(|(s, _)| *s == status) {
            slot.1 = n;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries() {
        let cases: &[(&str, Option<&str>)] = &[
            ("", None),
            ("   ", None),
            ("kebab", Some("\"kebab\"*")),
            ("Addis  café", Some("\"Addis\"* \"café\"*")),
            ("say \"hi\" OR", Some("\"say\"* \"hi\"* \"OR\"*")),
            ("* - ()", None),
            ("e8", Some("\"e8\"*")),
        ];
        for (input, expected) in cases {
            assert_eq!(fts_query(input).as_deref(), *expected, "{input:?}");
        }
    }
}

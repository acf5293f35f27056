//! One area's restaurants as a report's scope, and the named parameters (the period's bounds,
//! the scope's ids) its statements take.

use super::super::{ApiError, Result};
use super::period::Bounds;
use crate::domain::AreaId;
use crate::store::areas as area_table;
use rusqlite::{Connection, ToSql};

/// The restaurants one area holds.
pub struct Scope {
    pub id: AreaId,
    pub name: String,
    /// Their ids, as a JSON array (bound to `:ids`).
    ids: String,
}

impl Scope {
    pub fn area(conn: &Connection, key: &str) -> Result<Scope> {
        let found = crate::api::areas::find(conn, key)?;
        let ids = inside(conn, &found.area)?;
        let ids = serde_json::to_string(&ids)
            .map_err(|e| ApiError::Encode { what: "an area's restaurants", reason: e.to_string() })?;
        Ok(Scope { id: found.id, name: found.name, ids })
    }
}

/// The ids of the restaurants inside an outline (not rejected).
fn inside(conn: &Connection, area: &crate::domain::area::Area) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    area_table::points_in(conn, area.bounds(), |p| {
        if area.contains(p.lat, p.lon) {
            ids.push(p.id.to_string());
        }
    })?;
    Ok(ids)
}

/// `AND <column> IN (the scope)` when there is one.
pub fn scoped(column: &str, scope: Option<&Scope>) -> String {
    match scope {
        Some(_) => format!(" AND {column} IN (SELECT value FROM json_each(:ids))"),
        None => String::new(),
    }
}

/// Named parameters: the bounds, and the scope's ids when the statement names them.
pub fn params<'a>(sql: &str, b: &'a Bounds, scope: Option<&'a Scope>) -> Vec<(&'static str, &'a dyn ToSql)> {
    let mut out: Vec<(&'static str, &'a dyn ToSql)> = Vec::new();
    if sql.contains(":start") {
        out.push((":start", &b.start));
    }
    if sql.contains(":end") {
        out.push((":end", &b.end));
    }
    if let Some(s) = scope.filter(|_| sql.contains(":ids")) {
        out.push((":ids", &s.ids));
    }
    out
}

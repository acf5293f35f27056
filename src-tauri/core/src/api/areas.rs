//! Areas: import ward boundaries or draw an outline, name it, let a volunteer claim it for a while,
//! see how far the campaign has got inside it, and keep notes on it. Which restaurants an area
//! holds is worked out on every call (restaurants in the area's box by the position index, then
//! point-in-polygon), so an area never changes a restaurant and deleting one loses no visit.

use super::access;
use super::error::HeldFor;
use super::models::StatusCount;
use super::{ApiError, Refusal, Result};
use crate::domain::area::{self, Area, AreaIndex, AreaSource, Claim, Geometry, DEFAULT_CLAIM_DAYS};
use crate::domain::permissions::Action;
use crate::domain::validation::required_text;
use crate::domain::Bbox;
use crate::domain::{AreaId, RestaurantId, Status, ValidationError, Volunteer, VolunteerId};
use crate::imports::geojson::{self, GeoJsonError, MAX_NAME};
use crate::imports::problem::Problem;
use crate::store::areas::{self as table, StoredArea, StoredClaim};
use crate::store::{outbox, volunteers, Store};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// The longest note on an area.
pub const MAX_NOTE: usize = 2_000;
pub const DEFAULT_DAYS: u32 = DEFAULT_CLAIM_DAYS;

/// One area as the list shows it: how far the campaign has got inside it and who holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AreaSummary {
    pub id: AreaId,
    pub name: String,
    pub source: AreaSource,
    pub bbox: Bbox,
    pub km2: f64,
    /// Restaurants inside, for every status (zeros included), in the statuses' usual order.
    pub counts: Vec<StatusCount>,
    #[ts(type = "number")]
    pub total: u64,
    /// The latest visit to any restaurant inside.
    #[ts(type = "string | null")]
    pub last_visit_at: Option<DateTime<Utc>>,
    /// Who holds the area now; `None` when nobody does (never claimed, released or expired).
    pub holder: Option<AreaHolder>,
    #[ts(type = "number")]
    pub notes: u64,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AreaHolder {
    pub volunteer_id: VolunteerId,
    pub volunteer_name: String,
    #[ts(type = "string")]
    pub claimed_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AreaImportSummary {
    /// Features in the file.
    pub features: usize,
    /// The property the names came from (`None` for one unnamed outline).
    pub name_property: Option<String>,
    /// New areas, by name.
    pub created: Vec<String>,
    /// Areas that were there already (same name, any case): their outline was replaced.
    pub updated: Vec<String>,
    /// Areas made of several features that share a name.
    pub joined: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AreaNote {
    pub id: String,
    pub area_id: AreaId,
    pub volunteer_id: VolunteerId,
    pub volunteer_name: String,
    pub note: String,
    #[ts(type = "string")]
    pub written_at: DateTime<Utc>,
}

/// An area's outline for drawing on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AreaShape {
    pub id: AreaId,
    pub name: String,
    pub geometry: Geometry,
}

/// An area ready for point-in-polygon (`polygon.area.contains(lat, lon)`): what the map's index
/// uses to tag restaurants with areas.
#[derive(Debug, Clone)]
pub struct AreaPolygon {
    pub id: AreaId,
    pub name: String,
    pub area: Area,
}

/// Imports areas from GeoJSON text in one transaction: every feature, or nothing and the first
/// problem (with the feature's number). An area whose name is taken already gets the file's
/// outline. `fallback_name` names a file's only outline when it carries no name (a bare Polygon):
/// the file's name, say.
pub fn import_geojson(
    store: &mut Store,
    text: &str,
    name_property: Option<&str>,
    fallback_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<AreaImportSummary> {
    access::require(store.conn(), Action::DrawAreas)?;
    let file = geojson::read(text, name_property, fallback_name).map_err(file_error)?;
    store.write(|tx| {
        let existing: HashMap<String, AreaId> =
            table::names(tx)?.into_iter().map(|(id, name)| (name.to_ascii_lowercase(), id)).collect();
        let mut summary = AreaImportSummary {
            features: file.features,
            name_property: file.name_property.clone(),
            created: vec![],
            updated: vec![],
            joined: vec![],
        };
        for named in &file.areas {
            match existing.get(&named.name.to_ascii_lowercase()) {
                Some(id) => {
                    table::set_geometry(tx, id, &named.area, AreaSource::Geojson, now)?;
                    outbox::event(tx, "area", id.as_str(), now)?;
                    summary.updated.push(named.name.clone());
                }
                None => {
                    let id = AreaId::generate(now);
                    table::insert(tx, &id, &named.name, &named.area, AreaSource::Geojson, now)?;
                    outbox::event(tx, "area", id.as_str(), now)?;
                    summary.created.push(named.name.clone());
                }
            }
            if named.features.len() > 1 {
                summary.joined.push(named.name.clone());
            }
        }
        Ok(summary)
    })
}

fn file_error(e: GeoJsonError) -> ApiError {
    match e {
        GeoJsonError::Json { line, column, message } => {
            ApiError::BadFile(Problem::at_char(line, column, format!("not valid JSON: {message}")))
        }
        other => ApiError::Invalid(ValidationError { field: "file", reason: other.to_string() }),
    }
}

/// A new area drawn on the map.
pub fn create(store: &mut Store, name: &str, geometry: Geometry, now: DateTime<Utc>) -> Result<AreaSummary> {
    let name = required_text("name", name, MAX_NAME)?;
    let area = Area::new(geometry)?;
    store.write(|tx| {
        access::require(tx, Action::DrawAreas)?;
        name_is_free(tx, &name, None)?;
        let id = AreaId::generate(now);
        table::insert(tx, &id, &name, &area, AreaSource::Drawn, now)?;
        outbox::event(tx, "area", id.as_str(), now)?;
        summary_in(tx, table::get(tx, &id)?, now)
    })
}

pub fn rename(store: &mut Store, area: &str, new_name: &str, now: DateTime<Utc>) -> Result<AreaSummary> {
    let name = required_text("name", new_name, MAX_NAME)?;
    store.write(|tx| {
        access::require(tx, Action::DrawAreas)?;
        let found = find(tx, area)?;
        name_is_free(tx, &name, Some(&found.id))?;
        table::rename(tx, &found.id, &name, now)?;
        outbox::event(tx, "area", found.id.as_str(), now)?;
        summary_in(tx, table::get(tx, &found.id)?, now)
    })
}

/// Deletes an area nobody holds. Its claims and notes are kept (append-only) with a tombstone,
/// and no restaurant or visit is touched. Answers the deleted area's name.
pub fn delete(store: &mut Store, area: &str, now: DateTime<Utc>) -> Result<String> {
    store.write(|tx| {
        access::require(tx, Action::DrawAreas)?;
        let found = find(tx, area)?;
        if let Some(h) = holder_of(&table::claims_for(tx, &found.id)?, now) {
            return Err(Refusal::AreaHeld {
                area: found.name,
                holder: h.volunteer_name,
                until: h.expires_at,
                asked: HeldFor::Delete,
            }
            .into());
        }
        table::mark_deleted(tx, &found.id, now)?;
        outbox::event(tx, "area", found.id.as_str(), now)?;
        Ok(found.name)
    })
}

/// Every area with its counts, holder and notes, by name.
pub fn list(store: &Store, now: DateTime<Utc>) -> Result<Vec<AreaSummary>> {
    let conn = store.conn();
    let mut claims = table::claims(conn)?;
    let notes = table::note_counts(conn)?;
    table::all(conn)?
        .into_iter()
        .map(|a| {
            let claims = claims.remove(&a.id).unwrap_or_default();
            let notes = notes.get(&a.id).copied().unwrap_or(0);
            summarise(conn, a, &claims, notes, now)
        })
        .collect()
}

/// One area (by id or name) as the list shows it.
pub fn summary(store: &Store, area: &str, now: DateTime<Utc>) -> Result<AreaSummary> {
    let found = find(store.conn(), area)?;
    summary_in(store.conn(), found, now)
}

/// Gives the area to a volunteer (by id or name) for `days` days. Refused while another
/// volunteer's claim runs, unless `force`; the holder claiming again renews the claim.
pub fn assign(
    store: &mut Store,
    area: &str,
    volunteer: &str,
    days: u32,
    force: bool,
    now: DateTime<Utc>,
) -> Result<AreaSummary> {
    store.write(|tx| {
        let found = find(tx, area)?;
        let who = find_volunteer(tx, volunteer)?;
        access::for_volunteer(tx, &who.id, Action::ClaimAreas, Action::AssignAreas)?;
        let claim = Claim::new(who.id.clone(), days, now)?;
        let claims = table::claims_for(tx, &found.id)?;
        if let Some(h) = holder_of(&claims, now).filter(|h| h.volunteer_id != who.id) {
            access::require(tx, Action::AssignAreas)?;
            if !force {
                return Err(ApiError::from(Refusal::AreaHeld {
                    area: found.name,
                    holder: h.volunteer_name,
                    until: h.expires_at,
                    asked: HeldFor::Claim,
                }));
            }
        }
        let id = event_id(now);
        table::insert_claim(tx, &id, &found.id, &claim)?;
        outbox::event(tx, "area_claim", &id, now)?;
        summary_in(tx, found, now)
    })
}

/// Ends the running claim on an area.
pub fn release(store: &mut Store, area: &str, now: DateTime<Utc>) -> Result<AreaSummary> {
    store.write(|tx| {
        let found = find(tx, area)?;
        let Some(holder) = holder_of(&table::claims_for(tx, &found.id)?, now) else {
            return Err(Refusal::AreaNotHeld { area: found.name }.into());
        };
        access::for_volunteer(tx, &holder.volunteer_id, Action::ClaimAreas, Action::AssignAreas)?;
        let id = event_id(now);
        table::insert_claim(tx, &id, &found.id, &Claim::release(now))?;
        outbox::event(tx, "area_claim", &id, now)?;
        summary_in(tx, found, now)
    })
}

pub fn add_note(
    store: &mut Store,
    area: &str,
    volunteer: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<AreaNote> {
    let note = required_text("note", note, MAX_NOTE)?;
    store.write(|tx| {
        let found = find(tx, area)?;
        let who = find_volunteer(tx, volunteer)?;
        access::for_volunteer(tx, &who.id, Action::ClaimAreas, Action::LogForOthers)?;
        let id = event_id(now);
        table::insert_note(tx, &id, &found.id, &who.id, &note, now)?;
        outbox::event(tx, "area_note", &id, now)?;
        Ok(AreaNote {
            id,
            area_id: found.id,
            volunteer_id: who.id,
            volunteer_name: who.display_name,
            note,
            written_at: now,
        })
    })
}

/// An area's notes, newest first.
pub fn notes(store: &Store, area: &str) -> Result<Vec<AreaNote>> {
    let found = find(store.conn(), area)?;
    Ok(table::notes(store.conn(), &found.id)?
        .into_iter()
        .map(|n| AreaNote {
            id: n.id,
            area_id: n.area_id,
            volunteer_id: n.volunteer_id,
            volunteer_name: n.volunteer_name,
            note: n.note,
            written_at: n.written_at,
        })
        .collect())
}

/// One area (by id or name) with its outline, without counting anything.
pub fn get(store: &Store, area: &str) -> Result<AreaPolygon> {
    let found = find(store.conn(), area)?;
    Ok(AreaPolygon { id: found.id, name: found.name, area: found.area })
}

/// The restaurants inside an area (edges included), in no particular order.
pub fn members(store: &Store, area: &AreaId) -> Result<Vec<RestaurantId>> {
    let found = table::get(store.conn(), area)?;
    let mut ids = Vec::new();
    table::points_in(store.conn(), found.area.bounds(), |p| {
        if found.area.contains(p.lat, p.lon) {
            ids.push(RestaurantId::from(p.id));
        }
    })?;
    Ok(ids)
}

/// Every area, ready for point-in-polygon.
pub fn polygons(store: &Store) -> Result<Vec<AreaPolygon>> {
    Ok(table::all(store.conn())?
        .into_iter()
        .map(|a| AreaPolygon { id: a.id, name: a.name, area: a.area })
        .collect())
}

/// Every area in an index that answers "which areas hold this point?" cheaply (tagging 100,000
/// restaurants with 50 wards takes tens of milliseconds; see `benches/areas.rs`).
pub fn index(store: &Store) -> Result<AreaIndex<AreaId>> {
    Ok(AreaIndex::new(polygons(store)?.into_iter().map(|p| (p.id, p.area)).collect()))
}

/// Every area's outline, for the map.
pub fn shapes(store: &Store) -> Result<Vec<AreaShape>> {
    Ok(table::all(store.conn())?
        .into_iter()
        .map(|a| AreaShape { id: a.id, name: a.name, geometry: a.area.geometry().clone() })
        .collect())
}

fn summary_in(conn: &Connection, found: StoredArea, now: DateTime<Utc>) -> Result<AreaSummary> {
    let claims = table::claims_for(conn, &found.id)?;
    let notes = table::note_counts(conn)?.get(&found.id).copied().unwrap_or(0);
    summarise(conn, found, &claims, notes, now)
}

fn summarise(
    conn: &Connection,
    found: StoredArea,
    claims: &[StoredClaim],
    notes: u64,
    now: DateTime<Utc>,
) -> Result<AreaSummary> {
    let mut counts = [0u64; Status::ALL.len()];
    // Stored times sort as text, so only the latest is parsed.
    let mut last_visit: Option<String> = None;
    table::points_in(conn, found.area.bounds(), |p| {
        if found.area.contains(p.lat, p.lon) {
            if let Some(slot) = Status::ALL.iter().position(|s| *s == p.status) {
                counts[slot] += 1;
            }
            if p.last_visit_at > last_visit.as_deref() {
                last_visit = p.last_visit_at.map(str::to_string);
            }
        }
    })?;
    let last_visit_at = last_visit.as_deref().map(table::visit_time).transpose()?;
    let b = found.area.bounds();
    Ok(AreaSummary {
        bbox: Bbox { south: b.south, west: b.west, north: b.north, east: b.east },
        km2: found.area.km2(),
        counts: Status::ALL.iter().zip(counts).map(|(s, count)| StatusCount { status: *s, count }).collect(),
        total: counts.iter().sum(),
        last_visit_at,
        holder: holder_of(claims, now),
        notes,
        id: found.id,
        name: found.name,
        source: found.source,
        created_at: found.created_at,
        updated_at: found.updated_at,
    })
}

fn holder_of(claims: &[StoredClaim], now: DateTime<Utc>) -> Option<AreaHolder> {
    let plain: Vec<Claim> = claims.iter().map(|c| c.claim.clone()).collect();
    let held = area::holder(&plain, now)?;
    // `holder` answers one of `plain`, which is `claims` in the same order.
    let i = plain.iter().position(|c| std::ptr::eq(c, held))?;
    Some(AreaHolder {
        volunteer_id: held.volunteer_id.clone()?,
        volunteer_name: claims[i].volunteer_name.clone().unwrap_or_default(),
        claimed_at: held.claimed_at,
        expires_at: held.expires_at,
    })
}

/// The area in use with this id, or else this name (any case).
pub(crate) fn find(conn: &Connection, key: &str) -> Result<StoredArea> {
    let key = key.trim();
    match table::get(conn, &AreaId::from(key)) {
        Ok(found) => return Ok(found),
        Err(crate::store::StoreError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    if let Some(found) = table::by_name(conn, key)? {
        return Ok(found);
    }
    let mut names: Vec<String> = table::names(conn)?.into_iter().map(|(_, n)| n).collect();
    names.sort_by_key(|n| n.to_lowercase());
    Err(ApiError::Invalid(ValidationError {
        field: "area",
        reason: format!("no area is called \u{201c}{key}\u{201d} ({})", known("areas", &names)),
    }))
}

/// The volunteer with this id, or else this display name (any case).
fn find_volunteer(conn: &Connection, key: &str) -> Result<Volunteer> {
    let key = key.trim();
    if let Some(v) = super::volunteers::find_in(conn, key)? {
        return Ok(v);
    }
    let names: Vec<String> = volunteers::all(conn)?.into_iter().map(|v| v.display_name).collect();
    Err(ApiError::Invalid(ValidationError {
        field: "volunteer",
        reason: format!("nobody is called \u{201c}{key}\u{201d} ({})", known("volunteers", &names)),
    }))
}

/// "areas: A, B, C" (the first ten), or "there are none yet".
fn known(what: &str, names: &[String]) -> String {
    match names.len() {
        0 => format!("there are no {what} yet"),
        n if n <= 10 => format!("{what}: {}", names.join(", ")),
        n => format!("{what}: {}, and {} more", names[..10].join(", "), n - 10),
    }
}

fn name_is_free(conn: &Connection, name: &str, except: Option<&AreaId>) -> Result<()> {
    let taken =
        table::names(conn)?.into_iter().any(|(id, n)| n.eq_ignore_ascii_case(name) && Some(&id) != except);
    if taken {
        return Err(Refusal::AreaNameTaken { name: name.to_string() }.into());
    }
    Ok(())
}

fn event_id(now: DateTime<Utc>) -> String {
    ulid::Ulid::from_datetime(now.into()).to_string()
}

//! Commands for areas, walk lists and paper results: thin adapters over `api::areas`,
//! `api::walk` and `api::visits`.

use super::{AppState, UiError};
use chrono::Utc;
use tablemap_core::api;
use tablemap_core::api::areas::{self, AreaImportSummary, AreaNote, AreaShape, AreaSummary};
use tablemap_core::api::output::{FileKind, SaveTo};
use tablemap_core::api::walk::{self, StopsSource, WalkPlan, WalkRequest, WalkSheetResult};
use tablemap_core::domain::area::Geometry;
use tablemap_core::domain::NewVisit;
use tablemap_core::walk::route::LatLon;
use tauri::{Manager, State};

type Answer<T> = Result<T, UiError>;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_areas(state: State<'_, AppState>) -> Answer<Vec<AreaSummary>> {
    state.read(|s| areas::list(s, Utc::now()))
}

/// Every area's outline, for drawing on the map.
#[tauri::command(rename_all = "snake_case")]
pub async fn area_shapes(state: State<'_, AppState>) -> Answer<Vec<AreaShape>> {
    state.read(areas::shapes)
}

/// Areas from a GeoJSON file's text (ward boundaries and the like), in one transaction; a lone
/// unnamed outline is named after the file.
#[tauri::command(rename_all = "snake_case")]
pub async fn import_areas(
    state: State<'_, AppState>,
    text: String,
    name_property: Option<String>,
    file_name: Option<String>,
) -> Answer<AreaImportSummary> {
    let fallback = file_name.as_deref().map(|f| f.trim_end_matches(".geojson").trim_end_matches(".json"));
    state.write(|s| areas::import_geojson(s, &text, name_property.as_deref(), fallback, Utc::now()))
}

/// An area drawn on the map.
#[tauri::command(rename_all = "snake_case")]
pub async fn create_area(
    state: State<'_, AppState>,
    name: String,
    geometry: Geometry,
) -> Answer<AreaSummary> {
    state.write(|s| areas::create(s, &name, geometry, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn assign_area(
    state: State<'_, AppState>,
    area: String,
    volunteer: String,
    days: u32,
    force: bool,
) -> Answer<AreaSummary> {
    state.write(|s| areas::assign(s, &area, &volunteer, days, force, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn release_area(state: State<'_, AppState>, area: String) -> Answer<AreaSummary> {
    state.write(|s| areas::release(s, &area, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_area_note(
    state: State<'_, AppState>,
    area: String,
    volunteer: String,
    note: String,
) -> Answer<AreaNote> {
    state.write(|s| areas::add_note(s, &area, &volunteer, &note, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn area_notes(state: State<'_, AppState>, area: String) -> Answer<Vec<AreaNote>> {
    state.read(|s| areas::notes(s, &area))
}

/// The walking route through an area's restaurants still to visit, with the usual pace and
/// quiet hours, setting off at `planned_at` (local time) from `start` (anywhere when `None`).
#[tauri::command(rename_all = "snake_case")]
pub async fn plan_walk(
    state: State<'_, AppState>,
    area: String,
    planned_at: chrono::NaiveDateTime,
    start: Option<LatLon>,
    volunteer: Option<String>,
) -> Answer<WalkPlan> {
    let request =
        WalkRequest { start, volunteer, ..WalkRequest::new(StopsSource::Area { area }, planned_at) };
    state.read(|s| walk::plan(s, &request, Utc::now()))
}

/// A walk through chosen restaurants (the map's filtered list, the follow-up queue).
#[tauri::command(rename_all = "snake_case")]
pub async fn plan_walk_of(
    state: State<'_, AppState>,
    ids: Vec<tablemap_core::domain::RestaurantId>,
    title: Option<String>,
    planned_at: chrono::NaiveDateTime,
    start: Option<LatLon>,
    volunteer: Option<String>,
) -> Answer<WalkPlan> {
    let request = WalkRequest {
        start,
        volunteer,
        title,
        ..WalkRequest::new(StopsSource::Restaurants { ids }, planned_at)
    };
    state.read(|s| walk::plan(s, &request, Utc::now()))
}

/// The walk sheet PDF for a plan, written whole into the output folder or where the save
/// dialog says.
#[tauri::command(rename_all = "snake_case")]
pub async fn print_walk_sheet(
    app: tauri::AppHandle,
    plan: WalkPlan,
    save_to: SaveTo,
    file_name: String,
) -> Answer<WalkSheetResult> {
    let out = super::save_to::destination(&app, save_to, &file_name, FileKind::WalkSheet).await?;
    app.state::<AppState>().read(|s| walk::write_sheet(s, &plan, &out))
}

/// A walk sheet typed back in: every row's visit, or none.
#[tauri::command(rename_all = "snake_case")]
pub async fn record_visits(state: State<'_, AppState>, visits: Vec<NewVisit>) -> Answer<usize> {
    state.write(|s| api::visits::record_many(s, visits, Utc::now()))
}

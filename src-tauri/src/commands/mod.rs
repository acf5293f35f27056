//! Tauri commands: thin adapters that unpack state, call `api`, and turn errors into `UiError`.
//! The list of names here is mirrored in build.rs (one permission each) and in
//! capabilities/default.json (which grants exactly those).

pub mod areas;
mod error;
pub mod first_run;
pub mod imports;
pub mod places;
pub mod save_to;
mod state;
pub mod stickers;
pub mod sync;
pub mod tiles;

pub use error::{ErrorKind, UiError};
pub use state::AppState;

use chrono::Utc;
use serde::Serialize;
use tablemap_core::api::backups::{BackupFile, Health, RestoreDone};
use tablemap_core::api::restaurant_record::RecordFiles;
use tablemap_core::api::retention::{Applied, Cleared, Retention, RetentionStatus};
use tablemap_core::api::{self, RestaurantDetail, RestaurantPage, Settings, StatusCount};
use tablemap_core::domain::{Bbox, RestaurantFilter, Standing};
use tablemap_core::domain::{NewConsent, NewVisit, RestaurantDraft, RestaurantId, Volunteer, VolunteerDraft};
use tablemap_core::store::erase::Erased;
use tauri::State;
use ts_rs::TS;

type Answer<T> = Result<T, UiError>;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_restaurants(
    state: State<'_, AppState>,
    filter: RestaurantFilter,
    limit: u32,
    offset: u32,
) -> Answer<RestaurantPage> {
    state.read(|s| api::restaurants::list(s, &filter, limit, offset))
}

/// The follow-up queue: due on `today` (the window's date) or earlier, oldest first, then nearest.
#[tauri::command(rename_all = "snake_case")]
pub async fn follow_ups(
    state: State<'_, AppState>,
    filter: RestaurantFilter,
    today: chrono::NaiveDate,
    lat: f64,
    lon: f64,
    limit: u32,
    offset: u32,
) -> Answer<RestaurantPage> {
    state.read(|s| api::restaurants::follow_ups(s, &filter, today, (lat, lon), limit, offset))
}

/// Clusters and single restaurants for the map's box and zoom, under the list's filter.
#[tauri::command(rename_all = "snake_case")]
pub async fn map_clusters(
    state: State<'_, AppState>,
    filter: RestaurantFilter,
    bbox: Bbox,
    zoom: u8,
) -> Answer<api::map::MapClusters> {
    state.with_map(|store, map| map.view(store, &filter, bbox, zoom))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cuisines(state: State<'_, AppState>) -> Answer<Vec<api::restaurants::CuisineCount>> {
    state.read(api::restaurants::cuisines)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn data_extent(state: State<'_, AppState>) -> Answer<Option<Bbox>> {
    state.read(api::restaurants::extent)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn status_counts(state: State<'_, AppState>, filter: RestaurantFilter) -> Answer<Vec<StatusCount>> {
    state.read(|s| api::restaurants::status_counts(s, &filter))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_restaurant(state: State<'_, AppState>, id: RestaurantId) -> Answer<RestaurantDetail> {
    state.read(|s| api::restaurants::detail(s, &id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_restaurant(state: State<'_, AppState>, draft: RestaurantDraft) -> Answer<RestaurantDetail> {
    state.write(|s| api::restaurants::add(s, draft, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_restaurant(
    state: State<'_, AppState>,
    id: RestaurantId,
    draft: RestaurantDraft,
) -> Answer<RestaurantDetail> {
    state.write(|s| api::restaurants::update(s, &id, draft, Utc::now()))
}

/// An organiser confirms (`confirmed`) or rejects (`rejected`) a volunteer's proposed restaurant.
#[tauri::command(rename_all = "snake_case")]
pub async fn decide_proposal(
    state: State<'_, AppState>,
    id: RestaurantId,
    decision: Standing,
) -> Answer<RestaurantDetail> {
    state.write(|s| api::restaurants::decide(s, &id, decision, Utc::now()))
}

/// Everything held about one restaurant, as JSON and a one-page PDF in the output folder (the
/// window names no path).
#[tauri::command(rename_all = "snake_case")]
pub async fn export_restaurant_record(state: State<'_, AppState>, id: RestaurantId) -> Answer<RecordFiles> {
    state.read(|s| api::restaurant_record::export_to_folder(s, &id, &api::output::folder(s)?, Utc::now()))
}

/// How long notes and geocoding answers are kept, and what is old now.
#[tauri::command(rename_all = "snake_case")]
pub async fn retention_status(state: State<'_, AppState>) -> Answer<RetentionStatus> {
    state.read(|s| api::retention::status(s, Utc::now()))
}

/// Saves the retention choice and applies it at once.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_retention(state: State<'_, AppState>, retention: Retention) -> Answer<Applied> {
    state.write(|s| api::retention::set(s, retention, Utc::now()))
}

/// Empties the map tile cache and every geocoding answer.
#[tauri::command(rename_all = "snake_case")]
pub async fn clear_caches(state: State<'_, AppState>) -> Answer<Cleared> {
    let tiles = state.tiles.cache();
    state.write(|s| api::retention::clear_caches(s, Some(tiles)))
}

/// The health check (`tablemap doctor`), as words.
#[tauri::command(rename_all = "snake_case")]
pub async fn check_database(state: State<'_, AppState>) -> Answer<Health> {
    state.read(api::backups::health)
}

/// A backup into the output folder, under a name made from the time.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_now(state: State<'_, AppState>) -> Answer<BackupFile> {
    state.read(|s| api::backups::backup_into(s, &api::output::folder(s)?, Utc::now()))
}

/// The backups in the output folder, newest first.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_backups(state: State<'_, AppState>) -> Answer<Vec<BackupFile>> {
    state.read(|s| api::backups::list(&api::output::folder(s)?))
}

/// Puts back the backup called `name` from the output folder (the window asked first). Not
/// while the demo is shown: backups are the campaign's.
#[tauri::command(rename_all = "snake_case")]
pub async fn restore_backup(state: State<'_, AppState>, name: String) -> Answer<RestoreDone> {
    if state.in_demo() {
        return Err(api::ApiError::Invalid(tablemap_core::domain::ValidationError {
            field: "backup",
            reason: "leave the demo first: backups are the campaign's".into(),
        })
        .into());
    }
    state.write(|s| {
        let folder = api::output::folder(s)?;
        api::backups::restore_named(s, &folder, &name, Utc::now())
    })
}

/// Erases a restaurant and everything recorded about it (the window asked first).
#[tauri::command(rename_all = "snake_case")]
pub async fn erase_restaurant(state: State<'_, AppState>, id: RestaurantId) -> Answer<Erased> {
    state.write(|s| api::erase::restaurant(s, &id, Utc::now()))
}

/// The campaign's figures for a period (the dashboard): `api::report`, as `tablemap report`.
#[tauri::command(rename_all = "snake_case")]
pub async fn report(
    state: State<'_, AppState>,
    request: api::report::ReportRequest,
) -> Answer<api::report::Report> {
    state.read(|s| api::report::report(s, &request, Utc::now()))
}

/// One of the report's tables as CSV, into the output folder or where the save dialog says.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_report_csv(
    app: tauri::AppHandle,
    request: api::report::ReportRequest,
    table: api::report::ReportTable,
    save_to: api::output::SaveTo,
) -> Answer<stickers::Exported> {
    let state = tauri::Manager::state::<AppState>(&app);
    let name = state.read(|s| Ok(api::report::file_name(&request, table, s, Utc::now())))?;
    let path = save_to::destination(&app, save_to, &name, api::output::FileKind::Csv).await?;
    let count = state.read(|s| api::report::export_csv(s, &request, table, &path, Utc::now()))?;
    Ok(stickers::Exported { count, path: path.display().to_string() })
}

/// The report for the meeting as a PDF, into the output folder or where the save dialog says.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_pdf(
    app: tauri::AppHandle,
    request: api::report::ReportRequest,
    save_to: api::output::SaveTo,
) -> Answer<api::report::ReportPdf> {
    let state = tauri::Manager::state::<AppState>(&app);
    let name = state.read(|s| Ok(api::report::pdf_file_name(&request, s, Utc::now())))?;
    let path = save_to::destination(&app, save_to, &name, api::output::FileKind::Report).await?;
    state.read(|s| api::report::write_pdf(s, &request, Utc::now(), &path))
}

/// Erases a volunteer's name and contact (the window asked first); answers the name their
/// visits now show.
#[tauri::command(rename_all = "snake_case")]
pub async fn erase_volunteer(
    state: State<'_, AppState>,
    id: tablemap_core::domain::VolunteerId,
) -> Answer<String> {
    state.write(|s| api::erase::volunteer(s, id.as_str(), Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_visit(state: State<'_, AppState>, visit: NewVisit) -> Answer<RestaurantDetail> {
    state.write(|s| api::visits::record(s, visit, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_consent(state: State<'_, AppState>, consent: NewConsent) -> Answer<RestaurantDetail> {
    state.write(|s| api::visits::record_consent(s, consent, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_volunteers(state: State<'_, AppState>) -> Answer<Vec<Volunteer>> {
    state.read(api::volunteers::list)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_volunteer(state: State<'_, AppState>, draft: VolunteerDraft) -> Answer<Volunteer> {
    state.write(|s| api::volunteers::add(s, draft, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_settings(state: State<'_, AppState>) -> Answer<Settings> {
    state.read(api::settings::get)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> Answer<Settings> {
    let saved = state.write(|s| api::settings::save(s, settings))?;
    state.set_tile_template(&saved.tile_url);
    state.set_basemap(saved.mbtiles_path.as_deref());
    state.set_sync_every(saved.sync_every_minutes);
    Ok(saved)
}

/// What the status bar shows about this copy of Tablemap.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub database: String,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_info(state: State<'_, AppState>) -> Answer<AppInfo> {
    Ok(AppInfo { version: env!("CARGO_PKG_VERSION").to_string(), database: state.database_label() })
}

/// Why the database could not be opened at start (a wrong or missing key), in words that say what
/// to do; `None` when it opened.
#[tauri::command(rename_all = "snake_case")]
pub async fn startup_problem(state: State<'_, AppState>) -> Answer<Option<String>> {
    Ok(state.problem())
}

/// The key that encrypts the database: where it is kept and its recovery code (the window shows
/// it once when Tablemap has just made the key, and in Settings when asked).
#[tauri::command(rename_all = "snake_case")]
pub async fn key_status(state: State<'_, AppState>) -> Answer<Option<api::privacy::KeyStatus>> {
    state.read(|s| Ok(api::privacy::key_status(s)))
}

/// The window calls this once the map has drawn its first markers (the start-up benchmark
/// reads the line it prints).
#[tauri::command(rename_all = "snake_case")]
pub async fn map_ready(state: State<'_, AppState>, markers: u32) -> Answer<()> {
    state.report_first_render(markers);
    Ok(())
}

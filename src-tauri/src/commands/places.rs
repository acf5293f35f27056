//! Commands that ask outside services, always on a person's action: positions for imported
//! rows, the address at a dropped pin, and OpenStreetMap venues in an area. Requests run without
//! the store's lock; what they bring back is written in one transaction.

use super::{AppState, UiError};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use tablemap_core::api::geocode::Geocoder;
use tablemap_core::api::imports::{self, CsvPreview, LocateReport};
use tablemap_core::api::osm::{self, OsmImportSummary};
use tablemap_core::api::{self, ApiError};
use tablemap_core::domain::Bbox;
use tablemap_core::imports::CsvOptions;
use tablemap_core::sources::nominatim::ReverseHit;
use tablemap_core::sources::overpass::{OsmArea, OverpassClient};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

type Answer<T> = Result<T, UiError>;

/// Progress of a lookup or an OpenStreetMap import.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlacesProgress {
    pub done: u32,
    pub total: u32,
}

fn geocoder(state: &AppState) -> Result<Geocoder, UiError> {
    let (path, settings) =
        state.read(|s| Ok((s.path().map(std::path::Path::to_path_buf), api::settings::get(s)?)))?;
    Ok(match path {
        Some(p) => Geocoder::open(&p, &settings),
        None => Geocoder::in_memory(&settings),
    }?)
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Located {
    pub report: LocateReport,
    pub preview: CsvPreview,
}

/// Looks up positions for the open file's rows without coordinates (the wizard's "Find
/// positions"), then answers with the preview that counts them.
#[tauri::command(rename_all = "snake_case")]
pub async fn csv_import_locate(
    state: State<'_, AppState>,
    options: CsvOptions,
    on_progress: Channel<PlacesProgress>,
) -> Answer<Located> {
    let (rows, mut located) = {
        let pending = state.pending_csv();
        let Some(p) = pending.as_ref() else {
            return Err(UiError::conflict("no file is open in the import wizard: choose one"));
        };
        (imports::lookups(&p.bytes, &options, &[])?, p.located.clone())
    };
    let geocoder = geocoder(&state)?;
    state.cancel_import.store(false, Ordering::SeqCst);
    let cancel = &state.cancel_import;
    let report = imports::locate(&geocoder, &rows, &mut located, Utc::now(), &mut |done, total| {
        let _ = on_progress.send(PlacesProgress { done, total });
        !cancel.load(Ordering::SeqCst)
    })
    .await;
    // Keep what was found even when a later request failed.
    let mut pending = state.pending_csv();
    let Some(p) = pending.as_mut() else {
        return Err(UiError::conflict("the import wizard was closed"));
    };
    p.located.extend(located);
    p.looked_up = true;
    let report = report?;
    let preview = state.read(|s| imports::preview(s, &p.bytes, &options, &p.located))?;
    Ok(Located { report, preview })
}

/// What is at a point: fills in the address of a restaurant placed by a click on the map.
#[tauri::command(rename_all = "snake_case")]
pub async fn reverse_geocode(state: State<'_, AppState>, lat: f64, lon: f64) -> Answer<Option<ReverseHit>> {
    let geocoder = geocoder(&state)?;
    Ok(geocoder.reverse(lat, lon, Utc::now()).await?)
}

/// The area to import from OpenStreetMap: a box (drawn on the map, or the map's view) or a name.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OsmAreaRequest {
    #[serde(default)]
    pub bbox: Option<Bbox>,
    #[serde(default)]
    pub name: Option<String>,
}

/// Fetches the restaurants, cafes and takeaways OpenStreetMap has in the area and adds or
/// refreshes them in one transaction (visits, consent and notes are never touched).
#[tauri::command(rename_all = "snake_case")]
pub async fn osm_import(
    state: State<'_, AppState>,
    area: OsmAreaRequest,
    on_progress: Channel<PlacesProgress>,
) -> Answer<OsmImportSummary> {
    let area = match (area.bbox, area.name) {
        (Some(b), _) => OsmArea::Bbox { south: b.south, west: b.west, north: b.north, east: b.east },
        (None, Some(name)) => OsmArea::Named(name),
        (None, None) => {
            return Err(UiError::conflict("choose an area: draw a box on the map or type a name"))
        }
    };
    let url = state.read(|s| Ok(api::settings::get(s)?.overpass_url))?;
    let client = OverpassClient::new(&url);
    let _ = on_progress.send(PlacesProgress { done: 0, total: 0 });
    let cancel = &state.cancel_osm;
    cancel.store(false, Ordering::SeqCst);
    // Stop pressed while Overpass is still answering: the request is dropped at once.
    let fetched = tokio::select! {
        fetched = osm::fetch(&client, &area) => fetched?,
        () = until_set(cancel) => return Err(ApiError::Cancelled.into()),
    };
    let total = fetched.venues.len() as u32;
    state.write(|s| {
        osm::apply(s, &fetched.venues, Utc::now(), &mut |done, _| {
            let _ = on_progress.send(PlacesProgress { done: done as u32, total });
            !cancel.load(Ordering::SeqCst)
        })
    })
}

/// Stops a running OpenStreetMap import; nothing of it is kept.
#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_osm_import(state: State<'_, AppState>) -> Answer<()> {
    state.cancel_osm.store(true, Ordering::SeqCst);
    Ok(())
}

async fn until_set(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

//! Keeping the map's area offline: the estimate first, then the fetch with progress and a way
//! to stop it. The rules (which servers allow it, the cap) live in `api::tiles`.

use super::{AppState, UiError};
use chrono::Utc;
use std::sync::atomic::Ordering;
use tablemap_core::api::tiles::{self, OfflineArea, OfflinePlan, OfflineSummary};
use tablemap_core::domain::Bbox;
use tablemap_core::sources::offline::OfflineProgress;
use tauri::ipc::Channel;
use tauri::State;

type Answer<T> = Result<T, UiError>;

/// How many tiles the area takes from the tile server, and whether the server allows it.
#[tauri::command(rename_all = "snake_case")]
pub async fn offline_estimate(
    state: State<'_, AppState>,
    bbox: Bbox,
    min_zoom: u32,
    max_zoom: u32,
) -> Answer<OfflinePlan> {
    Ok(tiles::plan(&state.tile_template(), &OfflineArea { bbox, min_zoom, max_zoom })?)
}

/// Fetches the area's tiles into the tile cache, two at a time; `cancel_keep_offline` stops it
/// and what was fetched is kept.
#[tauri::command(rename_all = "snake_case")]
pub async fn keep_offline(
    state: State<'_, AppState>,
    bbox: Bbox,
    min_zoom: u32,
    max_zoom: u32,
    allowed_by_provider: bool,
    on_progress: Channel<OfflineProgress>,
) -> Answer<OfflineSummary> {
    state.cancel_offline.store(false, Ordering::SeqCst);
    let cancel = &state.cancel_offline;
    let area = OfflineArea { bbox, min_zoom, max_zoom };
    let template = state.tile_template();
    let mut report = |p: &OfflineProgress| {
        let _ = on_progress.send(*p);
        !cancel.load(Ordering::SeqCst)
    };
    Ok(tiles::keep_offline(&state.tiles, &template, &area, allowed_by_provider, Utc::now(), &mut report)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_keep_offline(state: State<'_, AppState>) -> Answer<()> {
    state.cancel_offline.store(true, Ordering::SeqCst);
    Ok(())
}

//! Team sync in the window: join with a code, the status the status bar keeps visible (pushed
//! to the window by `watch_sync` after every background sync), "Sync now", and the coordinator's
//! review list. The syncing itself runs on `sync::background`'s thread.

use super::{AppState, UiError};
use chrono::Utc;
use serde::Serialize;
use tablemap_core::api::sync::{self, SyncReport, SyncReview, SyncStatus};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

type Answer<T> = Result<T, UiError>;

/// What the background sync tells the window: the status, and what a sync just run did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncUpdate {
    pub status: SyncStatus,
    pub report: Option<SyncReport>,
    /// The sync just run failed: why, in words (also kept as `status.last_error`).
    pub error: Option<String>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_status(state: State<'_, AppState>) -> Answer<SyncStatus> {
    state.sync_status()
}

/// Every later status reaches the window through `on_update` (the latest window to ask).
#[tauri::command(rename_all = "snake_case")]
pub async fn watch_sync(state: State<'_, AppState>, on_update: Channel<SyncUpdate>) -> Answer<SyncStatus> {
    state.watch_sync(on_update);
    state.sync_status()
}

/// Joins the team the code names, then syncs at once.
#[tauri::command(rename_all = "snake_case")]
pub async fn join_team(state: State<'_, AppState>, code: String) -> Answer<SyncStatus> {
    state.write(|s| sync::join(s, &code, Utc::now()).map(|_| ()))?;
    state.sync_now();
    state.sync_status()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(state: State<'_, AppState>) -> Answer<SyncStatus> {
    state.sync_now();
    state.sync_status()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_reviews(state: State<'_, AppState>) -> Answer<Vec<SyncReview>> {
    state.read(sync::reviews)
}

/// Clears a review here; the server hears of it at the next sync (soon).
#[tauri::command(rename_all = "snake_case")]
pub async fn clear_review(state: State<'_, AppState>, id: String) -> Answer<Vec<SyncReview>> {
    state.write(|s| sync::clear_review(s, &id, Utc::now()))
}

/// Sends the refused changes again (after a role changed on the server, say), syncing now.
#[tauri::command(rename_all = "snake_case")]
pub async fn retry_refused(state: State<'_, AppState>) -> Answer<SyncStatus> {
    state.write(sync::retry_refused)?;
    state.sync_now();
    state.sync_status()
}

/// Drops the refused changes (undone here), then syncs now to take the team's version.
#[tauri::command(rename_all = "snake_case")]
pub async fn drop_refused(state: State<'_, AppState>) -> Answer<SyncStatus> {
    state.write(sync::drop_refused)?;
    state.sync_now();
    state.sync_status()
}

/// Leaves the team (this computer keeps its data); answers the status.
#[tauri::command(rename_all = "snake_case")]
pub async fn leave_team(state: State<'_, AppState>) -> Answer<SyncStatus> {
    state.write(|s| sync::leave(s).map(|_| ()))?;
    state.sync_status()
}

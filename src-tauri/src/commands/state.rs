//! What the shell keeps between commands.

use super::UiError;
use crate::api::ApiResult;
use crate::sources::tiles::TileFetcher;
use crate::store::Store;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, Once, RwLock};
use std::time::Instant;

pub struct AppState {
    store: Mutex<Store>,
    pub tiles: TileFetcher,
    tile_template: RwLock<String>,
    started: Instant,
    first_render: Once,
    /// Set by `cancel_print`; the running print checks it between pages.
    pub cancel_print: AtomicBool,
    /// The file open in the import wizard.
    pending_csv: Mutex<Option<super::imports::PendingCsv>>,
    /// Set by `csv_import_cancel`; the running import checks it every few hundred rows.
    pub cancel_import: AtomicBool,
}

impl AppState {
    pub fn new(store: Store, tiles: TileFetcher, tile_template: String, started: Instant) -> Self {
        AppState {
            store: Mutex::new(store),
            tiles,
            tile_template: RwLock::new(tile_template),
            started,
            first_render: Once::new(),
            cancel_print: AtomicBool::new(false),
            pending_csv: Mutex::new(None),
            cancel_import: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // Every write is one SQLite transaction, so a panic mid-way left nothing half-written.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn read<T>(&self, f: impl FnOnce(&Store) -> ApiResult<T>) -> Result<T, UiError> {
        f(&self.lock()).map_err(UiError::from)
    }

    pub fn write<T>(&self, f: impl FnOnce(&mut Store) -> ApiResult<T>) -> Result<T, UiError> {
        f(&mut self.lock()).map_err(UiError::from)
    }

    pub fn pending_csv(&self) -> std::sync::MutexGuard<'_, Option<super::imports::PendingCsv>> {
        self.pending_csv.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn tile_template(&self) -> String {
        self.tile_template.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_tile_template(&self, url: &str) {
        *self.tile_template.write().unwrap_or_else(|e| e.into_inner()) = url.to_string();
    }

    pub fn database_label(&self) -> String {
        self.lock().path().map(|p| p.display().to_string()).unwrap_or_else(|| ":memory:".into())
    }

    pub fn report_first_render(&self, markers: u32) {
        self.first_render.call_once(|| {
            let rss = crate::app::resident_memory_kib().unwrap_or(0);
            println!(
                "tablemap: first render {} ms after start, {markers} markers, rss {rss} KiB",
                self.started.elapsed().as_millis()
            );
        });
    }
}

//! What the shell keeps between commands.

use super::sync::SyncUpdate;
use super::UiError;
use crate::background::{Background, Timing};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Once, RwLock};
use std::time::Instant;
use tablemap_core::api::sync::SyncStatus;
use tablemap_core::api::ApiResult;
use tablemap_core::sources::mbtiles::MbTiles;
use tablemap_core::sources::tiles::TileFetcher;
use tablemap_core::store::Store;
use tauri::ipc::Channel;

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
    /// The MBTiles file the map is drawn from, when the `mbtiles_path` setting names one.
    basemap: RwLock<Option<Arc<MbTiles>>>,
    /// Set by `cancel_keep_offline`; the running fetch checks it after every tile.
    pub cancel_offline: AtomicBool,
    /// Set by `cancel_osm_import`; the running import checks it while fetching and every few
    /// hundred venues.
    pub cancel_osm: AtomicBool,
    /// The map's in-memory index and last filter.
    map: Mutex<tablemap_core::api::map::MapCache>,
    /// The background sync (absent for a database in memory).
    sync: std::sync::OnceLock<Background>,
    /// The window listening for sync updates.
    sync_watcher: Arc<Mutex<Option<Channel<SyncUpdate>>>>,
    /// The campaign's database, set aside while the window shows the demo one.
    parked: Mutex<Option<Store>>,
    /// Why the database could not be opened (a wrong or missing key): the window says only this.
    problem: RwLock<Option<String>>,
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
            basemap: RwLock::new(None),
            cancel_offline: AtomicBool::new(false),
            cancel_osm: AtomicBool::new(false),
            map: Mutex::new(tablemap_core::api::map::MapCache::default()),
            sync: std::sync::OnceLock::new(),
            sync_watcher: Arc::default(),
            parked: Mutex::new(None),
            problem: RwLock::new(None),
        }
    }

    pub fn set_problem(&self, problem: Option<String>) {
        *self.problem.write().unwrap_or_else(|e| e.into_inner()) = problem;
    }

    pub fn problem(&self) -> Option<String> {
        self.problem.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Shows `demo` in the window; the campaign's database waits aside (its background sync
    /// goes on: it has its own connection).
    pub fn show_demo(&self, demo: Store) {
        let mut parked = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        let real = std::mem::replace(&mut *self.lock(), demo);
        if parked.is_none() {
            *parked = Some(real);
        }
        self.map.lock().unwrap_or_else(|e| e.into_inner()).invalidate();
    }

    /// Back to the campaign's database (nothing to do if it is shown already).
    pub fn show_real(&self) {
        if let Some(real) = self.parked.lock().unwrap_or_else(|e| e.into_inner()).take() {
            *self.lock() = real;
            self.map.lock().unwrap_or_else(|e| e.into_inner()).invalidate();
        }
    }

    pub fn in_demo(&self) -> bool {
        self.parked.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Starts syncing in the background (every minute while a team is joined).
    pub fn start_sync(&self, timing: Timing) {
        let Some(db) = self.lock().path().map(Path::to_path_buf) else { return };
        let watcher = self.sync_watcher.clone();
        let report: crate::background::Report = Box::new(move |status, result| {
            let (report, error) = match result {
                Some(Ok(r)) => (Some(r), None),
                Some(Err(e)) => (None, Some(e)),
                None => (None, None),
            };
            if let Some(channel) = watcher.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                let _ = channel.send(SyncUpdate { status, report, error });
            }
        });
        let _ = self.sync.set(Background::start(db, timing, report));
    }

    pub fn watch_sync(&self, channel: Channel<SyncUpdate>) {
        *self.sync_watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(channel);
    }

    /// The window's syncs come every `minutes` from now on.
    pub fn set_sync_every(&self, minutes: u32) {
        if let Some(bg) = self.sync.get() {
            bg.set_every(std::time::Duration::from_secs(u64::from(minutes.max(1)) * 60));
        }
    }

    pub fn sync_now(&self) {
        if let Some(bg) = self.sync.get() {
            bg.now();
        }
    }

    pub fn sync_status(&self) -> Result<SyncStatus, UiError> {
        let mut status = self.read(tablemap_core::api::sync::status)?;
        status.running = self.sync.get().is_some_and(Background::running);
        Ok(status)
    }

    pub fn basemap(&self) -> Option<Arc<MbTiles>> {
        self.basemap.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Opens the MBTiles file at `path` as the basemap (`None`: the tile server). A file that
    /// cannot be opened (moved since it was chosen) leaves the tile server, and says why.
    pub fn set_basemap(&self, path: Option<&str>) {
        let file = path.and_then(|p| match MbTiles::open(std::path::Path::new(p)) {
            Ok(f) => Some(Arc::new(f)),
            Err(e) => {
                eprintln!("tablemap: the map uses the tile server: {e}");
                None
            }
        });
        *self.basemap.write().unwrap_or_else(|e| e.into_inner()) = file;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // Every write is one SQLite transaction, so a panic mid-way left nothing half-written.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn read<T>(&self, f: impl FnOnce(&Store) -> ApiResult<T>) -> Result<T, UiError> {
        f(&self.lock()).map_err(UiError::from)
    }

    pub fn write<T>(&self, f: impl FnOnce(&mut Store) -> ApiResult<T>) -> Result<T, UiError> {
        let result = f(&mut self.lock());
        // Whatever was written, the map draws it next time, and the team hears of it soon.
        self.map.lock().unwrap_or_else(|e| e.into_inner()).invalidate();
        if let Some(bg) = self.sync.get() {
            bg.soon();
        }
        result.map_err(UiError::from)
    }

    /// Runs `f` with the store and the map's cache (store first, then map: always this order).
    pub fn with_map<T>(
        &self,
        f: impl FnOnce(&Store, &mut tablemap_core::api::map::MapCache) -> ApiResult<T>,
    ) -> Result<T, UiError> {
        let store = self.lock();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        f(&store, &mut map).map_err(UiError::from)
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
            let rss = tablemap_core::paths::resident_memory_kib().unwrap_or(0);
            println!(
                "tablemap: first render {} ms after start, {markers} markers, rss {rss} KiB",
                self.started.elapsed().as_millis()
            );
        });
    }
}

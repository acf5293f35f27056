//! The readers of what comes from outside (files a person brings, rows a teammate sends), as
//! the fuzz targets (`src-tauri/fuzz`) and the fuzz tests (`core/tests/fuzz.rs`) both drive
//! them: bytes in, and never a panic out. Each entry reads what it can, then uses the result
//! the way the app does next, so a value that parses but breaks a later step is found too.
//! The targets and the tests call these same functions, so they cannot drift apart. Not part
//! of the API: hidden from the docs.

use crate::imports::encoding::Encoding;
use crate::imports::{self, CsvOptions};
use crate::sources::mbtiles::MbTiles;
use crate::store::Store;
use crate::sync::{apply, checks};
use crate::walk::hours::{Holiday, OpeningHours};
use chrono::{DateTime, NaiveDate, Utc};
use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The targets, by the name their fuzz target and corpus folder use.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("csv", csv),
    ("geojson", geojson),
    ("opening_hours", opening_hours),
    ("glabels", glabels),
    ("mbtiles", mbtiles),
    ("sync_row", sync_row),
];

/// A spreadsheet: decoded with the encoding detected and with each one a person can choose,
/// parsed, mapped, and every record read as a restaurant.
pub fn csv(data: &[u8]) {
    let choices = std::iter::once(None).chain(Encoding::ALL.into_iter().map(Some));
    for encoding in choices {
        let options = CsvOptions { encoding, ..CsvOptions::default() };
        let Ok(file) = imports::read(data, &options, &[]) else { continue };
        let _ = file.check_mapping();
        let reader = file.row_reader();
        for record in &file.table.records {
            if let Ok(candidate) = reader.read(record) {
                let _ = candidate.located(51.5, -0.1);
            }
        }
    }
}

/// A GeoJSON file of areas, with the name guessed and with `name` asked for; each area read
/// back and asked about a point the way tagging restaurants does.
pub fn geojson(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for property in [None, Some("name")] {
        let Ok(file) = imports::geojson::read(text, property, Some("fuzz")) else { continue };
        for named in &file.areas {
            let area = &named.area;
            let b = area.bounds();
            let _ = area.contains(51.5, -0.1);
            let _ = area.km2();
            let _ = area.vertices();
            let _ = format!("{b:?}");
        }
    }
}

/// An `opening_hours` value: parsed, then asked what the walk planner asks (open now, the day's
/// intervals, the next change) on an ordinary day, a day across a year end and a leap day.
pub fn opening_hours(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(hours) = OpeningHours::parse(text) else { return };
    let days = [(2026, 6, 1), (2026, 12, 31), (2028, 2, 29)];
    for (y, m, d) in days {
        let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else { continue };
        for holiday in [Holiday::Unknown, Holiday::Yes, Holiday::No] {
            let _ = hours.intervals(day, holiday);
            for (h, min) in [(0, 0), (12, 30), (23, 59)] {
                if let Some(at) = day.and_hms_opt(h, min, 0) {
                    let _ = hours.state_at(at, holiday);
                }
            }
            // Up to a year of days: once a day asked is enough.
            if let Some(at) = day.and_hms_opt(23, 59, 0) {
                let _ = hours.next_change(at, holiday);
            }
        }
    }
}

/// A gLabels templates file: parsed, and each template it yields checked and laid out.
pub fn glabels(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(parsed) = crate::stickers::glabels::parse(text) else { return };
    for template in &parsed.templates {
        let _ = template.validate();
        let count = template.count();
        for index in [0, 1, count.saturating_sub(1), count, u32::MAX] {
            let _ = template.label_origin(index);
            let _ = template.label_rect(index);
        }
    }
}

/// An MBTiles file: the bytes written to a file of our own in the temp folder (removed after,
/// with the journal files SQLite may make beside it), opened, and a few tiles asked for.
pub fn mbtiles(data: &[u8]) {
    static N: AtomicU64 = AtomicU64::new(0);
    let name = format!("tablemap-fuzz-{}-{}.mbtiles", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let path = std::env::temp_dir().join(name);
    if std::fs::write(&path, data).is_ok() {
        mbtiles_file(&path);
    }
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// An MBTiles file already on disk: opened and checked, then tiles looked up at the corners of
/// the zooms a map asks for, and beyond them.
pub fn mbtiles_file(path: &Path) {
    let Ok(tiles) = MbTiles::open(path) else { return };
    let _ = tiles.info();
    for z in [0u32, 1, 2, 16, 22, 31, 32, u32::MAX] {
        let last = 1u32.checked_shl(z).map_or(u32::MAX, |n| n.saturating_sub(1));
        for (x, y) in [(0, 0), (last, last), (0, last), (last.saturating_add(1), 0)] {
            let _ = tiles.tile(z, x, y);
        }
    }
}

thread_local! {
    /// One empty database per thread to apply pulled rows to; each row is rolled back after.
    static PULLED: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// A row pulled from a teammate: any JSON, checked as each kind of row (and an unknown kind),
/// then applied to an empty database as a pull applies it, and rolled back.
pub fn sync_row(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let now: DateTime<Utc> = DateTime::from_timestamp(1_780_315_200, 0).unwrap_or_default(); // 2026-06-01
    let kinds: Vec<&str> = apply::kinds().chain(["restaurant", ""]).collect();
    for kind in &kinds {
        let _ = checks::check(kind, &mut body.clone(), now);
    }
    PULLED.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Store::open_in_memory().ok();
        }
        let Some(store) = slot.as_ref() else { return };
        let db = store.conn();
        if db.execute_batch("SAVEPOINT fuzz").is_err() {
            return;
        }
        for kind in &kinds {
            let _ = apply::row(db, kind, &body, now);
        }
        let _ = db.execute_batch("ROLLBACK TO fuzz; RELEASE fuzz");
    });
}

//! Exports: every restaurant to a CSV or GeoJSON file, written atomically.

use super::{ApiError, FileAction, Result};
use crate::atomic_file::AtomicFile;
use crate::exports::csv_file::CsvExport;
use crate::exports::geojson::GeoJsonExport;
use crate::store::{restaurants, Store};
use std::path::Path;

fn io(path: &Path) -> impl Fn(std::io::Error) -> ApiError + '_ {
    move |e| ApiError::file(FileAction::Write, path, e)
}

/// Writes every restaurant to `out` as CSV; returns how many.
pub fn csv(store: &Store, out: &Path) -> Result<u64> {
    let mut file = AtomicFile::create(out).map_err(io(out))?;
    let writer = super::take_writer(&mut file, out)?;
    let mut export = CsvExport::new(writer).map_err(io(out))?;
    let n = restaurants::for_export(store.conn(), |row| export.row(&row).map_err(io(out)))?;
    file.commit_with(export.finish().map_err(io(out))?).map_err(io(out))?;
    Ok(n)
}

/// Writes every restaurant to `out` as GeoJSON; returns how many.
pub fn geojson(store: &Store, out: &Path) -> Result<u64> {
    let mut file = AtomicFile::create(out).map_err(io(out))?;
    let writer = super::take_writer(&mut file, out)?;
    let mut export = GeoJsonExport::new(writer).map_err(io(out))?;
    let n = restaurants::for_export(store.conn(), |row| export.row(&row).map_err(io(out)))?;
    file.commit_with(export.finish().map_err(io(out))?).map_err(io(out))?;
    Ok(n)
}

/// Writes the public map folder `out`; returns how many restaurants it shows.
pub fn public_map(store: &Store, out: &Path) -> Result<u64> {
    let mut features = Vec::new();
    restaurants::for_export(store.conn(), |row| {
        if crate::exports::public_map::is_public(&row) {
            features.push(crate::exports::public_map::feature(&row));
        }
        Ok::<_, ApiError>(())
    })?;
    crate::exports::public_map::write(out, &features).map_err(io(out))?;
    Ok(features.len() as u64)
}

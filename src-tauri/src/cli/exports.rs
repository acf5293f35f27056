//! `tablemap export FORMAT --out PATH`: every restaurant as CSV or GeoJSON, or the public map.

use super::CliError;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use tablemap_core::api;
use tablemap_core::store::Store;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    format: ExportFormat,
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Geojson,
    /// A folder to upload to the campaign's website: only restaurants listed with consent.
    PublicMap,
}

pub(super) fn run(store: &Store, args: ExportArgs) -> Result<(), CliError> {
    let out = &args.out;
    let n = match args.format {
        ExportFormat::Csv => api::exports::csv(store, out)?,
        ExportFormat::Geojson => api::exports::geojson(store, out)?,
        ExportFormat::PublicMap => api::exports::public_map(store, out)?,
    };
    println!("exported {n} restaurants to {}", out.display());
    Ok(())
}

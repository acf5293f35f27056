//! `tablemap import csv` (a spreadsheet, in one transaction) and `import osm` (OpenStreetMap,
//! in `places.rs` with the other commands that ask outside services).

use super::{places, CliError, Format};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use tablemap_core::api::{self, ApiError, FileAction};
use tablemap_core::imports::duplicates::DuplicateAction;
use tablemap_core::imports::encoding::Encoding;
use tablemap_core::imports::CsvOptions;
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import restaurants, cafes and takeaways from OpenStreetMap (an Overpass API server) in a
    /// box or a named area. Importing again refreshes what OpenStreetMap says and keeps visits,
    /// consent and notes. OpenStreetMap says nothing about who owns a business: imported venues
    /// start as not contacted.
    Osm(places::OsmArgs),
    /// Import a CSV file in one transaction: every row, or none and a message that names the
    /// line and column of the first problem.
    Csv(CsvArgs),
}

#[derive(Debug, Args)]
pub struct CsvArgs {
    file: PathBuf,
    /// utf-8, windows-1252, utf-16le or utf-16be (default: detected).
    #[arg(long)]
    encoding: Option<String>,
    /// , ; tab or | (default: detected from the header line).
    #[arg(long)]
    delimiter: Option<String>,
    /// Which column holds a field, overriding the guess from the headers: field=Header.
    /// Fields: name, address, town, postcode, lat, lon, cuisines, languages, opening_hours,
    /// phone, website, external_ref.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    map: Vec<String>,
    /// What to do with rows that look like restaurants already in Tablemap.
    #[arg(long, value_enum, default_value_t)]
    duplicates: DuplicatesArg,
    /// Look up positions for rows without coordinates: UK postcodes through postcodes.io,
    /// then addresses through Nominatim (one a second, at most 100 per run; answers are cached).
    #[arg(long)]
    geocode: bool,
    /// Check everything and report what would happen, then keep nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum DuplicatesArg {
    /// Leave the restaurant that is already there and skip the row.
    #[default]
    Skip,
    /// Update the restaurant that is already there from the row.
    Update,
    /// Add the row as a new restaurant anyway.
    Add,
}

impl From<DuplicatesArg> for DuplicateAction {
    fn from(d: DuplicatesArg) -> Self {
        match d {
            DuplicatesArg::Skip => DuplicateAction::Skip,
            DuplicatesArg::Update => DuplicateAction::Update,
            DuplicatesArg::Add => DuplicateAction::Add,
        }
    }
}

pub(super) fn run(store: &mut Store, command: ImportCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    match command {
        ImportCommand::Osm(args) => places::import_osm(store, args, now),
        ImportCommand::Csv(args) => csv(store, args, now),
    }
}

fn csv(store: &mut Store, args: CsvArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let file = &args.file;
    let bytes = std::fs::read(file).map_err(|e| ApiError::file(FileAction::Read, file, e))?;
    let options = csv_options(args.encoding, args.delimiter, args.duplicates)?;
    let mut located = api::imports::Located::new();
    if args.geocode {
        locate(store, &bytes, &options, &args.map, &mut located, now)?;
    }
    let job = api::imports::CsvImport {
        bytes: &bytes,
        options: &options,
        overrides: &args.map,
        located: &located,
        looked_up: args.geocode,
        dry_run: args.dry_run,
        now,
    };
    let summary = api::imports::import_csv(store, job, &mut |_, _| true).map_err(|e| match e {
        ApiError::BadFile(p) => CliError::FileRefused { path: file.to_path_buf(), reason: p.to_string() },
        other => other.into(),
    })?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        Format::Table => println!(
            "{}{} rows: added {}, updated {}, skipped {} as duplicates",
            if args.dry_run { "dry run, nothing kept: " } else { "" },
            summary.rows,
            summary.added,
            summary.updated,
            summary.skipped
        ),
    }
    Ok(())
}

fn csv_options(
    encoding: Option<String>,
    delimiter: Option<String>,
    duplicates: DuplicatesArg,
) -> Result<CsvOptions, CliError> {
    let encoding = match encoding {
        Some(name) => Some(Encoding::parse(&name).ok_or_else(|| {
            CliError::Usage(format!(
                "unknown encoding '{name}'; use utf-8, windows-1252, utf-16le or utf-16be"
            ))
        })?),
        None => None,
    };
    Ok(CsvOptions { encoding, delimiter, mapping: None, duplicates: duplicates.into() })
}

/// `--geocode`: positions for the rows without coordinates, by postcode and then by address.
fn locate(
    store: &Store,
    bytes: &[u8],
    options: &CsvOptions,
    overrides: &[String],
    located: &mut api::imports::Located,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let rows = api::imports::lookups(bytes, options, overrides)?;
    if rows.is_empty() {
        return Ok(());
    }
    let path = store.path().map(std::path::Path::to_path_buf);
    let settings = api::settings::get(store)?;
    let geocoder = match &path {
        Some(p) => api::geocode::Geocoder::open(p, &settings)?,
        None => api::geocode::Geocoder::in_memory(&settings)?,
    };
    eprintln!("looking up {} positions…", rows.len());
    let report = places::block_on(api::imports::locate(&geocoder, &rows, located, now, &mut |_, _| true))??;
    eprintln!(
        "found {} by postcode and {} by address; {} not found{}",
        report.by_postcode,
        report.by_address,
        report.not_found.len(),
        if report.remaining > 0 {
            format!(", {} addresses left for another run", report.remaining)
        } else {
            String::new()
        }
    );
    Ok(())
}

//! The command line: the same binary, the same `api` as the window. With no subcommand the
//! window opens. Errors are one line on stderr and a non-zero exit.
//!
//! This file is the clap tree and the dispatch; each noun's subcommands and their handlers live
//! in `cli/<noun>.rs`, and what they share (`Format`, `print_table`) in `cli/output.rs`.

use chrono::Utc;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tablemap_core::api::ApiError;
use tablemap_core::store::Store;

mod areas;
mod consent;
mod demo;
mod exports;
mod imports;
mod key;
mod maintenance;
mod output;
mod places;
mod report;
mod restaurants;
mod retention;
mod settings;
mod stickers;
mod team;
mod tiles;
mod visits;
mod volunteers;
mod walk;

use output::print_table;
pub use output::Format;
pub use places::GeocodeCommand;

#[derive(Debug, Parser)]
#[command(
    name = "tablemap",
    version,
    about = "Outreach map and visit log for a migrant-owned restaurant sticker campaign.\nWith no command, opens the window."
)]
pub struct Cli {
    /// The database file (default: the per-user data folder).
    #[arg(long, global = true, env = "TABLEMAP_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The map tile cache (default: the per-user cache folder).
    #[arg(long, global = true, env = "TABLEMAP_TILE_CACHE", value_name = "PATH", hide = true)]
    pub tile_cache: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Seed a deterministic demo data set (London) into an empty database.
    Demo(demo::DemoArgs),
    /// List, add and show restaurants.
    #[command(subcommand)]
    Restaurants(restaurants::RestaurantsCommand),
    /// Log visits.
    #[command(subcommand)]
    Visits(visits::VisitsCommand),
    /// Record and show the owners' own answers (display a sticker, be listed publicly,
    /// describe the business as migrant-owned).
    #[command(subcommand)]
    Consent(consent::ConsentCommand),
    /// List volunteers.
    #[command(subcommand)]
    Volunteers(volunteers::VolunteersCommand),
    /// Show or change settings (tile server, language).
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Export every restaurant: csv (safe to open in a spreadsheet), geojson, or public-map (a
    /// folder for the website, with only restaurants whose owners agreed to be listed).
    Export(exports::ExportArgs),
    /// Print sticker sheets and follow every sticker.
    #[command(subcommand)]
    Stickers(stickers::StickersCommand),
    /// Bring restaurants in from a spreadsheet (CSV) or OpenStreetMap.
    #[command(subcommand)]
    Import(imports::ImportCommand),
    /// Look up positions: UK postcodes (postcodes.io), addresses and points (Nominatim). Every
    /// answer is kept in the database, so asking again costs no request.
    #[command(subcommand)]
    Geocode(GeocodeCommand),
    /// Areas (wards, drawn outlines): import them, see progress in each, give them to volunteers
    /// for a while, keep notes.
    #[command(subcommand)]
    Areas(areas::AreasCommand),
    /// Map tiles: how many an area takes, and keeping an area offline (only from tile servers
    /// whose policy allows it).
    Tiles(tiles::TilesArgs),
    /// A walk through an area's (or chosen) restaurants still to visit: the route printed, and a
    /// walk sheet PDF to carry (route order, hours, tick boxes, sticker code, notes, QR codes).
    Walk(walk::WalkArgs),
    /// The team server (PostgreSQL 15+), for whoever runs it: create the schema, add people.
    #[command(subcommand)]
    Server(team::ServerCommand),
    /// Join a team with the code `server add-user` printed. Nothing is sent until `sync`.
    /// Leave CODE out to paste it (it then stays out of `ps` and the shell's history).
    Join { code: Option<String> },
    /// Leave the team: this database keeps what it holds and stops sharing it.
    Leave,
    /// Push this machine's changes to the team server and pull everyone else's.
    Sync(team::SyncArgs),
    /// Check the database: SQLite's integrity and foreign keys, every status against its visits,
    /// the changes waiting to be sent. Exits non-zero, naming each problem, when anything is wrong.
    Doctor,
    /// Copy the whole database to a file, consistently, even while the window is open.
    Backup(maintenance::BackupArgs),
    /// Put a backup back in place of everything in this database (asks first; the data it
    /// replaces is kept in a file beside the database).
    Restore(maintenance::RestoreArgs),
    /// The key that encrypts your Tablemap databases: where it is kept, its recovery code, and
    /// moving it to another computer.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// The campaign's figures for a month or any two days: the funnel, the weeks, areas,
    /// stickers, follow-ups (the dashboard's numbers).
    Report(report::ReportArgs),
    /// How long visit notes and geocoding answers are kept; empty the caches.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] tablemap_core::store::StoreError),
    #[error(transparent)]
    Key(#[from] tablemap_core::secrets::KeyError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// An option's value the command line cannot use: the sentence says what it wants.
    #[error("{0}")]
    Usage(String),
    /// A file given on the command line was refused: where in it, and why. Nothing was kept.
    #[error("{}: {reason}; nothing was imported", path.display())]
    FileRefused { path: PathBuf, reason: String },
    /// `sync --once` ended with changes the team server refused (listed by `sync --status`).
    #[error("{count} changes were refused by the team server")]
    ChangesRefused { count: usize },
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    /// `doctor` found problems (each printed above).
    #[error("{count} problems found (listed above)")]
    Unhealthy { count: usize },
}

/// Runs one subcommand against the database at `db`.
pub fn run(db: PathBuf, command: Command) -> ExitCode {
    match execute(&db, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tablemap: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn execute(db: &Path, command: Command) -> Result<(), CliError> {
    // The server commands work on the team server alone: no local database is opened.
    let command = match command {
        Command::Server(c) => return team::server(c),
        Command::Key(c) => return key::run(db, c),
        other => other,
    };
    let mut store = Store::open(db)?;
    key::say_if_new();
    let now = Utc::now();
    match command {
        Command::Demo(args) => demo::run(&mut store, db, args, now),
        Command::Restaurants(c) => restaurants::run(&mut store, c, now),
        Command::Visits(c) => visits::run(&mut store, c, now),
        Command::Consent(c) => consent::run(&mut store, c, now),
        Command::Volunteers(c) => volunteers::run(&mut store, c, now),
        Command::Settings(c) => settings::run(&mut store, c),
        Command::Export(args) => exports::run(&store, args),
        Command::Stickers(c) => stickers::run(&mut store, c, now),
        Command::Import(c) => imports::run(&mut store, c, now),
        Command::Geocode(c) => places::geocode(db, &store, c, now),
        Command::Areas(c) => areas::run(&mut store, c, now),
        Command::Tiles(args) => tiles::run(&store, args, now),
        Command::Walk(args) => walk::run(&store, args, now),
        Command::Join { code } => team::join(&mut store, code.as_deref()),
        Command::Leave => team::leave(&mut store),
        Command::Sync(args) => team::sync(&mut store, args),
        Command::Doctor => maintenance::doctor(&store),
        Command::Report(args) => report::run(&store, args, now),
        Command::Backup(args) => maintenance::backup(&store, args),
        Command::Restore(args) => maintenance::restore(&mut store, db, args, now),
        Command::Server(c) => team::server(c),
        Command::Key(c) => key::run(db, c),
        Command::Retention(c) => retention::run(&mut store, c, now),
    }
}

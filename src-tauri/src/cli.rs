//! The command line: the same binary, the same `api` as the window. With no subcommand the
//! window opens. Errors are one line on stderr and a non-zero exit.

use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tablemap_core::api::{self, ApiError};
use tablemap_core::demo;
use tablemap_core::domain::RestaurantFilter;
use tablemap_core::domain::{NewVisit, Outcome, RestaurantDraft, RestaurantId, Status, VisitId, VolunteerId};
use tablemap_core::stickers::qr::EcLevel;
use tablemap_core::store::Store;

mod areas;
mod places;
mod team;
mod tiles;
mod walk;
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
    Demo {
        #[arg(long, default_value_t = demo::DEFAULT_COUNT)]
        restaurants: u32,
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// List, add and show restaurants.
    #[command(subcommand)]
    Restaurants(RestaurantsCommand),
    /// Log visits.
    #[command(subcommand)]
    Visits(VisitsCommand),
    /// List volunteers.
    #[command(subcommand)]
    Volunteers(VolunteersCommand),
    /// Show or change settings (tile server, language).
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Export every restaurant: csv (safe to open in a spreadsheet), geojson, or public-map (a
    /// folder for the website, with only restaurants whose owners agreed to be listed).
    Export {
        #[arg(value_enum)]
        format: ExportFormat,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print sticker sheets and follow every sticker.
    #[command(subcommand)]
    Stickers(StickersCommand),
    /// Bring restaurants in from a spreadsheet (CSV) or OpenStreetMap.
    #[command(subcommand)]
    Import(ImportCommand),
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
    Join { code: String },
    /// Leave the team: this database keeps what it holds and stops sharing it.
    Leave,
    /// Push this machine's changes to the team server and pull everyone else's.
    Sync(team::SyncArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import restaurants, cafes and takeaways from OpenStreetMap (an Overpass API server) in a
    /// box or a named area. Importing again refreshes what OpenStreetMap says and keeps visits,
    /// consent and notes. OpenStreetMap says nothing about who owns a business: imported venues
    /// start as not contacted.
    Osm(places::OsmArgs),
    /// Import a CSV file in one transaction: every row, or none and a message that names the
    /// line and column of the first problem.
    Csv {
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
    },
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

#[derive(Debug, Subcommand)]
pub enum StickersCommand {
    /// The label templates: built in, imported and custom.
    Templates {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print a batch of stickers to a PDF and record it; prints the batch id last.
    Print {
        /// Template id or name, e.g. avery-l7160 (see `stickers templates`).
        #[arg(long)]
        template: String,
        /// How many blank stickers (with --for-restaurant: one each).
        #[arg(long)]
        count: Option<u32>,
        /// The first free label on a part-used sheet, counting from 1.
        #[arg(long, default_value_t = 1)]
        start_at: u32,
        /// QR error correction: L, M, Q (default; stickers sit behind glass) or H.
        #[arg(long, default_value = "Q", value_parser = parse_ec)]
        ec: EcLevel,
        /// Pre-assign stickers to these restaurants (repeat); their names print small.
        #[arg(long = "for-restaurant")]
        for_restaurant: Vec<String>,
        /// Base URL for this batch (https), instead of the campaign's.
        #[arg(long)]
        url: Option<String>,
        /// Draw label outlines (for plain paper or checking alignment).
        #[arg(long)]
        outlines: bool,
        /// Marks at each label's corners, for cutting plain paper or card.
        #[arg(long)]
        cut_marks: bool,
        /// Blank stickers handed to this volunteer.
        #[arg(long = "for-volunteer")]
        for_volunteer: Option<String>,
        /// Who printed them.
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import gLabels template files (e.g. /usr/share/libglabels-3.0/templates/*.xml).
    ImportGlabels {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Save this printer's correction: where it really prints, measured on the calibration page.
    Calibrate {
        /// Shift right (mm; negative: left).
        #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
        offset_x: f64,
        /// Shift down (mm; negative: up).
        #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
        offset_y: f64,
        /// Scale, 1.0 = true size (0.9 to 1.1).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
    /// Add a custom label sheet (all lengths in mm).
    AddTemplate {
        /// A short id, e.g. "myshop-40".
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// A4, US-Letter, or WIDTHxHEIGHT in mm (e.g. 210x297).
        #[arg(long, default_value = "A4")]
        page: String,
        /// Label WIDTHxHEIGHT in mm, or a single diameter with --round.
        #[arg(long)]
        label: String,
        #[arg(long)]
        round: bool,
        #[arg(long, default_value_t = 0.0)]
        corner_radius: f64,
        /// COLUMNSxROWS, e.g. 3x7.
        #[arg(long)]
        grid: String,
        #[arg(long)]
        left: f64,
        #[arg(long)]
        top: f64,
        #[arg(long)]
        h_pitch: f64,
        #[arg(long)]
        v_pitch: f64,
    },
    /// A page of label outlines and corner marks for checking a printer.
    Calibration {
        #[arg(long)]
        template: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Show or change the campaign's words and address on the stickers.
    Campaign {
        #[arg(long)]
        name: Option<String>,
        /// Base URL for the codes, e.g. https://example.org/S
        #[arg(long)]
        url: Option<String>,
        /// Fixed query added to every URL, e.g. utm_source=sticker ("" removes it).
        #[arg(long)]
        query: Option<String>,
        #[arg(long)]
        headline: Option<String>,
        #[arg(long)]
        second_line: Option<String>,
        #[arg(long)]
        text_colour: Option<String>,
        #[arg(long)]
        accent_colour: Option<String>,
        /// Typeface: sans or serif.
        #[arg(long, value_parser = parse_family)]
        font: Option<tablemap_core::stickers::text::FontFamily>,
        /// A PNG drawn in the middle of every QR code (codes then print at level H).
        #[arg(long)]
        logo: Option<PathBuf>,
        /// Remove the logo.
        #[arg(long)]
        no_logo: bool,
    },
    /// Move a sticker on: with_volunteer (with --volunteer), missing, or replaced.
    Mark {
        code: String,
        #[arg(long, value_parser = parse_sticker_state)]
        state: tablemap_core::domain::StickerState,
        #[arg(long)]
        volunteer: Option<String>,
    },
    /// Hand every sticker of a batch that is still only printed to a volunteer.
    HandOut {
        batch: String,
        #[arg(long)]
        volunteer: String,
    },
    /// A batch's codes and where each sticker is now.
    Batch {
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Geojson,
    /// A folder to upload to the campaign's website: only restaurants listed with consent.
    PublicMap,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum RestaurantsCommand {
    List {
        /// Keep only this status (repeat for several).
        #[arg(long, value_parser = parse_status)]
        status: Vec<Status>,
        /// Words to find in name, address, postcode or cuisine.
        #[arg(long)]
        search: Option<String>,
        /// Keep only restaurants with this cuisine.
        #[arg(long)]
        cuisine: Option<String>,
        /// Keep only restaurants this volunteer (name or id) has visited.
        #[arg(long)]
        volunteer: Option<String>,
        /// Keep only restaurants whose follow-up is due today or overdue.
        #[arg(long)]
        follow_up_due: bool,
        /// Keep only restaurants inside this area (name or id).
        #[arg(long)]
        area: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[arg(long, default_value_t = api::restaurants::MAX_PAGE)]
        limit: u32,
    },
    /// Add a restaurant and print its id.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        postcode: Option<String>,
        /// A cuisine (repeat, or separate with ';').
        #[arg(long)]
        cuisine: Vec<String>,
        /// A language spoken (repeat, or separate with ';').
        #[arg(long)]
        language: Vec<String>,
        /// Opening hours in OpenStreetMap syntax, e.g. "Mo-Sa 12:00-22:00".
        #[arg(long)]
        opening_hours: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        website: Option<String>,
    },
    /// Change some of a restaurant's details; only the options given change ("" empties one).
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        postcode: Option<String>,
        #[arg(long)]
        opening_hours: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        website: Option<String>,
    },
    /// Show one restaurant with its status, visits and consents.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum VisitsCommand {
    /// Log a visit (the volunteer is added if new).
    Add {
        #[arg(long)]
        restaurant: String,
        #[arg(long)]
        volunteer: String,
        #[arg(long, value_parser = parse_outcome)]
        outcome: Outcome,
        #[arg(long, default_value_t = 0)]
        stickers: u32,
        #[arg(long)]
        note: Option<String>,
        /// Follow-up date, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        follow_up: Option<NaiveDate>,
        /// The id of an earlier visit this one corrects.
        #[arg(long)]
        corrects: Option<String>,
        /// With --outcome sticker_placed: the code printed on a sticker put up (repeat).
        #[arg(long)]
        sticker: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum VolunteersCommand {
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    Show,
    Set {
        /// Tile server URL with {z}, {x} and {y}.
        #[arg(long)]
        tile_url: Option<String>,
        /// Credit line for the tiles.
        #[arg(long)]
        tile_attribution: Option<String>,
        /// Interface language (en, ar, ...); empty follows the system.
        #[arg(long)]
        language: Option<String>,
        /// Overpass API server for OpenStreetMap imports ("" for the default).
        #[arg(long)]
        overpass_url: Option<String>,
        /// postcodes.io server for UK postcodes ("" for the default).
        #[arg(long)]
        postcodes_url: Option<String>,
        /// Nominatim server for addresses and points ("" for the default).
        #[arg(long)]
        nominatim_url: Option<String>,
        /// Which service finds addresses and points: nominatim (the default) or photon.
        #[arg(long, value_parser = ["nominatim", "photon"])]
        address_geocoder: Option<String>,
        /// Photon server, when --address-geocoder photon ("" for the default).
        #[arg(long)]
        photon_url: Option<String>,
        /// Whose bank holidays walks keep: england-and-wales, scotland, northern-ireland or none.
        #[arg(long, value_parser = ["england-and-wales", "scotland", "northern-ireland", "none"])]
        holidays: Option<String>,
        /// An MBTiles file (raster tiles) to draw the map from, offline ("" goes back to the tile
        /// server).
        #[arg(long, value_name = "PATH")]
        mbtiles: Option<String>,
    },
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}
fn parse_outcome(s: &str) -> Result<Outcome, String> {
    s.parse()
}
fn parse_family(s: &str) -> Result<tablemap_core::stickers::text::FontFamily, String> {
    match s {
        "sans" => Ok(tablemap_core::stickers::text::FontFamily::Sans),
        "serif" => Ok(tablemap_core::stickers::text::FontFamily::Serif),
        _ => Err(format!("unknown font '{s}'; use sans or serif")),
    }
}
fn parse_sticker_state(s: &str) -> Result<tablemap_core::domain::StickerState, String> {
    s.parse()
}
fn parse_ec(s: &str) -> Result<EcLevel, String> {
    s.parse()
}
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date like 2026-05-31"))
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] tablemap_core::store::StoreError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn import(store: &mut Store, command: ImportCommand, now: chrono::DateTime<Utc>) -> Result<(), CliError> {
    match command {
        ImportCommand::Osm(args) => places::import_osm(store, args, now)?,
        ImportCommand::Csv { file, encoding, delimiter, map, duplicates, geocode, dry_run, format } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", file.display())))?;
            let encoding = match encoding {
                Some(name) => {
                    Some(tablemap_core::imports::encoding::Encoding::parse(&name).ok_or_else(|| {
                        ApiError::Conflict(format!(
                            "unknown encoding '{name}'; use utf-8, windows-1252, utf-16le or utf-16be"
                        ))
                    })?)
                }
                None => None,
            };
            let options = tablemap_core::imports::CsvOptions {
                encoding,
                delimiter,
                mapping: None,
                duplicates: match duplicates {
                    DuplicatesArg::Skip => tablemap_core::imports::duplicates::DuplicateAction::Skip,
                    DuplicatesArg::Update => tablemap_core::imports::duplicates::DuplicateAction::Update,
                    DuplicatesArg::Add => tablemap_core::imports::duplicates::DuplicateAction::Add,
                },
            };
            let mut located = api::imports::Located::new();
            if geocode {
                let rows = api::imports::lookups(&bytes, &options, &map)?;
                if !rows.is_empty() {
                    let path = store.path().map(std::path::Path::to_path_buf);
                    let settings = api::settings::get(store)?;
                    let geocoder = match &path {
                        Some(p) => api::geocode::Geocoder::open(p, &settings)?,
                        None => api::geocode::Geocoder::in_memory(&settings)?,
                    };
                    eprintln!("looking up {} positions…", rows.len());
                    let report = places::block_on(api::imports::locate(
                        &geocoder,
                        &rows,
                        &mut located,
                        now,
                        &mut |_, _| true,
                    ))??;
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
                }
            }
            let job = api::imports::CsvImport {
                bytes: &bytes,
                options: &options,
                overrides: &map,
                located: &located,
                looked_up: geocode,
                dry_run,
                now,
            };
            let summary = api::imports::import_csv(store, job, &mut |_, _| true).map_err(|e| match e {
                ApiError::BadFile(p) => {
                    ApiError::Conflict(format!("{}: {p}; nothing was imported", file.display()))
                }
                other => other,
            })?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
                Format::Table => println!(
                    "{}{} rows: added {}, updated {}, skipped {} as duplicates",
                    if dry_run { "dry run, nothing kept: " } else { "" },
                    summary.rows,
                    summary.added,
                    summary.updated,
                    summary.skipped
                ),
            }
        }
    }
    Ok(())
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

fn execute(db: &std::path::Path, command: Command) -> Result<(), CliError> {
    // The server commands work on the team server alone: no local database is opened.
    let command = match command {
        Command::Server(c) => return team::server(c),
        other => other,
    };
    let mut store = Store::open(db)?;
    let now = Utc::now();
    match command {
        Command::Demo { restaurants, seed } => {
            let s = demo::seed(&mut store, restaurants, seed, now)?;
            println!(
                "seeded {} restaurants, {} volunteers and {} visits into {}",
                s.restaurants,
                s.volunteers,
                s.visits,
                db.display()
            );
        }
        Command::Restaurants(RestaurantsCommand::List {
            status,
            search,
            cuisine,
            volunteer,
            follow_up_due,
            area,
            format,
            limit,
        }) => {
            let area_id = match area {
                Some(a) => Some(api::areas::summary(&store, &a, now)?.id),
                None => None,
            };
            let volunteer_id = match volunteer {
                Some(v) => Some(api::volunteers::find(&store, &v)?.id),
                None => None,
            };
            let filter = RestaurantFilter {
                search,
                statuses: status,
                cuisine,
                volunteer_id,
                follow_up_due_by: follow_up_due.then(|| chrono::Local::now().date_naive()),
                area_id,
            };
            let page = api::restaurants::list(&store, &filter, limit, 0)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&page.items)?),
                Format::Table => {
                    let rows: Vec<[String; 4]> = page
                        .items
                        .iter()
                        .map(|r| {
                            [
                                r.id.to_string(),
                                r.status.to_string(),
                                r.name.clone(),
                                r.postcode.clone().unwrap_or_default(),
                            ]
                        })
                        .collect();
                    print_table(&["ID", "STATUS", "NAME", "POSTCODE"], &rows);
                    if page.total > page.items.len() as u64 {
                        println!("({} of {} shown; use --limit or --search)", page.items.len(), page.total);
                    }
                }
            }
        }
        Command::Restaurants(RestaurantsCommand::Add {
            name,
            lat,
            lon,
            address,
            postcode,
            cuisine,
            language,
            opening_hours,
            phone,
            website,
        }) => {
            let draft = RestaurantDraft {
                name,
                address,
                postcode,
                lat,
                lon,
                cuisines: cuisine,
                languages: language,
                opening_hours,
                phone,
                website,
            };
            let detail = api::restaurants::add(&mut store, draft, now)?;
            println!("{}", detail.restaurant.id);
        }
        Command::Restaurants(RestaurantsCommand::Edit {
            id,
            name,
            address,
            postcode,
            opening_hours,
            phone,
            website,
        }) => {
            let id = RestaurantId::from(id.as_str());
            let mut draft =
                tablemap_core::domain::merge::draft_of(&api::restaurants::detail(&store, &id)?.restaurant);
            let optional = |v: String| Some(v).filter(|v| !v.trim().is_empty());
            if let Some(n) = name {
                draft.name = n;
            }
            for (given, slot) in [
                (address, &mut draft.address),
                (postcode, &mut draft.postcode),
                (opening_hours, &mut draft.opening_hours),
                (phone, &mut draft.phone),
                (website, &mut draft.website),
            ] {
                if let Some(v) = given {
                    *slot = optional(v);
                }
            }
            let detail = api::restaurants::update(&mut store, &id, draft, now)?;
            println!("updated {}", detail.restaurant.name);
        }
        Command::Restaurants(RestaurantsCommand::Show { id, format }) => {
            let d = api::restaurants::detail(&store, &RestaurantId::from(id.as_str()))?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&d)?),
                Format::Table => {
                    let r = &d.restaurant;
                    let field = |k: &str, v: &str| println!("{k:<14} {v}");
                    field("id", r.id.as_str());
                    field("name", &r.name);
                    field("status", d.summary.status.as_str());
                    field("address", r.address.as_deref().unwrap_or("-"));
                    field("postcode", r.postcode.as_deref().unwrap_or("-"));
                    field("position", &format!("{:.6}, {:.6}", r.lat, r.lon));
                    field("cuisines", &r.cuisines.join(", "));
                    field("languages", &r.languages.join(", "));
                    field("opening hours", r.opening_hours.as_deref().unwrap_or("-"));
                    field(
                        "follow-up",
                        &d.summary.follow_up_on.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    );
                    println!("\nvisits ({}):", d.visits.len());
                    for v in &d.visits {
                        let mut line = format!(
                            "  {}  {:<18} {:<12} stickers {}",
                            v.visited_at.format("%Y-%m-%d %H:%M"),
                            v.outcome.as_str(),
                            v.volunteer_name,
                            v.stickers_left
                        );
                        if let Some(c) = &v.corrects {
                            line.push_str(&format!("  (corrects {c})"));
                        }
                        if v.corrected_by.is_some() {
                            line.push_str("  (corrected)");
                        }
                        println!("{line}  [{}]", v.id);
                        if let Some(n) = &v.note {
                            println!("      {n}");
                        }
                    }
                }
            }
        }
        Command::Visits(VisitsCommand::Add {
            restaurant,
            volunteer,
            outcome,
            stickers,
            note,
            follow_up,
            corrects,
            sticker,
        }) => {
            let visit = NewVisit {
                restaurant_id: RestaurantId::from(restaurant.as_str()),
                volunteer_id: VolunteerId::from(""),
                visited_at: None,
                outcome,
                stickers_left: stickers,
                note,
                follow_up_on: follow_up,
                corrects: corrects.map(|c| VisitId::from(c.as_str())),
                sticker_codes: sticker,
            };
            let d = api::visits::record_by_name(&mut store, &volunteer, visit, now)?;
            println!("{}: {}", d.restaurant.id, d.summary.status);
        }
        Command::Volunteers(VolunteersCommand::List { format }) => {
            let all = api::volunteers::list(&store)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&all)?),
                Format::Table => {
                    let rows: Vec<[String; 2]> =
                        all.iter().map(|v| [v.id.to_string(), v.display_name.clone()]).collect();
                    print_table(&["ID", "NAME"], &rows);
                }
            }
        }
        Command::Stickers(command) => stickers(&mut store, command, now)?,
        Command::Export { format, out } => {
            let n = match format {
                ExportFormat::Csv => api::exports::csv(&store, &out)?,
                ExportFormat::Geojson => api::exports::geojson(&store, &out)?,
                ExportFormat::PublicMap => api::exports::public_map(&store, &out)?,
            };
            println!("exported {n} restaurants to {}", out.display());
        }
        Command::Import(command) => import(&mut store, command, now)?,
        Command::Geocode(command) => places::geocode(db, &store, command, now)?,
        Command::Areas(command) => areas::run(&mut store, command, now)?,
        Command::Tiles(args) => tiles::run(&store, args, now)?,
        Command::Walk(args) => walk::run(&store, args, now)?,
        Command::Join { code } => team::join(&mut store, &code)?,
        Command::Leave => {
            let dropped = api::sync::leave(&mut store)?;
            println!("left the team; {dropped} changes that had not been sent stay only here");
        }
        Command::Sync(args) => team::sync(&mut store, args)?,
        Command::Server(c) => team::server(c)?,
        Command::Settings(SettingsCommand::Show) => {
            println!("{}", serde_json::to_string_pretty(&api::settings::get(&store)?)?);
        }
        Command::Settings(SettingsCommand::Set {
            tile_url,
            tile_attribution,
            language,
            overpass_url,
            postcodes_url,
            nominatim_url,
            address_geocoder,
            photon_url,
            holidays,
            mbtiles,
        }) => {
            let mut s = api::settings::get(&store)?;
            // Only what was given changes.
            for (given, slot) in [
                (tile_url, &mut s.tile_url),
                (tile_attribution, &mut s.tile_attribution),
                (language, &mut s.language),
                (overpass_url, &mut s.overpass_url),
                (postcodes_url, &mut s.postcodes_url),
                (nominatim_url, &mut s.nominatim_url),
                (address_geocoder, &mut s.address_geocoder),
                (photon_url, &mut s.photon_url),
                (holidays, &mut s.holiday_region),
            ] {
                if let Some(value) = given {
                    *slot = value;
                }
            }
            if mbtiles.is_some() {
                s.mbtiles_path = mbtiles;
            }
            let saved = api::settings::save(&mut store, s)?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
        }
    }
    Ok(())
}

fn stickers(store: &mut Store, command: StickersCommand, now: chrono::DateTime<Utc>) -> Result<(), CliError> {
    use tablemap_core::stickers::to_mm;
    match command {
        StickersCommand::Templates { format } => {
            let all = api::stickers::templates(store)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&all)?),
                Format::Table => {
                    let rows: Vec<[String; 5]> = all
                        .iter()
                        .map(|t| {
                            let size = if t.shape.is_round() {
                                format!("{:.1} mm round", to_mm(t.shape.width()))
                            } else {
                                format!("{:.1} × {:.1} mm", to_mm(t.shape.width()), to_mm(t.shape.height()))
                            };
                            [t.id.clone(), t.name.clone(), t.page.name.clone(), t.count().to_string(), size]
                        })
                        .collect();
                    print_table(&["ID", "NAME", "PAGE", "COUNT", "LABEL"], &rows);
                }
            }
        }
        StickersCommand::Print {
            template,
            count,
            start_at,
            ec,
            for_restaurant,
            url,
            outlines,
            cut_marks,
            for_volunteer,
            by,
            out,
        } => {
            let volunteer_id = match for_volunteer {
                Some(name) => Some(
                    tablemap_core::store::volunteers::by_name(store.conn(), &name)?
                        .ok_or_else(|| ApiError::NotFound { what: "volunteer", id: name.clone() })?
                        .id,
                ),
                None => None,
            };
            let request = api::stickers::PrintRequest {
                template_id: template,
                count,
                start_at,
                ec_level: ec,
                for_restaurants: for_restaurant.iter().map(|r| RestaurantId::from(r.as_str())).collect(),
                base_url: url,
                outlines,
                cut_marks,
                volunteer_id,
                printed_by: by,
                out,
            };
            let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let result = api::stickers::print(store, request, now, &mut |done, total| {
                if interactive {
                    eprint!("\rpage {done} of {total}");
                }
                true
            })?;
            if interactive {
                eprintln!();
            }
            for w in &result.warnings {
                eprintln!("tablemap: warning: {w}");
            }
            println!(
                "{} stickers on {} pages, {} ({} bytes), QR version {}, modules {:.2} mm",
                result.stickers,
                result.pages,
                result.out.display(),
                result.bytes,
                result.qr_version,
                result.smallest_module_mm
            );
            println!("{}", result.batch_id);
        }
        StickersCommand::Calibrate { offset_x, offset_y, scale } => {
            let c = api::stickers::PrinterCalibration { offset_x_mm: offset_x, offset_y_mm: offset_y, scale };
            let saved = api::stickers::save_calibration(store, c)?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
        }
        StickersCommand::AddTemplate {
            id,
            name,
            page,
            label,
            round,
            corner_radius,
            grid,
            left,
            top,
            h_pitch,
            v_pitch,
        } => {
            use tablemap_core::stickers::{mm, LabelShape, Layout, PageSize, Template};
            let pair = |field: &'static str, text: &str| -> Result<(f64, f64), CliError> {
                let bad = || {
                    ApiError::Invalid(tablemap_core::domain::ValidationError {
                        field,
                        reason: format!("'{text}' should look like 63.5x38.1"),
                    })
                };
                let (a, b) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
                Ok((a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?))
            };
            let page = match page.as_str() {
                "A4" | "a4" => PageSize::a4(),
                "US-Letter" | "Letter" | "letter" => PageSize::letter(),
                other => {
                    let (w, h) = pair("page", other)?;
                    PageSize { name: "custom".into(), width: mm(w), height: mm(h) }
                }
            };
            let shape = if round {
                let d: f64 = label.trim().parse().map_err(|_| {
                    ApiError::Invalid(tablemap_core::domain::ValidationError {
                        field: "label",
                        reason: format!("'{label}' should be a diameter in mm"),
                    })
                })?;
                LabelShape::Round { diameter: mm(d) }
            } else {
                let (w, h) = pair("label", &label)?;
                LabelShape::Rectangle { width: mm(w), height: mm(h), corner_radius: mm(corner_radius) }
            };
            let (columns, rows) = pair("grid", &grid)?;
            let template = Template {
                id: format!("custom-{}", id.trim().to_lowercase()),
                name,
                description: "custom".into(),
                page,
                shape,
                layouts: vec![Layout {
                    columns: columns as u32,
                    rows: rows as u32,
                    left: mm(left),
                    top: mm(top),
                    h_pitch: mm(h_pitch),
                    v_pitch: mm(v_pitch),
                }],
            };
            let saved = api::stickers::save_template(store, template, "custom", now)?;
            println!("{}", saved.id);
        }
        StickersCommand::ImportGlabels { files } => {
            let mut texts = Vec::new();
            for f in &files {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", f.display())))?;
                texts.push((f.display().to_string(), text));
            }
            let report = api::stickers::import_glabels(store, &texts, now)?;
            for (name, why) in &report.skipped {
                eprintln!("skipped {name}: {why}");
            }
            println!("imported {} templates, skipped {}", report.imported, report.skipped.len());
        }
        StickersCommand::Calibration { template, out } => {
            api::stickers::calibration_page(store, &template, &out)?;
            println!("{}", out.display());
        }
        StickersCommand::Campaign {
            name,
            url,
            query,
            headline,
            second_line,
            text_colour,
            accent_colour,
            font,
            logo,
            no_logo,
        } => {
            if let Some(path) = logo {
                let bytes = std::fs::read(&path)
                    .map_err(|e| ApiError::Io(format!("cannot read {}: {e}", path.display())))?;
                api::stickers::set_logo(store, Some(bytes))?;
            } else if no_logo {
                api::stickers::set_logo(store, None)?;
            }
            let mut c = api::stickers::campaign(store)?;
            let changed = name.is_some()
                || url.is_some()
                || query.is_some()
                || headline.is_some()
                || second_line.is_some()
                || text_colour.is_some()
                || accent_colour.is_some()
                || font.is_some();
            if let Some(v) = name {
                c.name = v;
            }
            if let Some(v) = url {
                c.base_url = v;
            }
            if let Some(v) = query {
                c.query = Some(v);
            }
            if let Some(v) = headline {
                c.headline = v;
            }
            if let Some(v) = second_line {
                c.second_line = Some(v);
            }
            if let Some(v) = text_colour {
                c.text_colour = v;
            }
            if let Some(v) = accent_colour {
                c.accent_colour = v;
            }
            if let Some(v) = font {
                c.font = v;
            }
            let c = if changed { api::stickers::save_campaign(store, c, chrono::Utc::now())? } else { c };
            println!("{}", serde_json::to_string_pretty(&c)?);
        }
        StickersCommand::Mark { code, state, volunteer } => {
            let volunteer_id = match volunteer {
                Some(name) => Some(
                    tablemap_core::store::volunteers::by_name(store.conn(), &name)?
                        .ok_or_else(|| ApiError::NotFound { what: "volunteer", id: name.clone() })?
                        .id,
                ),
                None => None,
            };
            let c = api::stickers::mark(store, &code, state, volunteer_id, now)?;
            println!("{}: {}", c.code, c.state);
        }
        StickersCommand::HandOut { batch, volunteer } => {
            let who = tablemap_core::store::volunteers::by_name(store.conn(), &volunteer)?
                .ok_or_else(|| ApiError::NotFound { what: "volunteer", id: volunteer.clone() })?;
            let detail = api::stickers::hand_out(store, &batch, &who.id, now)?;
            let with = detail
                .codes
                .iter()
                .filter(|c| c.state == tablemap_core::domain::StickerState::WithVolunteer)
                .count();
            println!("{with} stickers of batch {} are with {} now", detail.batch.id, who.display_name);
        }
        StickersCommand::Batch { id, format } => {
            let detail = api::stickers::batch(store, &id)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&detail)?),
                Format::Table => {
                    let b = &detail.batch;
                    println!(
                        "batch {} · {} × {} · level {} · {}",
                        b.id,
                        b.count,
                        b.template_name,
                        b.ec_level,
                        b.created_at.format("%Y-%m-%d %H:%M")
                    );
                    let rows: Vec<[String; 5]> = detail
                        .codes
                        .iter()
                        .map(|c| {
                            [
                                c.seq.to_string(),
                                c.code.clone(),
                                c.state.to_string(),
                                c.placed_at_restaurant
                                    .clone()
                                    .or_else(|| c.restaurant_name.clone())
                                    .unwrap_or_default(),
                                c.url.clone(),
                            ]
                        })
                        .collect();
                    print_table(&["#", "CODE", "STATE", "RESTAURANT", "URL"], &rows);
                }
            }
        }
    }
    Ok(())
}

fn print_table<const N: usize>(headers: &[&str; N], rows: &[[String; N]]) {
    let mut widths = headers.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

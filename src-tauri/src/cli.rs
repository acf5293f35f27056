//! The command line: the same binary, the same `api` as the window. With no subcommand the
//! window opens. Errors are one line on stderr and a non-zero exit.

use crate::api::{self, ApiError};
use crate::demo;
use crate::domain::{NewVisit, Outcome, RestaurantDraft, RestaurantId, Status, VisitId, VolunteerId};
use crate::store::restaurants::RestaurantFilter;
use crate::store::Store;
use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

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
    },
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}
fn parse_outcome(s: &str) -> Result<Outcome, String> {
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
    Store(#[from] crate::store::StoreError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
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
        Command::Restaurants(RestaurantsCommand::List { status, search, format, limit }) => {
            let filter = RestaurantFilter { search, statuses: status };
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
        Command::Settings(SettingsCommand::Show) => {
            println!("{}", serde_json::to_string_pretty(&api::settings::get(&store)?)?);
        }
        Command::Settings(SettingsCommand::Set { tile_url, tile_attribution, language }) => {
            let mut s = api::settings::get(&store)?;
            if let Some(u) = tile_url {
                s.tile_url = u;
            }
            if let Some(a) = tile_attribution {
                s.tile_attribution = a;
            }
            if let Some(l) = language {
                s.language = l;
            }
            let saved = api::settings::save(&mut store, s)?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
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

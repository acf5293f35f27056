//! `tablemap walk`: the restaurants still to visit in an area (or a chosen few) as a walking
//! route, printed, and the walk sheet written as a PDF. One call each into `api::walk`.

use super::{print_table, CliError, Format};
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::Args;
use std::path::PathBuf;
use tablemap_core::api::walk::{self, StopsSource, WalkRequest};
use tablemap_core::domain::RestaurantId;
use tablemap_core::store::Store;
use tablemap_core::walk::hours::Openness;
use tablemap_core::walk::route::{LatLon, Pace};
use tablemap_core::walk::sheet::{distance_text, minutes_text};

/// `tablemap walk (--area NAME | --restaurants ID,ID,...) [--start LAT,LON] [--at "YYYY-MM-DD HH:MM"]
/// [--volunteer V] --out FILE.pdf`
#[derive(Debug, Args)]
pub struct WalkArgs {
    /// The area (name or id) whose restaurants still to visit make the walk.
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "restaurants",
        required_unless_present = "restaurants"
    )]
    area: Option<String>,
    /// Restaurant ids instead of an area, separated by commas.
    #[arg(long, value_name = "ID,ID,...", value_delimiter = ',')]
    restaurants: Vec<String>,
    /// Where the walk sets off (default: wherever makes the route shortest).
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true, value_parser = parse_lat_lon)]
    start: Option<LatLon>,
    /// When the walk starts, local time (default: now).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM", value_parser = parse_local)]
    at: Option<NaiveDateTime>,
    /// Who walks it, printed on the sheet (default for an area: whoever holds it).
    #[arg(long)]
    volunteer: Option<String>,
    /// The sheet's title (default: the area's name).
    #[arg(long)]
    title: Option<String>,
    /// What to say at the door, printed in every block.
    #[arg(long)]
    pitch: Option<String>,
    /// Walking speed.
    #[arg(long, default_value_t = Pace::default().km_per_hour)]
    km_per_hour: f64,
    /// Time spent at each stop.
    #[arg(long, default_value_t = Pace::default().minutes_per_stop)]
    minutes_per_stop: f64,
    /// Whether the day is a public holiday (yes or no); hours with "PH" read as unknown without it.
    #[arg(long, value_name = "yes|no", value_parser = parse_yes_no)]
    public_holiday: Option<bool>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// The walk sheet to write (PDF).
    #[arg(long)]
    out: PathBuf,
}

/// At most `max` characters, with "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    text.chars().take(max - 1).collect::<String>() + "…"
}

fn parse_lat_lon(s: &str) -> Result<LatLon, String> {
    let bad = || format!("'{s}' is not a position like 51.5462,-0.0754");
    let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    Ok(LatLon { lat, lon })
}

fn parse_local(s: &str) -> Result<NaiveDateTime, String> {
    ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
        .ok_or_else(|| format!("'{s}' is not a local time like \"2026-06-06 14:00\""))
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(format!("'{s}': say yes or no")),
    }
}

pub(super) fn run(store: &Store, args: WalkArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let source = match args.area {
        Some(area) => StopsSource::Area { area },
        None => StopsSource::Restaurants {
            ids: args.restaurants.iter().map(|id| RestaurantId(id.trim().to_string())).collect(),
        },
    };
    let planned_at = args.at.unwrap_or_else(|| chrono::Local::now().naive_local());
    let request = WalkRequest {
        start: args.start,
        volunteer: args.volunteer,
        title: args.title,
        pitch: args.pitch,
        pace: Pace { km_per_hour: args.km_per_hour, minutes_per_stop: args.minutes_per_stop },
        public_holiday: args.public_holiday,
        ..WalkRequest::new(source, planned_at)
    };
    let plan = walk::plan(store, &request, now)?;
    if plan.stops.is_empty() {
        eprintln!("{} restaurants there, none still to visit", plan.left_out.len());
    }
    let sheet = walk::write_sheet(store, &plan, &args.out)?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "plan": plan, "sheet": sheet }))?
        ),
        Format::Table => {
            let rows: Vec<[String; 6]> = plan
                .stops
                .iter()
                .map(|s| {
                    [
                        s.number.to_string(),
                        shorten(&s.name, 40),
                        distance_text(s.leg_m),
                        s.arrive_at.format("%H:%M").to_string(),
                        match s.open_at_planned {
                            Openness::Open => "open",
                            Openness::Closed => "CLOSED",
                            Openness::Unknown => "?",
                        }
                        .to_string(),
                        s.status.as_str().replace('_', " "),
                    ]
                })
                .collect();
            print_table(&["#", "name", "walk", "arrive", "hours", "status"], &rows);
            println!(
                "total {} on foot, about {} with {} at each of {} stops{}",
                distance_text(plan.total_m),
                minutes_text(plan.minutes),
                minutes_text(plan.pace.minutes_per_stop),
                plan.stops.len(),
                if plan.left_out.is_empty() {
                    String::new()
                } else {
                    format!(" ({} left out: visited already or not due)", plan.left_out.len())
                }
            );
            println!("wrote {} ({} pages)", sheet.out.display(), sheet.pages);
        }
    }
    Ok(())
}

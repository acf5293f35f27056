//! `tablemap retention show|set|apply|clear-caches`: one call each into `api::retention`.

use super::CliError;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::path::PathBuf;
use tablemap_core::api;
use tablemap_core::sources::tiles::TileCache;
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// How long notes and geocoding answers are kept, and what is old now.
    Show,
    /// Choose, then apply at once: visit notes blanked after N months (or "off"), geocoding
    /// answers forgotten after N months. On a team, a coordinator's months for notes are the
    /// whole team's (sent at the next sync).
    Set {
        #[arg(long, value_name = "N|off", value_parser = parse_months_or_off)]
        notes_months: Option<MonthsOrOff>,
        #[arg(long, value_name = "N")]
        geocoding_months: Option<u32>,
    },
    /// Apply the choice now (the window does it each time it opens).
    Apply,
    /// Empty the map tile cache and every geocoding answer.
    ClearCaches {
        /// The tile cache file (the per-user one by default).
        #[arg(long)]
        tile_cache: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy)]
pub enum MonthsOrOff {
    Off,
    Months(u32),
}

fn parse_months_or_off(s: &str) -> Result<MonthsOrOff, String> {
    match s {
        "off" | "never" => Ok(MonthsOrOff::Off),
        n => n.parse().map(MonthsOrOff::Months).map_err(|_| format!("'{s}': a number of months, or off")),
    }
}

pub(super) fn run(store: &mut Store, command: RetentionCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    match command {
        RetentionCommand::Show => {
            let s = api::retention::status(store, now)?;
            match s.retention.note_months {
                Some(m) => println!("visit notes: blanked after {m} months"),
                None => println!("visit notes: kept"),
            }
            match s.team_note_months {
                Some(m) => {
                    println!("the team's choice (a coordinator's): visit notes blanked after {m} months")
                }
                None if s.sets_for_team => println!("as a coordinator, your choice for notes is the team's"),
                None => {}
            }
            println!("geocoding answers: forgotten after {} months", s.retention.geocoding_months);
            println!("{} visit notes are older than {} months", s.old_notes, s.old_after_months);
            println!("{} geocoding answers are kept", s.geocoding_answers);
        }
        RetentionCommand::Set { notes_months, geocoding_months } => {
            let mut r = api::retention::get(store)?;
            match notes_months {
                Some(MonthsOrOff::Off) => r.note_months = None,
                Some(MonthsOrOff::Months(m)) => r.note_months = Some(m),
                None => {}
            }
            if let Some(m) = geocoding_months {
                r.geocoding_months = m;
            }
            applied(api::retention::set(store, r, now)?);
        }
        RetentionCommand::Apply => applied(api::retention::apply(store, now)?),
        RetentionCommand::ClearCaches { tile_cache } => {
            let path = tile_cache.unwrap_or_else(tablemap_core::paths::default_tile_cache);
            // A cache that was never made stays unmade.
            let tiles = if path.exists() {
                Some(
                    TileCache::open(&path)
                        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?,
                )
            } else {
                None
            };
            let c = api::retention::clear_caches(store, tiles.as_ref())?;
            println!("cleared {} map tiles and {} geocoding answers", c.tiles, c.geocoding_answers);
        }
    }
    Ok(())
}

fn applied(a: api::retention::Applied) {
    println!("blanked {} visit notes; forgot {} geocoding answers", a.notes_blanked, a.geocoding_forgotten);
}

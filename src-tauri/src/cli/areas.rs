//! `tablemap areas ...`: import ward boundaries, see per-area progress, give areas to volunteers
//! for a while, and keep notes on them. Every subcommand is one call into `api::areas`.

use super::{print_table, CliError, Format};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use tablemap_core::api::areas::{self, AreaSummary, DEFAULT_DAYS};
use tablemap_core::api::{ApiError, FileAction};
use tablemap_core::domain::Status;
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum AreasCommand {
    /// Import areas from a GeoJSON file (a FeatureCollection of Polygon or MultiPolygon features,
    /// e.g. ward boundaries, in WGS84). All or nothing; an area whose name exists already gets
    /// the file's outline.
    Import {
        file: PathBuf,
        /// The feature property that names each area (default: name, NAME, WD23NM and the like).
        #[arg(long, value_name = "P")]
        name_property: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Every area with its restaurants per status, last visit, holder and notes.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Give an area to a volunteer for a while; refused while someone else holds it.
    Assign {
        name: String,
        /// The volunteer's name (or id).
        #[arg(long)]
        volunteer: String,
        /// How long the claim lasts (1 to 90 days).
        #[arg(long, default_value_t = DEFAULT_DAYS)]
        days: u32,
        /// Take the area over even though another volunteer holds it.
        #[arg(long)]
        force: bool,
    },
    /// End the claim on an area.
    Release { name: String },
    /// Write a note on an area.
    Note {
        name: String,
        #[arg(long)]
        volunteer: String,
        text: String,
    },
    /// An area's notes, newest first.
    Notes {
        name: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Rename an area.
    Rename { name: String, new_name: String },
    /// Delete an area nobody holds. Restaurants and visits inside it are not touched; its claims
    /// and notes are kept.
    Delete { name: String },
}

pub(super) fn run(store: &mut Store, command: AreasCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    match command {
        AreasCommand::Import { file, name_property, format } => {
            import(store, &file, name_property.as_deref(), format, now)?;
        }
        AreasCommand::List { format } => {
            let all = areas::list(store, now)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&all)?),
                Format::Table => print_list(&all, now),
            }
        }
        AreasCommand::Assign { name, volunteer, days, force } => {
            let a = areas::assign(store, &name, &volunteer, days, force, now)?;
            if let Some(h) = &a.holder {
                println!(
                    "{} is held by {} until {}",
                    a.name,
                    h.volunteer_name,
                    h.expires_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
        AreasCommand::Release { name } => {
            let a = areas::release(store, &name, now)?;
            println!("{} is free", a.name);
        }
        AreasCommand::Note { name, volunteer, text } => {
            let n = areas::add_note(store, &name, &volunteer, &text, now)?;
            println!("noted on {name} by {}", n.volunteer_name);
        }
        AreasCommand::Notes { name, format } => {
            let notes = areas::notes(store, &name)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&notes)?),
                Format::Table => {
                    for n in &notes {
                        println!("{}  {}", n.written_at.format("%Y-%m-%d %H:%M"), n.volunteer_name);
                        println!("    {}", n.note);
                    }
                }
            }
        }
        AreasCommand::Rename { name, new_name } => {
            let a = areas::rename(store, &name, &new_name, now)?;
            println!("{name} is now {}", a.name);
        }
        AreasCommand::Delete { name } => {
            let deleted = areas::delete(store, &name, now)?;
            println!("deleted {deleted}; its restaurants and visits are untouched");
        }
    }
    Ok(())
}

/// `areas import FILE`: all the file's areas or none, the file named in any refusal.
fn import(
    store: &mut Store,
    file: &Path,
    name_property: Option<&str>,
    format: Format,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| ApiError::file(FileAction::Read, file, e))?;
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    let summary =
        areas::import_geojson(store, &text, name_property, stem.as_deref(), now).map_err(|e| match e {
            ApiError::BadFile(p) => CliError::FileRefused { path: file.to_path_buf(), reason: p.to_string() },
            ApiError::Invalid(v) if v.field == "file" => {
                CliError::FileRefused { path: file.to_path_buf(), reason: v.reason }
            }
            other => other.into(),
        })?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        Format::Table => {
            let mut line = format!(
                "{} features: created {} areas, updated the outline of {}",
                summary.features,
                summary.created.len(),
                summary.updated.len()
            );
            if !summary.updated.is_empty() {
                line.push_str(&format!(" ({})", summary.updated.join(", ")));
            }
            if let Some(p) = &summary.name_property {
                line.push_str(&format!("; names from \u{201c}{p}\u{201d}"));
            }
            println!("{line}");
            if !summary.joined.is_empty() {
                println!("features sharing a name were joined into one area: {}", summary.joined.join(", "));
            }
        }
    }
    Ok(())
}

/// Short headers for the statuses, so the table fits a terminal.
fn short(status: Status) -> &'static str {
    match status {
        Status::NotContacted => "NEW",
        Status::Contacted => "CONTACTED",
        Status::FollowUp => "FOLLOW-UP",
        Status::Agreed => "AGREED",
        Status::StickerPlaced => "STICKER",
        Status::Declined => "DECLINED",
        Status::DoNotContact => "DNC",
        Status::Closed => "CLOSED",
    }
}

fn print_list(all: &[AreaSummary], now: DateTime<Utc>) {
    const N: usize = 8 + 6;
    let mut headers =
        ["NAME", "TOTAL", "", "", "", "", "", "", "", "", "LAST VISIT", "HELD BY", "UNTIL", "NOTES"];
    for (i, s) in Status::ALL.iter().enumerate() {
        headers[2 + i] = short(*s);
    }
    let rows: Vec<[String; N]> = all
        .iter()
        .map(|a| {
            let mut row: [String; N] = Default::default();
            row[0] = a.name.clone();
            row[1] = a.total.to_string();
            for (i, c) in a.counts.iter().enumerate().take(8) {
                row[2 + i] = c.count.to_string();
            }
            row[10] = a.last_visit_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "-".into());
            match &a.holder {
                Some(h) => {
                    row[11] = h.volunteer_name.clone();
                    // Days left, counting a started day: "14 d" right after a 14-day claim.
                    let left = ((h.expires_at - now).num_seconds() + 86_399) / 86_400;
                    row[12] = format!("{} ({left} d)", h.expires_at.format("%Y-%m-%d"));
                }
                None => {
                    row[11] = "-".into();
                    row[12] = "-".into();
                }
            }
            row[13] = a.notes.to_string();
            row
        })
        .collect();
    print_table(&headers, &rows);
    if all.is_empty() {
        println!("(no areas yet: tablemap areas import FILE.geojson)");
    }
}

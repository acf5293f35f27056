//! `tablemap stickers ...`: label templates, printing batches to PDF, the campaign's words on
//! the stickers, and following each sticker from the printer to a restaurant's window.

use super::{print_table, CliError, Format};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use tablemap_core::api::{self, ApiError, FileAction};
use tablemap_core::domain::{RestaurantId, StickerState, VolunteerId};
use tablemap_core::stickers::campaign::Campaign;
use tablemap_core::stickers::qr::EcLevel;
use tablemap_core::stickers::text::FontFamily;
use tablemap_core::store::Store;

mod templates;

#[derive(Debug, Subcommand)]
pub enum StickersCommand {
    /// The label templates: built in, imported and custom.
    Templates {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print a batch of stickers to a PDF and record it; prints the batch id last.
    Print(PrintArgs),
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
    AddTemplate(templates::TemplateArgs),
    /// A page of label outlines and corner marks for checking a printer.
    Calibration {
        #[arg(long)]
        template: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Show or change the campaign's words and address on the stickers.
    Campaign(CampaignArgs),
    /// Move a sticker on: with_volunteer (with --volunteer), missing, or replaced.
    Mark {
        code: String,
        #[arg(long, value_parser = parse_sticker_state)]
        state: StickerState,
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

#[derive(Debug, Args)]
pub struct PrintArgs {
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
}

#[derive(Debug, Args)]
pub struct CampaignArgs {
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
    font: Option<FontFamily>,
    /// A PNG drawn in the middle of every QR code (codes then print at level H).
    #[arg(long)]
    logo: Option<PathBuf>,
    /// Remove the logo.
    #[arg(long)]
    no_logo: bool,
}

fn parse_family(s: &str) -> Result<FontFamily, String> {
    match s {
        "sans" => Ok(FontFamily::Sans),
        "serif" => Ok(FontFamily::Serif),
        _ => Err(format!("unknown font '{s}'; use sans or serif")),
    }
}

fn parse_sticker_state(s: &str) -> Result<StickerState, String> {
    s.parse()
}

fn parse_ec(s: &str) -> Result<EcLevel, String> {
    s.parse()
}

pub(super) fn run(store: &mut Store, command: StickersCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    match command {
        StickersCommand::Templates { format } => templates::list(store, format),
        StickersCommand::Print(args) => print(store, args, now),
        StickersCommand::ImportGlabels { files } => templates::import_glabels(store, &files, now),
        StickersCommand::Calibrate { offset_x, offset_y, scale } => {
            let c = api::stickers::PrinterCalibration { offset_x_mm: offset_x, offset_y_mm: offset_y, scale };
            let saved = api::stickers::save_calibration(store, c)?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
            Ok(())
        }
        StickersCommand::AddTemplate(args) => templates::add(store, args, now),
        StickersCommand::Calibration { template, out } => {
            api::stickers::calibration_page(store, &template, &out)?;
            println!("{}", out.display());
            Ok(())
        }
        StickersCommand::Campaign(args) => campaign(store, args, now),
        StickersCommand::Mark { code, state, volunteer } => {
            let volunteer_id = volunteer_id(store, volunteer.as_deref())?;
            let c = api::stickers::mark(store, &code, state, volunteer_id, now)?;
            println!("{}: {}", c.code, c.state);
            Ok(())
        }
        StickersCommand::HandOut { batch, volunteer } => hand_out(store, &batch, &volunteer, now),
        StickersCommand::Batch { id, format } => batch(store, &id, format),
    }
}

/// The id of the volunteer named (or with this id), when one is named.
fn volunteer_id(store: &Store, name: Option<&str>) -> Result<Option<VolunteerId>, CliError> {
    Ok(match name {
        Some(name) => Some(api::volunteers::find(store, name)?.id),
        None => None,
    })
}

fn print(store: &mut Store, args: PrintArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let request = api::stickers::PrintRequest {
        volunteer_id: volunteer_id(store, args.for_volunteer.as_deref())?,
        template_id: args.template,
        count: args.count,
        start_at: args.start_at,
        ec_level: args.ec,
        for_restaurants: args.for_restaurant.iter().map(|r| RestaurantId::from(r.as_str())).collect(),
        base_url: args.url,
        outlines: args.outlines,
        cut_marks: args.cut_marks,
        printed_by: args.by,
        out: args.out,
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
    Ok(())
}

fn campaign(store: &mut Store, args: CampaignArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    if let Some(path) = &args.logo {
        set_logo(store, path)?;
    } else if args.no_logo {
        api::stickers::set_logo(store, None)?;
    }
    let mut c = api::stickers::campaign(store)?;
    let c = if args.apply(&mut c) { api::stickers::save_campaign(store, c, now)? } else { c };
    println!("{}", serde_json::to_string_pretty(&c)?);
    Ok(())
}

fn set_logo(store: &mut Store, path: &Path) -> Result<(), CliError> {
    let bytes = std::fs::read(path).map_err(|e| ApiError::file(FileAction::Read, path, e))?;
    api::stickers::set_logo(store, Some(bytes))?;
    Ok(())
}

impl CampaignArgs {
    /// Writes the words given into `c`; whether any were (the logo is saved on its own).
    fn apply(self, c: &mut Campaign) -> bool {
        let mut changed = false;
        for (given, slot) in [
            (self.name, &mut c.name),
            (self.url, &mut c.base_url),
            (self.headline, &mut c.headline),
            (self.text_colour, &mut c.text_colour),
            (self.accent_colour, &mut c.accent_colour),
        ] {
            if let Some(v) = given {
                *slot = v;
                changed = true;
            }
        }
        for (given, slot) in [(self.query, &mut c.query), (self.second_line, &mut c.second_line)] {
            if given.is_some() {
                *slot = given;
                changed = true;
            }
        }
        if let Some(v) = self.font {
            c.font = v;
            changed = true;
        }
        changed
    }
}

fn hand_out(store: &mut Store, batch: &str, volunteer: &str, now: DateTime<Utc>) -> Result<(), CliError> {
    let who = api::volunteers::find(store, volunteer)?;
    let detail = api::stickers::hand_out(store, batch, &who.id, now)?;
    let with = detail.codes.iter().filter(|c| c.state == StickerState::WithVolunteer).count();
    println!("{with} stickers of batch {} are with {} now", detail.batch.id, who.display_name);
    Ok(())
}

fn batch(store: &Store, id: &str, format: Format) -> Result<(), CliError> {
    let detail = api::stickers::batch(store, id)?;
    if let Format::Json = format {
        println!("{}", serde_json::to_string_pretty(&detail)?);
        return Ok(());
    }
    let b = &detail.batch;
    println!(
        "batch {} · {} × {} · level {} · {}",
        b.id,
        b.count,
        b.template_name,
        b.ec_level,
        b.created_at.format("%Y-%m-%d %H:%M")
    );
    let rows: Vec<[String; 7]> = detail
        .codes
        .iter()
        .map(|c| {
            [
                c.seq.to_string(),
                c.code.clone(),
                c.state.to_string(),
                c.placed_at_restaurant.clone().or_else(|| c.restaurant_name.clone()).unwrap_or_default(),
                c.scans.to_string(),
                c.last_scanned.map(|d| d.to_string()).unwrap_or_default(),
                c.url.clone(),
            ]
        })
        .collect();
    print_table(&["#", "CODE", "STATE", "RESTAURANT", "SCANS", "LAST SCANNED", "URL"], &rows);
    Ok(())
}

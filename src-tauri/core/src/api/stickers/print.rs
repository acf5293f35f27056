//! Printing a batch: the stickers (blank, named, pre-assigned) laid out on the template, written
//! to a PDF whole or not at all, and recorded with every code in one transaction; and the
//! printer's calibration page.

use super::super::{ApiError, FileAction, Result};
use super::{calibration, campaign, logo, template, MAX_BATCH};
use crate::api::access;
use crate::atomic_file::AtomicFile;
use crate::domain::permissions::Action;
use crate::domain::validation::invalid;
use crate::domain::{RestaurantId, StickerState, VolunteerId};
use crate::stickers::campaign::check_base_url;
use crate::stickers::codes;
use crate::stickers::qr::{EcLevel, MIN_MODULE_MM};
use crate::stickers::sheet::{self, PrintOptions, SheetError, Sticker};
use crate::store::stickers::{self as table, PrintBatch};
use crate::store::{restaurants, volunteers, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// What to print.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrintRequest {
    pub template_id: String,
    /// How many blank stickers; with `for_restaurants`, one each (and `count` may be left out).
    pub count: Option<u32>,
    pub start_at: u32,
    pub ec_level: EcLevel,
    /// Pre-assigned stickers: one per restaurant, its name printed small.
    pub for_restaurants: Vec<RestaurantId>,
    /// Overrides the campaign's base URL for this batch.
    pub base_url: Option<String>,
    pub outlines: bool,
    /// Corner marks for cutting plain paper.
    #[serde(default)]
    pub cut_marks: bool,
    /// Blank stickers handed to this volunteer.
    pub volunteer_id: Option<VolunteerId>,
    pub printed_by: Option<String>,
    /// Where the PDF goes. Never read from the window (which names no path): the command that
    /// prints sets it from the output folder or the native save dialog.
    #[serde(skip_deserializing, default)]
    #[ts(skip)]
    pub out: PathBuf,
}

impl PrintRequest {
    /// `count` blank stickers on `template_id` at level M, codes opening `base_url/CODE`, to `out`.
    pub fn blank(template_id: &str, count: u32, base_url: &str, out: PathBuf) -> Self {
        PrintRequest {
            template_id: template_id.into(),
            count: Some(count),
            start_at: 1,
            ec_level: EcLevel::M,
            for_restaurants: vec![],
            base_url: Some(base_url.into()),
            outlines: false,
            cut_marks: false,
            volunteer_id: None,
            printed_by: None,
            out,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrintResult {
    pub batch_id: String,
    #[ts(type = "string")]
    pub out: PathBuf,
    pub pages: u32,
    pub stickers: u32,
    pub bytes: u64,
    pub smallest_module_mm: f64,
    pub qr_version: u8,
    /// Things the organiser should know (small QR modules, …).
    pub warnings: Vec<String>,
}

/// Prints a batch: codes drawn fresh, the PDF written atomically, then the batch, its codes
/// and their `printed` events recorded in one transaction. Cancelling (progress returns false)
/// leaves no file and records nothing.
pub fn print(
    store: &mut Store,
    req: PrintRequest,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<PrintResult> {
    access::require(store.conn(), Action::PrintStickers)?;
    let template = template(store, &req.template_id)?;
    let mut campaign = campaign(store)?;
    if let Some(url) = &req.base_url {
        campaign.base_url = check_base_url(url)?.normalised;
    } else {
        campaign.base_url = check_base_url(&campaign.base_url)?.normalised;
    }
    let preassigned = !req.for_restaurants.is_empty();
    let count = match (req.count, preassigned) {
        (Some(n), true) if n as usize != req.for_restaurants.len() => {
            return invalid(
                "count",
                format!("is {n}, but {} restaurants were named: one sticker each", req.for_restaurants.len()),
            )
            .map_err(Into::into)
        }
        (_, true) => req.for_restaurants.len() as u32,
        (Some(n), false) => n,
        (None, false) => return invalid("count", "is required for blank stickers").map_err(Into::into),
    };
    if count == 0 || count > MAX_BATCH {
        return invalid("count", format!("must be between 1 and {MAX_BATCH}")).map_err(Into::into);
    }
    let mut names = Vec::new();
    for id in &req.for_restaurants {
        names.push(restaurants::get(store.conn(), id)?.name);
    }
    if let Some(v) = &req.volunteer_id {
        volunteers::get(store.conn(), v)?;
    }

    // Fresh codes, none already in the database.
    let mut codes = codes::generate(count as usize)?;
    loop {
        let clash = table::taken(store.conn(), &codes)?;
        if clash.is_empty() {
            break;
        }
        let fresh = codes::generate(clash.len())?;
        for (old, new) in clash.iter().zip(fresh) {
            if let Some(slot) = codes.iter_mut().find(|c| *c == old) {
                *slot = new;
            }
        }
    }
    let stickers: Vec<Sticker> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| Sticker {
            code: code.clone(),
            url: campaign.sticker_url(code),
            restaurant: names.get(i).cloned(),
        })
        .collect();

    let logo = logo(store)?;
    let options = PrintOptions {
        // A logo hides the middle of the code: level H recovers up to 30% of it.
        ec: if logo.is_some() { EcLevel::H } else { req.ec_level },
        logo: logo.clone(),
        start_at: req.start_at,
        outlines: req.outlines,
        cut_marks: req.cut_marks,
        calibration: calibration(store)?.into(),
    };
    let mut file =
        AtomicFile::create(&req.out).map_err(|e| ApiError::file(FileAction::Create, &req.out, e))?;
    let writer = super::super::take_writer(&mut file, &req.out)?;
    let (writer, report) = sheet::write_sheets(writer, &template, &campaign, &stickers, &options, progress)
        .map_err(|e| match e {
        SheetError::Cancelled => ApiError::Cancelled,
        SheetError::StartAt { .. } => {
            ApiError::Invalid(crate::domain::ValidationError { field: "start_at", reason: e.to_string() })
        }
        SheetError::TooLong { .. } => {
            ApiError::Invalid(crate::domain::ValidationError { field: "base_url", reason: e.to_string() })
        }
        other => ApiError::StickerSheet(other),
    })?;

    let batch = PrintBatch {
        id: ulid::Ulid::from_datetime(now.into()).to_string(),
        template_id: template.id.clone(),
        template_name: template.name.clone(),
        count,
        start_at: req.start_at,
        ec_level: options.ec.as_str().to_string(),
        base_url: campaign.base_url.clone(),
        query: campaign.query.clone(),
        purpose: if preassigned { "preassigned" } else { "blank" }.to_string(),
        volunteer_id: req.volunteer_id.clone(),
        printed_by: req.printed_by.clone().filter(|p| !p.trim().is_empty()),
        file_name: req.out.file_name().map(|n| n.to_string_lossy().into_owned()),
        created_at: now,
    };
    // Event ids sort by time, then by step (printed before with_volunteer), then by sticker:
    // the latest event of a code is its state.
    let salt = u128::from(getrandom::u64().unwrap_or(0)) & 0xFF_FFFF_FFFF;
    let event_id = |i: usize, step: u8| {
        ulid::Ulid::from_parts(
            now.timestamp_millis().max(0) as u64,
            (u128::from(step) << 72) | ((i as u128) << 40) | salt,
        )
        .to_string()
    };
    // The whole PDF is on disk beside its target before anything is recorded; the batch is
    // committed next, and only then does the PDF take its place. Killed in between, the batch
    // is recorded and its PDF absent (reprint it); a PDF is never in place with codes the
    // database does not know. If placing it fails, the batch is taken back.
    let finished = file.finish_with(writer).map_err(|e| ApiError::file(FileAction::Write, &req.out, e))?;
    store.write(|tx| {
        table::insert_batch(tx, &batch)?;
        for (i, s) in stickers.iter().enumerate() {
            let restaurant = req.for_restaurants.get(i);
            table::insert_code(tx, &batch.id, i as u32 + 1, &s.code, &s.url, restaurant)?;
            table::insert_event(
                tx,
                &event_id(i, 0),
                &s.code,
                StickerState::Printed,
                restaurant,
                None,
                None,
                now,
            )?;
            if let Some(v) = &req.volunteer_id {
                table::insert_event(
                    tx,
                    &event_id(i, 1),
                    &s.code,
                    StickerState::WithVolunteer,
                    None,
                    Some(v),
                    None,
                    now,
                )?;
            }
        }
        crate::store::outbox::print_batch(tx, &batch.id, now)
    })?;
    if let Err(e) = finished.place() {
        store.write(|tx| table::unrecord_batch(tx, &batch.id))?;
        return Err(ApiError::file(FileAction::Write, &req.out, e));
    }

    let bytes = std::fs::metadata(&req.out).map(|m| m.len()).unwrap_or(0);
    let mut warnings = Vec::new();
    if logo.is_some() && req.ec_level != EcLevel::H {
        warnings.push(format!(
            "printed at error-correction level H instead of {}: the logo covers the middle of each code",
            req.ec_level
        ));
    }
    if report.smallest_module_mm < MIN_MODULE_MM {
        warnings.push(format!(
            "QR modules print at {:.2} mm, under {MIN_MODULE_MM} mm: phones may not scan them. Use a shorter base URL, a lower \
             error-correction level or a bigger label.",
            report.smallest_module_mm
        ));
    }
    Ok(PrintResult {
        batch_id: batch.id,
        out: req.out,
        pages: report.pages,
        stickers: report.stickers,
        bytes,
        smallest_module_mm: report.smallest_module_mm,
        qr_version: report.largest_version,
        warnings,
    })
}

/// A calibration page for the template, written atomically.
pub fn calibration_page(store: &Store, template_id: &str, out: &std::path::Path) -> Result<()> {
    let template = template(store, template_id)?;
    let mut file = AtomicFile::create(out).map_err(|e| ApiError::file(FileAction::Create, out, e))?;
    let writer = super::super::take_writer(&mut file, out)?;
    let writer = sheet::write_calibration(writer, &template, &calibration(store)?.into())
        .map_err(ApiError::StickerSheet)?;
    file.commit_with(writer).map_err(|e| ApiError::file(FileAction::Write, out, e))
}

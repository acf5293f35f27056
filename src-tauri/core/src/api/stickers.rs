//! Printing sticker batches and following every sticker: the campaign settings, the label
//! templates, a batch printed to PDF and recorded with its codes, and the codes' states.

use super::{ApiError, FileAction, Refusal, Result};
use crate::atomic_file::AtomicFile;
use crate::domain::validation::invalid;
use crate::domain::{RestaurantId, StickerState, VolunteerId};
use crate::stickers::campaign::{check_base_url, Campaign};
use crate::stickers::codes;
use crate::stickers::qr::{EcLevel, MIN_MODULE_MM};
use crate::stickers::sheet::{self, Calibration, PrintOptions, SheetError, Sticker};
use crate::stickers::{builtin, Template};
use crate::store::stickers::{self as table, PrintBatch, StickerCode};
use crate::store::{restaurants, settings, volunteers, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// The largest batch one print makes (a few hundred sheets).
pub const MAX_BATCH: u32 = 50_000;

pub fn templates(store: &Store) -> Result<Vec<Template>> {
    let mut all = builtin::all();
    for (_, json) in table::templates(store.conn())? {
        if let Ok(t) = serde_json::from_str::<Template>(&json) {
            all.push(t);
        }
    }
    Ok(all)
}

pub fn template(store: &Store, id: &str) -> Result<Template> {
    templates(store)?
        .into_iter()
        .find(|t| t.id.eq_ignore_ascii_case(id) || t.name.eq_ignore_ascii_case(id))
        .ok_or_else(|| ApiError::NotFound { what: "label template", id: id.to_string() })
}

/// Saves a template made in the editor or imported, after checking every label fits the page.
pub fn save_template(
    store: &mut Store,
    template: Template,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Template> {
    if let Err(e) = template.validate() {
        return invalid("template", e.to_string()).map_err(Into::into);
    }
    let json = serde_json::to_string(&template).map_err(|e| ApiError::encode("the label template", e))?;
    store.write(|tx| {
        table::save_template(tx, &template.id, &template.name, source, &json, now)?;
        crate::store::outbox::event(tx, "template", &template.id, now)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(template)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateImport {
    pub imported: u32,
    /// (template, why it was passed over)
    pub skipped: Vec<(String, String)>,
}

/// Imports gLabels template files, all or nothing: a file that cannot be read stops the import
/// with its name, line and column, and nothing is saved.
pub fn import_glabels(
    store: &mut Store,
    files: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<TemplateImport> {
    let mut templates = Vec::new();
    let mut skipped = Vec::new();
    for (name, xml) in files {
        let parsed = crate::stickers::glabels::parse(xml).map_err(|e| {
            ApiError::Invalid(crate::domain::ValidationError {
                field: "file",
                reason: format!("{name}: {e}"),
            })
        })?;
        templates.extend(parsed.templates);
        skipped.extend(parsed.skipped);
    }
    store.write(|tx| {
        for t in &templates {
            let json = serde_json::to_string(t).map_err(|e| ApiError::encode("the label template", e))?;
            table::save_template(tx, &t.id, &t.name, "glabels", &json, now)?;
            crate::store::outbox::event(tx, "template", &t.id, now)?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(TemplateImport { imported: templates.len() as u32, skipped })
}

pub fn campaign(store: &Store) -> Result<Campaign> {
    Ok(settings::get(store.conn(), "campaign")?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Saves the campaign's words and address; with a team, they travel to everyone (organisers
/// and coordinators only: the server refuses anyone else's).
pub fn save_campaign(store: &mut Store, campaign: Campaign, now: DateTime<Utc>) -> Result<Campaign> {
    let campaign = campaign.validate()?;
    let value = serde_json::to_value(&campaign).map_err(|e| ApiError::encode("the campaign", e))?;
    let json = value.to_string();
    store.write(|tx| {
        settings::set(tx, "campaign", &json)?;
        crate::store::outbox::campaign_setting(tx, "campaign", &value, now)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(campaign)
}

/// The campaign's logo, if one is set.
pub fn logo(store: &Store) -> Result<Option<crate::stickers::logo::Logo>> {
    use base64::Engine as _;
    let Some(b64) = settings::get(store.conn(), "campaign_logo")? else { return Ok(None) };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| ApiError::encode("the campaign", e))?;
    Ok(crate::stickers::logo::decode(&bytes).ok())
}

/// Sets (or with `None`, removes) the campaign's logo, a PNG or an SVG (kept as a PNG).
pub fn set_logo(store: &mut Store, upload: Option<Vec<u8>>) -> Result<bool> {
    use base64::Engine as _;
    let png = match upload {
        Some(bytes) => Some(crate::stickers::logo::from_upload(&bytes).map_err(|e| {
            ApiError::Invalid(crate::domain::ValidationError { field: "logo", reason: e.to_string() })
        })?),
        None => None,
    };
    store.write(|tx| {
        match &png {
            Some(bytes) => {
                settings::set(tx, "campaign_logo", &base64::engine::general_purpose::STANDARD.encode(bytes))?
            }
            None => {
                tx.execute("DELETE FROM settings WHERE key = 'campaign_logo'", [])?;
            }
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(png.is_some())
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrinterCalibration {
    pub offset_x_mm: f64,
    pub offset_y_mm: f64,
    pub scale: f64,
}

impl From<PrinterCalibration> for Calibration {
    fn from(c: PrinterCalibration) -> Self {
        Calibration { offset_x_mm: c.offset_x_mm, offset_y_mm: c.offset_y_mm, scale: c.scale }
    }
}

pub fn calibration(store: &Store) -> Result<PrinterCalibration> {
    Ok(settings::get(store.conn(), "printer_calibration")?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or(PrinterCalibration { offset_x_mm: 0.0, offset_y_mm: 0.0, scale: 1.0 }))
}

pub fn save_calibration(store: &mut Store, c: PrinterCalibration) -> Result<PrinterCalibration> {
    if !(c.offset_x_mm.abs() <= 20.0 && c.offset_y_mm.abs() <= 20.0) {
        return invalid("offset", "must be within 20 mm").map_err(Into::into);
    }
    if !(0.9..=1.1).contains(&c.scale) {
        return invalid("scale", "must be between 0.9 and 1.1 (90% to 110%)").map_err(Into::into);
    }
    let json = serde_json::to_string(&c).map_err(|e| ApiError::encode("the printer calibration", e))?;
    store.write(|tx| {
        settings::set(tx, "printer_calibration", &json)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(c)
}

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
    #[ts(type = "string")]
    pub out: PathBuf,
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
    let writer = super::take_writer(&mut file, &req.out)?;
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
    store
        .write(|tx| {
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
            crate::store::outbox::print_batch(tx, &batch.id, now)?;
            // The file goes in place only once everything is recorded; if the commit then fails,
            // the caller sees the error and the file without a batch is removed below.
            file.commit_with(writer).map_err(|e| ApiError::file(FileAction::Write, &req.out, e))?;
            Ok::<_, ApiError>(())
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&req.out);
        })?;

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
    let writer = super::take_writer(&mut file, out)?;
    let writer = sheet::write_calibration(writer, &template, &calibration(store)?.into())
        .map_err(ApiError::StickerSheet)?;
    file.commit_with(writer).map_err(|e| ApiError::file(FileAction::Write, out, e))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BatchDetail {
    pub batch: PrintBatch,
    pub codes: Vec<StickerCode>,
}

pub fn batches(store: &Store) -> Result<Vec<PrintBatch>> {
    Ok(table::batches(store.conn())?)
}

pub fn batch(store: &Store, id: &str) -> Result<BatchDetail> {
    batch_detail(store, id)
}

/// Hands every sticker of a batch that is still only printed to a volunteer, in one go (the
/// organiser gives out a sheet). Answers the batch as it is now.
pub fn hand_out(
    store: &mut Store,
    batch: &str,
    volunteer: &VolunteerId,
    now: DateTime<Utc>,
) -> Result<BatchDetail> {
    store.write(|tx| {
        table::batch(tx, batch)?;
        volunteers::get(tx, volunteer)?;
        let waiting: Vec<String> = table::codes(tx, batch)?
            .into_iter()
            .filter(|c| c.state == StickerState::Printed)
            .map(|c| c.code)
            .collect();
        if waiting.is_empty() {
            return Err(ApiError::from(Refusal::BatchAllHandedOut { batch: batch.to_string() }));
        }
        for code in &waiting {
            let id = ulid::Ulid::from_datetime(now.into()).to_string();
            table::insert_event(
                tx,
                &id,
                code,
                StickerState::WithVolunteer,
                None,
                Some(volunteer),
                None,
                now,
            )?;
            crate::store::outbox::event(tx, "sticker_event", &id, now)?;
        }
        Ok(())
    })?;
    batch_detail(store, batch)
}

fn batch_detail(store: &Store, id: &str) -> Result<BatchDetail> {
    Ok(BatchDetail { batch: table::batch(store.conn(), id)?, codes: table::codes(store.conn(), id)? })
}

/// Moves a sticker on in its life: handed to a volunteer, gone missing, or replaced. Placing a
/// sticker is done by logging a visit (so the visit and the sticker are linked).
pub fn mark(
    store: &mut Store,
    typed_code: &str,
    state: StickerState,
    volunteer: Option<VolunteerId>,
    now: DateTime<Utc>,
) -> Result<StickerCode> {
    let code = crate::domain::sticker_code::normalise(typed_code).ok_or_else(|| {
        ApiError::Invalid(crate::domain::ValidationError {
            field: "code",
            reason: format!("'{typed_code}' is not a sticker code"),
        })
    })?;
    if state == StickerState::Placed || state == StickerState::Printed {
        return invalid("state", "is set by printing or by logging a visit with the outcome sticker_placed")
            .map_err(Into::into);
    }
    if state == StickerState::WithVolunteer && volunteer.is_none() {
        return invalid("volunteer", "is required: who has the sticker?").map_err(Into::into);
    }
    store.write(|tx| {
        let current = table::code(tx, &code)?;
        if !current.state.may_become(state) {
            return Err(ApiError::from(Refusal::StickerMove {
                code: code.clone(),
                state: current.state,
                to: state,
            }));
        }
        if let Some(v) = &volunteer {
            volunteers::get(tx, v)?;
        }
        let id = ulid::Ulid::from_datetime(now.into()).to_string();
        let restaurant = match state {
            StickerState::Missing | StickerState::Replaced => current.restaurant_id.clone(),
            _ => None,
        };
        table::insert_event(tx, &id, &code, state, restaurant.as_ref(), volunteer.as_ref(), None, now)?;
        crate::store::outbox::event(tx, "sticker_event", &id, now)?;
        Ok(table::code(tx, &code)?)
    })
}

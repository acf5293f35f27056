//! Printing sticker batches and following every sticker: the campaign settings, the label
//! templates, a batch printed to PDF and recorded with its codes, and the codes' states.

use super::{ApiError, Refusal, Result};
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::validation::invalid;
use crate::domain::{StickerState, VolunteerId};
use crate::stickers::campaign::Campaign;
use crate::stickers::sheet::Calibration;
use crate::stickers::{builtin, Template};
use crate::store::stickers::{self as table, PrintBatch, StickerCode};
use crate::store::{settings, volunteers, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod print;
pub use print::{calibration_page, print, PrintRequest, PrintResult};

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
    access::require(store.conn(), Action::ManageTemplates)?;
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
    access::require(store.conn(), Action::ManageTemplates)?;
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
    access::require(store.conn(), Action::EditCampaign)?;
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
    access::require(store.conn(), Action::EditCampaign)?;
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
        access::require(tx, Action::PrintStickers)?;
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
        match &volunteer {
            Some(v) => {
                volunteers::get(tx, v)?;
                access::for_volunteer(tx, v, Action::LogOwnVisits, Action::PrintStickers)?;
            }
            None => access::require(tx, Action::LogOwnVisits)?,
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

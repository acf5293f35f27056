//! Commands for the Stickers view: thin adapters over `api::stickers`.

use super::{save_to, AppState, UiError};
use chrono::Utc;
use serde::Serialize;
use std::sync::atomic::Ordering;
use tablemap_core::api;
use tablemap_core::api::output::{FileKind, SaveTo};
use tablemap_core::api::stickers::{BatchDetail, PrintRequest, PrintResult};
use tablemap_core::stickers::campaign::{check_base_url as check_url, Campaign, UrlCheck};
use tablemap_core::stickers::preview::{self, Preview};
use tablemap_core::stickers::qr::EcLevel;
use tablemap_core::stickers::Template;
use tablemap_core::store::stickers::PrintBatch;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

type Answer<T> = Result<T, UiError>;

#[tauri::command(rename_all = "snake_case")]
pub async fn sticker_templates(state: State<'_, AppState>) -> Answer<Vec<Template>> {
    state.read(api::stickers::templates)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_campaign(state: State<'_, AppState>) -> Answer<Campaign> {
    state.read(api::stickers::campaign)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_campaign(state: State<'_, AppState>, campaign: Campaign) -> Answer<Campaign> {
    state.write(|s| api::stickers::save_campaign(s, campaign, chrono::Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn check_base_url(url: String) -> Answer<UrlCheck> {
    check_url(&url).map_err(|e| UiError::from(api::ApiError::from(e)))
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StickerPreviews {
    pub sticker: Preview,
    pub page: Preview,
    /// With a logo, codes print at level H whatever was chosen.
    pub has_logo: bool,
}

/// Sets the campaign's logo from a PNG's bytes in base64, or removes it with `null`.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_campaign_logo(state: State<'_, AppState>, png_base64: Option<String>) -> Answer<bool> {
    use base64::Engine as _;
    let bytes = match png_base64 {
        Some(b64) => Some(base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|e| {
            UiError::from(api::ApiError::Invalid(tablemap_core::domain::ValidationError {
                field: "logo",
                reason: e.to_string(),
            }))
        })?),
        None => None,
    };
    state.write(|s| api::stickers::set_logo(s, bytes))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sticker_preview(
    state: State<'_, AppState>,
    template_id: String,
    campaign: Campaign,
    ec_level: EcLevel,
    start_at: u32,
    count: u32,
) -> Answer<StickerPreviews> {
    let (template, logo) =
        state.read(|s| Ok((api::stickers::template(s, &template_id)?, api::stickers::logo(s)?)))?;
    let ec_level = if logo.is_some() { EcLevel::H } else { ec_level };
    let io =
        |e: tablemap_core::stickers::text::FontError| UiError::from(api::ApiError::StickerSheet(e.into()));
    Ok(StickerPreviews {
        sticker: preview::sticker(&template, &campaign, ec_level, None, logo.as_ref()).map_err(io)?,
        page: preview::first_page(&template, &campaign, ec_level, start_at.max(1), count, logo.as_ref())
            .map_err(io)?,
        has_logo: logo.is_some(),
    })
}

/// Progress of a print, sent as pages are written.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PrintProgress {
    pub done: u32,
    pub total: u32,
}

/// Prints off the main thread, reporting progress on `on_progress`; `cancel_print` stops it.
#[tauri::command(rename_all = "snake_case")]
pub async fn print_stickers(
    app: AppHandle,
    mut request: PrintRequest,
    save_to: SaveTo,
    file_name: String,
    on_progress: Channel<PrintProgress>,
) -> Answer<PrintResult> {
    request.out = save_to::destination(&app, save_to, &file_name, FileKind::Stickers).await?;
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.cancel_print.store(false, Ordering::SeqCst);
        state.write(|s| {
            api::stickers::print(s, request, Utc::now(), &mut |done, total| {
                let _ = on_progress.send(PrintProgress { done, total });
                !state.cancel_print.load(Ordering::SeqCst)
            })
        })
    })
    .await
    .map_err(|e| UiError::stopped("printing", e))?
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_print(state: State<'_, AppState>) -> Answer<()> {
    state.cancel_print.store(true, Ordering::SeqCst);
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn print_batches(state: State<'_, AppState>) -> Answer<Vec<PrintBatch>> {
    state.read(api::stickers::batches)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn batch_detail(state: State<'_, AppState>, id: String) -> Answer<BatchDetail> {
    state.read(|s| api::stickers::batch(s, &id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_glabels(
    state: State<'_, AppState>,
    files: Vec<(String, String)>,
) -> Answer<api::stickers::TemplateImport> {
    state.write(|s| api::stickers::import_glabels(s, &files, Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_custom_template(state: State<'_, AppState>, template: Template) -> Answer<Template> {
    state.write(|s| api::stickers::save_template(s, template, "custom", Utc::now()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn get_calibration(state: State<'_, AppState>) -> Answer<api::stickers::PrinterCalibration> {
    state.read(api::stickers::calibration)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_calibration(
    state: State<'_, AppState>,
    calibration: api::stickers::PrinterCalibration,
) -> Answer<api::stickers::PrinterCalibration> {
    state.write(|s| api::stickers::save_calibration(s, calibration))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn print_calibration_page(app: AppHandle, template_id: String, save_to: SaveTo) -> Answer<String> {
    let path = save_to::destination(&app, save_to, "", FileKind::Calibration).await?;
    app.state::<AppState>().read(|s| api::stickers::calibration_page(s, &template_id, &path))?;
    Ok(path.display().to_string())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mark_sticker(
    state: State<'_, AppState>,
    code: String,
    sticker_state: tablemap_core::domain::StickerState,
    volunteer_id: Option<tablemap_core::domain::VolunteerId>,
) -> Answer<tablemap_core::store::stickers::StickerCode> {
    state.write(|s| api::stickers::mark(s, &code, sticker_state, volunteer_id, Utc::now()))
}

/// Hands a batch's printed stickers to a volunteer.
#[tauri::command(rename_all = "snake_case")]
pub async fn hand_out_batch(
    state: State<'_, AppState>,
    batch_id: String,
    volunteer_id: tablemap_core::domain::VolunteerId,
) -> Answer<api::stickers::BatchDetail> {
    state.write(|s| api::stickers::hand_out(s, &batch_id, &volunteer_id, Utc::now()))
}

/// Exports every restaurant (csv, geojson) or the public map folder, into the output folder or
/// where the save dialog says.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_restaurants(app: AppHandle, kind: FileKind, save_to: SaveTo) -> Answer<Exported> {
    let path = save_to::destination(&app, save_to, "", kind).await?;
    let count = app.state::<AppState>().read(|s| match kind {
        FileKind::Csv => api::exports::csv(s, &path),
        FileKind::Geojson => api::exports::geojson(s, &path),
        FileKind::PublicMap => api::exports::public_map(s, &path),
        other => Err(api::ApiError::Invalid(tablemap_core::domain::ValidationError {
            field: "kind",
            reason: format!("{other:?} is not an export of the restaurants"),
        })),
    })?;
    Ok(Exported { count, path: path.display().to_string() })
}

/// What an export wrote, and where.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Exported {
    #[ts(type = "number")]
    pub count: u64,
    pub path: String,
}

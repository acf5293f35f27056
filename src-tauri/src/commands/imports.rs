//! Commands for the import wizard: thin adapters over `api::imports`. The chosen file's bytes
//! stay in the app (one pending import at a time) while the person adjusts the options.

use super::{AppState, UiError};
use chrono::Utc;
use serde::Serialize;
use std::sync::atomic::Ordering;
use tablemap_core::api::imports::{self, CsvImport, CsvImportSummary, CsvPreview, Located};
use tablemap_core::imports::CsvOptions;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

type Answer<T> = Result<T, UiError>;

/// A file chosen in the wizard, kept until it is imported or the wizard closes.
pub struct PendingCsv {
    pub name: String,
    pub bytes: Vec<u8>,
    pub located: Located,
    /// Positions were looked up at least once.
    pub looked_up: bool,
}

/// Progress of an import, sent every few hundred rows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// Receives the file as the raw request body (no JSON round trip for megabytes of CSV), with
/// its name in the `x-file-name` header; answers with the preview under detected options.
#[tauri::command(rename_all = "snake_case")]
pub async fn csv_import_open(state: State<'_, AppState>, request: Request<'_>) -> Answer<CsvPreview> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::conflict("the file did not arrive as bytes"));
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_else(|| "file.csv".into());
    let pending = PendingCsv { name, bytes: bytes.clone(), located: Located::new(), looked_up: false };
    let preview =
        state.read(|s| imports::preview(s, &pending.bytes, &CsvOptions::default(), &pending.located))?;
    *state.pending_csv() = Some(pending);
    Ok(preview)
}

/// The preview again under the person's options (encoding, delimiter, mapping, duplicates).
#[tauri::command(rename_all = "snake_case")]
pub async fn csv_import_preview(state: State<'_, AppState>, options: CsvOptions) -> Answer<CsvPreview> {
    let pending = state.pending_csv();
    let Some(p) = pending.as_ref() else {
        return Err(UiError::conflict("no file is open in the import wizard: choose one"));
    };
    state.read(|s| imports::preview(s, &p.bytes, &options, &p.located))
}

/// Imports the open file in one transaction, off the main thread, with progress;
/// `csv_import_cancel` stops it and keeps nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn csv_import_run(
    app: AppHandle,
    options: CsvOptions,
    on_progress: Channel<ImportProgress>,
) -> Answer<CsvImportSummary> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.cancel_import.store(false, Ordering::SeqCst);
        let pending = state.pending_csv().take();
        let Some(p) = pending else {
            return Err(UiError::conflict("no file is open in the import wizard: choose one"));
        };
        let job = CsvImport {
            bytes: &p.bytes,
            options: &options,
            overrides: &[],
            located: &p.located,
            looked_up: p.looked_up,
            dry_run: false,
            now: Utc::now(),
        };
        let result = state.write(|s| {
            imports::import_csv(s, job, &mut |done, total| {
                let _ = on_progress.send(ImportProgress { done, total });
                !state.cancel_import.load(Ordering::SeqCst)
            })
        });
        if result.is_err() {
            // Nothing was kept: leave the file open so the person can fix the options and retry.
            *state.pending_csv() = Some(p);
        }
        result
    })
    .await
    .map_err(|e| UiError::stopped("the import", e))?
}

#[tauri::command(rename_all = "snake_case")]
pub async fn csv_import_cancel(state: State<'_, AppState>) -> Answer<()> {
    state.cancel_import.store(true, Ordering::SeqCst);
    Ok(())
}

/// Forgets the open file (the wizard closed).
#[tauri::command(rename_all = "snake_case")]
pub async fn csv_import_close(state: State<'_, AppState>) -> Answer<()> {
    *state.pending_csv() = None;
    Ok(())
}

/// File names travel percent-encoded (headers are ASCII).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_decode() {
        let cases = [
            ("members.csv", "members.csv"),
            ("caf%C3%A9%20list.csv", "café list.csv"),
            ("100%", "100%"),
            ("a%2", "a%2"),
        ];
        for (raw, want) in cases {
            assert_eq!(super::percent_decode(raw), want);
        }
    }
}

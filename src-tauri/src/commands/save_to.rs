//! Where a window command writes: into the output folder, or where the person says in the native
//! save dialog, which the command opens itself. The webview only says which of the two and may
//! suggest a file name; it never names a path. The output folder changes only through the native
//! folder dialog (`choose_output_folder`).
//!
//! The dialogs are rfd's, opened on the main thread as tauri-plugin-dialog does; the plugin
//! itself is not used because its script replaces the webview's `confirm()` with an
//! asynchronous one, so every "Erase …?" question would read as yes (ARCHITECTURE.md).

use super::{Answer, AppState, UiError};
use chrono::Utc;
use rfd::{AsyncFileDialog, FileHandle};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use tablemap_core::api::output::{self, FileKind, SaveTo};
use tablemap_core::i18n;
use tauri::{AppHandle, Manager, State};

type Chosen = Pin<Box<dyn Future<Output = Option<FileHandle>> + Send>>;

/// The path to write a `kind` file to, named after `typed` (a name, not a path: any folder part
/// is dropped). Closing the dialog is `Cancelled`.
pub async fn destination(app: &AppHandle, save_to: SaveTo, typed: &str, kind: FileKind) -> Answer<PathBuf> {
    let state = app.state::<AppState>();
    match save_to {
        SaveTo::OutputFolder => state.read(|s| output::in_output_folder(s, typed, kind, Utc::now())),
        SaveTo::Ask => {
            let folder = state.read(output::folder)?;
            let name = output::file_name(typed, kind, Utc::now());
            let title = dialog_title(&state, kind.dialog_title_key())?;
            let chosen = on_main_thread(app, move |mut dialog| {
                dialog = dialog.set_title(title).set_file_name(name);
                if let Some(dir) = nearest_folder(&folder) {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(ext) = kind.extension() {
                    dialog = dialog.add_filter(kind.filter_name(), &[ext]);
                }
                Box::pin(dialog.save_file())
            })
            .await?;
            Ok(output::with_extension(chosen, kind))
        }
    }
}

/// A dialog's title in the window's language (GTK's own is English "Save File").
fn dialog_title(state: &AppState, key: &str) -> Answer<String> {
    let chosen = state.read(tablemap_core::api::settings::get)?.language;
    Ok(i18n::text(i18n::window_language(&chosen), key))
}

/// The output folder, or its nearest parent that exists (the output folder is made on first
/// use): dialogs open there rather than on GTK's "Recent" list.
fn nearest_folder(folder: &std::path::Path) -> Option<&std::path::Path> {
    folder.ancestors().find(|p| p.is_dir())
}

/// Opens a dialog over the main window. GTK dialogs are made on the main thread; the answer is
/// awaited here.
async fn on_main_thread(
    app: &AppHandle,
    open: impl FnOnce(AsyncFileDialog) -> Chosen + Send + 'static,
) -> Answer<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel::<Chosen>();
    let handle = app.clone();
    app.run_on_main_thread(move || {
        let mut dialog = AsyncFileDialog::new();
        if let Some(window) = handle.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
        let _ = tx.send(open(dialog));
    })
    .map_err(|e| UiError::stopped("the save dialog", e))?;
    let chosen = rx.await.map_err(|e| UiError::stopped("the save dialog", e))?.await;
    chosen.map(|f| f.path().to_path_buf()).ok_or_else(UiError::cancelled)
}

/// The output folder now in use.
#[tauri::command(rename_all = "snake_case")]
pub async fn output_folder(state: State<'_, AppState>) -> Answer<String> {
    Ok(state.read(output::folder)?.display().to_string())
}

/// Asks for a new output folder with the native folder dialog; answers the folder in use.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_output_folder(app: AppHandle) -> Answer<String> {
    let state = app.state::<AppState>();
    let current = state.read(output::folder)?;
    let title = dialog_title(&state, output::FOLDER_DIALOG_TITLE)?;
    let chosen = on_main_thread(&app, move |mut dialog| {
        dialog = dialog.set_title(title).set_can_create_directories(true);
        if let Some(dir) = nearest_folder(&current) {
            dialog = dialog.set_directory(dir);
        }
        Box::pin(dialog.pick_folder())
    })
    .await?;
    Ok(state.write(|s| output::set_folder(s, Some(&chosen)))?.display().to_string())
}

/// Goes back to the default output folder (`~/Documents/Tablemap`).
#[tauri::command(rename_all = "snake_case")]
pub async fn reset_output_folder(state: State<'_, AppState>) -> Answer<String> {
    Ok(state.write(|s| output::set_folder(s, None))?.display().to_string())
}

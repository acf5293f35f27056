//! The first run's choice: demo data in a database of its own, or the campaign's own (empty,
//! named first); and the once-only offer to take an older version's demo set out.

use super::{AppState, UiError};
use chrono::Utc;
use tablemap_core::api::first_run::{self, FirstRun};
use tablemap_core::store::demo_rows::DemoRemoved;
use tauri::State;

type Answer<T> = Result<T, UiError>;

#[tauri::command(rename_all = "snake_case")]
pub async fn first_run(state: State<'_, AppState>) -> Answer<FirstRun> {
    let demo = state.in_demo();
    if demo {
        return Ok(FirstRun { choose: false, demo, old_demo: 0 });
    }
    state.read(|s| first_run::status(s, false))
}

/// Shows the demo database (made and seeded beside the campaign's on first use).
#[tauri::command(rename_all = "snake_case")]
pub async fn open_demo(state: State<'_, AppState>) -> Answer<FirstRun> {
    if !state.in_demo() {
        let real = state.read(|s| Ok(s.path().map(std::path::Path::to_path_buf)))?;
        let Some(real) = real else {
            return Err(tablemap_core::api::ApiError::Inconsistent {
                what: "a database in memory has no demo beside it",
            }
            .into());
        };
        let demo = tablemap_core::demo::open_beside(&real, Utc::now()).map_err(UiError::from)?;
        state.show_demo(demo);
    }
    Ok(FirstRun { choose: false, demo: true, old_demo: 0 })
}

/// Leaves the demo (if shown) and starts the campaign under `name` at `base_url`.
#[tauri::command(rename_all = "snake_case")]
pub async fn start_campaign(state: State<'_, AppState>, name: String, base_url: String) -> Answer<FirstRun> {
    state.show_real();
    state.write(|s| first_run::start(s, &name, &base_url, Utc::now()))?;
    state.read(|s| first_run::status(s, false))
}

/// Leaves the demo for the campaign's database, as it is (already started).
#[tauri::command(rename_all = "snake_case")]
pub async fn leave_demo(state: State<'_, AppState>) -> Answer<FirstRun> {
    state.show_real();
    state.read(|s| first_run::status(s, false))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn answer_old_demo(state: State<'_, AppState>, remove: bool) -> Answer<DemoRemoved> {
    state.write(|s| tablemap_core::demo::answer_old_offer(s, remove, Utc::now()))
}

//! The window: builds the Tauri app, registers the `tiles:` protocol and the commands.
//! Only this file and `commands/` know about Tauri.

use crate::commands::{self, AppState};
use chrono::Utc;
use std::path::Path;
use std::time::Instant;
use tablemap_core::api;
use tablemap_core::sources::tiles::{TileCache, TileFetcher};
use tablemap_core::store::Store;
use tablemap_core::store::StoreError;
use tauri::http::{header, Response, StatusCode};
use tauri::Manager;

/// Opens the window on the database at `db`, seeding the demo set when the file is new.
pub fn run(db: &Path, tile_cache: &Path, started: Instant) -> anyhow::Result<()> {
    // WebKitGTK paints with Skia on GPU threads, which crash on software OpenGL (Mesa's swrast:
    // Xvfb, virtual machines, machines without a working GPU driver). Tablemap draws a map and a
    // few panels: the CPU paints them quickly everywhere. Set before WebKit starts (its web
    // process inherits the environment); a user who wants the GPU can set it to 0.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_none() {
        std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
    }
    // Nothing fake ever goes in here: the first run offers demo data in a database of its own.
    // A key that does not open the database (or cannot be reached) is said in the window, with
    // what to do; the window then holds nothing (an empty database in memory) and offers nothing.
    let (mut store, problem) = match Store::open(db) {
        Ok(store) => (store, None),
        Err(e @ (StoreError::WrongKey { .. } | StoreError::Key(_))) => {
            let words = api::ApiError::from(e).to_string();
            eprintln!("tablemap: {words}");
            (Store::open_in_memory()?, Some(words))
        }
        Err(e) => return Err(e.into()),
    };
    // What the person chose to keep only so long goes now (Settings → Privacy).
    if let Err(e) = api::retention::apply(&mut store, Utc::now()) {
        eprintln!("tablemap: retention could not be applied: {e}");
    }
    let settings = api::settings::get(&store)?;
    let tiles = TileFetcher::new(TileCache::open(tile_cache)?);
    let state = AppState::new(store, tiles, settings.tile_url, started);
    state.set_basemap(settings.mbtiles_path.as_deref());
    if problem.is_none() {
        state.start_sync(sync_timing(settings.sync_every_minutes));
    }
    state.set_problem(problem);

    tauri::Builder::default()
        .manage(state)
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                tune_webview(&window);
            }
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol("tiles", |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            let path = request.uri().path().to_string();
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                responder.respond(tile_response(&state, &path).await);
            });
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_restaurants,
            commands::map_clusters,
            commands::cuisines,
            commands::follow_ups,
            commands::areas::list_areas,
            commands::areas::area_shapes,
            commands::areas::import_areas,
            commands::areas::create_area,
            commands::areas::assign_area,
            commands::areas::release_area,
            commands::areas::add_area_note,
            commands::areas::area_notes,
            commands::areas::plan_walk,
            commands::areas::plan_walk_of,
            commands::areas::print_walk_sheet,
            commands::areas::record_visits,
            commands::status_counts,
            commands::data_extent,
            commands::get_restaurant,
            commands::add_restaurant,
            commands::update_restaurant,
            commands::decide_proposal,
            commands::erase_restaurant,
            commands::erase_volunteer,
            commands::report,
            commands::export_report_csv,
            commands::report_pdf,
            commands::export_restaurant_record,
            commands::startup_problem,
            commands::check_database,
            commands::backup_now,
            commands::list_backups,
            commands::restore_backup,
            commands::first_run::first_run,
            commands::first_run::open_demo,
            commands::first_run::start_campaign,
            commands::first_run::leave_demo,
            commands::first_run::answer_old_demo,
            commands::retention_status,
            commands::save_retention,
            commands::clear_caches,
            commands::record_visit,
            commands::record_consent,
            commands::list_volunteers,
            commands::add_volunteer,
            commands::get_settings,
            commands::save_settings,
            commands::app_info,
            commands::key_status,
            commands::map_ready,
            commands::stickers::sticker_templates,
            commands::stickers::get_campaign,
            commands::stickers::save_campaign,
            commands::stickers::check_base_url,
            commands::stickers::sticker_preview,
            commands::stickers::print_stickers,
            commands::stickers::cancel_print,
            commands::stickers::print_batches,
            commands::stickers::batch_detail,
            commands::save_to::output_folder,
            commands::save_to::choose_output_folder,
            commands::save_to::reset_output_folder,
            commands::stickers::import_glabels,
            commands::stickers::save_custom_template,
            commands::stickers::get_calibration,
            commands::stickers::save_calibration,
            commands::stickers::print_calibration_page,
            commands::stickers::set_campaign_logo,
            commands::stickers::mark_sticker,
            commands::stickers::hand_out_batch,
            commands::stickers::export_restaurants,
            commands::imports::csv_import_open,
            commands::imports::csv_import_preview,
            commands::imports::csv_import_run,
            commands::imports::csv_import_cancel,
            commands::imports::csv_import_close,
            commands::places::csv_import_locate,
            commands::places::reverse_geocode,
            commands::places::osm_import,
            commands::places::cancel_osm_import,
            commands::tiles::offline_estimate,
            commands::tiles::keep_offline,
            commands::tiles::cancel_keep_offline,
            commands::sync::sync_status,
            commands::sync::watch_sync,
            commands::sync::join_team,
            commands::sync::sync_now,
            commands::sync::sync_reviews,
            commands::sync::clear_review,
            commands::sync::retry_refused,
            commands::sync::drop_refused,
            commands::sync::leave_team,
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}

/// Every `minutes` (the setting) while joined, ten seconds after a change;
/// `TABLEMAP_SYNC_EVERY` (seconds) overrides the first (tests).
fn sync_timing(minutes: u32) -> crate::background::Timing {
    let mut timing = crate::background::Timing {
        every: std::time::Duration::from_secs(u64::from(minutes.max(1)) * 60),
        ..Default::default()
    };
    if let Some(secs) = std::env::var("TABLEMAP_SYNC_EVERY").ok().and_then(|s| s.parse::<u64>().ok()) {
        timing.every = std::time::Duration::from_secs(secs.max(1));
    }
    timing
}

/// The map's markers are one 2D canvas redrawn on every pan. WebKitGTK may still accelerate a 2D
/// canvas on the GPU when painting is on the CPU (see `run`), and that crashes on software
/// OpenGL too: painting a few hundred symbols on the CPU costs under a millisecond, so the canvas
/// is never accelerated.
fn tune_webview(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::glib::prelude::ObjectExt;
            use webkit2gtk::WebViewExt;
            if let Some(settings) = webview.inner().settings() {
                if settings.find_property("enable-2d-canvas-acceleration").is_some() {
                    settings.set_property("enable-2d-canvas-acceleration", false);
                }
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

async fn tile_response(state: &AppState, path: &str) -> Response<Vec<u8>> {
    let answer = |status: StatusCode, content_type: &str, body: Vec<u8>| {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .body(body)
            .unwrap_or_default()
    };
    let basemap = state.basemap();
    let tile =
        api::tiles::tile(&state.tiles, &state.tile_template(), basemap.as_deref(), path, Utc::now()).await;
    // A tile that cannot be had leaves the map's plain background and markers (a blank tile from
    // an MBTiles file, Leaflet's error tile otherwise).
    let status = StatusCode::from_u16(tile.status).unwrap_or(StatusCode::BAD_GATEWAY);
    answer(status, &tile.content_type, tile.body)
}

// Declares the app's commands so each gets its own permission (allow-<command>), and
// capabilities/default.json can grant exactly these and nothing else.
const COMMANDS: &[&str] = &[
    "list_restaurants",
    "map_view",
    "status_counts",
    "data_extent",
    "get_restaurant",
    "add_restaurant",
    "update_restaurant",
    "record_visit",
    "record_consent",
    "list_volunteers",
    "add_volunteer",
    "get_settings",
    "save_settings",
    "app_info",
    "map_ready",
    "sticker_templates",
    "get_campaign",
    "save_campaign",
    "check_base_url",
    "sticker_preview",
    "print_stickers",
    "cancel_print",
    "print_batches",
    "batch_detail",
    "default_output_folder",
    "import_glabels",
    "save_custom_template",
    "get_calibration",
    "save_calibration",
    "print_calibration_page",
    "set_campaign_logo",
    "mark_sticker",
    "export_restaurants",
    "csv_import_open",
    "csv_import_preview",
    "csv_import_run",
    "csv_import_cancel",
    "csv_import_close",
    "csv_import_locate",
    "reverse_geocode",
    "osm_import",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}

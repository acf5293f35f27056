//! End-to-end: the real window, driven through tauri-driver + WebKitWebDriver.
//! Run under Xvfb by `make test`; each test starts its own driver on its own ports.

use anyhow::{Context, Result};
use std::path::Path;
use tablemap_e2e::fixture_server::tile_server;
use tablemap_e2e::{cli, cli_json, App};

fn fixture_tile() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiles/tile.png"))
        .expect("fixture tile")
}

/// A demo database whose tiles come from a local tile server.
fn seeded(dir: &Path, tiles_base: &str) -> Result<std::path::PathBuf> {
    let db = dir.join("e2e.sqlite");
    cli(&db, &["demo"])?;
    cli(&db, &["settings", "set", "--tile-url", &format!("{tiles_base}/{{z}}/{{x}}/{{y}}.png")])?;
    Ok(db)
}

#[tokio::test(flavor = "current_thread")]
async fn search_open_log_a_visit_and_find_it_after_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let db = seeded(dir.path(), &tiles.base_url())?;
    let cache = dir.path().join("tiles.sqlite");

    // A restaurant nobody has visited yet, and a volunteer.
    let candidates =
        cli_json(&db, &["restaurants", "list", "--status", "not_contacted", "--format", "json"])?;
    let target = &candidates[0];
    let id = target["id"].as_str().context("id")?.to_string();
    let name = target["name"].as_str().context("name")?.to_string();
    let postcode = target["postcode"].as_str().context("postcode")?.to_string();
    let volunteers = cli_json(&db, &["volunteers", "list", "--format", "json"])?;
    let volunteer = volunteers[0]["id"].as_str().context("volunteer")?.to_string();

    let app = App::launch(&db, &cache).await.context("first launch")?;
    app.wait_for(".tm-marker").await?;

    // Search by name and postcode (names repeat across London; the postcode makes it unique).
    app.type_into("#search", &format!("{name} {postcode}")).await?;
    let row = app.wait_for(&format!("#restaurant-list li[data-id='{id}']")).await?;
    row.click().await?;
    let title = app.wait_for("#detail-title").await?;
    assert_eq!(title.text().await?, name);
    app.wait_for("#detail-status[data-status='not_contacted']").await?;

    // Log the visit with the keyboard-free path: pick, choose, type, save.
    app.choose("#visit-volunteer", &volunteer).await?;
    app.choose("#visit-outcome", "agreed").await?;
    app.type_into("#visit-note", "Owner keen; sticker next week").await.context("typing the note")?;
    app.click("#visit-save").await?;

    // The panel, the list badge and the marker all say `agreed`.
    app.wait_for("#detail-status[data-status='agreed']").await?;
    app.wait_for(&format!("#restaurant-list li[data-id='{id}'] .badge[data-status='agreed']")).await?;
    app.wait_for(&format!(".tm-marker[data-id='{id}'][data-status='agreed']")).await?;
    let note = app.wait_for(".visit .visit-note").await?.text().await?;
    assert_eq!(note, "Owner keen; sticker next week");

    // The basemap came through the tiles: protocol from the local tile server.
    app.wait_for("img.leaflet-tile-loaded").await.context("a tile drawn")?;
    assert!(tiles.requests().iter().all(|r| r.headers["user-agent"].starts_with("Tablemap/")));
    assert!(!tiles.requests().is_empty());
    app.quit().await.context("closing the first window")?;

    // On disk, as the CLI sees it.
    let shown = cli_json(&db, &["restaurants", "show", &id, "--format", "json"])?;
    assert_eq!(shown["status"], "agreed");
    assert_eq!(shown["visits"][0]["note"], "Owner keen; sticker next week");

    // And in the window again after a restart.
    let app = App::launch(&db, &cache).await.context("second launch")?;
    app.wait_for(&format!(".tm-marker[data-id='{id}'][data-status='agreed']")).await?;
    app.type_into("#search", &format!("{name} {postcode}")).await?;
    app.wait_for(&format!("#restaurant-list li[data-id='{id}'] .badge[data-status='agreed']"))
        .await?
        .click()
        .await?;
    app.wait_for("#detail-status[data-status='agreed']").await?;
    assert_eq!(app.count(".visit[data-outcome='agreed']").await?, 1);
    app.quit().await
}

#[tokio::test(flavor = "current_thread")]
async fn a_hostile_name_is_shown_as_text_and_runs_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let db = seeded(dir.path(), &tiles.base_url())?;
    let evil = "<img src=x onerror=alert(1)>";
    let id = cli(
        &db,
        &[
            "restaurants",
            "add",
            "--name",
            evil,
            "--lat",
            "51.5467",
            "--lon",
            "-0.0755",
            "--address",
            "<b>1 Bold St</b>",
        ],
    )?
    .trim()
    .to_string();

    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.type_into("#search", "img onerror").await?;
    let row = app.wait_for(&format!("#restaurant-list li[data-id='{id}']")).await?;
    assert_eq!(app.text_of(&format!("#restaurant-list li[data-id='{id}'] .name")).await?, evil);
    row.click().await?;
    assert_eq!(app.wait_for("#detail-title").await?.text().await?, evil);
    let marker = app.wait_for(&format!(".tm-marker[data-id='{id}']")).await?;
    assert_eq!(marker.attr("title").await?.as_deref(), Some(evil));

    // No element was made from the text, no <b> from the address, and no alert is open.
    assert_eq!(app.count("img[src='x']").await?, 0);
    assert_eq!(app.count(".panel b").await?, 0);
    assert!(app.client.get_alert_text().await.is_err(), "an alert is open: the name ran as HTML");
    app.quit().await
}

#[tokio::test(flavor = "current_thread")]
async fn add_a_restaurant_by_clicking_the_map_with_validation() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let db = seeded(dir.path(), &tiles.base_url())?;
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.wait_for(".tm-marker").await?;

    app.click("#add-restaurant").await?;
    // Saving an empty form names what is missing.
    app.click("#rf-save").await?;
    app.wait_for("#rf-name-error").await?;
    app.wait_for("#rf-lat-error").await?;

    app.type_into("#rf-name", "Sheba Coffee").await?;
    // A click on the map fills in the coordinates.
    app.wait_for(".leaflet-container").await?.click().await?;
    let lat = app.wait_for("#rf-lat").await?.prop("value").await?.unwrap_or_default();
    let lat: f64 = lat.parse().with_context(|| format!("latitude filled from the map: {lat:?}"))?;
    assert!((51.0..52.0).contains(&lat), "{lat}");
    app.click("#rf-save").await?;

    app.wait_for("#detail-status[data-status='not_contacted']").await?;
    assert_eq!(app.wait_for("#detail-title").await?.text().await?, "Sheba Coffee");

    // Export from the settings dialog: a CSV of all 61, in the default folder.
    app.click("#open-settings").await?;
    app.click("#export-csv").await?;
    app.wait_for("#export-note").await?;
    let note = app.text_of("#export-note").await?;
    let path =
        note.strip_prefix("Exported 61 restaurants to ").with_context(|| format!("export note: {note}"))?;
    assert!(std::path::Path::new(path).starts_with(dir.path()), "{path} is inside the test's home");
    assert!(std::fs::read(path)?.starts_with("\u{feff}id,name".as_bytes()));
    app.quit().await?;
    let found = cli_json(&db, &["restaurants", "list", "--search", "sheba", "--format", "json"])?;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn keyboard_only_find_open_and_log_a_visit() -> Result<()> {
    use fantoccini::key::Key;
    let key = |k: Key| char::from(k).to_string();
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let db = seeded(dir.path(), &tiles.base_url())?;
    let target = &cli_json(&db, &["restaurants", "list", "--status", "contacted", "--format", "json"])?[0];
    let id = target["id"].as_str().context("id")?.to_string();
    let query = format!(
        "{} {}",
        target["name"].as_str().context("name")?,
        target["postcode"].as_str().context("pc")?
    );
    let volunteer = cli_json(&db, &["volunteers", "list", "--format", "json"])?[1]["id"]
        .as_str()
        .context("v")?
        .to_string();

    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.wait_for(".tm-marker").await?;
    // "/" jumps to the search box from anywhere.
    app.press("/").await?;
    assert_eq!(app.focused_id().await?, "search");
    app.press(&query).await?;
    app.wait_count("#restaurant-list li", 1).await?;
    app.wait_for(&format!("#restaurant-list li[data-id='{id}']")).await?;
    // Down moves into the list, Enter opens the highlighted restaurant.
    app.press(&key(Key::Down)).await?;
    assert_eq!(app.focused_id().await?, "restaurant-list");
    app.press(&key(Key::Enter)).await?;
    app.wait_for(&format!("aside[data-restaurant-id='{id}']")).await?;
    // The panel takes focus on its heading; Tab reaches the visit form.
    let mut steps = 0;
    while app.focused_id().await? != "visit-note" {
        app.press(&key(Key::Tab)).await?;
        steps += 1;
        assert!(steps < 25, "the visit form's note is not reachable with Tab");
    }
    app.choose("#visit-volunteer", &volunteer).await?;
    app.choose("#visit-outcome", "come_back").await?;
    app.click("#visit-note").await?;
    app.press("Ask for the owner on Tuesday").await?;
    // Ctrl+Enter saves from inside the form.
    app.press(&format!("{}{}", key(Key::Control), key(Key::Enter))).await?;
    app.wait_for("#detail-status[data-status='follow_up']").await?;
    // Escape closes the panel (when not typing in a field).
    app.click("#detail-title").await?;
    app.press(&key(Key::Escape)).await?;
    app.client.wait().at_most(tablemap_e2e::WAIT).for_element(fantoccini::Locator::Css(".map-wrap")).await?;
    assert_eq!(app.count("aside[data-restaurant-id]").await?, 0, "Escape closes the panel");
    app.quit().await
}

#[tokio::test(flavor = "current_thread")]
async fn an_organiser_prints_a_batch_from_the_window() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let db = seeded(dir.path(), &tiles.base_url())?;
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.click("#tab-stickers").await?;
    app.wait_for("#sticker-preview").await?;

    // A non-https address is refused in place, before anything is printed.
    app.type_into("#c-url", "http://mc.org.uk/S").await?;
    app.wait_for("#c-url[aria-invalid='true']").await?;
    app.type_into("#c-url", "https://mc.org.uk/S").await?;
    app.click("#save-campaign").await?;
    app.wait_for("#c-url[aria-invalid='false']").await?;

    // A logo: chosen with the file picker, shown in the preview, codes then at level H.
    let logo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logo.png");
    app.wait_for("#c-logo").await?.send_keys(&logo.to_string_lossy()).await?;
    app.wait_for("#remove-logo").await?;

    app.type_into("#p-count", "25").await?;
    app.type_into("#p-folder", &dir.path().join("out").to_string_lossy()).await?;
    app.type_into("#p-file", "batch.pdf").await?;
    app.click("#print-stickers").await?;
    let result = match app.wait_for("#print-result").await {
        Ok(r) => r,
        Err(e) => {
            let shown = app.script("return [...document.querySelectorAll('.error, .toast')].map(e => e.textContent).join(' | ');").await?;
            anyhow::bail!("{e}: the window says {shown}");
        }
    };
    let batch = result.attr("data-batch-id").await?.context("batch id")?;
    let pdf = dir.path().join("out/batch.pdf");
    assert!(pdf.exists(), "the PDF was written");
    let detail = cli_json(&db, &["stickers", "batch", &batch, "--format", "json"])?;
    assert_eq!(detail["codes"].as_array().map(Vec::len), Some(25));
    assert_eq!(detail["batch"]["ec_level"], "H", "the logo raised the level");
    assert!(detail["codes"][0]["url"].as_str().context("url")?.starts_with("https://mc.org.uk/S/"));
    // The batch appears in the list; opening it shows every code, and one can be marked missing.
    app.click(&format!("li[data-batch-id='{batch}'] button.link")).await?;
    let first = detail["codes"][0]["code"].as_str().context("code")?.to_string();
    app.click(&format!("td.acts[data-code='{first}'] button")).await?;
    app.wait_for(&format!("td.acts[data-code='{first}']:empty")).await?;
    let after = cli_json(&db, &["stickers", "batch", &batch, "--format", "json"])?;
    assert_eq!(after["codes"][0]["state"], "missing");

    // More sheets: a gLabels file chosen with the file picker, and a custom sheet.
    app.script("document.querySelectorAll('details').forEach(d => d.open = true); return true;").await?;
    let picker = app.wait_for("#glabels-files").await?;
    picker.send_keys("/usr/share/libglabels-3.0/templates/avery-iso-templates.xml").await?;
    app.wait_for(".note[role='status']").await?;
    let note = app.text_of(".note[role='status']").await?;
    assert!(note.starts_with("Imported "), "{note}");
    app.wait_for("#p-template option[value='glabels-avery-l7160']").await?;
    app.type_into("#cs-name", "Market stall 24").await?;
    app.type_into("#cs-cols", "3").await?;
    app.type_into("#cs-rows", "8").await?;
    app.type_into("#cs-h", "33.9").await?;
    app.type_into("#cs-vp", "33.9").await?;
    app.type_into("#cs-top", "12.9").await?;
    app.click("#save-sheet").await?;
    app.wait_for("#p-template option[value='custom-market-stall-24']").await?;
    let saved = cli_json(&db, &["stickers", "templates", "--format", "json"])?;
    let custom = saved
        .as_array()
        .context("list")?
        .iter()
        .find(|t| t["id"] == "custom-market-stall-24")
        .context("saved")?
        .clone();
    assert_eq!(custom["layouts"][0]["rows"], 8);
    app.quit().await
}

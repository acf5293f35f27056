//! End-to-end: the real window, driven through tauri-driver + WebKitWebDriver.
//! Run under Xvfb by `make test`; each test starts its own driver on its own ports.

use anyhow::{Context, Result};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use serde_json::{json, Value};
use std::path::Path;
use tablemap_e2e::fixture_server::{tile_server, FixtureServer, Response};
use tablemap_e2e::{cli, cli_json, native_window, xdotool, App, KeyChoice};

fn fixture_tile() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiles/tile.png"))
        .expect("fixture tile")
}

/// Stands in for Overpass, postcodes.io and Nominatim, answering from their recorded fixtures.
fn services_server() -> FixtureServer {
    let fixture = |path: &str| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path)).expect("fixture")
    };
    let (overpass, postcodes) = (fixture("overpass/dalston.json"), fixture("postcodes/bulk.json"));
    let (search, reverse) = (fixture("nominatim/search.json"), fixture("nominatim/reverse.json"));
    FixtureServer::start(move |req| {
        let body = match req.path.as_str() {
            // A place whose answer takes long: for stopping an import half-way.
            "/interpreter" if req.form_param("data").is_some_and(|q| q.contains("Slowtown")) => {
                return Response::new(200, overpass.clone())
                    .header("Content-Type", "application/json")
                    .delayed(std::time::Duration::from_secs(15));
            }
            "/interpreter" => overpass.clone(),
            "/postcodes" => postcodes.clone(),
            "/search" => search.clone(),
            "/reverse" => reverse.clone(),
            _ => return Response::new(404, "Not Found"),
        };
        Response::new(200, body).header("Content-Type", "application/json")
    })
}

/// A demo database whose tiles and online services are local servers. Keep the returned
/// server alive for the test.
fn seeded(dir: &Path, tiles_base: &str) -> Result<(std::path::PathBuf, FixtureServer)> {
    seeded_as(dir, tiles_base, true)
}

/// `seeded`, the set marked as real data (exported, shared on joining) or as a demo set (which
/// stays on this machine).
fn seeded_as(dir: &Path, tiles_base: &str, as_real: bool) -> Result<(std::path::PathBuf, FixtureServer)> {
    let db = dir.join("e2e.sqlite");
    let services = services_server();
    let base = services.base_url();
    let args: &[&str] = if as_real { &["demo", "--as-real"] } else { &["demo"] };
    cli(&db, args)?;
    cli(
        &db,
        &[
            "settings",
            "set",
            "--tile-url",
            &format!("{tiles_base}/{{z}}/{{x}}/{{y}}.png"),
            "--overpass-url",
            &base,
            "--postcodes-url",
            &base,
            "--nominatim-url",
            &base,
        ],
    )?;
    Ok((db, services))
}

/// A demo database served by local tiles and services, and the window open on it. Keep the
/// returned servers and folder alive for the test.
struct Seeded {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
    _tiles: FixtureServer,
    _services: FixtureServer,
}

async fn seeded_app() -> Result<(Seeded, App)> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let (db, services) = seeded(dir.path(), &tiles.base_url())?;
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.wait_for("#map-items li").await?;
    Ok((Seeded { dir, db, _tiles: tiles, _services: services }, app))
}

#[tokio::test(flavor = "current_thread")]
async fn search_open_log_a_visit_and_find_it_after_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let (db, _services) = seeded(dir.path(), &tiles.base_url())?;
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
    app.wait_for("#map-items li").await?;

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
    app.wait_for(&format!("#map-items li[data-id='{id}'][data-status='agreed']")).await?;
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
    app.wait_for(&format!("#map-items li[data-id='{id}'][data-status='agreed']")).await?;
    app.type_into("#search", &format!("{name} {postcode}")).await?;
    app.wait_for(&format!("#restaurant-list li[data-id='{id}'] .badge[data-status='agreed']"))
        .await?
        .click()
        .await?;
    app.wait_for("#detail-status[data-status='agreed']").await?;
    assert_eq!(app.count(".visit[data-outcome='agreed']").await?, 1);

    app.script(
        "const p = document.querySelector('aside.panel'); p.scrollTop = p.scrollHeight; return p.scrollTop;",
    )
    .await?;
    app.shot("before-erase").await?;
    // The owner asks what is held about them: a JSON file and one page, in the output folder.
    app.click("#detail-export").await?;
    let saved = app.wait_text(".toast", "one page for the owner").await?;
    let pdf = saved.split("Saved ").nth(1).and_then(|s| s.split(" (one page").next()).context("pdf path")?;
    let json_path =
        saved.split("and ").last().and_then(|s| s.split(" (everything").next()).context("json path")?;
    assert!(std::fs::read(pdf)?.starts_with(b"%PDF-"), "{pdf}");
    let record: Value = serde_json::from_slice(&std::fs::read(json_path)?)?;
    assert_eq!(record["restaurant"]["name"], Value::String(name.clone()));
    assert_eq!(record["visits"][0]["note"], "Owner keen; sticker next week");
    // The owner asks for their data to be erased: asked first, then gone from list and map.
    app.click("#detail-erase").await?;
    let question = app.client.get_alert_text().await?;
    assert!(question.contains(&name) && question.contains("1 visits"), "{question}");
    app.client.accept_alert().await?;
    app.wait_text(".toast", "was erased").await?;
    app.wait_count(&format!("#map-items li[data-id='{id}']"), 0).await?;
    assert_eq!(app.count("#detail-title").await?, 0);
    app.quit().await?;
    assert!(cli(&db, &["restaurants", "show", &id]).is_err(), "erased on disk too");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_hostile_name_is_shown_as_text_and_runs_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let (db, _services) = seeded(dir.path(), &tiles.base_url())?;
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
    // The map draws it on a canvas and names it, as text, for screen readers.
    assert_eq!(app.text_of(&format!("#map-items li[data-id='{id}']")).await?, evil);

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
    let (db, _services) = seeded(dir.path(), &tiles.base_url())?;
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.wait_for("#map-items li").await?;

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
    // ... and the address at that point, from Nominatim (the local stand-in).
    let note = app.text_of("#rf-address-note").await?;
    let started = std::time::Instant::now();
    let address = loop {
        let v = app.wait_for("#rf-address").await?.prop("value").await?.unwrap_or_default();
        if !v.is_empty() || started.elapsed() > tablemap_e2e::WAIT {
            break v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(address, "12 Kingsland Road, London", "note: {note}");
    assert_eq!(app.wait_for("#rf-postcode").await?.prop("value").await?.as_deref(), Some("E8 2AA"));
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
    // Settings shows the recovery code of the key the database is encrypted with: the same 24
    // words the command line gives.
    app.click("#show-recovery").await?;
    app.wait_count("#recovery-words li", 24).await?;
    let shown = app
        .script(
            "return [...document.querySelectorAll('#recovery-words li')].map(li => li.textContent).join(' ')",
        )
        .await?;
    let words = cli(&db, &["key", "recovery-code"])?;
    assert_eq!(shown.as_str(), Some(words.trim()), "the window's recovery code");
    app.click("#recovery-done").await?;
    // Retention: notes kept 3 months from now on, applied at once; then Clear caches.
    app.choose("#retention-notes", "3").await?;
    app.click("#retention-apply").await?;
    app.wait_text("#retention-note", "Blanked").await?;
    app.script("document.querySelector('#retention-note').scrollIntoView(); return true;").await?;
    app.shot("settings-privacy").await?;
    app.click("#clear-caches").await?;
    app.client.accept_alert().await?;
    app.wait_text("#retention-note", "Cleared").await?;
    // A volunteer asks to be forgotten: their name and contact go, their visits stay.
    let volunteers = cli_json(&db, &["volunteers", "list", "--format", "json"])?;
    let (vid, vname) = (
        volunteers[0]["id"].as_str().context("volunteer id")?.to_string(),
        volunteers[0]["display_name"].as_str().context("name")?.to_string(),
    );
    // `doctor` counts the visits (and checks the file while the window is open).
    let visits = || -> Result<String> {
        let words = cli(&db, &["doctor"])?;
        Ok(words.split(", ").find(|w| w.ends_with(" visits")).context("visits counted")?.to_string())
    };
    let visits_before = visits()?;
    app.click(&format!("#volunteer-list li[data-id='{vid}'] button.erase")).await?;
    let question = app.client.get_alert_text().await?;
    assert!(question.contains(&vname), "{question}");
    app.client.accept_alert().await?;
    app.wait_text(".toast", "was erased").await?;
    app.wait_count(&format!("#volunteer-list li[data-id='{vid}'] button.erase"), 0).await?;
    app.script("document.querySelector('#volunteer-list').scrollIntoView(); return true;").await?;
    app.shot("settings-volunteers").await?;
    let after = cli(&db, &["volunteers", "list", "--format", "json"])?;
    assert!(!after.contains(&vname), "{after}");
    assert_eq!(visits()?, visits_before, "the visits stay");
    // Check and back up, while the window is open; then put that backup back.
    app.click("#doctor-run").await?;
    app.wait_text("#backup-note", "All well: 61 restaurants").await?;
    app.click("#backup-now").await?;
    let made = app.wait_text("#backup-note", "Backed up to").await?;
    let backup =
        made.trim_start_matches("Backed up to ").split(" (encrypted").next().unwrap_or_default().to_string();
    assert!(std::path::Path::new(&backup).starts_with(dir.path()), "{backup}");
    cli(std::path::Path::new(&backup), &["doctor"]).context("the backup opens on its own and checks out")?;
    app.click("#backup-list .restore").await?;
    app.client.accept_alert().await?;
    app.wait_text("#backup-note", "Put back: 61 restaurants").await?;
    app.quit().await?;
    assert!(cli(&db, &["retention", "show"])?.contains("blanked after 3 months"));
    let found = cli_json(&db, &["restaurants", "list", "--search", "sheba", "--format", "json"])?;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["postcode"], "E8 2AA");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn keyboard_only_find_open_and_log_a_visit() -> Result<()> {
    let key = |k: Key| char::from(k).to_string();
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let (db, _services) = seeded(dir.path(), &tiles.base_url())?;
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
    app.wait_for("#map-items li").await?;
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
    let (db, _services) = seeded(dir.path(), &tiles.base_url())?;
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
    // The window names no path: the PDF goes to the output folder (the native save dialog, the
    // other choice, cannot be driven through WebDriver), under the name typed, made safe.
    assert_eq!(app.wait_for("#p-save-to").await?.prop("value").await?.as_deref(), Some("output_folder"));
    app.type_into("#p-file", "../batch.pdf").await?;
    app.click("#print-stickers").await?;
    let result = match app.wait_for("#print-result").await {
        Ok(r) => r,
        Err(e) => {
            let shown = app.script("return [...document.querySelectorAll('.error, .toast')].map(e => e.textContent).join(' | ');").await?;
            anyhow::bail!("{e}: the window says {shown}");
        }
    };
    let batch = result.attr("data-batch-id").await?.context("batch id")?;
    let pdf = std::path::PathBuf::from(result.attr("data-out").await?.context("where")?);
    assert!(pdf.starts_with(dir.path()) && pdf.ends_with("Tablemap/batch.pdf"), "{}", pdf.display());
    assert!(pdf.exists(), "the PDF was written");
    app.shot("stickers-printed").await?;
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
    // The rest of the sheet goes to a volunteer in one go.
    let volunteers = cli_json(&db, &["volunteers", "list", "--format", "json"])?;
    let volunteer = volunteers[0]["id"].as_str().context("volunteer")?.to_string();
    app.choose("#hand-out-to", &volunteer).await?;
    app.click("#hand-out").await?;
    app.wait_for(&format!("li[data-batch-id='{batch}'] .tally")).await?;
    app.wait_count("#hand-out", 0).await?;
    let handed = cli_json(&db, &["stickers", "batch", &batch, "--format", "json"])?;
    let states: Vec<&str> =
        handed["codes"].as_array().context("codes")?.iter().filter_map(|c| c["state"].as_str()).collect();
    assert_eq!(states.iter().filter(|s| **s == "with_volunteer").count(), 24, "{states:?}");

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

#[tokio::test(flavor = "current_thread")]
async fn a_coordinator_imports_a_spreadsheet_through_the_wizard() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let (db, services) = seeded(dir.path(), &tiles.base_url())?;
    let before = cli_json(&db, &["restaurants", "list", "--format", "json", "--limit", "1000"])?;
    let before = before.as_array().context("list")?.len();

    // A spreadsheet saved by Excel on Windows: Windows-1252, semicolons, decimal commas, a
    // column Tablemap must never keep, and a hostile name that must stay text.
    let good = dir.path().join("members.csv");
    std::fs::write(
        &good,
        b"Venue;Street;Post code;Latitude;Longitude;Cuisine;Owner nationality\r\n\
          Caf\xe9 Zahl\xe9;12 Oxford Road;M1 5QA;53,4721;-2,2398;lebanese;Lebanese\r\n\
          <img src=x onerror=alert(1)>;3 Wilmslow Road;M14 5TQ;53,4530;-2,2250;;\r\n\
          Addis Kitchen;12 Kingsland Road;E8 2AA;;;ethiopian;\r\n",
    )?;
    // The same file with one latitude out of range on line 3.
    let bad = dir.path().join("broken.csv");
    std::fs::write(&bad, b"name,lat,lon\nOne,53.4,-2.2\nTwo,153.4,-2.2\n")?;

    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.click("#open-import").await?;

    // A bad file: the wizard names the line and column, and the import button stays off.
    app.wait_for("#import-file").await?.send_keys(&bad.display().to_string()).await?;
    let problem = app.text_of("#import-first-problem").await?;
    assert!(problem.contains("Line 3, column 2 (lat)"), "{problem}");
    assert_eq!(app.script("return document.querySelector('#import-run').disabled;").await?, true);
    app.shot("import-bad-file").await?;

    // The good file: detected encoding and delimiter, guessed columns, the refused column.
    app.wait_for("#import-file").await?.send_keys(&good.display().to_string()).await?;
    app.wait_for("#import-summary").await?;
    let encoding = app.script("return document.querySelector('#import-encoding').value;").await?;
    assert_eq!(encoding, "windows1252");
    let mapped = app
        .script("return [...document.querySelectorAll('select.map')].map(s => s.value).join(',');")
        .await?;
    assert_eq!(mapped, "name,address,postcode,lat,lon,cuisines");
    assert!(app.text_of("thead").await?.contains("Never imported"));
    assert_eq!(app.count("td img").await?, 0, "a name is never HTML");
    assert!(app.text_of("tbody").await?.contains("Café Zahlé"));
    app.shot("import-preview").await?;

    // One row has a postcode but no coordinates: nothing imports until it is placed.
    assert!(app.text_of("#import-summary").await?.contains("1 row without coordinates"));
    assert_eq!(app.script("return document.querySelector('#import-run').disabled;").await?, true);
    app.click("#import-locate").await?;
    let located = app.text_of("#import-located").await?;
    assert!(located.contains("Found 1 by postcode"), "{located}");

    app.click("#import-run").await?;
    let done = app.text_of("#import-result").await?;
    assert!(done.contains("3 added"), "{done}");
    app.click("#import-close").await?;

    // The list shows the new restaurant, accents intact; nothing of the refused column kept.
    app.type_into("#search", "Zahlé").await?;
    app.wait_count("#restaurant-list li", 1).await?;
    app.click("#restaurant-list li").await?;
    assert_eq!(app.text_of("#detail-title").await?, "Café Zahlé");

    // OpenStreetMap: a box drawn on the map, then a named area (the same venues again), from
    // the local Overpass stand-in.
    app.click("#open-import").await?;
    app.click("#import-tab-osm").await?;
    app.click("#osm-draw").await?;
    app.wait_for("#draw-hint").await?;
    let map = app.wait_for(".leaflet-container").await?;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: map, duration: None, x: -120.0, y: -80.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy {
            duration: Some(std::time::Duration::from_millis(150)),
            x: 240.0,
            y: 160.0,
        })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    app.client.perform_actions(drag).await?;
    let drawn = app.text_of("#osm-box").await?;
    app.click("#osm-mode-box").await?;
    app.click("#osm-run").await?;
    let done = app.text_of("#osm-result").await?;
    assert!(done.contains("4 added"), "{done}");
    app.shot("import-osm").await?;
    let asked =
        services.requests().into_iter().find(|r| r.path == "/interpreter").context("asked Overpass")?;
    // The query's (south,west,north,east) is the box the window showed, to its 4 decimals.
    let query = asked.form_param("data").context("an Overpass query")?;
    let asked_box: Vec<f64> = query
        .split_once("nwr[\"amenity\"")
        .and_then(|(_, rest)| rest.split_once("]("))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_default();
    let shown: Vec<f64> = drawn.split([',', '\u{2013}']).filter_map(|v| v.trim().parse().ok()).collect();
    assert_eq!(asked_box.len(), 4, "{query}");
    assert_eq!(shown.len(), 4, "{drawn}");
    assert!(asked_box.iter().zip(&shown).all(|(a, b)| (a - b).abs() < 1e-4), "{query} vs {drawn}");

    app.click("#osm-mode-name").await?;
    app.type_into("#osm-name", "Dalston").await?;
    app.click("#osm-run").await?;
    app.wait_for("#osm-result").await?;
    let again = loop {
        let text = app.text_of("#osm-result").await?;
        if text != done {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(again.contains("0 added, 0 updated, 4 unchanged"), "{again}");
    // An answer that takes long can be stopped; nothing is imported.
    app.type_into("#osm-name", "Slowtown").await?;
    app.click("#osm-run").await?;
    app.click("#osm-stop").await?;
    app.wait_text("#osm-error", "Stopped: nothing was imported").await?;
    app.click("#import-close").await?;
    app.type_into("#search", "Saigon Table").await?;
    app.wait_count("#restaurant-list li", 1).await?;
    app.quit().await?;

    let after = cli_json(&db, &["restaurants", "list", "--format", "json", "--limit", "1000"])?;
    assert_eq!(after.as_array().context("list")?.len(), before + 3 + 4);
    let all = serde_json::to_string(&after)?;
    assert!(!all.contains("Lebanese"), "the nationality column was kept");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_coordinator_draws_and_assigns_areas_and_a_volunteer_walks_one() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let (db, _services) = seeded(dir.path(), &tiles.base_url())?;
    let volunteers = cli_json(&db, &["volunteers", "list", "--format", "json"])?;
    let volunteer = volunteers[0]["id"].as_str().context("volunteer")?.to_string();
    let volunteer_name = volunteers[0]["display_name"].as_str().context("name")?.to_string();
    let wards = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/areas/hackney-wards.geojson");

    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.click("#open-areas").await?;
    app.wait_for(".areas .empty").await?;

    // Import ward boundaries.
    app.wait_for("#area-import").await?.send_keys(&wards.display().to_string()).await?;
    app.wait_count("#area-list li", 4).await?;
    app.shot("areas-imported").await?;

    // Draw one: three corners around the middle of the map, then Enter; name it.
    app.click("#area-draw").await?;
    app.wait_for("#area-draw-hint").await?;
    let map = app.wait_for(".leaflet-container").await?;
    for (x, y) in [(-150.0, -120.0), (150.0, -120.0), (0.0, 150.0)] {
        let click = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: map.clone(), duration: None, x, y })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Pause { duration: std::time::Duration::from_millis(400) });
        app.client.perform_actions(click).await?;
    }
    app.press(&char::from(Key::Enter).to_string()).await?;
    app.type_into("#area-name", "High street patch").await?;
    app.click("#area-save").await?;
    app.wait_count("#area-list li", 5).await?;
    app.shot("areas-list").await?;

    // Assign Dalston to a volunteer for 14 days: the list says who holds it.
    app.click("#area-list li[data-area='Dalston'] .area-row").await?;
    app.choose("#area-volunteer", &volunteer).await?;
    app.click("#area-assign").await?;
    app.wait_for(&format!("#area-list li[data-area='Dalston'] .holder[data-holder='{volunteer_name}']"))
        .await?;
    // ... and so does the map.
    app.wait_for(".area-label.held").await?;
    assert_eq!(app.text_of(".area-label.held").await?, format!("Dalston · {volunteer_name}"));

    // The walk list: numbered stops on the map and a printed sheet.
    app.click("#walk-plan").await?;
    let summary = app.text_of("#walk-summary").await?;
    assert!(summary.contains("stop"), "{summary}");
    let stops = app.count("#walk-stops li").await?;
    assert!(stops >= 1, "{summary}");
    assert_eq!(app.count(".walk-pin").await?, stops);
    app.shot("areas-walk").await?;
    // Nothing hangs off the end of the window: the page itself never scrolls.
    let scrolled = app.script("return document.scrollingElement.scrollTop;").await?;
    assert_eq!(scrolled, 0, "the window scrolled");
    app.click("#walk-print").await?;
    let printed = app.text_of("#walk-printed").await?;
    let path = printed
        .strip_prefix("Walk sheet saved: ")
        .and_then(|p| p.split(" (").next())
        .with_context(|| format!("printed: {printed}"))?;
    assert!(std::fs::read(path)?.starts_with(b"%PDF-"), "{path} is a PDF");

    // Type the results back in: the first stop agreed.
    let first = app.wait_for("#walk-stops li").await?.attr("data-id").await?.context("stop id")?;
    app.click("#walk-type").await?;
    app.choose("#paper-outcome-0", "agreed").await?;
    app.choose("#paper-volunteer", &volunteer).await?;
    app.click("#paper-save").await?;
    if let Err(e) = app.wait_count("dialog.paper", 0).await {
        let why = app.text_of("#paper-error").await.unwrap_or_default();
        return Err(e.context(format!("the results were not saved: {why}")));
    }
    app.shot("areas-typed-in").await?;
    app.quit().await?;
    let shown = cli_json(&db, &["restaurants", "show", &first, "--format", "json"])?;
    assert_eq!(shown["status"], "agreed");
    let areas = cli_json(&db, &["areas", "list", "--format", "json"])?;
    assert_eq!(areas.as_array().map(Vec::len), Some(5));
    Ok(())
}

/// The last line `server add-user` prints: the person's join code.
fn invite(admin_db: &Path, url: &str, name: &str, role: &str) -> Result<String> {
    let out = cli(admin_db, &["server", "add-user", name, "--role", role, "--url", url])?;
    Ok(out.lines().last().context("a join code")?.trim().to_string())
}

/// A team for a window test: a throwaway PostgreSQL with the schema, Olu (organiser) joined on
/// her own machine with Zaza Kitchen synced, a join code for `name` as `role`, and the demo
/// database the window will open. Keep the returned value alive for the test.
struct TeamScene {
    pg: tablemap_e2e::postgres::TestPostgres,
    _tiles: FixtureServer,
    _services: FixtureServer,
    dir: tempfile::TempDir,
    olu: std::path::PathBuf,
    db: std::path::PathBuf,
    code: String,
    zaza: String,
}

impl TeamScene {
    fn start(name: &str, role: &str) -> Result<TeamScene> {
        let pg = tablemap_e2e::postgres::TestPostgres::start();
        let url = pg.admin_url();
        let dir = tempfile::tempdir()?;
        let tiles = tile_server(fixture_tile());
        // A demo set (not shared on joining), as a volunteer tries Tablemap before joining.
        let (db, services) = seeded_as(dir.path(), &tiles.base_url(), false)?;
        // The admin sets the server up; an organiser adds a restaurant on her own machine and syncs.
        let olu = dir.path().join("olu.sqlite");
        cli(&olu, &["server", "init", "--url", &url])?;
        let code = invite(&olu, &url, name, role)?;
        let olu_code = invite(&olu, &url, "Olu", "organiser")?;
        cli(&olu, &["join", &olu_code])?;
        let zaza = cli(
            &olu,
            &["restaurants", "add", "--name", "Zaza Kitchen", "--lat", "51.5462", "--lon", "-0.0751"],
        )?
        .trim()
        .to_string();
        cli(&olu, &["sync", "--once"])?;
        Ok(TeamScene { pg, _tiles: tiles, _services: services, dir, olu, db, code, zaza })
    }

    fn cache(&self) -> std::path::PathBuf {
        self.dir.path().join("tiles.sqlite")
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_coordinator_joins_a_team_syncs_and_clears_a_review() -> Result<()> {
    let team = TeamScene::start("Cora", "coordinator")?;
    let (db, olu, id, cora_code) = (team.db.clone(), team.olu.clone(), team.zaza.clone(), team.code.clone());
    let cache = team.cache();
    let app = App::launch(&db, &cache).await?;
    app.wait_for("#map-items li").await?;
    app.wait_text("#sync-label", "On this computer only").await?;

    // A code cut short is refused in words; the whole code joins and syncs at once.
    app.click("#sync-status").await?;
    app.wait_for("#join-code").await?;
    app.shot("team-join").await?;
    app.type_into("#join-code", &cora_code[..cora_code.len() - 9]).await?;
    app.click("#join-team").await?;
    let refused = app.wait_for("#join-error").await?.text().await?;
    assert!(refused.contains("not a Tablemap join code"), "{refused}");
    app.type_into("#join-code", &cora_code).await?;
    app.click("#join-team").await?;
    app.wait_text("#team-you", "Cora · coordinator").await?;
    app.wait_text("#sync-label", "Synced").await?;
    app.wait_for("#reviews-empty").await?;
    app.press(&Key::Escape.to_string()).await?;

    // Olu's restaurant is on Cora's map and list.
    app.type_into("#search", "Zaza Kitchen").await?;
    app.wait_for(&format!("#restaurant-list li[data-id='{id}']")).await?;

    // Both change the phone from the same (empty) value; Cora's change is the later one.
    cli(&olu, &["restaurants", "edit", &id, "--phone", "020 7000 1111"])?;
    cli(&db, &["restaurants", "edit", &id, "--phone", "020 7000 2222"])?;
    cli(&olu, &["sync", "--once"])?;
    app.click("#sync-now").await?;
    app.wait_text("#sync-label", "1 edit to review").await?;
    app.click("#sync-status").await?;
    let review = app.wait_for("#review-list li").await?.text().await?;
    assert!(review.contains("Zaza Kitchen") && review.contains("Phone"), "{review}");
    assert!(review.contains("Kept: 020 7000 2222") && review.contains("Replaced: 020 7000 1111"), "{review}");
    app.shot("team-review").await?;
    app.click("#review-list li .clear").await?;
    app.wait_for("#reviews-empty").await?;
    app.click("#team-sync-now").await?;
    let done = app
        .wait_text_where("#sync-label", "show everything sent", |t| {
            t.starts_with("Synced") && !t.contains("waiting")
        })
        .await?;
    assert!(!done.contains("review"), "{done}");
    // The interval between syncs is a setting.
    app.choose("#sync-every", "15").await?;
    let mut saved = serde_json::Value::Null;
    for _ in 0..50 {
        saved = cli_json(&db, &["settings", "show"])?;
        if saved["sync_every_minutes"] == 15 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(saved["sync_every_minutes"], 15);
    // Leaving the team keeps everything here and says so.
    app.click("#team-leave").await?;
    app.click("#leave-confirm").await?;
    app.wait_text("#sync-label", "On this computer only").await?;
    app.wait_for("#join-code").await?;
    app.quit().await?;

    // Olu ends with the kept value; the server has the review cleared by Cora.
    cli(&olu, &["sync", "--once"])?;
    let shown = cli_json(&olu, &["restaurants", "show", &id, "--format", "json"])?;
    assert_eq!(shown["phone"], "020 7000 2222");
    let status = cli_json(&db, &["sync", "--status"])?;
    assert_eq!(status["joined"], false);
    let kept = cli_json(&db, &["restaurants", "show", &id, "--format", "json"])?;
    assert_eq!(kept["phone"], "020 7000 2222", "what was synced stays after leaving");
    Ok(())
}

/// A volunteer's window on a team: only what a volunteer may do (the permission table), visits
/// logged as themselves, and the command line refusing the rest before anything is queued.
#[tokio::test(flavor = "current_thread")]
async fn a_joined_volunteer_sees_only_what_a_volunteer_may_do() -> Result<()> {
    let team = TeamScene::start("Amina", "volunteer")?;
    let (db, olu, id, amina_code) = (team.db.clone(), team.olu.clone(), team.zaza.clone(), team.code.clone());
    let cache = team.cache();
    cli(&db, &["join", &amina_code])?;
    cli(&db, &["sync", "--once"])?;
    let amina = cli_json(&db, &["sync", "--status"])?["volunteer_id"].as_str().context("her id")?.to_string();

    // The command line refuses what a volunteer may not do, in words, and queues nothing.
    let waiting = cli_json(&db, &["sync", "--status"])?["waiting"].clone();
    let refused = cli(&db, &["restaurants", "edit", &id, "--phone", "020 7946 0000"])
        .expect_err("a volunteer editing a restaurant")
        .to_string();
    assert!(
        refused.contains(
            "a volunteer may not add, edit or import restaurants: ask an organiser or a coordinator"
        ),
        "{refused}"
    );
    assert_eq!(cli_json(&db, &["sync", "--status"])?["waiting"], waiting);
    // What she finds on the street she proposes; the window marks it as proposed.
    let found = cli(
        &db,
        &["restaurants", "add", "--name", "Habesha Corner", "--lat", "51.5466", "--lon", "-0.0752"],
    )?
    .trim()
    .to_string();
    assert_eq!(cli_json(&db, &["restaurants", "show", &found, "--format", "json"])?["standing"], "proposed");

    let app = App::launch(&db, &cache).await?;
    app.wait_for("#map-items li").await?;
    app.wait_text("#sync-label", "Synced").await?;
    // The toolbar: no Add restaurant, no Import, no Stickers view; Areas and Team stay.
    for gone in ["#add-restaurant", "#open-import", "#tab-stickers"] {
        assert_eq!(app.count(gone).await?, 0, "{gone} is shown to a volunteer");
    }
    assert_eq!(app.count("#open-areas").await?, 1);
    app.wait_for(&format!("#restaurant-list li[data-id='{found}'] .proposed")).await?;
    // She proposes restaurants instead: the form says an organiser will decide.
    app.click("#propose-restaurant").await?;
    app.wait_text("#restaurant-form-title", "Propose a restaurant").await?;
    app.wait_for("#propose-hint").await?;
    app.press(&Key::Escape.to_string()).await?;
    app.type_into("#search", "Zaza Kitchen").await?;
    app.click_until(&format!("#restaurant-list li[data-id='{id}']"), "#detail-title").await?;
    assert_eq!(app.count("#detail-edit").await?, 0, "no Edit for a volunteer");
    // No volunteer picker: the visit is hers.
    assert_eq!(app.count("#visit-volunteer").await?, 0);
    app.wait_text("#visit-as-me", "Amina").await?;
    app.shot("volunteer-window").await?;
    app.choose("#visit-outcome", "agreed").await?;
    app.click("#visit-save").await?;
    app.wait_for("#detail-status[data-status='agreed']").await?;
    // Ctrl+N opens the form to propose one, not to add one.
    app.press(&format!("{}n", Key::Control)).await?;
    app.wait_text("#restaurant-form-title", "Propose a restaurant").await?;
    app.quit().await?;

    let shown = cli_json(&db, &["restaurants", "show", &id, "--format", "json"])?;
    assert_eq!(shown["visits"][0]["volunteer_id"], amina.as_str());
    // It reaches the team: Olu sees her visit.
    cli(&db, &["sync", "--once"])?;
    cli(&olu, &["sync", "--once"])?;
    let at_olu = cli_json(&olu, &["restaurants", "show", &id, "--format", "json"])?;
    assert_eq!(at_olu["status"], "agreed");
    // In Olu's window the proposal is marked, with Confirm and Reject; she confirms it.
    let app = App::launch(&olu, &cache).await?;
    app.click_until(&format!("#restaurant-list li[data-id='{found}'] .proposed"), "#detail-standing").await?;
    app.wait_text("#detail-standing", "Proposed by Amina").await?;
    app.shot("organiser-proposal").await?;
    app.click("#detail-confirm").await?;
    app.wait_text(".toast", "Confirmed Habesha Corner").await?;
    assert_eq!(app.count("#detail-standing").await?, 0);
    app.quit().await?;
    // A second find she rejects from the command line; at Amina's next sync both are decided.
    let kiosk =
        cli(&db, &["restaurants", "add", "--name", "Kiosk 7", "--lat", "51.5467", "--lon", "-0.0753"])?
            .trim()
            .to_string();
    cli(&db, &["sync", "--once"])?;
    cli(&olu, &["sync", "--once"])?;
    assert_eq!(cli(&olu, &["restaurants", "reject", &kiosk])?.trim(), "Kiosk 7 rejected");
    cli(&olu, &["sync", "--once"])?;
    cli(&db, &["sync", "--once"])?;
    let standing = |id: &str| -> Result<Value> {
        Ok(cli_json(&db, &["restaurants", "show", id, "--format", "json"])?["standing"].clone())
    };
    assert_eq!((standing(&found)?, standing(&kiosk)?), (json!("confirmed"), json!("rejected")));
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn clusters_are_read_out_with_their_statuses() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let tiles = tile_server(fixture_tile());
    let db = dir.path().join("many.sqlite");
    cli(&db, &["demo", "--restaurants", "3000", "--as-real"])?;
    cli(&db, &["settings", "set", "--tile-url", &format!("{}/{{z}}/{{x}}/{{y}}.png", tiles.base_url())])?;
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    // The whole country in view: more than 400 restaurants, so the map groups them.
    let first = app.wait_for("#map-clusters li").await?;
    let words = app.text_of("#map-clusters li").await?;
    let count: u64 = first.attr("data-count").await?.context("a count")?.parse()?;
    assert!(count >= 2, "{words}");
    assert!(words.contains("restaurants together:") && words.contains(&count.to_string()), "{words}");
    assert!(words.contains("not contacted"), "{words}");
    app.quit().await
}

#[tokio::test(flavor = "current_thread")]
async fn stickers_for_the_restaurants_the_map_lists() -> Result<()> {
    let (seeded, app) = seeded_app().await?;
    let db = &seeded.db;
    // A street's worth: the restaurants whose name or address says "Anatolia".
    app.type_into("#search", "Anatolia").await?;
    let listed = cli_json(db, &["restaurants", "list", "--search", "Anatolia", "--format", "json"])?;
    let want = listed.as_array().context("list")?.len();
    assert!(want >= 2, "{listed}");
    app.wait_count("#restaurant-list li", want).await?;
    app.click("#tab-stickers").await?;
    app.wait_for("#p-for option[value='listed']:not([disabled])").await?;
    app.choose("#p-for", "listed").await?;
    app.type_into("#p-file", "anatolia").await?;
    app.click("#print-stickers").await?;
    let batch = app.wait_for("#print-result").await?.attr("data-batch-id").await?.context("batch id")?;
    let detail = cli_json(db, &["stickers", "batch", &batch, "--format", "json"])?;
    assert_eq!(detail["batch"]["purpose"], "preassigned");
    let codes = detail["codes"].as_array().context("codes")?;
    assert_eq!(codes.len(), want);
    assert!(
        codes.iter().all(|c| c["restaurant_name"].as_str().is_some_and(|n| n.contains("Anatolia"))),
        "{detail}"
    );
    app.quit().await
}

#[tokio::test(flavor = "current_thread")]
async fn a_walk_through_the_restaurants_the_list_shows() -> Result<()> {
    let (seeded, app) = seeded_app().await?;
    let db = &seeded.db;
    let listed = cli_json(db, &["restaurants", "list", "--search", "Anatolia", "--format", "json"])?;
    let want = listed.as_array().context("list")?.len();
    app.type_into("#search", "Anatolia").await?;
    app.wait_count("#restaurant-list li", want).await?;
    app.click("#walk-these").await?;
    app.wait_text("#list-walk-title", "Walk: Anatolia").await?;
    app.click("#walk-plan").await?;
    app.wait_for("#walk-stops").await?;
    // Every listed restaurant nobody has contacted yet is a stop; none beyond the list.
    let stops = app.count("#walk-stops li").await?;
    let fresh = listed.as_array().context("list")?.iter().filter(|r| r["status"] == "not_contacted").count();
    assert!(
        fresh >= 1 && stops >= fresh && stops <= want,
        "{stops} stops, {fresh} not contacted, {want} listed"
    );
    app.shot("walk-of-list").await?;
    app.press(&Key::Escape.to_string()).await?;
    app.wait_count("#list-walk-title", 0).await?;
    app.quit().await
}

/// A change the team server refused (queued while Amina was an organiser, sent after the admin
/// made her a volunteer) is listed as not accepted, and dropping it from the team dialog puts
/// the team's value back in her window.
#[tokio::test(flavor = "current_thread")]
async fn a_change_the_team_refused_is_dropped_from_the_team_dialog() -> Result<()> {
    let team = TeamScene::start("Amina", "organiser")?;
    let url = team.pg.admin_url();
    let (db, olu, id) = (team.db.clone(), team.olu.clone(), team.zaza.clone());
    cli(&db, &["join", &team.code])?;
    cli(&db, &["sync", "--once"])?;
    cli(&db, &["restaurants", "edit", &id, "--phone", "020 7946 0999"])?;
    cli(&olu, &["server", "set-role", "Amina", "--role", "volunteer", "--url", &url])?;
    // The sync that meets the refusal fails on purpose (exit code), and keeps the change.
    let _ = cli(&db, &["sync", "--once"]);
    assert_eq!(cli_json(&db, &["sync", "--status"])?["refused"], 1);

    let app = App::launch(&db, &team.cache()).await?;
    app.wait_for("#restaurant-list li").await?;
    app.wait_text("#sync-label", "not accepted by the team").await?;
    app.click("#open-team").await?;
    app.script("document.querySelectorAll('details.refused').forEach(d => d.open = true); return true;")
        .await?;
    app.click("#drop-refused").await?;
    app.client.accept_alert().await?;
    app.wait_text(".toast", "Dropped").await?;
    // After the sync it started, nothing is refused and the phone is the team's (none).
    app.wait_text_where("#sync-label", "a sync with nothing refused", |t| {
        t.contains("Synced") && !t.contains("not accepted")
    })
    .await?;
    app.quit().await?;
    let shown = cli_json(&db, &["restaurants", "show", &id, "--format", "json"])?;
    assert_eq!(shown["phone"], Value::Null);
    assert_eq!(cli_json(&db, &["sync", "--status"])?["refused"], 0);
    Ok(())
}

/// "Ask where to save": the command opens the native save dialog itself (the webview names no
/// path); the place typed there is where the export goes, with its extension added. The output
/// folder changes only through the native folder dialog.
#[tokio::test(flavor = "current_thread")]
async fn an_export_goes_where_the_native_save_dialog_says() -> Result<()> {
    let (seeded, app) = seeded_app().await?;
    let chosen = seeded.dir.path().join("for the meeting");
    std::fs::create_dir(&chosen)?;
    app.click("#open-settings").await?;
    app.choose("#export-save-to", "ask").await?;
    app.click("#export-csv").await?;
    // Titled in the window's language (GTK's own title is English "Save File").
    let dialog = native_window("Save the restaurants as CSV")?;
    // The name field has the suggested name, selected: type a whole path over it.
    xdotool(&["windowfocus", "--sync", &dialog])?;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"])?;
    xdotool(&["type", "--delay", "20", &chosen.join("restaurants").to_string_lossy()])?;
    xdotool(&["key", "Return"])?;
    let note = app.wait_text("#export-note", "Exported 60").await?;
    let written = chosen.join("restaurants.csv");
    assert_eq!(note, format!("Exported 60 restaurants to {}", written.display()));
    assert!(std::fs::read(&written)?.starts_with("\u{feff}id,name".as_bytes()));
    // Closing the dialog writes nothing and says nothing.
    app.click("#export-geojson").await?;
    let dialog = native_window("Save the restaurants as GeoJSON")?;
    xdotool(&["windowfocus", "--sync", &dialog])?;
    xdotool(&["key", "Escape"])?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let shown = app
        .script("return [...document.querySelectorAll('#export-note, fieldset.exports .error')].map(e => e.textContent).join(' | ')")
        .await?;
    assert_eq!(shown, Value::String(String::new()), "a closed dialog is no error");
    assert_eq!(std::fs::read_dir(&chosen)?.count(), 1, "and writes nothing");
    // A new output folder, picked in the folder dialog; the next export lands there.
    app.click("#output-folder-choose").await?;
    let dialog = native_window("Choose the output folder")?;
    xdotool(&["windowfocus", "--sync", &dialog])?;
    xdotool(&["key", "--clearmodifiers", "ctrl+l"])?;
    xdotool(&["type", "--delay", "20", &format!("{}/", chosen.display())])?;
    xdotool(&["key", "Return"])?;
    app.wait_text("#output-folder", "for the meeting").await?;
    app.choose("#export-save-to", "output_folder").await?;
    app.click("#export-geojson").await?;
    let note = app.wait_text("#export-note", ".geojson").await?;
    assert!(note.contains(&chosen.to_string_lossy().to_string()), "{note}");
    app.quit().await
}

/// A first run: the choice between demo data (a database of its own, with a banner) and the
/// campaign's own, named first; nothing fake ever reaches the campaign's database.
#[tokio::test(flavor = "current_thread")]
async fn a_first_run_offers_demo_data_apart_then_starts_the_campaign() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("campaign.sqlite");
    let cache = dir.path().join("tiles.sqlite");
    let app = App::launch(&db, &cache).await?;
    app.wait_for("#first-run[open]").await?;
    app.click("#first-demo").await?;
    app.wait_for("#demo-banner").await?;
    app.wait_for("#restaurant-list li").await?;
    let shown = app.script("return document.querySelectorAll('#restaurant-list li').length").await?;
    assert!(shown.as_u64().unwrap_or(0) > 0, "the demo's restaurants are listed: {shown}");
    assert_eq!(cli_json(&db, &["restaurants", "list", "--format", "json"])?, serde_json::json!([]));
    assert!(dir.path().join("tablemap-demo.sqlite").exists(), "the demo has a database of its own");

    // Back to the campaign: named first, a bad address refused in words.
    app.click("#demo-leave").await?;
    app.wait_for("#first-run[open]").await?;
    app.type_into("#first-name", "Migrants Contribute").await?;
    app.type_into("#first-address", "not an address").await?;
    app.click("#first-start").await?;
    app.wait_for("#first-error").await?;
    app.type_into("#first-address", "https://migrantscontribute.example/s").await?;
    app.click("#first-start").await?;
    app.wait_text(".toast", "Migrants Contribute is ready").await?;
    assert_eq!(app.count("#demo-banner").await?, 0);
    assert_eq!(app.count("#first-run[open]").await?, 0);
    app.quit().await?;
    assert_eq!(cli_json(&db, &["restaurants", "list", "--format", "json"])?, serde_json::json!([]));

    // Started: the next run opens on the campaign, with no question.
    let app = App::launch(&db, &cache).await?;
    app.wait_for("#search").await?;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(app.count("#first-run[open]").await?, 0);
    app.quit().await
}

/// A key that does not open the database, or none at all: the window says so, with what to do,
/// and offers nothing else (never a new, empty database in its place); the file is untouched.
#[tokio::test(flavor = "current_thread")]
async fn a_wrong_or_missing_key_is_said_in_the_window_and_changes_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("campaign.sqlite");
    let cache = dir.path().join("tiles.sqlite");
    cli(&db, &["restaurants", "add", "--name", "Zaza", "--lat", "51.5", "--lon", "-0.07"])?;
    let before = std::fs::read(&db)?;
    // Another computer's key, made by running Tablemap there.
    let other = dir.path().join("other.key");
    let made = std::process::Command::new(tablemap_e2e::binary())
        .args(["--db", &dir.path().join("elsewhere.sqlite").display().to_string(), "doctor"])
        .env("TABLEMAP_KEY_FILE", &other)
        .output()?;
    assert!(made.status.success() && other.exists(), "{}", String::from_utf8_lossy(&made.stderr));
    let missing = dir.path().join("no-such.key");
    for key in [KeyChoice::File(&other), KeyChoice::File(&missing)] {
        let app = App::launch_keyed(&db, &cache, key).await?;
        let said = app.wait_text("#startup-problem", "cannot open your data").await?;
        assert!(said.contains("key"), "the message names the key: {said}");
        app.shot("startup-problem").await?;
        assert_eq!(app.count("#search").await?, 0, "nothing else is offered");
        assert_eq!(app.count("#first-run[open]").await?, 0);
        app.quit().await?;
    }
    assert_eq!(std::fs::read(&db)?, before, "the database file is as it was");
    assert!(!missing.exists(), "no key is made for a database that has one");
    Ok(())
}

/// A person's very first run, with no key named: Tablemap makes the key, shows its recovery code
/// (24 words) once, then asks how to begin.
#[tokio::test(flavor = "current_thread")]
async fn a_first_run_shows_the_recovery_code_then_the_choice() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("campaign.sqlite");
    let app = App::launch_keyed(&db, &dir.path().join("tiles.sqlite"), KeyChoice::Unnamed).await?;
    app.wait_for("#recovery-dialog[open]").await?;
    app.wait_count("#recovery-words li", 24).await?;
    assert_eq!(app.count("#first-run[open]").await?, 0, "one question at a time");
    app.click("#recovery-done").await?;
    app.wait_for("#first-run[open]").await?;
    app.quit().await?;
    // Opened again, the code is not shown again.
    let app = App::launch_keyed(&db, &dir.path().join("tiles.sqlite"), KeyChoice::Unnamed).await?;
    app.wait_for("#first-run[open]").await?;
    assert_eq!(app.count("#recovery-dialog[open]").await?, 0);
    app.quit().await
}

/// The coordinator's dashboard: the same figures as `tablemap report`, each chart with its
/// table; an area's row shows its restaurants on the map; an empty campaign says what to do.
#[tokio::test(flavor = "current_thread")]
async fn the_dashboard_shows_the_reports_figures_with_tables() -> Result<()> {
    let (seeded, app) = seeded_app().await?;
    let db = &seeded.db;
    app.click("#tab-dashboard").await?;
    app.wait_for("#funnel-table tr[data-stage='known']").await?;
    let cli_report = cli_json(db, &["report", "--format", "json", "--with-volunteers"])?;
    for stage in ["known", "contacted", "agreed", "sticker_placed"] {
        let shown = app.text_of(&format!("#funnel-table tr[data-stage='{stage}'] td")).await?;
        assert_eq!(shown, cli_report["funnel"][stage].to_string(), "{stage}");
    }
    let weeks = cli_report["weeks"].as_array().context("weeks")?.len();
    assert_eq!(app.count("#weeks-table tbody tr").await?, weeks);
    let volunteers = cli_report["volunteers"].as_array().context("volunteers")?.len();
    assert_eq!(app.count("#volunteers-table tbody tr").await?, volunteers, "a coordinator sees them");
    // Two canvases drawn by the chart library (the funnel and the weeks); their tables are the text.
    assert!(app.count(".dashboard .chart canvas").await? >= 2);
    app.shot("dashboard").await?;
    // A table saved as CSV (to the output folder): the weeks, one row each.
    app.click("#csv-weeks").await?;
    let saved = app.wait_text(".toast", "Saved ").await?;
    let csv_path = saved.trim().strip_prefix("Saved ").context("path")?.to_string();
    let csv_text = std::fs::read_to_string(&csv_path)?;
    assert!(csv_text.starts_with("\u{feff}week_of,visits,agreements,stickers_placed\r\n"), "{csv_text}");
    assert_eq!(csv_text.lines().count(), weeks + 1, "{csv_text}");

    // The report for the meeting: a PDF in the output folder with the same figures, no names
    // unless asked for.
    app.click("#d-report-pdf").await?;
    let saved = app.wait_text(".toast:last-child", "Saved the report for the meeting: ").await?;
    let pdf_path = saved.trim().strip_prefix("Saved the report for the meeting: ").context("path")?;
    assert!(pdf_path.ends_with(".pdf"), "{pdf_path}");
    let text = std::process::Command::new("pdftotext").args(["-layout", pdf_path, "-"]).output()?;
    let text = String::from_utf8_lossy(&text.stdout);
    for (label, stage) in
        [("Known", "known"), ("Contacted", "contacted"), ("Sticker placed", "sticker_placed")]
    {
        let want = cli_report["funnel"][stage].to_string();
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(label) && l.split_whitespace().any(|w| w == want)),
            "{label} {want}: {text}"
        );
    }
    let someone = cli_report["volunteers"][0]["name"].as_str().context("a volunteer")?;
    assert!(!text.contains(someone), "no names unless asked: {text}");

    // A funnel stage shows on the map the restaurants it counted, and only those; the chip in
    // the list takes it off again.
    let contacted = cli_report["funnel"]["contacted"].as_u64().context("contacted")? as usize;
    app.click("#funnel-table tr[data-stage='contacted'] button").await?;
    app.wait_for("#filter-reached").await?;
    app.wait_count("#restaurant-list li[data-id]", contacted).await?;
    app.shot("dashboard-stage-on-map").await?;
    app.click("#filter-reached").await?;
    app.wait_count("#filter-reached", 0).await?;
    app.click("#tab-dashboard").await?;
    app.wait_for("#funnel-table tr[data-stage='known']").await?;

    // An area whose name is markup and a spreadsheet formula: shown as text, saved neutralised.
    let hostile = "=1+1 <img src=x onerror=\"window.__xss=1\">";
    let geojson = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": hostile},
        "geometry": {"type": "Polygon", "coordinates": [[[-0.6, 51.2], [0.4, 51.2], [0.4, 51.8], [-0.6, 51.8], [-0.6, 51.2]]]}}]});
    let file = seeded.dir.path().join("hostile.geojson");
    std::fs::write(&file, geojson.to_string())?;
    cli(db, &["areas", "import", &file.to_string_lossy()])?;
    // The whole campaign (counted again, with the new area).
    app.choose("#d-period", "campaign").await?;
    let all = cli_json(db, &["report", "--campaign", "--format", "json"])?;
    app.wait_text("#funnel-table tr[data-stage='contacted'] td", &all["funnel"]["contacted"].to_string())
        .await?;
    let shown = app.wait_text("#areas-table tbody tr th", "onerror").await?;
    assert_eq!(shown, hostile, "the name is text");
    let ran = app
        .script("return [document.querySelectorAll('#dashboard img:not(.leaflet-tile)').length, window.__xss === undefined];")
        .await?;
    assert_eq!(ran, json!([0, true]), "no markup made, nothing ran");
    // The small map colours the area by its share and labels it with its name, as text.
    let label = app.wait_text("#areas-share-map .share-label", "onerror").await?;
    assert!(label.starts_with(hostile) && label.ends_with('%'), "{label}");
    app.shot("dashboard-areas").await?;
    app.click("#csv-areas").await?;
    let saved =
        app.wait_text_where(".toast:last-child", "a second file saved", |t| t.contains("areas")).await?;
    let csv_path = saved.trim().strip_prefix("Saved ").context("path")?;
    let csv_text = std::fs::read_to_string(csv_path)?;
    // The cell is quoted (it holds quotes) and starts with ' so no spreadsheet runs it.
    assert!(
        csv_text.starts_with("\u{feff}area,restaurants,contacted,share_contacted\r\n\"'=1+1 <img"),
        "{csv_text}"
    );
    app.quit().await
}

#[tokio::test(flavor = "current_thread")]
async fn an_empty_campaigns_dashboard_says_what_to_do_first() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("empty.sqlite");
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    // The first run: start the campaign, named, with nothing in it yet.
    app.wait_for("#first-run[open]").await?;
    app.type_into("#first-name", "Migrants Contribute").await?;
    app.type_into("#first-address", "https://migrantscontribute.example/s").await?;
    app.click("#first-start").await?;
    app.wait_text(".toast", "Migrants Contribute is ready").await?;
    app.wait_count("#first-run[open]", 0).await?;
    app.click("#tab-dashboard").await?;
    let empty = app.wait_text("#dashboard-empty", "No restaurants yet").await?;
    assert!(empty.contains("import a spreadsheet"), "{empty}");
    // The campaign's time zone, chosen in Settings, is the one the report counts days in.
    app.wait_text("#d-range", "(Europe/London time)").await?;
    app.click("#open-settings").await?;
    app.choose("#set-time-zone", "Africa/Lagos").await?;
    app.click("#settings-form button[type='submit']").await?;
    app.wait_text("#d-range", "(Africa/Lagos time)").await?;
    assert_eq!(cli_json(&db, &["report", "--format", "json"])?["time_zone"], "Africa/Lagos");
    app.quit().await
}

//! Takes the README's screenshot: the demo set, a restaurant open, through WebDriver.
//! Usage: screenshot OUT.png [LANGUAGE] [ZOOM] (under a display, e.g. xvfb-run).

use anyhow::{Context, Result};
use std::path::Path;
use tablemap_e2e::fixture_server::tile_server;
use tablemap_e2e::{cli, cli_json, App};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let out = std::env::args().nth(1).context("usage: screenshot OUT.png [LANGUAGE]")?;
    let language = std::env::args().nth(2).unwrap_or_default();
    let zoom: f64 = std::env::args().nth(3).and_then(|z| z.parse().ok()).unwrap_or(1.0);
    let dir = tempfile::tempdir()?;
    let tiles =
        tile_server(std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiles/tile.png"))?);
    let db = dir.path().join("shot.sqlite");
    // TABLEMAP_SHOT_RESTAURANTS=100000 shows the map at city scale.
    let count = std::env::var("TABLEMAP_SHOT_RESTAURANTS").unwrap_or_else(|_| "60".into());
    cli(&db, &["demo", "--restaurants", &count, "--as-real"])?;
    cli(
        &db,
        &[
            "settings",
            "set",
            "--language",
            &language,
            "--tile-url",
            &format!("{}/{{z}}/{{x}}/{{y}}.png", tiles.base_url()),
        ],
    )?;
    let placed = cli_json(&db, &["restaurants", "list", "--status", "sticker_placed", "--format", "json"])?;
    let id = placed[0]["id"].as_str().context("a restaurant with a sticker")?.to_string();
    let name = placed[0]["name"].as_str().context("name")?.to_string();

    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.wait_for("canvas.tm-markers").await?;
    if count != "60" {
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        std::fs::write(&out, app.client.screenshot().await?)?;
        return app.quit().await;
    }
    if std::env::var("TABLEMAP_SHOT_VIEW").as_deref() == Ok("stickers") {
        app.click("#tab-stickers").await?;
        app.wait_for("#sticker-preview").await?;
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        std::fs::write(&out, app.client.screenshot().await?)?;
        return app.quit().await;
    }
    app.type_into("#search", &name).await?;
    app.click(&format!("#restaurant-list li[data-id='{id}']")).await?;
    app.type_into("#search", "").await?;
    app.wait_for("#detail-title").await?;
    if zoom != 1.0 {
        // At 200% zoom a 1280×820 window lays out like a 640×410 one (then drawn twice as big).
        app.client.set_window_size((1280.0 / zoom) as u32, (820.0 / zoom) as u32).await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let png = app.client.screenshot().await?;
    std::fs::write(&out, png)?;
    app.quit().await
}

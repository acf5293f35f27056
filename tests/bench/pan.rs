//! Pan benchmark: the real window on 100,000 demo restaurants (release build through
//! tauri-driver, under a display): drag the map 300 pixels at a time and time, inside the page,
//! from the map stopping to the new clusters drawn; and, from outside, from the drag's end to the
//! frame being on screen (which adds WebDriver's own round trips). Figures only.
//! Usage: bench-pan (TABLEMAP_BIN selects the binary; make bench-app passes the release one).

use anyhow::{Context, Result};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use std::path::Path;
use std::time::{Duration, Instant};
use tablemap_e2e::fixture_server::tile_server;
use tablemap_e2e::{cli, App};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let n: u32 =
        std::env::var("TABLEMAP_BENCH_PAN_RESTAURANTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let tiles =
        tile_server(std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiles/tile.png"))?);
    let db = dir.path().join("pan.sqlite");
    cli(&db, &["demo", "--restaurants", &n.to_string(), "--as-real"])?;
    cli(&db, &["settings", "set", "--tile-url", &format!("{}/{{z}}/{{x}}/{{y}}.png", tiles.base_url())])?;
    let app = App::launch(&db, &dir.path().join("tiles.sqlite")).await?;
    app.wait_for(".map[data-frame]").await?;
    let frame = || async { app.script("return Number(document.querySelector('.map').dataset.frame);").await };

    // The whole country, then a city, then a street: zoom in with the keyboard's + button.
    for (label, zoom_clicks) in [("country", 0), ("city", 4), ("street", 3)] {
        for _ in 0..zoom_clicks {
            // A click during the previous zoom's animation can be swallowed: click again after a
            // while rather than wait for ever.
            let before = frame().await?;
            app.click(".leaflet-control-zoom-in").await?;
            let mut asked = Instant::now();
            while frame().await? == before {
                if asked.elapsed() > Duration::from_secs(3) {
                    app.click(".leaflet-control-zoom-in").await?;
                    asked = Instant::now();
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let mut lost = 0;
        let mut inside = Vec::new();
        let mut outside = Vec::new();
        for i in 0..16 {
            let (dx, dy) = [(300.0, 0.0), (0.0, 200.0), (-300.0, 0.0), (0.0, -200.0)][i % 4];
            let before = frame().await?;
            let map = app.wait_for(".leaflet-container").await?;
            let drag = MouseActions::new("mouse".into())
                .then(PointerAction::MoveToElement { element: map, duration: None, x: 0.0, y: 0.0 })
                .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
                .then(PointerAction::MoveBy { duration: Some(Duration::from_millis(120)), x: dx, y: dy })
                .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
            app.client.perform_actions(drag).await?;
            let released = Instant::now();
            while frame().await? == before && released.elapsed() < Duration::from_secs(10) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            if frame().await? == before {
                // No new frame: the drag did not move the map (counted, not timed).
                lost += 1;
                continue;
            }
            outside.push(released.elapsed().as_secs_f64() * 1000.0);
            let ms = app.script("return Number(document.querySelector('.map').dataset.drawMs);").await?;
            inside.push(ms.as_f64().context("drawMs")?);
        }
        if inside.is_empty() {
            println!("pan/{n}: {label}: no drag moved the map ({lost} tried)");
            continue;
        }
        if lost > 0 {
            println!("pan/{n}: {label}: {lost} of 16 drags drew no new frame within 10 s (left out)");
        }
        inside.sort_by(f64::total_cmp);
        outside.sort_by(f64::total_cmp);
        println!(
            "pan/{n}: {label}: map stopped → new symbols drawn p50 {:.0} ms, p95 {:.0} ms; drag released → frame seen through WebDriver p50 {:.0} ms, p95 {:.0} ms",
            percentile(&inside, 0.5),
            percentile(&inside, 0.95),
            percentile(&outside, 0.5),
            percentile(&outside, 0.95)
        );
    }
    app.quit().await
}

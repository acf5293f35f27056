//! The map offline: an MBTiles file as the basemap (served by the same function as the window's
//! `tiles:` protocol), and "keep this area offline" against a local tile server: one request per
//! tile, two at a time, refused for OpenStreetMap's server and above the cap, cancellable.

use crate::fixture_server::{tile_server, FixtureServer, Response};
use crate::support::{fixture, mbtiles_file, now, runtime, tablemap};
use chrono::Duration;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tablemap_core::api::tiles::{self, OfflineArea};
use tablemap_core::api::{self, ApiError, Refusal};
use tablemap_core::domain::Bbox;
use tablemap_core::sources::mbtiles::{blank_png, MbTiles};
use tablemap_core::sources::offline::{OfflineProgress, CONCURRENCY, MAX_TILES};
use tablemap_core::sources::tiles::{TileCache, TileFetcher};
use tablemap_core::store::Store;

/// Dalston: 35 tiles from zoom 12 to 16 (1 + 1 + 4 + 9 + 20).
const DALSTON: Bbox = Bbox { south: 51.54, west: -0.08, north: 51.55, east: -0.06 };
const OSM: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

fn area(min_zoom: u32, max_zoom: u32) -> OfflineArea {
    OfflineArea { bbox: DALSTON, min_zoom, max_zoom }
}

fn fetcher() -> TileFetcher {
    TileFetcher::new(TileCache::open_in_memory().expect("cache"))
}

fn template(server: &FixtureServer) -> String {
    format!("{}/{{z}}/{{x}}/{{y}}.png", server.base_url())
}

fn keep(
    fetcher: &TileFetcher,
    template: &str,
    area: &OfflineArea,
    allowed: bool,
    on_progress: &mut (dyn FnMut(&OfflineProgress) -> bool + Send),
) -> Result<tiles::OfflineSummary, ApiError> {
    runtime().block_on(tiles::keep_offline(fetcher, template, area, allowed, now(), on_progress))
}

#[test]
fn an_mbtiles_basemap_serves_its_tiles_with_the_row_flipped() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("hackney.mbtiles");
    let known = fixture("tiles/tile.png");
    // Central London at zoom 12 is x=2046, y=1362 on the web map: row 2733 in the file.
    mbtiles_file(
        &path,
        "png",
        Some("<a href=\"https://www.openstreetmap.org/copyright\">&copy; OpenStreetMap</a> contributors"),
        &[
            (12, 2046, 1362, known.clone()),
            (12, 2046, 2733, b"\x89PNG wrong row".to_vec()),
            (0, 0, 0, b"\x89PNG world".to_vec()),
        ],
    );
    let raw: u32 = rusqlite::Connection::open(&path)
        .and_then(|c| {
            c.query_row(
                "SELECT tile_row FROM tiles WHERE length(tile_data) = ?1",
                [known.len() as i64],
                |r| r.get(0),
            )
        })
        .expect("row");
    assert_eq!(raw, 2733, "the helper stores rows as MBTiles counts them");

    // The tile server must never be asked while the file is the basemap.
    let server = tile_server(b"\x89PNG from the network".to_vec());
    let file = MbTiles::open(&path).expect("open");
    let fetcher = fetcher();
    let serve =
        |p: &str| runtime().block_on(tiles::tile(&fetcher, &template(&server), Some(&file), p, now()));

    let tile = serve("/12/2046/1362.png");
    assert_eq!((tile.status, tile.content_type.as_str()), (200, "image/png"));
    assert_eq!(tile.body, known);
    assert_eq!(serve("/0/0/0.png").body, b"\x89PNG world");
    // Tiles the file lacks (elsewhere, deeper, off the map) are transparent, never an error.
    for missing in ["/12/2046/1363.png", "/16/0/0.png", "/12/9999/0.png", "/23/0/0.png"] {
        let t = serve(missing);
        assert_eq!((t.status, t.content_type.as_str()), (200, "image/png"), "{missing}");
        assert_eq!(t.body, blank_png(), "{missing}");
    }
    assert_eq!(serve("/not/a/tile").status, 400);
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // Without the file, the same function asks the tile server.
    let online =
        runtime().block_on(tiles::tile(&fetcher, &template(&server), None, "/12/2046/1362.png", now()));
    assert_eq!(online.body, b"\x89PNG from the network");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn content_type_follows_the_files_format() {
    let dir = tempfile::tempdir().expect("dir");
    for (format, want) in [("jpg", "image/jpeg"), ("webp", "image/webp"), ("png", "image/png")] {
        let path = dir.path().join(format!("map-{format}.mbtiles"));
        mbtiles_file(&path, format, None, &[(1, 1, 0, b"tile".to_vec())]);
        let file = MbTiles::open(&path).expect("open");
        assert_eq!(file.info().attribution, None);
        let tile = runtime().block_on(tiles::tile(
            &fetcher(),
            "http://127.0.0.1:9/{z}/{x}/{y}",
            Some(&file),
            "/1/1/0.png",
            now(),
        ));
        assert_eq!(
            (tile.status, tile.content_type.as_str(), tile.body.as_slice()),
            (200, want, &b"tile"[..])
        );
    }
}

#[test]
fn a_vector_mbtiles_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("openmaptiles.mbtiles");
    mbtiles_file(&path, "pbf", Some("© OpenMapTiles"), &[(0, 0, 0, b"\x1f\x8b\x08\x00".to_vec())]);
    let err = MbTiles::open(&path).expect_err("refused");
    assert!(err.to_string().contains("vector tiles (pbf)"), "{err}");
    assert!(err.to_string().contains("choose an MBTiles file of png, jpg or webp tiles"), "{err}");

    // Saving it as the setting is refused at the field, and nothing changes.
    let mut store = Store::open_in_memory().expect("store");
    let before = api::settings::get(&store).expect("settings");
    let err = api::settings::save(
        &mut store,
        api::Settings { mbtiles_path: Some(path.display().to_string()), ..before.clone() },
    )
    .expect_err("refused");
    assert!(matches!(&err, ApiError::Invalid(v) if v.field == "mbtiles_path"), "{err:?}");
    assert_eq!(api::settings::get(&store).expect("settings"), before);

    // And from the command line.
    let db = dir.path().join("t.sqlite");
    let run = tablemap(&db, &["settings", "set", "--mbtiles", path.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("vector tiles (pbf)"), "{}", run.stderr);
}

#[test]
fn the_cli_sets_and_clears_the_mbtiles_basemap() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let path = dir.path().join("area.mbtiles");
    mbtiles_file(&path, "png", Some("<b>© Our tiles</b>"), &[(0, 0, 0, b"\x89PNG".to_vec())]);
    let shown = |out: String| -> serde_json::Value { serde_json::from_str(&out).expect("json") };
    let set = shown(tablemap(&db, &["settings", "set", "--mbtiles", path.to_str().expect("utf-8")]).ok());
    assert_eq!(set["mbtiles_path"], path.canonicalize().expect("path").display().to_string());
    assert_eq!(set["tile_attribution"], "© Our tiles");
    let cleared = shown(tablemap(&db, &["settings", "set", "--mbtiles", ""]).ok());
    assert_eq!(cleared["mbtiles_path"], serde_json::Value::Null);
    assert_eq!(cleared["tile_attribution"], api::settings::DEFAULT_TILE_ATTRIBUTION);
    let run = tablemap(&db, &["settings", "set", "--mbtiles", "/no/such/map.mbtiles"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("there is no file at /no/such/map.mbtiles"), "{}", run.stderr);
}

#[test]
fn keeping_an_area_offline_asks_once_per_tile_then_serves_from_the_cache() {
    let server = tile_server(fixture("tiles/tile.png"));
    let template = template(&server);
    let fetcher = fetcher();
    let plan = tiles::plan(&template, &area(12, 16)).expect("plan");
    assert_eq!(plan.tiles, 35);
    let mut seen = Vec::new();
    let summary = keep(&fetcher, &template, &area(12, 16), true, &mut |p| {
        seen.push(*p);
        true
    })
    .expect("kept");
    assert_eq!((summary.progress.done, summary.progress.fetched, summary.cancelled), (35, 35, false));
    let requests = server.requests();
    assert_eq!(requests.len() as u64, plan.tiles, "one request per tile in the estimate");
    let paths: HashSet<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths.len(), 35, "no tile asked twice");
    assert!(paths.contains("/12/2047/1361.png") && paths.contains("/16/32757/21782.png"), "{paths:?}");
    assert!(requests.iter().all(|r| r.headers["user-agent"].starts_with("Tablemap/")));
    assert_eq!(fetcher.cache().len().expect("len"), 35);
    // Progress: first the total, then every tile.
    assert_eq!(seen.first().map(|p| (p.done, p.total)), Some((0, 35)));
    assert_eq!(seen.len(), 36);

    // Again: all fresh in the cache, no request.
    let again = keep(&fetcher, &template, &area(12, 16), true, &mut |_| true).expect("kept");
    assert_eq!((again.progress.cached, again.progress.fetched), (35, 0));
    assert_eq!(server.requests().len(), 35);

    // A month later with the server gone, the window still gets the tile.
    drop(server);
    let tile = runtime().block_on(tiles::tile(
        &fetcher,
        &template,
        None,
        "/14/8188/5444.png",
        now() + Duration::days(30),
    ));
    assert_eq!((tile.status, tile.body), (200, fixture("tiles/tile.png")));
}

#[test]
fn refusals_come_before_any_request() {
    let server = tile_server(fixture("tiles/tile.png"));
    let fetcher = fetcher();
    let mut called = false;
    let mut never = |_: &OfflineProgress| {
        called = true;
        true
    };
    // OpenStreetMap's own server: its policy, whatever the checkbox says.
    for template in [OSM, "https://b.tile.openstreetmap.org/{z}/{x}/{y}.png"] {
        let err = keep(&fetcher, template, &area(12, 16), true, &mut never).expect_err("refused");
        let ApiError::Refused(Refusal::BulkDownloadForbidden { policy: message }) = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains("does not allow downloading areas"), "{message}");
        assert!(message.contains("operations.osmfoundation.org/policies/tiles"), "{message}");
        assert!(message.contains("MBTiles"), "{message}");
    }
    // Any other server: only once the person confirms their provider allows it.
    let err = keep(&fetcher, &template(&server), &area(12, 16), false, &mut never).expect_err("refused");
    assert!(
        matches!(&err, ApiError::Invalid(v) if v.field == "allowed_by_provider" && v.reason.contains("127.0.0.1")),
        "{err:?}"
    );
    // Over the cap: all of Greater London down to zoom 17.
    let london = OfflineArea {
        bbox: Bbox { south: 51.28, west: -0.51, north: 51.69, east: 0.33 },
        min_zoom: 12,
        max_zoom: 17,
    };
    let count = tiles::plan(&template(&server), &london).expect("plan").tiles;
    assert!(count > MAX_TILES, "{count}");
    let err = keep(&fetcher, &template(&server), &london, true, &mut never).expect_err("refused");
    assert!(
        matches!(&err, ApiError::Invalid(v) if v.reason.contains(&format!("that is {count} tiles"))),
        "{err:?}"
    );
    // A box the wrong way round.
    let upside_down =
        OfflineArea { bbox: Bbox { south: 51.55, north: 51.54, ..DALSTON }, min_zoom: 12, max_zoom: 16 };
    let err = keep(&fetcher, &template(&server), &upside_down, true, &mut never).expect_err("refused");
    assert!(matches!(&err, ApiError::Invalid(v) if v.field == "bbox"), "{err:?}");

    assert!(!called, "no progress: nothing started");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(fetcher.cache().is_empty().expect("len"));
}

#[test]
fn two_requests_at_a_time() {
    let (in_flight, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (now_in, peak) = (in_flight.clone(), most.clone());
    let tile = fixture("tiles/tile.png");
    let server = FixtureServer::start(move |_| {
        let n = now_in.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(n, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(40));
        now_in.fetch_sub(1, Ordering::SeqCst);
        Response::new(200, tile.clone()).header("Content-Type", "image/png")
    });
    let summary = keep(&fetcher(), &template(&server), &area(14, 15), true, &mut |_| true).expect("kept");
    assert_eq!(summary.progress.done, 13);
    assert_eq!(most.load(Ordering::SeqCst), CONCURRENCY, "at most (and, with 13 tiles, exactly) two at once");
}

#[test]
fn cancelling_keeps_what_was_fetched() {
    let server = tile_server(fixture("tiles/tile.png"));
    let fetcher = fetcher();
    let summary =
        keep(&fetcher, &template(&server), &area(12, 16), true, &mut |p| p.done < 5).expect("stopped");
    assert!(summary.cancelled);
    let done = summary.progress.done;
    // The request already out when Stop came is finished, and no new one starts.
    assert!((5..5 + CONCURRENCY as u32).contains(&done), "{done}");
    assert_eq!(server.requests().len() as u32, done);
    assert_eq!(fetcher.cache().len().expect("len"), u64::from(done));
}

#[test]
fn a_failing_server_stops_the_run_and_a_second_run_fetches_only_the_rest() {
    let broken = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(AtomicUsize::new(0));
    let (is_broken, count) = (broken.clone(), seen.clone());
    let tile = fixture("tiles/tile.png");
    let server = FixtureServer::start(move |req| {
        // The 10th request onwards fails while `broken`; zoom 16's first column is not there at all.
        if req.path.starts_with("/16/32753/") {
            return Response::new(404, "Not Found");
        }
        if count.fetch_add(1, Ordering::SeqCst) >= 9 && is_broken.load(Ordering::SeqCst) {
            return Response::new(503, "Service Unavailable");
        }
        Response::new(200, tile.clone()).header("Content-Type", "image/png")
    });
    let fetcher = fetcher();
    broken.store(true, Ordering::SeqCst);
    let err = keep(&fetcher, &template(&server), &area(12, 16), true, &mut |_| true).expect_err("stopped");
    let ApiError::OfflineStopped { .. } = &err else { panic!("{err:?}") };
    let message = err.to_string();
    assert!(
        message.contains("the tile server answered 503") && message.contains("run it again"),
        "{message}"
    );
    let kept = fetcher.cache().len().expect("len");
    assert!((9..=10).contains(&kept), "{kept}");
    let first_run = server.requests().len();

    broken.store(false, Ordering::SeqCst);
    let summary = keep(&fetcher, &template(&server), &area(12, 16), true, &mut |_| true).expect("kept");
    let p = summary.progress;
    assert_eq!((p.done, p.cached as u64, p.missing), (35, kept, 4), "{p:?}");
    assert_eq!((server.requests().len() - first_run) as u64, 35 - kept);
    assert_eq!(fetcher.cache().len().expect("len"), 35 - 4, "missing tiles are not cached");
}

#[test]
fn the_cli_estimates_refuses_openstreetmap_and_keeps_an_area() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let cache = dir.path().join("tiles.sqlite");
    let cache_arg = cache.to_str().expect("utf-8");
    let bbox = "51.54,-0.08,51.55,-0.06";

    let estimate = tablemap(&db, &["tiles", "estimate", "--bbox", bbox, "--zoom", "12-16"]).ok();
    assert!(estimate.contains("zoom 16:        20 tiles"), "{estimate}");
    assert!(
        estimate.contains("35 tiles in all from tile.openstreetmap.org (at most 10000 in one run)"),
        "{estimate}"
    );
    assert!(estimate.contains("does not allow downloading areas"), "{estimate}");

    // The default tile server is OpenStreetMap's: refused, with the estimate said first.
    let run = tablemap(
        &db,
        &[
            "--tile-cache",
            cache_arg,
            "tiles",
            "offline",
            "--bbox",
            bbox,
            "--zoom",
            "12-16",
            "--allowed-by-provider",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("35 tiles in all"), "{}", run.stdout);
    assert!(run.stderr.contains("policies/tiles") && run.stderr.contains("--mbtiles"), "{}", run.stderr);

    let server = tile_server(fixture("tiles/tile.png"));
    tablemap(&db, &["settings", "set", "--tile-url", &template(&server)]).ok();
    let run =
        tablemap(&db, &["--tile-cache", cache_arg, "tiles", "offline", "--bbox", bbox, "--zoom", "12-16"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("confirm that your tile provider (127.0.0.1) allows downloading areas"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());

    let out = tablemap(
        &db,
        &[
            "--tile-cache",
            cache_arg,
            "tiles",
            "offline",
            "--bbox",
            bbox,
            "--zoom",
            "12-16",
            "--allowed-by-provider",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("kept 35 tiles offline"), "{}", out.stdout);
    assert!(out.stderr.lines().any(|l| l == "35 of 35 tiles"), "{}", out.stderr);
    assert_eq!(server.requests().len(), 35);
    assert_eq!(TileCache::open(&cache).expect("cache").len().expect("len"), 35);

    let run = tablemap(&db, &["tiles", "estimate", "--bbox", bbox, "--zoom", "16-12"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("min_zoom"), "{}", run.stderr);
}

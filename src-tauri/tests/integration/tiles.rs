//! The tile client against a local tile server that speaks like tile.openstreetmap.org.

use crate::fixture_server::{tile_server, FixtureServer, Response};
use crate::support::{fixture, now, runtime};
use chrono::Duration;
use tablemap_core::sources::tiles::{Origin, TileCache, TileError, TileFetcher};

fn fixture_tile() -> Vec<u8> {
    fixture("tiles/tile.png")
}

#[test]
fn fetches_once_then_serves_from_the_cache_and_revalidates() {
    let server = tile_server(fixture_tile());
    let template = format!("{}/{{z}}/{{x}}/{{y}}.png", server.base_url());
    let fetcher = TileFetcher::new(TileCache::open_in_memory().expect("cache"));
    runtime().block_on(async {
        let (tile, origin) = fetcher.get(&template, 12, 2046, 1362, now()).await.expect("tile");
        assert_eq!(origin, Origin::Network);
        assert_eq!(tile.body, fixture_tile());
        assert_eq!(tile.content_type, "image/png");

        // Within a week: the cache, even though the server said one day.
        let (_, origin) =
            fetcher.get(&template, 12, 2046, 1362, now() + Duration::days(6)).await.expect("tile");
        assert_eq!(origin, Origin::Cache);

        // After the week: asked again with the ETag, and the 304 keeps the cached body.
        let (tile, origin) =
            fetcher.get(&template, 12, 2046, 1362, now() + Duration::days(8)).await.expect("tile");
        assert_eq!(origin, Origin::Revalidated);
        assert_eq!(tile.body, fixture_tile());
    });
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one fetch, one revalidation: {requests:?}");
    assert_eq!(requests[0].path, "/12/2046/1362.png");
    assert!(requests[0].headers["user-agent"].starts_with("Tablemap/"), "{:?}", requests[0].headers);
    assert_eq!(requests[1].headers.get("if-none-match").map(String::as_str), Some("\"fixture-tile-1\""));
}

#[test]
fn a_stale_tile_is_better_than_none_when_the_server_is_gone() {
    let cache_dir = tempfile::tempdir().expect("dir");
    let cache_path = cache_dir.path().join("tiles.sqlite");
    let template = {
        let server = tile_server(fixture_tile());
        let template = format!("{}/{{z}}/{{x}}/{{y}}.png", server.base_url());
        let fetcher = TileFetcher::new(TileCache::open(&cache_path).expect("cache"));
        runtime().block_on(fetcher.get(&template, 3, 1, 2, now())).expect("tile");
        template
    }; // the server stops here
    let fetcher = TileFetcher::new(TileCache::open(&cache_path).expect("reopen cache"));
    assert_eq!(fetcher.cache().len().expect("len"), 1);
    let (tile, origin) =
        runtime().block_on(fetcher.get(&template, 3, 1, 2, now() + Duration::days(30))).expect("stale tile");
    assert_eq!(origin, Origin::StaleCache);
    assert_eq!(tile.body, fixture_tile());
    // And a tile never fetched is an error, not a hang.
    let err = runtime().block_on(fetcher.get(&template, 3, 0, 0, now())).expect_err("no tile");
    assert!(matches!(err, TileError::Network(_)), "{err:?}");
}

#[test]
fn server_errors_are_reported_and_not_cached() {
    let server = FixtureServer::start(|req| {
        if req.path.starts_with("/busy") {
            Response::new(429, "Too Many Requests").header("Retry-After", "60")
        } else {
            Response::new(500, "oops")
        }
    });
    let fetcher = TileFetcher::new(TileCache::open_in_memory().expect("cache"));
    for (prefix, status) in [("busy", 429), ("broken", 500)] {
        let template = format!("{}/{prefix}/{{z}}/{{x}}/{{y}}.png", server.base_url());
        let err = runtime().block_on(fetcher.get(&template, 1, 0, 0, now())).expect_err("error");
        assert!(matches!(err, TileError::Upstream { status: s, .. } if s == status), "{err:?}");
    }
    assert!(fetcher.cache().is_empty().expect("len"));
    let err = runtime()
        .block_on(fetcher.get("http://127.0.0.1:9/{z}/{x}/{y}.png", 30, 0, 0, now()))
        .expect_err("range");
    assert!(matches!(err, TileError::OutOfRange { .. }));
}

//! `cargo bench -p tablemap-core --bench tiles`: how fast an MBTiles basemap serves the map. A
//! generated file (Greater London, zoom 0-15, ~6,400 tiles of 4-20 KB) is read for 1,000 random
//! tiles, straight from the file and through `api::tiles::tile` (what the window's `tiles:`
//! protocol calls), and for 1,000 tiles it lacks (the blank tile). Figures only.

use chrono::Utc;
use std::time::{Duration, Instant};
use tablemap_core::api::tiles;
use tablemap_core::domain::Bbox;
use tablemap_core::sources::mbtiles::MbTiles;
use tablemap_core::sources::offline::tile_ranges;
use tablemap_core::sources::tiles::{TileCache, TileFetcher};

const LONDON: Bbox = Bbox { south: 51.28, west: -0.51, north: 51.69, east: 0.33 };

/// The same numbers on every run.
use tablemap_core::demo::Rng;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "tiles/mbtiles: {label}: p50 {:.1} µs, p95 {:.1} µs, max {:.1} µs ({} tiles)",
        us(percentile(&times, 0.5)),
        us(percentile(&times, 0.95)),
        us(times[times.len() - 1]),
        times.len()
    );
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("london.mbtiles");
    let mut rng = Rng(7);
    let ranges = tile_ranges(&LONDON, 0, 15);
    let t = Instant::now();
    let mut conn = rusqlite::Connection::open(&path)?;
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
         INSERT INTO metadata VALUES ('name', 'bench'), ('format', 'png'), ('minzoom', '0'), ('maxzoom', '15');",
    )?;
    let mut all = Vec::new();
    let mut bytes = 0usize;
    {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare("INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)")?;
            for r in &ranges {
                for (z, x, y) in r.tiles() {
                    // Incompressible bodies of typical raster-tile sizes.
                    let len = 4096 + rng.below(16 * 1024);
                    let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
                    body.extend((0..len / 8).flat_map(|_| rng.next_u64().to_le_bytes()));
                    bytes += body.len();
                    insert.execute(rusqlite::params![z, x, (1u32 << z) - 1 - y, body])?;
                    all.push((z, x, y));
                }
            }
        }
        tx.commit()?;
    }
    drop(conn);
    println!(
        "tiles/mbtiles: generated {} tiles, {:.0} MB, in {:.2} s",
        all.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let file = MbTiles::open(&path)?;
    println!("tiles/mbtiles: opened and checked in {:.2} ms", t.elapsed().as_secs_f64() * 1e3);

    let picks: Vec<(u32, u32, u32)> = (0..1000).map(|_| all[rng.below(all.len())]).collect();
    let times = picks
        .iter()
        .map(|&(z, x, y)| {
            let t = Instant::now();
            let tile = file.tile(z, x, y).ok().flatten();
            let d = t.elapsed();
            assert!(tile.is_some(), "{z}/{x}/{y}");
            d
        })
        .collect();
    report("MbTiles::tile", times);

    // Through the protocol's own function, on the kind of runtime the window uses.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let fetcher = TileFetcher::new(TileCache::open_in_memory()?);
    let serve = |p: &str| {
        let t = Instant::now();
        let answer = runtime.block_on(tiles::tile(
            &fetcher,
            "http://127.0.0.1:9/{z}/{x}/{y}.png",
            Some(&file),
            p,
            Utc::now(),
        ));
        (t.elapsed(), answer)
    };
    let times = picks
        .iter()
        .map(|(z, x, y)| {
            let (d, a) = serve(&format!("/{z}/{x}/{y}.png"));
            assert!(a.status == 200 && a.body.len() > 4096);
            d
        })
        .collect();
    report("tiles:// answer, tile present", times);
    let times = (0..1000)
        .map(|_| {
            let (d, a) = serve(&format!("/17/{}/{}.png", rng.below(1 << 17), rng.below(1 << 17)));
            assert_eq!(a.status, 200);
            d
        })
        .collect();
    report("tiles:// answer, tile missing (blank)", times);
    Ok(())
}

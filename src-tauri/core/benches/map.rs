//! `cargo bench -p tablemap-core --bench map`: the map at city scale on 100,000 demo restaurants in a
//! real SQLite file: building the in-memory index, and the cluster query per view at zooms 5,
//! 10, 13 and 16 (p50/p95 over views spread across the data), unfiltered and under a filter.
//! Prints figures only.

#[path = "support/memory.rs"]
mod memory;

use chrono::Utc;
use memory::{peak_since, reset_peak};
use std::time::{Duration, Instant};
use tablemap_core::api::map::MapCache;
use tablemap_core::domain::Status;
use tablemap_core::domain::{Bbox, RestaurantFilter};
use tablemap_core::map::mercator;
use tablemap_core::store::Store;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The box a 1280×800 window shows around (lat, lon) at `zoom`.
fn view(lat: f64, lon: f64, zoom: u8) -> Bbox {
    let (w, h) = (1280.0 * mercator::pixel(zoom) / 2.0, 800.0 * mercator::pixel(zoom) / 2.0);
    let (x, y) = (mercator::x(lon), mercator::y(lat));
    Bbox {
        south: mercator::lat(y + h),
        west: mercator::lon(x - w),
        north: mercator::lat(y - h),
        east: mercator::lon(x + w),
    }
}

fn main() -> anyhow::Result<()> {
    let n: u32 =
        std::env::var("TABLEMAP_BENCH_MAP_RESTAURANTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("bench.sqlite"))?;
    tablemap_core::demo::seed(&mut store, n, 1, Utc::now())?;
    let mut cache = MapCache::default();

    let start = reset_peak();
    let t = Instant::now();
    let index = cache.index(&store)?;
    println!("map/{n}: build the index {:.0} ms, {}", t.elapsed().as_secs_f64() * 1000.0, peak_since(start));

    // View centres: restaurants picked evenly through the index (where people look).
    let all = Bbox { south: -90.0, west: -180.0, north: 90.0, east: 180.0 };
    let centres: Vec<(f64, f64)> = cache
        .view(&store, &RestaurantFilter::default(), all, 18)?
        .points
        .iter()
        .step_by((n as usize / 200).max(1))
        .map(|p| (p.lat, p.lon))
        .collect();
    drop(index);
    let filters = [
        ("no filter", RestaurantFilter::default()),
        (
            "status filter",
            RestaurantFilter { statuses: vec![Status::NotContacted, Status::FollowUp], ..Default::default() },
        ),
    ];
    for (label, filter) in &filters {
        for zoom in [5u8, 10, 13, 16] {
            let mut times = Vec::new();
            let mut drawn = 0usize;
            for &(lat, lon) in &centres {
                let t = Instant::now();
                let v = cache.view(&store, filter, view(lat, lon, zoom), zoom)?;
                times.push(t.elapsed());
                drawn += v.points.len() + v.clusters.len();
            }
            times.sort();
            println!(
                "map/{n}: {label}, zoom {zoom}: cluster query p50 {:.2} ms, p95 {:.2} ms ({} views, {:.0} symbols drawn on average)",
                percentile(&times, 0.5).as_secs_f64() * 1000.0,
                percentile(&times, 0.95).as_secs_f64() * 1000.0,
                times.len(),
                drawn as f64 / times.len() as f64
            );
        }
    }
    // A new filter: its rows are worked out once, then every pan reuses them.
    let t = Instant::now();
    let f = RestaurantFilter { search: Some("cafe".into()), ..Default::default() };
    cache.view(&store, &f, view(51.5, -0.1, 10), 10)?;
    println!("map/{n}: first view under a new search filter {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    Ok(())
}

//! `cargo bench -p tablemap-core --bench areas`: point-in-polygon at city scale. 100,000 demo
//! restaurants in a real SQLite file and 50 ward-sized polygons (about 1.7 km² each, on the
//! busiest parts of the demo) with wobbly edges of 400 and of 4,000 points (a generalised and a
//! full-resolution ward file). Prints figures only; nothing here passes or fails.

#[path = "support/memory.rs"]
mod memory;

use chrono::Utc;
use memory::{peak_since, reset_peak};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use tablemap_core::api::areas;
use tablemap_core::store::Store;

const WARDS: usize = 50;
/// A ward's cell: 0.012° of latitude by 0.018° of longitude, about 1.3 km by 1.2 km in London.
const CELL: (f64, f64) = (0.012, 0.018);

/// The south-west corners of the `WARDS` cells of the grid that hold the most restaurants, so
/// the wards sit where the demo put its restaurants whatever spread it uses.
fn busiest_cells(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut counts: HashMap<(i64, i64), usize> = HashMap::new();
    for (lat, lon) in points {
        *counts.entry(((lat / CELL.0).floor() as i64, (lon / CELL.1).floor() as i64)).or_default() += 1;
    }
    let mut cells: Vec<((i64, i64), usize)> = counts.into_iter().collect();
    cells.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    cells.iter().take(WARDS).map(|((y, x), _)| (*y as f64 * CELL.0, *x as f64 * CELL.1)).collect()
}

/// A ward on each cell, its outline walked with `points` points jittered up to 30 m across the
/// edge (neighbours overlap or leave slivers by that much, as careless files do).
fn ward_file(cells: &[(f64, f64)], points: usize) -> String {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut jitter = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.0006
    };
    let mut features = Vec::new();
    for (i, (south, west)) in cells.iter().enumerate() {
        let (north, east) = (south + CELL.0, west + CELL.1);
        let corners = [(*west, *south), (east, *south), (east, north), (*west, north)];
        let per_side = points / 4;
        let mut ring = String::from("[");
        for side in 0..4 {
            let (a, b) = (corners[side], corners[(side + 1) % 4]);
            for k in 0..per_side {
                let t = k as f64 / per_side as f64;
                let (mut x, mut y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                if k > 0 {
                    // Across the edge: latitude on east-west sides, longitude on the others.
                    if side % 2 == 0 {
                        y += jitter();
                    } else {
                        x += jitter();
                    }
                }
                let _ = write!(ring, "[{x:.6},{y:.6}],");
            }
        }
        let _ = write!(ring, "[{:.6},{:.6}]]", corners[0].0, corners[0].1);
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"WD23NM":"Ward {i}"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
        ));
    }
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> anyhow::Result<()> {
    let n: u32 =
        std::env::var("TABLEMAP_BENCH_RESTAURANTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("bench.sqlite"))?;
    let t = Instant::now();
    tablemap_core::demo::seed(&mut store, n, 1, Utc::now())?;
    println!("areas/{n}: demo seed {:.1} s", t.elapsed().as_secs_f64());
    let points: Vec<(f64, f64)> = store
        .conn()
        .prepare("SELECT lat, lon FROM restaurants")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let cells = busiest_cells(&points);

    for vertices in [400, 4_000] {
        let text = ward_file(&cells, vertices);
        let t = Instant::now();
        let summary = areas::import_geojson(&mut store, &text, None, None, Utc::now())?;
        let import = t.elapsed();
        let label = format!("areas/{n}/{WARDS}x{vertices}pt");
        println!(
            "{label}: import {} ({} KiB of GeoJSON, {} created, {} updated)",
            ms(import),
            text.len() / 1024,
            summary.created.len(),
            summary.updated.len()
        );

        // Tagging: what the map's index does with every restaurant.
        let t = Instant::now();
        let index = areas::index(&store)?;
        let built = t.elapsed();
        let mut runs = Vec::new();
        let mut tagged = 0;
        for _ in 0..5 {
            let t = Instant::now();
            tagged = points.iter().filter(|(lat, lon)| index.at(*lat, *lon).next().is_some()).count();
            runs.push(t.elapsed());
        }
        runs.sort();
        println!(
            "{label}: tag {} restaurants with {} areas: {} (median of 5; index from the database {}), \
             {tagged} inside an area",
            points.len(),
            index.len(),
            ms(runs[2]),
            ms(built)
        );
        // The same without the index: every area asked about every point (each area's own box
        // still rejects most points first).
        let polygons = areas::polygons(&store)?;
        let t = Instant::now();
        let naive =
            points.iter().filter(|(lat, lon)| polygons.iter().any(|p| p.area.contains(*lat, *lon))).count();
        println!("{label}: the same, every area for every point: {} ({naive} inside)", ms(t.elapsed()));

        // `areas list`: counts per status, last visit, holder, notes for every area.
        let start = reset_peak();
        let mut runs = Vec::new();
        for _ in 0..11 {
            let t = Instant::now();
            let list = areas::list(&store, Utc::now())?;
            runs.push(t.elapsed());
            assert_eq!(list.len(), WARDS);
        }
        runs.sort();
        println!(
            "{label}: areas list p50 {}, max {} (n=11), {}",
            ms(runs[5]),
            ms(runs[10]),
            peak_since(start)
        );
    }
    Ok(())
}

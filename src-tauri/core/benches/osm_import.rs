//! `cargo bench -p tablemap-core --bench osm_import`: an OpenStreetMap import of a generated
//! 50,000-element Overpass answer (nodes, ways and relations, like a big city's restaurants):
//! fetched over loopback HTTP through the real client, parsed, and applied to a real SQLite file,
//! then imported again unchanged and with a tenth changed. Prints figures only.

#[path = "../../../tests/support/fixture_server.rs"]
mod fixture_server;
#[path = "support/memory.rs"]
mod memory;

use chrono::Utc;
use fixture_server::{FixtureServer, Response};
use memory::{peak_since, reset_peak};
use std::fmt::Write as _;
use std::time::Instant;
use tablemap_core::api::osm;
use tablemap_core::sources::overpass::{self, OsmArea, OverpassClient};
use tablemap_core::store::Store;

/// A deterministic Overpass `out center tags` answer with `n` elements. `edition` changes the
/// phone of every tenth venue, as a later import would see.
fn answer(n: u32, edition: u32) -> String {
    let cuisines =
        ["turkish;kebab", "ethiopian", "vietnamese", "syrian;lebanese", "pizza", "coffee_shop", ""];
    let amenities = ["restaurant", "cafe", "fast_food"];
    let mut out = String::with_capacity(n as usize * 420);
    out.push_str(
        "{\n  \"version\": 0.6,\n  \"generator\": \"Overpass API 0.7.62.5 1bd436f1\",\n  \"osm3s\": {\n    \
         \"timestamp_osm_base\": \"2026-05-30T10:21:04Z\",\n    \"copyright\": \"The data included in this \
         document is from www.openstreetmap.org. The data is made available under ODbL.\"\n  },\n  \
         \"elements\": [\n\n",
    );
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let lat = 51.28 + (seed >> 11) as f64 / (1u64 << 53) as f64 * 0.41;
        let lon = -0.51 + (seed >> 7 & 0xFFFF_FFFF) as f64 / 4294967296.0 * 0.84;
        if i > 0 {
            out.push_str(",\n");
        }
        let (kind, id) = match i % 20 {
            0..=15 => ("node", 1_000_000_000 + u64::from(i)),
            16..=18 => ("way", 200_000_000 + u64::from(i)),
            _ => ("relation", 30_000_000 + u64::from(i)),
        };
        let position = if kind == "node" {
            format!("  \"lat\": {lat:.7},\n  \"lon\": {lon:.7},\n")
        } else {
            format!("  \"center\": {{\n    \"lat\": {lat:.7},\n    \"lon\": {lon:.7}\n  }},\n")
        };
        let _ = write!(out, "{{\n  \"type\": \"{kind}\",\n  \"id\": {id},\n{position}  \"tags\": {{\n");
        let _ = write!(
            out,
            "    \"addr:city\": \"London\",\n    \"addr:housenumber\": \"{}\",\n    \"addr:postcode\": \"E{} {}AB\",\n    \
             \"addr:street\": \"Street {}\",\n    \"amenity\": \"{}\",\n",
            1 + i % 180,
            1 + i % 20,
            i % 10,
            i % 900,
            amenities[(i % 3) as usize]
        );
        let cuisine = cuisines[(i % 7) as usize];
        if !cuisine.is_empty() {
            let _ = writeln!(out, "    \"cuisine\": \"{cuisine}\",");
        }
        if i % 33 != 0 {
            let _ = writeln!(out, "    \"name\": \"Venue {i} Caf\\u00e9\",");
        }
        let _ = write!(
            out,
            "    \"opening_hours\": \"Mo-Sa 12:00-23:00\",\n    \"phone\": \"+44 20 7{:03} {:04}\"\n  }}\n}}",
            (i + if i % 10 == 0 { edition } else { 0 }) % 1000,
            i % 10_000
        );
    }
    out.push_str("\n\n  ]\n}\n");
    out
}

fn main() -> anyhow::Result<()> {
    let n: u32 =
        std::env::var("TABLEMAP_BENCH_OSM_ELEMENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let first = answer(n, 0);
    println!("osm/{n}: generated answer {:.1} MiB", first.len() as f64 / 1048576.0);

    // Parse only (what the import does with the bytes).
    let start = reset_peak();
    let t = Instant::now();
    let parsed = overpass::parse(first.as_bytes())?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "osm/{n}: parse {:.0} ms ({:.0} elements/s), {} venues, {}",
        secs * 1000.0,
        f64::from(n) / secs,
        parsed.venues.len(),
        peak_since(start)
    );
    drop(parsed);

    // Fetch through the real client over loopback, then parse.
    let body = first.clone().into_bytes();
    let server = FixtureServer::start(move |_| {
        Response::new(200, body.clone()).header("Content-Type", "application/json")
    });
    let client = OverpassClient::new(&format!("{}/api", server.base_url()));
    let area = OsmArea::Bbox { south: 51.28, west: -0.51, north: 51.69, east: 0.33 };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let start = reset_peak();
    let t = Instant::now();
    let fetched = runtime.block_on(osm::fetch(&client, &area))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "osm/{n}: fetch over loopback + parse {:.0} ms ({:.0} elements/s), {}",
        secs * 1000.0,
        f64::from(n) / secs,
        peak_since(start)
    );
    drop(server);

    // Apply to a real database file: a first import, the same again, then with a tenth changed.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.sqlite");
    let mut store = Store::open(&path)?;
    for (label, venues) in [
        ("first import", fetched.venues.clone()),
        ("import again, unchanged", fetched.venues.clone()),
        ("import again, a tenth changed", overpass::parse(answer(n, 1).as_bytes())?.venues),
    ] {
        let start = reset_peak();
        let t = Instant::now();
        let s = osm::apply(&mut store, &venues, Utc::now(), &mut |_, _| true)?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "osm/{n}: {label}: {:.2} s ({:.0} venues/s; added {}, updated {}, unchanged {}, unnamed {}), {}",
            secs,
            venues.len() as f64 / secs,
            s.added,
            s.updated,
            s.unchanged,
            s.skipped_unnamed,
            peak_since(start)
        );
    }
    println!("osm/{n}: file size {:.1} MiB", std::fs::metadata(&path)?.len() as f64 / 1048576.0);
    Ok(())
}

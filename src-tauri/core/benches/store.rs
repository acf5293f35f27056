//! `cargo bench -p tablemap-core --bench store`: figures for the store on a real SQLite file with
//! 10,000 and 100,000 demo restaurants. Prints figures only; nothing here passes or fails.

use chrono::Utc;
use std::time::{Duration, Instant};
use tablemap_core::api;
use tablemap_core::domain::RestaurantFilter;
use tablemap_core::domain::{NewVisit, Outcome, VolunteerDraft};
use tablemap_core::store::Store;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<u32> = std::env::var("TABLEMAP_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    for n in sizes {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("bench.sqlite");
        let mut store = Store::open(&path)?;
        let t = Instant::now();
        tablemap_core::demo::seed(&mut store, n, 1, Utc::now())?;
        println!(
            "store/{n}: demo seed {:.2} s ({:.0} restaurants/s)",
            t.elapsed().as_secs_f64(),
            f64::from(n) / t.elapsed().as_secs_f64()
        );

        let page = api::restaurants::list(&store, &RestaurantFilter::default(), 500, 0)?;
        let ids: Vec<_> = page.items.iter().map(|r| r.id.clone()).collect();
        let volunteer = api::volunteers::add(
            &mut store,
            VolunteerDraft { display_name: "Bench".into(), contact: None },
            Utc::now(),
        )?;

        // Insert-a-visit: the whole use-case (validate, write, re-derive status, read the detail back).
        let mut times = Vec::new();
        for i in 0..400 {
            let visit = NewVisit {
                restaurant_id: ids[i % ids.len()].clone(),
                volunteer_id: volunteer.id.clone(),
                visited_at: None,
                outcome: Outcome::Spoke,
                stickers_left: 0,
                note: Some("bench".into()),
                follow_up_on: None,
                corrects: None,
                sticker_codes: vec![],
            };
            let t = Instant::now();
            api::visits::record(&mut store, visit, Utc::now())?;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "store/{n}: insert a visit  p50 {}  p99 {}  (n=400, synchronous=FULL)",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );

        // Full-text search: typical prefixes a volunteer types, first page of results.
        let queries =
            ["kebab", "Anat", "green street", "E8", "syrian", "lalibela kitchen", "caf", "rye lane se15"];
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..25 {
            for q in queries {
                let filter = RestaurantFilter { search: Some(q.to_string()), ..Default::default() };
                let t = Instant::now();
                let page = api::restaurants::list(&store, &filter, 100, 0)?;
                times.push(t.elapsed());
                hits += page.total;
            }
        }
        times.sort();
        println!(
            "store/{n}: full-text search p50 {}  p99 {}  (n={}, page of 100 with total count, {} hits)",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            times.len(),
            hits / 25
        );
        println!("store/{n}: file size {:.1} MiB", std::fs::metadata(&path)?.len() as f64 / 1048576.0);

        // Exports of every restaurant, written to real files.
        for (label, f) in [
            ("csv", api::exports::csv as fn(&Store, &std::path::Path) -> api::Result<u64>),
            ("geojson", api::exports::geojson),
        ] {
            let out = dir.path().join(format!("export.{label}"));
            let t = Instant::now();
            let rows = f(&store, &out)?;
            let secs = t.elapsed().as_secs_f64();
            println!(
                "store/{n}: export {label}: {secs:.2} s ({:.0} rows/s, {:.1} MiB)",
                rows as f64 / secs,
                std::fs::metadata(&out)?.len() as f64 / 1048576.0
            );
        }
    }
    Ok(())
}

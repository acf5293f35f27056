//! `cargo bench -p tablemap-core --bench route`: how long ordering a walk takes for 50 and 500 stops
//! spread over inner London (nearest neighbour alone, then with 2-opt), how much 2-opt shortens
//! the route, and how long a 50-stop walk sheet takes to write. Median of several runs; figures
//! only, nothing here passes or fails.

use std::time::{Duration, Instant};
use tablemap_core::walk::hours::Openness;
use tablemap_core::walk::quiet::TimeWindow;
use tablemap_core::walk::route::{self, LatLon, Pace, Start};
use tablemap_core::walk::sheet::{self, SheetStop, WalkSheet, DEFAULT_PITCH};

/// SplitMix64, as the demo data uses: the same stops on every run.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` stops in a box over inner London (about 14 × 11 km).
fn stops(n: usize, seed: u64) -> Vec<LatLon> {
    let mut rng = Rng(seed);
    (0..n).map(|_| LatLon { lat: 51.46 + rng.unit() * 0.10, lon: -0.20 + rng.unit() * 0.20 }).collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runs = 7;
    for n in [50usize, 500] {
        let mut nn_times = Vec::new();
        let mut full_times = Vec::new();
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let points = stops(n, 2026 + run as u64);
            let t = Instant::now();
            let nn = route::nearest_neighbour(&points, Start::Anywhere);
            nn_times.push(t.elapsed());
            before.push(route::length_m(&points, Start::Anywhere, &nn));

            let t = Instant::now();
            let planned = route::plan(&points, Start::Anywhere, &Pace::default());
            full_times.push(t.elapsed());
            after.push(planned.total_m);
        }
        let shorter: Vec<f64> = before.iter().zip(&after).map(|(b, a)| 100.0 * (1.0 - a / b)).collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        // Both figures include tabulating the n² distances, which nearest neighbour needs anyway.
        let (nn, full) = (median(nn_times), median(full_times));
        println!(
            "route/{n} stops: nearest neighbour {}  nearest neighbour + 2-opt {}  (2-opt {}; median of {runs})",
            ms(nn),
            ms(full),
            ms(full.saturating_sub(nn)),
        );
        println!(
            "route/{n} stops: length {:.1} km before 2-opt, {:.1} km after ({:.1}% shorter; mean of {runs} sets)",
            mean(&before) / 1000.0,
            mean(&after) / 1000.0,
            mean(&shorter)
        );
    }

    let points = stops(50, 7);
    let planned = route::plan(&points, Start::Anywhere, &Pace::default());
    let doc = WalkSheet {
        title: "Bench walk".into(),
        volunteer: Some("Amina".into()),
        when: "Monday 1 June 2026, from 14:00".into(),
        total_m: planned.total_m,
        minutes: planned.minutes,
        minutes_per_stop: 10.0,
        campaign: "Migrants Contribute".into(),
        site_url: "https://migrantscontribute.example/".into(),
        pitch: DEFAULT_PITCH.into(),
        stops: planned
            .order
            .iter()
            .zip(&planned.legs_m)
            .enumerate()
            .map(|(i, (_, leg))| SheetStop {
                reference: format!("{i:06}"),
                name: if i % 5 == 0 {
                    format!("مطعم الشام {i}")
                } else {
                    format!("Anatolia Grill {i}")
                },
                address: Some(format!("{} Kingsland High Street, Hackney", i + 1)),
                postcode: Some("E8 2AB".into()),
                opening_hours: Some("Mo-Fr 11:30-15:00,17:30-22:30; Sa,Su 12:00-22:30".into()),
                arrive: "14:25".into(),
                open: Openness::Open,
                changes: None,
                rush: None,
                quiet: Some(TimeWindow::new(15, 0, 17, 30)),
                status: "not contacted".into(),
                leg_m: *leg,
            })
            .collect(),
    };
    let mut times = Vec::new();
    let mut size = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        match sheet::write_sheet(Vec::new(), &doc) {
            Ok((bytes, report)) => size = (bytes.len(), report.pages),
            Err(e) => {
                eprintln!("walk sheet failed: {e}");
                return;
            }
        }
        times.push(t.elapsed());
    }
    println!(
        "walk sheet/50 stops: {} ({} pages, {} KiB; median of {runs})",
        ms(median(times)),
        size.1,
        size.0 / 1024
    );
}

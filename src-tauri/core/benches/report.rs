//! `cargo bench -p tablemap-core --bench report`: the dashboard's figures (`api::report`) on a
//! real encrypted file with 100,000 generated restaurants, 1,000,000 visits over two years,
//! twenty areas and four sticker batches: this month, last month (statuses replayed from the
//! visits) and the whole campaign, each with the figures per volunteer. Prints figures only.

use chrono::{Duration, Utc};
use std::time::Instant;
use tablemap_core::api::report::{self, Period, ReportRequest};
use tablemap_core::domain::area::Geometry;
use tablemap_core::store::Store;

fn main() -> anyhow::Result<()> {
    let restaurants: u32 =
        std::env::var("TABLEMAP_BENCH_RESTAURANTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let visits: u32 =
        std::env::var("TABLEMAP_BENCH_VISITS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    // TABLEMAP_BENCH_REPORT_DB=FILE keeps the generated file (and reuses it when it exists), for
    // measuring again without generating again.
    let kept = std::env::var_os("TABLEMAP_BENCH_REPORT_DB").map(std::path::PathBuf::from);
    let path = kept.clone().unwrap_or_else(|| dir.path().join("bench.sqlite"));
    let reuse = kept.is_some() && path.exists();
    let mut store = Store::open(&path)?;
    let now = Utc::now();
    let t = Instant::now();
    if !reuse {
        let seeded = tablemap_core::demo::seed_as(
            &mut store,
            restaurants,
            1,
            now - Duration::days(730),
            tablemap_core::demo::GENERATED,
        )?;
        let more = visits.saturating_sub(seeded.visits);
        tablemap_core::demo::more_visits::add(&mut store, more, 24, 7, now)?;
        // Twenty areas: a 5 x 4 grid over Greater London.
        for i in 0..20 {
            let (w, s) = (-0.51 + f64::from(i % 5) * 0.168, 51.28 + f64::from(i / 5) * 0.1025);
            let ring = vec![[w, s], [w + 0.168, s], [w + 0.168, s + 0.1025], [w, s + 0.1025], [w, s]];
            tablemap_core::api::areas::create(
                &mut store,
                &format!("Area {i}"),
                Geometry::Polygon { coordinates: vec![ring] },
                now,
            )?;
        }
        for b in 0..4 {
            let out = dir.path().join(format!("batch{b}.pdf"));
            let request = tablemap_core::api::stickers::PrintRequest::blank(
                "avery-l7160",
                500,
                "https://mc.org.uk/s",
                out,
            );
            tablemap_core::api::stickers::print(
                &mut store,
                request,
                now - Duration::days(30 * b),
                &mut |_, _| true,
            )?;
        }
    }
    let total: i64 = store.conn().query_row("SELECT count(*) FROM visits", [], |r| r.get(0))?;
    println!(
        "report: {restaurants} restaurants, {total} visits, 20 areas, 2,000 stickers generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    for (label, period) in [
        ("this month", Period::ThisMonth),
        ("last month (replayed)", Period::LastMonth),
        ("the whole campaign", Period::Campaign),
    ] {
        let request = ReportRequest { period, area: None, with_volunteers: true };
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let t = Instant::now();
            last = Some(report::report(&store, &request, now)?);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let r = last.expect("ran");
        println!(
            "report/{label}: median {:.0} ms, slowest {:.0} ms of 5 (funnel {} known, {} contacted, {} agreed, {} placed; {} weeks)",
            times[2], times[4], r.funnel.known, r.funnel.contacted, r.funnel.agreed, r.funnel.sticker_placed, r.weeks.len()
        );
    }
    let request =
        ReportRequest { period: Period::ThisMonth, area: Some("Area 7".into()), with_volunteers: false };
    let t = Instant::now();
    let r = report::report(&store, &request, now)?;
    println!(
        "report/this month, one area: {:.0} ms ({} restaurants known)",
        t.elapsed().as_secs_f64() * 1000.0,
        r.funnel.known
    );
    // The meeting's PDF: the figures and the drawing, written to a file.
    let dir = tempfile::tempdir()?;
    for (label, period) in [("last month", Period::LastMonth), ("the whole campaign", Period::Campaign)] {
        let request = ReportRequest { period, area: None, with_volunteers: true };
        let out = dir.path().join("report.pdf");
        let t = Instant::now();
        let written = report::write_pdf(&store, &request, now, &out)?;
        let all = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let (bytes, _) = report::pdf::write(Vec::new(), &written.report, now.date_naive())?;
        println!(
            "report/PDF for {label}: {all:.0} ms in all, of which drawing {:.0} ms ({} pages, {} KiB)",
            t.elapsed().as_secs_f64() * 1000.0,
            written.pages,
            bytes.len() / 1024
        );
    }
    Ok(())
}

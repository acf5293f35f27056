//! Start-up benchmark: for demo databases of 10,000 and 100,000 restaurants, the time from
//! process start to the map's first render (the app prints it when the window reports its
//! first markers drawn) and the resident memory of the app and its WebKit processes then.
//! Figures only. Usage: bench-app PATH/TO/tablemap (under a display, e.g. xvfb-run).

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tablemap_e2e::fixture_server::tile_server;

/// Resident memory (KiB) of `pid` and every process below it.
fn tree_rss_kib(pid: u32) -> u64 {
    let mut total = 0;
    let mut stack = vec![pid];
    while let Some(p) = stack.pop() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{p}/status")) {
            total += status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0);
        }
        if let Ok(children) = std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")) {
            stack.extend(children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
        }
    }
    total
}

struct Sample {
    first_render: Duration,
    main_rss_kib: u64,
    tree_rss_kib: u64,
    markers: String,
}

fn run_once(bin: &Path, db: &Path, cache: &Path) -> Result<Sample> {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .arg("--db")
        .arg(db)
        .env("TABLEMAP_TILE_CACHE", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("start the app")?;
    let stdout = child.stdout.take().context("stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("tablemap: first render") {
                let _ = tx.send((start.elapsed(), line));
            }
        }
    });
    let result = rx.recv_timeout(Duration::from_secs(120));
    // Let the page settle, then measure memory as a user would see it after loading.
    std::thread::sleep(Duration::from_millis(500));
    let tree = tree_rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let (first_render, line) = result.context("the window never reported its first render")?;
    let main_rss_kib = line
        .split("rss ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let markers = line.split(", ").nth(1).unwrap_or("?").to_string();
    Ok(Sample { first_render, main_rss_kib, tree_rss_kib: tree, markers })
}

fn main() -> Result<()> {
    let bin = std::env::args().nth(1).context("usage: bench-app PATH/TO/tablemap")?;
    let bin = Path::new(&bin).canonicalize().context("the app binary")?;
    if std::env::var_os("DISPLAY").is_none() {
        bail!("no DISPLAY: run under xvfb-run (make bench-app does)");
    }
    let tile = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiles/tile.png"))?;
    let tiles = tile_server(tile);
    let sizes: Vec<u32> = std::env::var("TABLEMAP_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    for n in sizes {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("bench.sqlite");
        let seed = Command::new(&bin)
            .arg("--db")
            .arg(&db)
            .args(["demo", "--restaurants", &n.to_string(), "--as-real"])
            .output()?;
        if !seed.status.success() {
            bail!("demo seed failed: {}", String::from_utf8_lossy(&seed.stderr));
        }
        let url = format!("{}/{{z}}/{{x}}/{{y}}.png", tiles.base_url());
        Command::new(&bin).arg("--db").arg(&db).args(["settings", "set", "--tile-url", &url]).output()?;
        let cache = dir.path().join("tiles.sqlite");
        // One warm-up (fills the tile cache and the OS file cache), then three measured runs.
        run_once(&bin, &db, &cache)?;
        let mut samples = Vec::new();
        for _ in 0..3 {
            samples.push(run_once(&bin, &db, &cache)?);
        }
        samples.sort_by_key(|s| s.first_render);
        let median = &samples[1];
        println!(
            "app/{n}: start to first map render  median {} ms  (min {} ms, max {} ms; {})",
            median.first_render.as_millis(),
            samples[0].first_render.as_millis(),
            samples[2].first_render.as_millis(),
            median.markers
        );
        println!(
            "app/{n}: resident memory after load  app {:.0} MiB, app + WebKit processes {:.0} MiB",
            median.main_rss_kib as f64 / 1024.0,
            median.tree_rss_kib as f64 / 1024.0
        );
    }
    Ok(())
}

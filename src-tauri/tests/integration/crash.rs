//! Crashes: the command line killed with SIGKILL at random moments while it logs visits,
//! imports a 5,000-row spreadsheet and prints a sticker batch to PDF. Afterwards every command
//! that said it succeeded is in the file, every import is whole or absent, every PDF is whole
//! (with its batch recorded) or absent, and `tablemap doctor` passes.
//!
//! 200 kills here (`TABLEMAP_CRASH_KILLS` sets another number; `make bench-crash` runs 1,000),
//! from a seed printed first (`TABLEMAP_CRASH_SEED` replays it). Each kill lands after a delay
//! drawn between 0 and a little over the command's typical duration, learned from the runs
//! that finished (every tenth of a kind runs uncut), so kills fall all through the work and
//! some commands finish.

use crate::support;
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tablemap_core::demo::Rng;
use tablemap_core::secrets::DatabaseKey;
use tablemap_core::store::Store;

const IMPORT_ROWS: usize = 5000;
/// Stickers per printed batch: five pages of Avery L7160.
const STICKERS: u32 = 105;
const PAGES: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Visit,
    Import,
    Print,
}

/// What one run of a command was for, and how it ended.
struct Attempt {
    kind: Kind,
    /// The visit's note, the import's name prefix, or the PDF's path.
    marker: String,
    /// Exited 0 (rather than killed).
    succeeded: bool,
    stdout: String,
}

struct Lab {
    dir: PathBuf,
    db: PathBuf,
    key: PathBuf,
}

impl Lab {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tablemap"));
        c.arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("TABLEMAP_DB")
            .env("TABLEMAP_KEY_FILE", &self.key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Runs a command to its end; it must succeed.
    fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("run tablemap");
        assert!(out.status.success(), "tablemap {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

#[test]
fn kill_9_at_random_moments_loses_nothing_that_succeeded_and_leaves_nothing_half_done() {
    let kills: usize = std::env::var("TABLEMAP_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed: u64 =
        std::env::var("TABLEMAP_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("crash: {kills} kills, seed {seed} (TABLEMAP_CRASH_SEED={seed} replays the same choices)");
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let lab = Lab {
        dir: tmp.path().to_path_buf(),
        db: tmp.path().join("crash.sqlite"),
        key: tmp.path().join("database.key"),
    };
    std::fs::create_dir(lab.dir.join("pdf")).expect("pdf folder");
    let restaurants: Vec<String> = ["Zaza", "Mangal", "Jollof Pot"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let lat = format!("51.54{i}");
            let out = lab.run(&["restaurants", "add", "--name", name, "--lat", &lat, "--lon", "-0.075"]);
            out.lines().last().expect("restaurant id").trim().to_string()
        })
        .collect();

    let mut rng = Rng(seed);
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut typical: BTreeMap<Kind, Duration> = BTreeMap::new();
    // One uncut run of each kind first: the typical durations, and a success of each to check.
    for kind in [Kind::Visit, Kind::Import, Kind::Print] {
        let (attempt, took) = attempt(&lab, &mut rng, kind, attempts.len(), &restaurants, None);
        assert!(attempt.succeeded, "the uncut {kind:?} failed");
        typical.insert(kind, took);
        attempts.push(attempt);
    }
    // Every tenth command of a kind runs uncut: successes to check, and a fresh measure of how
    // long the kind takes as the file grows (a kill only says it took at least that long).
    let mut runs: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut done = 0;
    while done < kills {
        assert!(attempts.len() < 20 * kills + 20, "kills keep missing: {done} of {kills} landed");
        let kind = match rng.below(10) {
            0..=3 => Kind::Visit,
            4..=6 => Kind::Import,
            _ => Kind::Print,
        };
        let run = runs.entry(kind).or_default();
        *run += 1;
        let delay = typical[&kind].mul_f64(1.1 * rng.unit());
        let kill_after = (!run.is_multiple_of(10)).then_some(delay);
        let (attempt, took) = attempt(&lab, &mut rng, kind, attempts.len(), &restaurants, kill_after);
        if attempt.succeeded {
            let t = typical.get_mut(&kind).expect("kind");
            *t = (*t + took) / 2;
        } else {
            done += 1;
        }
        attempts.push(attempt);
    }
    let work = started.elapsed();

    let figures = check(&lab, &attempts);
    let doctor = lab.command(&["doctor"]).output().expect("doctor");
    assert!(
        doctor.status.success(),
        "doctor after {kills} kills (seed {seed}): {}{}",
        String::from_utf8_lossy(&doctor.stdout),
        String::from_utf8_lossy(&doctor.stderr)
    );
    let mut by_kind: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    for a in &attempts {
        let e = by_kind.entry(a.kind).or_default();
        if a.succeeded {
            e.0 += 1
        } else {
            e.1 += 1
        }
    }
    eprintln!(
        "crash: {done} kills in {} commands, {:.1} s (seed {seed})",
        attempts.len(),
        work.as_secs_f64()
    );
    for (kind, (ok, killed)) in &by_kind {
        eprintln!("crash:   {kind:?}: {ok} completed, {killed} killed, typical {:?}", typical[kind]);
    }
    eprintln!("crash: {figures}");
    eprintln!("crash: {}", String::from_utf8_lossy(&doctor.stdout).trim());
}

/// Starts one command of `kind` and, given a delay, kills it then (unless it finished first).
/// A command that was not killed must succeed: a crash before must never make a later command
/// fail.
fn attempt(
    lab: &Lab,
    rng: &mut Rng,
    kind: Kind,
    n: usize,
    restaurants: &[String],
    kill_after: Option<Duration>,
) -> (Attempt, Duration) {
    let marker = match kind {
        Kind::Visit => format!("crash visit {n:06}"),
        Kind::Import => format!("imp{n:06} "),
        Kind::Print => lab.dir.join("pdf").join(format!("{n:06}.pdf")).to_string_lossy().into_owned(),
    };
    let restaurant = &restaurants[rng.below(restaurants.len())];
    let csv = lab.dir.join("import.csv");
    let stickers = STICKERS.to_string();
    let args: Vec<&str> = match kind {
        Kind::Visit => vec![
            "visits",
            "add",
            "--restaurant",
            restaurant.as_str(),
            "--volunteer",
            "Amira",
            "--outcome",
            "spoke",
            "--note",
            marker.as_str(),
        ],
        Kind::Import => {
            std::fs::write(&csv, spreadsheet(&marker, rng)).expect("write csv");
            vec!["import", "csv", csv.to_str().expect("utf-8 path"), "--duplicates", "add"]
        }
        Kind::Print => {
            vec![
                "stickers",
                "print",
                "--template",
                "avery-l7160",
                "--count",
                stickers.as_str(),
                "--out",
                marker.as_str(),
            ]
        }
    };
    let start = Instant::now();
    let mut child = lab.command(&args).spawn().expect("start tablemap");
    if let Some(delay) = kill_after {
        std::thread::sleep(delay);
        // SIGKILL; harmless when it has already exited (it is not reaped until `wait`).
        child.kill().expect("kill");
    }
    let out = child.wait_with_output().expect("wait");
    let took = start.elapsed();
    let killed = out.status.signal() == Some(9);
    assert!(
        killed || out.status.success(),
        "{kind:?} #{n} was not killed but failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (Attempt { kind, marker, succeeded: !killed, stdout }, took)
}

/// 5,000 restaurants named `<prefix>row N`, at random places in inner London.
fn spreadsheet(prefix: &str, rng: &mut Rng) -> String {
    let mut csv = String::from("name,lat,lon,postcode,cuisines\n");
    for i in 0..IMPORT_ROWS {
        let lat = 51.45 + rng.unit() * 0.15;
        let lon = -0.25 + rng.unit() * 0.3;
        csv.push_str(&format!("{prefix}row {i},{lat:.6},{lon:.6},E8 {},turkish\n", 1 + i % 9));
    }
    csv
}

/// Checks what the file holds against what each command reported; returns the figures.
fn check(lab: &Lab, attempts: &[Attempt]) -> String {
    let key = DatabaseKey::parse(&std::fs::read_to_string(&lab.key).expect("key file")).expect("key");
    let store = Store::open_with_key(&lab.db, &key).expect("open the database after the crashes");
    let db = store.conn();
    let count = |sql: &str, param: &str| -> i64 { db.query_row(sql, [param], |r| r.get(0)).expect(sql) };
    let mut imports_whole = 0;
    let mut pdfs_whole = 0;
    let mut batches_without_pdf = 0;
    for a in attempts {
        match a.kind {
            Kind::Visit => {
                let n = count("SELECT count(*) FROM visits WHERE note = ?1", &a.marker);
                assert!(n <= 1, "visit {:?} is there {n} times", a.marker);
                assert!(!a.succeeded || n == 1, "visit {:?} succeeded but is not in the file", a.marker);
            }
            Kind::Import => {
                let n =
                    count("SELECT count(*) FROM restaurants WHERE name LIKE ?1 || '%'", &a.marker) as usize;
                assert!(n == 0 || n == IMPORT_ROWS, "import {:?} is half there: {n} rows", a.marker);
                assert!(
                    !a.succeeded || n == IMPORT_ROWS,
                    "import {:?} succeeded but holds {n} rows",
                    a.marker
                );
                imports_whole += usize::from(n == IMPORT_ROWS);
            }
            Kind::Print => {
                let pdf = Path::new(&a.marker);
                if pdf.exists() {
                    let info = support::tool("pdfinfo", &[&a.marker]);
                    assert!(info.contains(&format!("Pages:           {PAGES}\n")), "{}: {info}", a.marker);
                    let name = pdf.file_name().expect("file name").to_string_lossy();
                    let batch = count("SELECT count(*) FROM print_batches WHERE file_name = ?1", &name);
                    // The batch is committed before its PDF takes its place: a PDF in place
                    // always has its codes in the database.
                    assert_eq!(batch, 1, "{} is in place without its batch", a.marker);
                    pdfs_whole += 1;
                } else {
                    assert!(!a.succeeded, "print {} succeeded but left no PDF", a.marker);
                    let name = pdf.file_name().expect("file name").to_string_lossy();
                    batches_without_pdf +=
                        count("SELECT count(*) FROM print_batches WHERE file_name = ?1", &name) as usize;
                }
                if a.succeeded {
                    let batch = a.stdout.lines().last().expect("batch id").trim();
                    let codes = count("SELECT count(*) FROM sticker_codes WHERE batch_id = ?1", batch);
                    assert_eq!(
                        codes,
                        i64::from(STICKERS),
                        "batch {batch} of {} holds {codes} codes",
                        a.marker
                    );
                }
            }
        }
    }
    let part_files = || {
        std::fs::read_dir(lab.dir.join("pdf"))
            .expect("pdf folder")
            .filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".part")))
            .count()
    };
    let leftovers = part_files();
    // The next write into the folder, whatever its file name, clears what killed prints left.
    let last = lab.dir.join("pdf").join("after the crashes.pdf");
    let _ = lab.run(&[
        "stickers",
        "print",
        "--template",
        "avery-l7160",
        "--count",
        "1",
        "--out",
        &last.to_string_lossy(),
    ]);
    assert_eq!(
        part_files(),
        0,
        "the print after the crashes left {} of {leftovers} .part files",
        part_files()
    );
    format!(
        "{imports_whole} imports whole in the file, the rest absent; {pdfs_whole} PDFs whole, each with its \
         batch, the rest absent ({batches_without_pdf} batches recorded by a print killed before its PDF took \
         its place); {leftovers} temporary .part files left by killed prints, all gone with the next print"
    )
}

//! The fuzz targets' inputs as a plain test (no cargo-fuzz, stable Rust): for each target in
//! `tablemap_core::fuzz::TARGETS`, every seed in `src-tauri/fuzz/corpus/<target>/`, then
//! inputs made from a fixed seed (the seeds mutated: bytes flipped, cut, repeated, spliced
//! with the target's own tokens; and plain random bytes). None may panic. `make fuzz` runs the
//! same entry functions under libFuzzer for longer.
//!
//! `TABLEMAP_FUZZ_CASES` sets the made inputs per target (default 2,000) and
//! `TABLEMAP_FUZZ_SEED` the seed; an input that panics is written to
//! `target/tmp/fuzz-failures/<target>/`, to replay with
//! `cargo fuzz run --fuzz-dir src-tauri/fuzz --sanitizer none <target> FILE`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tablemap_core::demo::Rng;
use tablemap_core::fuzz::TARGETS;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus");

/// Text each target's reader gives meaning to, spliced into mutated inputs so they reach past
/// the first check.
fn tokens(target: &str) -> &'static [&'static str] {
    match target {
        "csv" => &[",", ";", "\t", "|", "\"", "\"\"", "\r\n", "\r", "\n", "sep=;\n", "\u{feff}", "name", "lat", "lon", "postcode", "opening_hours", "51,5", "-0.1", "1e400", "NaN", "\u{0}", "é", "€"],
        "geojson" => &["{", "}", "[", "]", ",", ":", "\"type\"", "\"Polygon\"", "\"MultiPolygon\"", "\"Feature\"", "\"FeatureCollection\"", "\"features\"", "\"geometry\"", "\"coordinates\"", "\"properties\"", "\"name\"", "\"crs\"", "[[[0,0],[1,0],[1,1],[0,0]]]", "1e400", "-1e308", "180.0000001", "-90", "null", "0"],
        "opening_hours" => &["Mo", "Tu", "Fr", "Su", "-", ",", ";", " || ", "+", ":", "24/7", "00:00", "24:00", "26:00", "99:99", "18:00-02:00", "off", "closed", "open", "unknown", "PH", "SH", "Jan", "Dec 25", "Feb 29", "\"comment\"", "[1]", "week", "2026", "sunrise", " "],
        "glabels" => &["<Template brand=\"A\" part=\"1\" size=\"A4\">", "</Template>", "<Label-rectangle id=\"0\" width=\"1in\" height=\"1in\" round=\"0\">", "</Label-rectangle>", "<Label-round id=\"0\" radius=\"10mm\">", "<Layout nx=\"3\" ny=\"7\" x0=\"0pt\" y0=\"0\" dx=\"70mm\" dy=\"38mm\"/>", "<Alias brand=\"B\" part=\"2\"/>", "<Glabels-templates>", "</Glabels-templates>", "1e308", "-1", "0", "NaN", "inf", "mm", "cm", "pc", "in", "pt", "\"", ">", "<"],
        "sync_row" => &["{", "}", "[", "]", ",", ":", "\"id\":\"A1\"", "\"restaurant_id\":\"R1\"", "\"volunteer_id\":\"V1\"", "\"visited_at\":\"2026-06-01T12:00:00Z\"", "\"recorded_at\":\"2026-06-01T12:00:00.123Z\"", "\"outcome\":\"spoke\"", "\"codes\":[{\"code\":\"K7MP2QX\",\"url\":\"https://x/K7MP2QX\"}]", "\"definition\":\"{}\"", "\"geometry\":\"{\\\"type\\\":\\\"Polygon\\\",\\\"coordinates\\\":[[[0,0],[0.01,0],[0.01,0.01],[0,0]]]}\"", "\"hlc\":\"z\"", "\"name\":\"\"", "null", "1e999", "-1", "18446744073709551616", "\"\u{0}\""],
        _ => &[],
    }
}

#[test]
fn fuzz_targets_never_panic_on_the_corpus_or_seeded_inputs() {
    let cases: usize = std::env::var("TABLEMAP_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let seed: u64 = std::env::var("TABLEMAP_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    eprintln!("fuzz: {cases} made inputs per target from seed {seed} (TABLEMAP_FUZZ_SEED replays)");
    let failures = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let mut panics = Vec::new();
    for (name, entry) in TARGETS {
        let seeds = corpus(name);
        assert!(seeds.len() >= 3, "{CORPUS}/{name} should hold a few seed files, has {}", seeds.len());
        let mut rng = Rng(seed ^ fnv(name));
        let mut inputs: Vec<(String, Vec<u8>)> = seeds.clone();
        for i in 0..cases {
            let base = &seeds[rng.below(seeds.len())].1;
            let input = if i % 10 == 9 {
                random_bytes(&mut rng)
            } else {
                mutate(&mut rng, base, &seeds, tokens(name))
            };
            inputs.push((format!("made-{i}"), input));
        }
        for (label, input) in &inputs {
            if catch_unwind(AssertUnwindSafe(|| entry(input))).is_err() {
                let dir = failures.join(name);
                std::fs::create_dir_all(&dir).expect("failures folder");
                let file = dir.join(label);
                std::fs::write(&file, input).expect("write failing input");
                panics.push(format!("{name}: {label} panicked (input kept in {})", file.display()));
            }
        }
        eprintln!(
            "fuzz: {name}: {} inputs ({} seeds), {} panics so far",
            inputs.len(),
            seeds.len(),
            panics.len()
        );
    }
    assert!(panics.is_empty(), "{} inputs panicked (seed {seed}):\n{}", panics.len(), panics.join("\n"));
}

/// The seed files of a target, by file name.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(CORPUS).join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read(&p).expect("seed"))
        })
        .collect();
    out.sort();
    out
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(512);
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// One to eight edits of `base`, each picked at random.
fn mutate(rng: &mut Rng, base: &[u8], seeds: &[(String, Vec<u8>)], tokens: &[&str]) -> Vec<u8> {
    let mut out = base.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] = [0, 0xff, 0x7f, 0x80, b'0', b'9', b'-', b' '][rng.below(8)];
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            3 => out.truncate(at),
            4 => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                let piece = out[at..end].to_vec();
                let times = 1 + rng.below(4);
                for _ in 0..times {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            5 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())].1;
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(64)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ if !tokens.is_empty() => {
                let t = tokens[rng.below(tokens.len())];
                out.splice(at..at, t.bytes());
            }
            _ => out.insert(at, rng.next_u64() as u8),
        }
    }
    out
}

//! What the integration tests share: running the real `tablemap` binary, reading files from
//! tests/fixtures, a fixed "now", and a runtime for the async network clients.

use chrono::{DateTime, Utc};
use std::path::Path;
use std::process::Command;

/// One run of the `tablemap` binary: its exit code (-1 if a signal ended it) and its output.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    args: Vec<String>,
}

impl Run {
    /// Its stdout, after asserting that it exited with 0.
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "tablemap {:?}: {}", self.args, self.stderr);
        self.stdout
    }
}

/// Runs `tablemap --db <db> <args>`, with `TABLEMAP_DB` unset so only `db` is used.
pub fn tablemap(db: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_tablemap"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TABLEMAP_DB")
        .output()
        .expect("run tablemap");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

/// Runs the binary with `input` on its standard input.
pub fn tablemap_with_input(db: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tablemap"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TABLEMAP_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tablemap");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

/// The bytes of a file under tests/fixtures, e.g. `fixture("overpass/dalston.json")`.
pub fn fixture(path: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The time the tests take as now: 1 June 2026, noon UTC.
pub fn now() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().expect("time")
}

/// A current-thread runtime for the async clients.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// Writes an MBTiles file at `path`: `format` in the metadata (with `attribution` when given)
/// and each `(z, x, y, bytes)` tile at web-map z/x/y, stored with its row flipped as MBTiles
/// counts rows (`2^z - 1 - y`), the way tile tools write it.
pub fn mbtiles_file(
    path: &Path,
    format: &str,
    attribution: Option<&str>,
    tiles: &[(u32, u32, u32, Vec<u8>)],
) {
    let conn = rusqlite::Connection::open(path).expect("create mbtiles");
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .expect("schema");
    let mut meta = vec![("name", "test map"), ("format", format), ("minzoom", "0"), ("maxzoom", "16")];
    if let Some(a) = attribution {
        meta.push(("attribution", a));
    }
    for (k, v) in meta {
        conn.execute("INSERT INTO metadata (name, value) VALUES (?1, ?2)", [k, v]).expect("metadata");
    }
    for (z, x, y, bytes) in tiles {
        conn.execute(
            "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![z, x, (1u32 << z) - 1 - y, bytes],
        )
        .expect("tile");
    }
}

/// Runs a command-line tool (pdfinfo, pdftotext, …) and returns its stdout, after asserting it
/// succeeded.
pub fn tool(program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (make test installs it)"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every QR code zbarimg finds on page `page` (1-based) of `pdf` rendered at `dpi`.
pub fn qr_codes_on_page(pdf: &Path, page: u32, dpi: u32, work: &Path) -> Vec<String> {
    let stem = work.join(format!("qr-page-{page}"));
    let (stem_s, pdf_s, p, r) = (
        stem.to_string_lossy().into_owned(),
        pdf.to_string_lossy().into_owned(),
        page.to_string(),
        dpi.to_string(),
    );
    tool("pdftoppm", &["-r", &r, "-f", &p, "-l", &p, "-png", "-singlefile", &pdf_s, &stem_s]);
    let out =
        Command::new("zbarimg").args(["-q", "--raw", &format!("{stem_s}.png")]).output().expect("zbarimg");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A request for `count` blank stickers on Avery L7160 at level M, to `out`.
pub fn blank_print(count: u32, out: std::path::PathBuf) -> tablemap_core::api::stickers::PrintRequest {
    tablemap_core::api::stickers::PrintRequest::blank("avery-l7160", count, "https://mc.org.uk/s", out)
}

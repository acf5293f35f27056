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

//! A throwaway PostgreSQL for tests: `initdb` into a temporary folder, `pg_ctl start` on a free
//! loopback port with its unix socket in that folder, SCRAM passwords over TCP, a superuser
//! `admin` with a password, and `pg_ctl stop` (then a kill) when dropped, panics included.
//!
//! Shared by the Rust integration tests and benchmarks (included with `#[path]`). Needs the
//! PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`; found through
//! `pg_config --bindir`, `/usr/lib/postgresql/*/bin`, or `TABLEMAP_PG_BINDIR`). As root,
//! `initdb` refuses to run, so the server runs as `nobody` (or `TABLEMAP_PG_USER`) via `runuser`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-test-password";

pub struct TestPostgres {
    dir: PathBuf,
    bindir: PathBuf,
    run_as: Option<String>,
    pub port: u16,
}

impl TestPostgres {
    /// Starts a fresh server; panics with what to install when PostgreSQL is missing.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Starts a fresh server that also offers TLS with this certificate and key (PEM).
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Self {
        Self::start_with(Some((cert_pem, key_pem)))
    }

    fn start_with(tls: Option<(&str, &str)>) -> Self {
        let bindir = bindir().unwrap_or_else(|| {
            panic!("PostgreSQL server binaries not found: install them (Debian/Ubuntu: apt-get install postgresql) or set TABLEMAP_PG_BINDIR")
        });
        let run_as = is_root().then(|| std::env::var("TABLEMAP_PG_USER").unwrap_or_else(|_| "nobody".into()));
        // Under /tmp when root: the unprivileged server must be able to reach the folder, and
        // unix socket paths must stay short.
        let base = if run_as.is_some() { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let dir = base.join(format!("tablemap-pg-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut pg = TestPostgres { dir, bindir, run_as, port: 0 };
        pg.chown();
        std::fs::write(pg.dir.join("pw"), ADMIN_PASSWORD).expect("password file");
        pg.chown();
        let data = pg.dir.join("data");
        pg.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                ADMIN,
                "--pwfile",
                path(&pg.dir.join("pw")),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        let mut ssl = String::new();
        if let Some((cert, key)) = tls {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(data.join("server.crt"), cert).expect("server certificate");
            std::fs::write(data.join("server.key"), key).expect("server key");
            // PostgreSQL refuses a key others can read.
            std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600))
                .expect("key mode");
            pg.chown();
            ssl = " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key".into();
        }
        // A free port can be taken between asking and binding: try a few.
        for attempt in 0..5 {
            pg.port = free_port();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50{ssl}",
                pg.port,
                path(&pg.dir)
            );
            let log = pg.dir.join("log");
            if pg.try_run(
                "pg_ctl",
                &["-D", path(&data), "-l", path(&log), "-w", "-t", "30", "-o", &opts, "start"],
            ) {
                return pg;
            }
            if attempt == 4 {
                let log = std::fs::read_to_string(pg.dir.join("log")).unwrap_or_default();
                panic!("PostgreSQL did not start:\n{log}");
            }
        }
        unreachable!()
    }

    /// The admin's URL, e.g. for `tablemap server init --url`.
    pub fn admin_url(&self) -> String {
        format!("postgres://{ADMIN}:{ADMIN_PASSWORD}@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bindir.join(tool);
        let mut c = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(exe);
                c
            }
            None => Command::new(exe),
        };
        c.args(args).current_dir(&self.dir).stdin(Stdio::null());
        c
    }

    fn try_run(&self, tool: &str, args: &[&str]) -> bool {
        // Output to files, never pipes: the server inherits them and would keep a pipe open.
        let out = std::fs::File::create(self.dir.join(format!("{tool}.out"))).expect("output file");
        let err = out.try_clone().expect("output file");
        self.command(tool, args).stdout(out).stderr(err).status().is_ok_and(|s| s.success())
    }

    fn run(&self, tool: &str, args: &[&str]) {
        if !self.try_run(tool, args) {
            let out = std::fs::read_to_string(self.dir.join(format!("{tool}.out"))).unwrap_or_default();
            panic!("{tool} failed:\n{out}");
        }
    }

    fn chown(&self) {
        if let Some(user) = &self.run_as {
            let ok =
                Command::new("chown").arg("-R").arg(user).arg(&self.dir).status().is_ok_and(|s| s.success());
            assert!(ok, "chown {} to {user}", self.dir.display());
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists()
            && !self.try_run("pg_ctl", &["-D", path(&data), "-m", "immediate", "-w", "-t", "10", "stop"])
        {
            // pg_ctl could not stop it: kill the postmaster by its pid file.
            if let Some(pid) = std::fs::read_to_string(data.join("postmaster.pid"))
                .ok()
                .and_then(|s| s.lines().next().map(str::to_string))
            {
                let _ = Command::new("kill").arg("-9").arg(pid.trim()).status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn bindir() -> Option<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Ok(d) = std::env::var("TABLEMAP_PG_BINDIR") {
        return Some(PathBuf::from(d)).filter(|d| has(d));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has(&d) {
            return Some(d);
        }
    }
    // Newest version first.
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, d)| has(d))
        .collect();
    found.sort();
    found.pop().map(|(_, d)| d)
}

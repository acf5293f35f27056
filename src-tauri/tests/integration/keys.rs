//! The database key as a person meets it, through the real binary with a home folder of its
//! own and no `TABLEMAP_KEY_FILE`: on a machine with no keyring (a key file in the config
//! folder), with a real keyring (gnome-keyring's Secret Service under `dbus-run-session`), when
//! the keyring cannot be reached (cron, SSH), and on a second computer (the recovery code).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const NAME: &str = "Kabul Kitchen Zzqx";

/// A person's own account: home, config and data folders, and a runtime folder with no bus in it.
struct Account {
    home: tempfile::TempDir,
}

impl Account {
    fn new() -> Self {
        let home = tempfile::tempdir().expect("home");
        for d in ["config", "data", "run"] {
            std::fs::create_dir_all(home.path().join(d)).expect("folder");
        }
        std::fs::set_permissions(home.path().join("run"), std::fs::Permissions::from_mode(0o700))
            .expect("mode");
        Account { home }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }

    fn env(&self, c: &mut Command) {
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_RUNTIME_DIR", self.path("run"));
    }

    /// `tablemap --db DB ARGS` in this account, with no session bus: no keyring answers.
    fn run(&self, db: &Path, args: &[&str], input: Option<&str>) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tablemap"));
        self.env(&mut c);
        c.arg("--db").arg(db).args(args);
        output(c, input)
    }

    /// A shell script in this account inside a D-Bus session with gnome-keyring unlocked
    /// (created on first use, in this home, with the password "pw"). `$TABLEMAP` is the binary.
    fn in_keyring_session(&self, script: &str) -> Output {
        for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
            assert!(
                Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success()),
                "{tool} is missing: run `make deps-test` (it installs dbus-daemon, gnome-keyring and libsecret-tools)"
            );
        }
        let mut c = Command::new("dbus-run-session");
        self.env(&mut c);
        c.env("TABLEMAP", env!("CARGO_BIN_EXE_tablemap")).args([
            "--",
            "sh",
            "-c",
            &format!(
                "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1\n{script}"
            ),
        ]);
        output(c, None)
    }
}

fn output(mut c: Command, input: Option<&str>) -> Output {
    use std::io::Write;
    let mut child =
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run tablemap");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.unwrap_or("").as_bytes()).expect("stdin");
    drop(stdin);
    child.wait_with_output().expect("wait")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn ok(o: Output) -> (String, String) {
    let t = text(&o);
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, t.0, t.1);
    t
}

fn failed(o: Output) -> String {
    let t = text(&o);
    assert!(!o.status.success(), "expected a failure\nstdout: {}\nstderr: {}", t.0, t.1);
    t.1
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

/// The file's bytes hold neither the restaurant's name nor SQLite's plaintext header.
fn assert_unreadable(db: &Path) {
    let bytes = std::fs::read(db).expect("database");
    assert!(!bytes.starts_with(b"SQLite format 3"), "{} is plaintext", db.display());
    let name = NAME.as_bytes();
    assert!(!bytes.windows(name.len()).any(|w| w == name), "the name is readable in {}", db.display());
}

const ADD: &[&str] = &["restaurants", "add", "--name", NAME, "--lat", "51.5", "--lon", "-0.07"];

#[test]
fn keys_without_a_keyring_live_in_a_key_file_and_a_recovery_code_opens_the_data_elsewhere() {
    let me = Account::new();
    let db = me.path("data/tablemap/tablemap.sqlite");
    let (_, said) = ok(me.run(&db, ADD, None));
    let key_file = me.path("config/tablemap/database.key");
    assert!(said.contains(&key_file.display().to_string()), "{said}");
    assert!(said.contains("recovery code"), "{said}");
    assert_eq!((mode(&key_file), mode(&db)), (0o600, 0o600));
    // Said once: the next run finds the key quietly.
    let (listed, said) = ok(me.run(&db, &["restaurants", "list"], None));
    assert!(listed.contains(NAME) && said.is_empty(), "{listed}\n{said}");
    assert_unreadable(&db);
    let (words, _) = ok(me.run(&db, &["key", "recovery-code"], None));
    assert_eq!(words.split_whitespace().count(), 24, "{words}");
    let (backup_said, _) =
        ok(me.run(&db, &["backup", "--out", &me.path("backup.sqlite").display().to_string()], None));
    assert!(backup_said.contains("backed up"), "{backup_said}");
    assert_unreadable(&me.path("backup.sqlite"));

    // A second computer: the database and the backup copied over open with nothing, and
    // nothing new is started over them.
    let other = Account::new();
    let copied = other.path("data/tablemap/tablemap.sqlite");
    std::fs::create_dir_all(copied.parent().expect("folder")).expect("folder");
    std::fs::copy(&db, &copied).expect("copy");
    let why = failed(other.run(&copied, &["restaurants", "list"], None));
    assert!(why.contains("key import") && why.contains("will not start a new database"), "{why}");
    assert_eq!(std::fs::read(&copied).expect("copy"), std::fs::read(&db).expect("original"));
    let why = failed(other.run(&copied, &["key", "import", "--recovery-code"], Some("abandon ability able")));
    assert!(why.contains("24 words"), "{why}");
    ok(other.run(&copied, &["key", "import", "--recovery-code"], Some(&words)));
    let (listed, _) = ok(other.run(&copied, &["restaurants", "list"], None));
    assert!(listed.contains(NAME), "{listed}");

    // A backup restores on a third computer, which has its own key, with the recovery code.
    let third = Account::new();
    let fresh = third.path("data/tablemap/tablemap.sqlite");
    ok(third.run(&fresh, &["restaurants", "list"], None));
    let backup = me.path("backup.sqlite").display().to_string();
    let why = failed(third.run(&fresh, &["restore", &backup, "--yes"], None));
    assert!(why.contains("--recovery-code"), "{why}");
    ok(third.run(&fresh, &["restore", &backup, "--yes", "--recovery-code"], Some(&words)));
    let (listed, _) = ok(third.run(&fresh, &["restaurants", "list"], None));
    assert!(listed.contains(NAME), "{listed}");
}

#[test]
fn keys_live_in_the_keyring_and_a_run_that_cannot_reach_it_says_how_to_go_on() {
    let me = Account::new();
    let db = me.path("data/tablemap/tablemap.sqlite");
    let add = ADD.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" ");
    let (out, err) = ok(me.in_keyring_session(&format!(
        "\"$TABLEMAP\" --db '{db}' {add} && secret-tool lookup service Tablemap username 'database key'",
        db = db.display()
    )));
    let hex = out.lines().last().unwrap_or_default().trim().to_string();
    assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()), "{out}\n{err}");
    assert!(!me.path("config/tablemap/database.key").exists(), "a key file was written beside the keyring");
    assert!(err.contains("keyring") && err.contains("recovery code"), "{err}");
    assert_unreadable(&db);

    // The team password goes to the keyring, never into the database.
    let code = tablemap_core::sync::TeamConnection {
        host: "127.0.0.1".into(),
        port: 5432,
        dbname: "team".into(),
        user: "tm_keyringtest".into(),
        password: "Pa55-in-the-keyring".into(),
        tls: tablemap_core::sync::TlsMode::Disable,
        volunteer_id: "01JKEYRINGVOLUNTEER0000001".into(),
        name: "Amina".into(),
        role: "volunteer".into(),
        ca_pem: None,
    }
    .join_code();
    let (out, err) = ok(me.in_keyring_session(&format!(
        "\"$TABLEMAP\" --db '{db}' join '{code}' >/dev/null && secret-tool lookup service Tablemap username 'team password tm_keyringtest'",
        db = db.display()
    )));
    assert_eq!(out.trim(), "Pa55-in-the-keyring", "{err}");

    // Cron or SSH: no session bus, so no keyring. The run says where the key is and what to do.
    let why = failed(me.run(&db, &["restaurants", "list"], None));
    assert!(why.contains("keyring, which cannot be reached") && why.contains("key export"), "{why}");
    let exported = me.path("exported.key");
    ok(me.in_keyring_session(&format!(
        "\"$TABLEMAP\" --db '{db}' key export --out '{out}'",
        db = db.display(),
        out = exported.display()
    )));
    assert_eq!(mode(&exported), 0o600);
    let mut c = Command::new(env!("CARGO_BIN_EXE_tablemap"));
    me.env(&mut c);
    c.env("TABLEMAP_KEY_FILE", &exported).arg("--db").arg(&db).args(["restaurants", "list"]);
    let (listed, _) = ok(output(c, None));
    assert!(listed.contains(NAME), "{listed}");
}

//! Where Tablemap's secrets live: the key that encrypts every Tablemap database of this person
//! (one per OS account), and the team password once they join a team. Never in a database.
//!
//! The key comes from, in order:
//! 1. the file `TABLEMAP_KEY_FILE` names (made there, 0600, without a word, when it does not
//!    exist yet);
//! 2. the OS keyring (`os_keyring.rs`), where a new key goes when a keyring answers;
//! 3. `CONFIG/tablemap/database.key` (0600), where a new key goes when no keyring answers (a
//!    headless box, a minimal desktop), which Tablemap says once, when it makes it.
//!
//! A key is made only for a database that is new or still plaintext: a missing key for an
//! encrypted file is an error that says where keys come from, never a new start. When the key
//! went to the keyring, a note (no secret in it) says so in the config folder, so a run that
//! cannot reach the keyring (cron, SSH) says exactly that instead of "no key".
//!
//! The team password is kept in the same place as the key: the keyring, or a 0600 file beside
//! the key file.

mod key;
mod os_keyring;

pub use key::DatabaseKey;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The environment variable naming a key file.
pub const KEY_FILE_VAR: &str = "TABLEMAP_KEY_FILE";
const KEY_ENTRY: &str = "database key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the database key is kept in this account's keyring, which cannot be reached here ({why}). \
         In your desktop session run `tablemap key export --out FILE`, then run this command with \
         TABLEMAP_KEY_FILE=FILE (or put that file at {config_file})"
    )]
    KeyringUnreachable { why: String, config_file: PathBuf },
    #[error(
        "no key here opens the encrypted database at {database}. If it comes from another computer, \
         bring that computer's key: `tablemap key import FILE` (a file `tablemap key export` wrote there), \
         or `tablemap key import --recovery-code` and type the 24 words. Tablemap will not start a new \
         database over this one"
    )]
    Missing { database: PathBuf },
    #[error("the key file {path} cannot be used: {why}")]
    BadFile { path: PathBuf, why: String },
    #[error("the key could not be stored in {place}: {why}")]
    CannotStore { place: String, why: String },
    #[error("that is neither a key file's 64 hex digits nor a recovery code of 24 words (check each word and their order)")]
    Unreadable,
}

/// Where the key came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
#[ts(export)]
pub enum KeyPlace {
    /// The file `TABLEMAP_KEY_FILE` names.
    EnvFile(String),
    Keyring,
    /// The key file in the config folder (no keyring answered).
    ConfigFile(String),
}

impl KeyPlace {
    pub fn in_words(&self) -> String {
        match self {
            KeyPlace::EnvFile(p) => format!("the key file {p} (TABLEMAP_KEY_FILE)"),
            KeyPlace::Keyring => "this account's keyring".into(),
            KeyPlace::ConfigFile(p) => format!("the key file {p}"),
        }
    }
}

/// The key this process uses, where it lives, and whether this process made it.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub key: DatabaseKey,
    pub place: KeyPlace,
    pub created: bool,
}

/// The last key found, with the `TABLEMAP_KEY_FILE` it was found under: the keyring is asked
/// once per process, not on every open.
static CACHE: Mutex<Option<(Option<std::ffi::OsString>, Resolved)>> = Mutex::new(None);

/// The folder of Tablemap's settings: `~/.config/tablemap` on Linux.
pub fn config_dir() -> PathBuf {
    dirs::config_dir().unwrap_or_else(|| PathBuf::from(".")).join("tablemap")
}

fn config_key_file() -> PathBuf {
    config_dir().join("database.key")
}

fn keyring_note() -> PathBuf {
    config_dir().join("key-in-keyring")
}

/// The key for a database: found where keys live, or made when `may_create` (a new or plaintext
/// database) and none is found.
pub fn database_key(database: &Path, may_create: bool) -> Result<Resolved, KeyError> {
    let env = std::env::var_os(KEY_FILE_VAR);
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((under, resolved)) = cache.as_ref() {
        if *under == env {
            return Ok(resolved.clone());
        }
    }
    let resolved = find(env.as_deref().map(Path::new), database, may_create)?;
    *cache = Some((env, resolved.clone()));
    Ok(resolved)
}

/// The key in use if one has been found or made in this process.
pub fn current() -> Option<Resolved> {
    let env = std::env::var_os(KEY_FILE_VAR);
    let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache.as_ref().filter(|(under, _)| *under == env).map(|(_, r)| r.clone())
}

/// True the first time it is asked after this process made its key: the one time to show the
/// recovery code.
pub fn take_announcement() -> bool {
    use std::sync::atomic::{AtomicBool, Ordering};
    static SHOWN: AtomicBool = AtomicBool::new(false);
    current().is_some_and(|r| r.announce()) && !SHOWN.swap(true, Ordering::SeqCst)
}

impl Resolved {
    /// Whether making this key is news to tell the person (with its recovery code): a key file
    /// they named with `TABLEMAP_KEY_FILE` is made without a word (scripts, tests).
    pub fn announce(&self) -> bool {
        self.created && !matches!(self.place, KeyPlace::EnvFile(_))
    }
}

fn forget_cache() {
    *CACHE.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

fn find(env_file: Option<&Path>, database: &Path, may_create: bool) -> Result<Resolved, KeyError> {
    if let Some(path) = env_file {
        let place = KeyPlace::EnvFile(path.display().to_string());
        if path.exists() {
            return Ok(Resolved { key: read_key_file(path)?, place, created: false });
        }
        if !may_create {
            return Err(KeyError::Missing { database: database.to_path_buf() });
        }
        let (key, created) = create_key_file(path)?;
        return Ok(Resolved { key, place, created });
    }
    let keyring = os_keyring::get(KEY_ENTRY);
    if let os_keyring::Answer::Found(text) = &keyring {
        let key = DatabaseKey::from_hex(text).ok_or_else(|| KeyError::BadFile {
            path: PathBuf::from("(keyring entry \"Tablemap / database key\")"),
            why: "it does not hold 64 hex digits".into(),
        })?;
        return Ok(Resolved { key, place: KeyPlace::Keyring, created: false });
    }
    let file = config_key_file();
    if file.exists() {
        let place = KeyPlace::ConfigFile(file.display().to_string());
        return Ok(Resolved { key: read_key_file(&file)?, place, created: false });
    }
    if let os_keyring::Answer::Unreachable(why) = &keyring {
        if keyring_note().exists() {
            return Err(KeyError::KeyringUnreachable { why: why.clone(), config_file: file });
        }
    }
    if !may_create {
        return Err(KeyError::Missing { database: database.to_path_buf() });
    }
    if matches!(keyring, os_keyring::Answer::Absent) {
        let key = new_key()?;
        os_keyring::set(KEY_ENTRY, &key.to_hex())
            .map_err(|why| KeyError::CannotStore { place: "this account's keyring".into(), why })?;
        let _ = crate::paths::create_private_dir_all(&config_dir());
        let _ = crate::atomic_file::write(&keyring_note(), NOTE.as_bytes());
        return Ok(Resolved { key, place: KeyPlace::Keyring, created: true });
    }
    let (key, created) = create_key_file(&file)?;
    Ok(Resolved { key, place: KeyPlace::ConfigFile(file.display().to_string()), created })
}

const NOTE: &str = "Tablemap keeps the key to your databases in this account's keyring (service \
\"Tablemap\", entry \"database key\"). This file holds no secret: it only tells Tablemap to say so \
when the keyring cannot be reached.\n";

fn new_key() -> Result<DatabaseKey, KeyError> {
    DatabaseKey::generate()
        .map_err(|e| KeyError::CannotStore { place: "memory".into(), why: format!("no random numbers: {e}") })
}

/// Makes a new key file at `path`, unless another process made one first (two first runs at
/// once): then that one is read. Written whole beside it, then linked into place, which fails
/// rather than replaces.
fn create_key_file(path: &Path) -> Result<(DatabaseKey, bool), KeyError> {
    let key = new_key()?;
    let staged = path.with_extension(format!("new-{}", std::process::id()));
    write_key_file(&staged, &key)?;
    let linked = std::fs::hard_link(&staged, path);
    let _ = std::fs::remove_file(&staged);
    match linked {
        Ok(()) => Ok((key, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok((read_key_file(path)?, false)),
        Err(e) => Err(KeyError::CannotStore { place: path.display().to_string(), why: e.to_string() }),
    }
}

fn read_key_file(path: &Path) -> Result<DatabaseKey, KeyError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| KeyError::BadFile { path: path.to_path_buf(), why: e.to_string() })?;
    DatabaseKey::parse(&text).ok_or_else(|| KeyError::BadFile {
        path: path.to_path_buf(),
        why: "it holds neither 64 hex digits nor a recovery code".into(),
    })
}

fn write_key_file(path: &Path, key: &DatabaseKey) -> Result<(), KeyError> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::paths::create_private_dir_all(dir)
            .map_err(|e| KeyError::CannotStore { place: path.display().to_string(), why: e.to_string() })?;
    }
    crate::atomic_file::write_private(path, format!("{}\n", key.to_hex()).as_bytes())
        .map_err(|e| KeyError::CannotStore { place: path.display().to_string(), why: e.to_string() })
}

/// Writes the key in use to `out` (0600; refused if a file is there), for another machine or a
/// run where the keyring cannot be reached.
pub fn export_key(key: &DatabaseKey, out: &Path) -> Result<(), KeyError> {
    if out.exists() {
        return Err(KeyError::BadFile { path: out.to_path_buf(), why: "a file is there already".into() });
    }
    write_key_file(out, key)
}

/// Makes `key` this account's key (from another machine's key file or recovery code), where
/// keys live here: the `TABLEMAP_KEY_FILE` file, else the keyring, else the config folder's key
/// file. Answers where it went.
pub fn import_key(key: &DatabaseKey) -> Result<KeyPlace, KeyError> {
    forget_cache();
    if let Some(path) = std::env::var_os(KEY_FILE_VAR).map(PathBuf::from) {
        write_key_file(&path, key)?;
        return Ok(KeyPlace::EnvFile(path.display().to_string()));
    }
    match os_keyring::get(KEY_ENTRY) {
        os_keyring::Answer::Found(_) | os_keyring::Answer::Absent => {
            os_keyring::set(KEY_ENTRY, &key.to_hex())
                .map_err(|why| KeyError::CannotStore { place: "this account's keyring".into(), why })?;
            let _ = crate::paths::create_private_dir_all(&config_dir());
            let _ = crate::atomic_file::write(&keyring_note(), NOTE.as_bytes());
            Ok(KeyPlace::Keyring)
        }
        os_keyring::Answer::Unreachable(_) => {
            let file = config_key_file();
            write_key_file(&file, key)?;
            Ok(KeyPlace::ConfigFile(file.display().to_string()))
        }
    }
}

/// Where a secret other than the key (the team password) is kept: beside the key.
fn secret_file(place: &KeyPlace, name: &str) -> Option<PathBuf> {
    let beside = |p: &str| {
        let p = Path::new(p);
        let stem = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        p.with_file_name(format!("{stem}.{name}"))
    };
    match place {
        KeyPlace::Keyring => None,
        KeyPlace::EnvFile(p) | KeyPlace::ConfigFile(p) => Some(beside(p)),
    }
}

fn secret_name(login: &str) -> String {
    // Logins are opaque and plain (server add-user makes them); anything else is kept out of a
    // file name.
    let safe: String = login.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
    format!("team-{safe}")
}

/// Keeps a team login's password where the key is.
pub fn set_team_password(place: &KeyPlace, login: &str, password: &str) -> Result<(), KeyError> {
    let name = secret_name(login);
    match secret_file(place, &name) {
        None => os_keyring::set(&format!("team password {login}"), password)
            .map_err(|why| KeyError::CannotStore { place: "this account's keyring".into(), why }),
        Some(file) => crate::atomic_file::write_private(&file, password.as_bytes())
            .map_err(|e| KeyError::CannotStore { place: file.display().to_string(), why: e.to_string() }),
    }
}

/// A team login's password, if kept.
pub fn team_password(place: &KeyPlace, login: &str) -> Option<String> {
    match secret_file(place, &secret_name(login)) {
        None => match os_keyring::get(&format!("team password {login}")) {
            os_keyring::Answer::Found(p) => Some(p),
            _ => None,
        },
        Some(file) => std::fs::read_to_string(file).ok(),
    }
}

/// Forgets a team login's password (leaving the team).
pub fn forget_team_password(place: &KeyPlace, login: &str) {
    match secret_file(place, &secret_name(login)) {
        None => {
            let _ = os_keyring::delete(&format!("team password {login}"));
        }
        Some(file) => {
            let _ = std::fs::remove_file(file);
        }
    }
}

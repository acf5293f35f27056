//! SQLCipher: every Tablemap database file is encrypted with the person's key
//! (`crate::secrets`). What is here: telling a plaintext file from an encrypted one, keying a
//! connection (and telling a wrong key from a damaged file), encrypting a plaintext database
//! from an older Tablemap in place, and copying a database under a key (backup and restore).

use super::{Result, StoreError};
use crate::secrets::DatabaseKey;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// What is at a database path before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// Nothing yet (missing or empty).
    New,
    /// A plain SQLite file (an older Tablemap's, or a backup it made).
    Plain,
    /// Anything else: an encrypted database (or not a database at all).
    Encrypted,
}

pub fn state(path: &Path) -> FileState {
    use std::io::Read;
    let mut header = [0u8; 16];
    match std::fs::File::open(path).and_then(|mut f| f.read(&mut header)) {
        Err(_) | Ok(0) => FileState::New,
        Ok(16) if &header == b"SQLite format 3\0" => FileState::Plain,
        Ok(_) => FileState::Encrypted,
    }
}

/// Gives a new connection its key, then reads the schema: a key that does not open the file is
/// `WrongKey`, never a new, empty database.
pub fn apply_key(conn: &Connection, key: &DatabaseKey, path: &Path) -> Result<()> {
    quiet(conn);
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))?;
    check_readable(conn, path)
}

/// SQLCipher writes a wrong key's failed page check to standard error; Tablemap says what
/// went wrong itself (`WrongKey`), so its log is off (a setting of the whole process).
fn quiet(conn: &Connection) {
    let _ = conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()));
}

fn check_readable(conn: &Connection, path: &Path) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            Err(StoreError::WrongKey { path: path.to_path_buf() })
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens the file at `path` with `key` (`None`: as plaintext), refusing a key that does not
/// open it.
pub fn open_with(path: &Path, key: Option<&DatabaseKey>, flags: rusqlite::OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    match key {
        Some(key) => apply_key(&conn, key, path)?,
        None => {
            quiet(&conn);
            check_readable(&conn, path)?
        }
    }
    Ok(conn)
}

/// Writes the database file at `from` (opened with `from_key`, or as plaintext), which is only
/// read, to a new file `to` under `key`, with its schema version: SQLCipher's
/// `sqlcipher_export`, which also re-keys (a plaintext file, a backup from another computer or
/// a database moving to an imported key comes out under `key`).
pub fn export_file(from: &Path, from_key: Option<&DatabaseKey>, to: &Path, key: &DatabaseKey) -> Result<()> {
    crate::paths::private_sqlite_file(to)
        .map_err(|source| StoreError::Private { path: to.to_path_buf(), source })?;
    let conn = Connection::open(to)?;
    apply_key(&conn, key, to)?;
    // Read-only through a URI, so nothing is written beside the file read.
    let uri = format!(
        "file:{}?mode=ro",
        from.to_string_lossy().replace('%', "%25").replace('?', "%3f").replace('#', "%23")
    );
    let source_key = from_key.map(DatabaseKey::pragma_value).unwrap_or_default();
    conn.execute("ATTACH DATABASE ?1 AS source KEY ?2", [uri.as_str(), source_key.as_str()])?;
    let done = conn.query_row("SELECT sqlcipher_export('main', 'source')", [], |_| Ok(())).and_then(|()| {
        let version: i64 = conn.query_row("PRAGMA source.user_version", [], |r| r.get(0))?;
        conn.execute_batch(&format!("PRAGMA main.user_version = {version};"))
    });
    let detached = conn.execute_batch("DETACH DATABASE source;");
    done?;
    detached?;
    Ok(())
}

/// Whether `key` opens the database at `path` (read-only, nothing changed).
pub fn opens(path: &Path, key: &DatabaseKey) -> Result<()> {
    open_with(path, Some(key), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map(drop)
}

/// Encrypts a plaintext database from an older Tablemap where it is. The plaintext file stays
/// as it was until the encrypted copy has checked out; then the copy takes its place.
pub fn encrypt_in_place(path: &Path, key: &DatabaseKey) -> Result<()> {
    reencrypt(path, None, key)?.commit()
}

/// A database written again under another key beside the original, checked, waiting to take
/// its place (`commit`); dropped, it is removed and the original stays.
pub struct Reencrypted {
    staged: PathBuf,
    target: PathBuf,
}

impl Reencrypted {
    /// Puts the copy in place of the original in one rename (after the original's journal files,
    /// which belong to the old file, are gone).
    pub fn commit(self) -> Result<()> {
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sibling(&self.target, suffix));
        }
        std::fs::rename(&self.staged, &self.target)
            .map_err(|source| StoreError::Private { path: self.target.clone(), source })?;
        Ok(())
    }
}

impl Drop for Reencrypted {
    fn drop(&mut self) {
        remove_with_journal(&self.staged);
    }
}

/// Writes the database at `path` (plaintext when `from` is `None`) again under `to`, beside
/// it, and checks the copy: `integrity_check` passes and every table holds as many rows.
pub fn reencrypt(path: &Path, from: Option<&DatabaseKey>, to: &DatabaseKey) -> Result<Reencrypted> {
    let staged = sibling(path, ".encrypting");
    remove_with_journal(&staged);
    let original = open_with(path, from, rusqlite::OpenFlags::default())?;
    // Everything in the file itself, nothing left in a journal beside it.
    original.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let before = row_counts(&original)?;
    drop(original);
    let done = Reencrypted { staged: staged.clone(), target: path.to_path_buf() };
    export_file(path, from, &staged, to)?;
    let copy = open_with(&staged, Some(to), rusqlite::OpenFlags::default())?;
    let ok: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if ok != "ok" || row_counts(&copy)? != before {
        return Err(StoreError::Corrupt { what: "the database written again under the key", value: ok });
    }
    drop(copy);
    Ok(done)
}

fn row_counts(c: &Connection) -> Result<Vec<(String, i64)>> {
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for t in tables {
        let n =
            c.query_row(&format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\"")), [], |r| r.get(0))?;
        out.push((t, n));
    }
    Ok(out)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_with_journal(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{fixtures, Store};

    fn count(store: &Store, table: &str) -> i64 {
        store.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    fn bytes_hold(path: &Path, text: &str) -> bool {
        std::fs::read(path).unwrap().windows(text.len()).any(|w| w == text.as_bytes())
    }

    /// An older Tablemap's plaintext file (in WAL mode, its last rows still in the journal)
    /// becomes encrypted on first open, keeping every row; another key and no key are refused.
    #[test]
    fn a_plaintext_database_is_encrypted_in_place_and_keeps_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let mut plain = Connection::open(&path).unwrap();
            plain.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
            crate::store::migrations::apply(&mut plain).unwrap();
            fixtures::zaza_and_amina(&plain);
            fixtures::visit(&plain, "a", crate::domain::Outcome::Agreed, 1);
            assert_eq!(state(&path), FileState::Plain);
            assert!(bytes_hold(&path, "Zaza") || bytes_hold(&sibling(&path, "-wal"), "Zaza"));
            // Left open as a crash would leave it: the rows may be in the -wal file.
            std::mem::forget(plain);
        }
        let key = DatabaseKey::generate().unwrap();
        let store = Store::open_with_key(&path, &key).unwrap();
        assert_eq!((count(&store, "restaurants"), count(&store, "visits")), (1, 1));
        assert_eq!(
            crate::store::status::get(store.conn(), &crate::domain::RestaurantId("r1".into()))
                .unwrap()
                .status
                .as_str(),
            "agreed"
        );
        drop(store);
        assert_eq!(state(&path), FileState::Encrypted);
        assert!(!bytes_hold(&path, "Zaza"), "the name is readable in the file");
        assert!(!sibling(&path, ".encrypting").exists());

        let other = DatabaseKey::generate().unwrap();
        assert!(matches!(Store::open_with_key(&path, &other), Err(StoreError::WrongKey { .. })));
        assert!(matches!(
            open_with(&path, None, rusqlite::OpenFlags::default()),
            Err(StoreError::WrongKey { .. })
        ));
        assert_eq!(Store::open_with_key(&path, &key).map(|s| count(&s, "restaurants")).unwrap(), 1);
    }

    /// A database moves to another key (a key imported from another computer) only once the
    /// copy checks out; until `commit`, the original is what opens.
    #[test]
    fn a_database_moves_to_another_key_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let (old, new) = (DatabaseKey::generate().unwrap(), DatabaseKey::generate().unwrap());
        {
            let store = Store::open_with_key(&path, &old).unwrap();
            fixtures::zaza_and_amina(store.conn());
        }
        let staged = reencrypt(&path, Some(&old), &new).unwrap();
        assert!(opens(&path, &old).is_ok() && opens(&path, &new).is_err());
        drop(staged);
        assert!(opens(&path, &old).is_ok() && !sibling(&path, ".encrypting").exists());
        reencrypt(&path, Some(&old), &new).unwrap().commit().unwrap();
        assert!(opens(&path, &new).is_ok() && opens(&path, &old).is_err());
        assert_eq!(count(&Store::open_with_key(&path, &new).unwrap(), "restaurants"), 1);
    }
}

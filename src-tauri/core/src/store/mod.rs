//! The SQLite file: schema, migrations and the queries, one file per table. Knows the domain
//! types but no rules: `api` decides, `store` reads and writes.

pub mod areas;
pub mod cipher;
pub(crate) mod codec;
pub mod consents;
pub mod demo_rows;
pub mod doctor;
pub mod duplicates;
pub mod erase;
#[cfg(test)]
mod fixtures;
pub mod geocode_cache;
mod migrations;
pub mod outbox;
pub mod reached;
pub mod refused;
pub mod retention;

/// A time as the database writes it (RFC 3339 UTC, milliseconds).
pub fn codec_text_time(t: chrono::DateTime<chrono::Utc>) -> String {
    codec::time(t)
}
pub mod restaurants;
pub mod settings;
pub mod status;
pub mod stickers;
pub mod visit_hours;
pub mod visits;
pub mod volunteers;

use crate::secrets::DatabaseKey;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error("the database holds a value this version cannot read ({what}: {value})")]
    Corrupt { what: &'static str, value: String },
    #[error("cannot create the folder for the database at {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("cannot make {path} readable by you alone: {source}")]
    Private { path: PathBuf, source: std::io::Error },
    #[error("the database was written by a newer Tablemap (schema {found}, this one knows {known}); update Tablemap")]
    TooNew { found: i64, known: i64 },
    #[error(
        "the key here does not open the database at {path}: it was encrypted with another key (or the \
         file is damaged). If it comes from another computer, bring that computer's key: `tablemap key \
         import FILE`, or `tablemap key import --recovery-code`. Tablemap will not start a new database over it"
    )]
    WrongKey { path: PathBuf },
    #[error("{0}")]
    Key(#[from] crate::secrets::KeyError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The schema version this Tablemap brings (`PRAGMA user_version` of an up-to-date file).
pub fn latest_schema() -> i64 {
    migrations::latest()
}

/// One open database. Not `Sync`: the shell keeps it behind a mutex.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The key the file is encrypted with (`None` in memory).
    key: Option<DatabaseKey>,
    /// True when this open created the file (used to seed demo data on first run).
    created: bool,
}

impl Store {
    /// Opens (creating if needed) the database file at `path`, encrypted with this person's key
    /// (`crate::secrets`: made on first use), and brings its schema up to date. A plaintext file
    /// from an older Tablemap is encrypted in place first.
    pub fn open(path: &Path) -> Result<Self> {
        let may_create = cipher::state(path) != cipher::FileState::Encrypted;
        let key = crate::secrets::database_key(path, may_create)?.key;
        Self::open_with_key(path, &key)
    }

    /// `open`, with a key given rather than this person's (a backup from another machine).
    pub fn open_with_key(path: &Path, key: &DatabaseKey) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::paths::create_private_dir_all(parent)
                .map_err(|source| StoreError::Folder { path: parent.to_path_buf(), source })?;
        }
        let state = cipher::state(path);
        // Readable by this user alone, and its journal files with it.
        crate::paths::private_sqlite_file(path)
            .map_err(|source| StoreError::Private { path: path.to_path_buf(), source })?;
        if state == cipher::FileState::Plain {
            cipher::encrypt_in_place(path, key)?;
        }
        let conn = Connection::open(path)?;
        cipher::apply_key(&conn, key, path)?;
        Self::init(conn, Some(path.to_path_buf()), Some(key.clone()), state == cipher::FileState::New)
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, None, None, true)
    }

    fn init(
        conn: Connection,
        path: Option<PathBuf>,
        key: Option<DatabaseKey>,
        created: bool,
    ) -> Result<Self> {
        configure(&conn)?;
        let mut store = Store { conn, path, key, created };
        migrations::apply(&mut store.conn)?;
        Ok(store)
    }

    /// The key the file is encrypted with.
    pub fn key(&self) -> Option<&DatabaseKey> {
        self.key.as_ref()
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn was_created(&self) -> bool {
        self.created
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one transaction: all of it is written, or none of it.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        self.transaction(f, true)
    }

    /// Runs `f` in a transaction and rolls it back whatever happens: a rehearsal (`--dry-run`)
    /// that sees its own writes and keeps none.
    pub fn rehearse<T, E>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        self.transaction(f, false)
    }

    fn transaction<T, E>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> std::result::Result<T, E>,
        commit: bool,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        // IMMEDIATE: take the write lock first, so a second process waits rather than failing
        // half-way through.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx);
        match (&value, commit) {
            (Ok(_), true) => tx.commit().map_err(StoreError::from)?,
            _ => tx.rollback().map_err(StoreError::from)?,
        }
        value
    }

    /// Changes when another connection (the CLI, a second window, sync) commits to the file.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A consistent copy of the whole database at `to` (a new file), encrypted with the same
    /// key, taken while others may be reading and writing: SQLite's online backup in one step,
    /// so the copy is the file as of one moment.
    pub fn copy_to(&self, to: &Path) -> Result<()> {
        crate::paths::private_sqlite_file(to)
            .map_err(|source| StoreError::Private { path: to.to_path_buf(), source })?;
        let mut copy = Connection::open(to)?;
        if let Some(key) = &self.key {
            cipher::apply_key(&copy, key, to)?;
        }
        copy_pages(&self.conn, &mut copy)
    }

    /// Replaces everything in this database with the database at `from`, which must be
    /// encrypted with the same key (SQLite's online backup, page by page under the write lock,
    /// so other connections see the old data or the new, never a mix), then brings its schema up
    /// to date.
    pub fn replace_from(&mut self, from: &Path) -> Result<()> {
        let source = cipher::open_with(from, self.key.as_ref(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        copy_pages(&source, &mut self.conn)?;
        drop(source);
        configure(&self.conn)?;
        migrations::apply(&mut self.conn)
    }
}

/// SQLite's online backup from `from` to `to` (both under the same key), every page in one
/// step: the copy is `from` as of one moment.
fn copy_pages(from: &Connection, to: &mut Connection) -> Result<()> {
    rusqlite::backup::Backup::new(from, to)?.run_to_completion(i32::MAX, Duration::ZERO, None)?;
    Ok(())
}

/// The settings every connection gets: durable writes, enforced foreign keys, patience with a
/// second process (the CLI while the window is open).
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // journal_mode answers with a row, so it is read rather than executed.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    // secure_delete: what is deleted (a dropped change, a left team's connection) is overwritten
    // in the file, not left in free pages.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;")?;
    // A 64 MiB page cache (SQLite's default is 2 MiB), taken only as pages are read. Every page
    // from the file costs a decryption, and a big write that outgrows the cache spills pages to
    // the WAL mid-transaction and reads them back: a 50,000-row import into 5 indexes did both.
    conn.execute_batch("PRAGMA cache_size = -65536;")?;
    // The query planner's stability guarantee: plans never depend on a bound value. Without it
    // SQLite marks a statement with an indexed `col = ?` under a join or an ORDER BY as worth
    // re-planning for some values, and rusqlite's statement cache (which clears bindings when a
    // statement goes back) made that a full compile on every call: 90 µs of each status
    // refresh. Tablemap keeps no statistics (no ANALYZE), so no plan is lost.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pragmas_on_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/t.sqlite")).unwrap();
        assert!(store.was_created());
        let c = store.conn();
        let get = |p: &str| -> String {
            c.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .unwrap()
        };
        assert_eq!(get("journal_mode"), "wal");
        assert_eq!(get("synchronous"), "2"); // FULL
        assert_eq!(get("foreign_keys"), "1");
        assert_eq!(get("busy_timeout"), "5000");
        assert_eq!(get("secure_delete"), "1");
        #[cfg(unix)]
        {
            // This user's alone: the folder it made, the file and its journal.
            use std::os::unix::fs::PermissionsExt;
            c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
            let mode = |p: &str| std::fs::metadata(dir.path().join(p)).unwrap().permissions().mode() & 0o777;
            assert_eq!((mode("sub"), mode("sub/t.sqlite"), mode("sub/t.sqlite-wal")), (0o700, 0o600, 0o600));
        }
        drop(store);
        let again = Store::open(&dir.path().join("sub/t.sqlite")).unwrap();
        assert!(!again.was_created());
    }

    /// A cached statement keeps its compiled plan between calls: with an indexed `col = ?`
    /// under an ORDER BY or a join, SQLite otherwise compiled it again on every use (the
    /// status refresh of every pulled visit paid for that).
    #[test]
    fn cached_statements_are_compiled_once() {
        let store = Store::open_in_memory().unwrap();
        let db = store.conn();
        fixtures::zaza_and_amina(db);
        fixtures::visit(db, "a", crate::domain::Outcome::Spoke, 1);
        for sql in [
            "SELECT id FROM visits WHERE restaurant_id = ?1 ORDER BY visited_at DESC",
            "SELECT v.id, p.display_name FROM visits v JOIN volunteers p ON p.id = v.volunteer_id \
             WHERE v.restaurant_id = ?1",
        ] {
            for restaurant in ["r1", "r2", "r1"] {
                let _: Vec<String> = db
                    .prepare_cached(sql)
                    .unwrap()
                    .query_map([restaurant], |r| r.get(0))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
            }
            let compiled_again =
                db.prepare_cached(sql).unwrap().get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(compiled_again, 0, "{sql}");
        }
    }
}

//! Looking after the database file: a health check (`doctor`), a backup that can be taken while
//! the window is open, and putting a backup back (keeping a copy of what it replaces).

use super::{ApiError, FileAction, Result};
use crate::secrets::DatabaseKey;
use crate::store::doctor::{self, Checked};
use crate::store::{cipher, latest_schema, Store};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Every check of `store::doctor`; findings empty when all is well.
pub fn doctor(store: &Store) -> Result<Checked> {
    Ok(doctor::check(store.conn())?)
}

/// Writes a consistent copy of the database to `out` (replacing a file there only once the copy
/// is whole and checks out); answers its size in bytes.
pub fn backup(store: &Store, out: &Path) -> Result<u64> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let part = dir.join(crate::atomic_file::temp_name(&name, std::process::id()));
    let _ = std::fs::remove_file(&part);
    let made = store.copy_to(&part).map_err(ApiError::from).and_then(|()| {
        let key = store.key().cloned();
        let checked = doctor::check(&open_backup(&part, &[key.as_ref()])?.0)?;
        match checked.findings.first() {
            None => Ok(()),
            Some(f) => Err(ApiError::BadBackup { path: out.to_path_buf(), reason: f.detail.clone() }),
        }
    });
    if let Err(e) = made {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    std::fs::rename(&part, out).map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    Ok(std::fs::metadata(out).map(|m| m.len()).unwrap_or(0))
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub restaurants: u64,
    pub visits: u64,
    /// Where the data it replaced was kept.
    pub previous: PathBuf,
}

/// Checks the backup at `from` first (a Tablemap database this version can read, brought up to
/// date on a copy, every `doctor` check passing), keeps a copy of the current data beside the
/// database file, then puts the backup in its place. Works while the window is open: the window
/// sees the restored data at its next read.
pub fn restore(
    store: &mut Store,
    from: &Path,
    other_key: Option<&DatabaseKey>,
    now: DateTime<Utc>,
) -> Result<Restored> {
    let here = store.path().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("tablemap.sqlite"));
    let dir = here.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let key =
        store.key().cloned().ok_or(ApiError::Inconsistent { what: "a database in memory has no backups" })?;
    let (backup, backup_key) = open_backup(from, &[Some(&key), other_key])?;
    drop(backup);
    // A copy of the backup under this database's key, brought up to date and checked, is what
    // goes in: the backup itself is only read.
    let staged = Staged(dir.join(format!(".tablemap-restore-{}.sqlite", std::process::id())));
    staged.clear();
    cipher::export_file(from, backup_key.as_ref(), &staged.0, &key)?;
    let checked = {
        let copy = Store::open_with_key(&staged.0, &key).map_err(|e| bad(from, e.to_string()))?;
        let checked = doctor::check(copy.conn())?;
        if let Some(f) = checked.findings.first() {
            return Err(bad(from, f.detail.clone()));
        }
        checked
    };
    let previous = dir.join(format!("tablemap-before-restore-{}.sqlite", now.format("%Y%m%d-%H%M%S")));
    store.copy_to(&previous)?;
    store.replace_from(&staged.0)?;
    Ok(Restored { restaurants: checked.restaurants, visits: checked.visits, previous })
}

/// The staged copy of a backup (and its journal files), removed when the restore ends.
struct Staged(PathBuf);

impl Staged {
    fn clear(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.0.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        self.clear();
    }
}

fn bad(path: &Path, reason: String) -> ApiError {
    ApiError::BadBackup { path: path.to_path_buf(), reason }
}

/// Opens a backup read-only with the first of `keys` that opens it (a plaintext backup from an
/// older Tablemap opens with none), refusing what is not a Tablemap database this version can
/// read.
fn open_backup(path: &Path, keys: &[Option<&DatabaseKey>]) -> Result<(Connection, Option<DatabaseKey>)> {
    if !path.is_file() {
        return Err(ApiError::file(FileAction::Read, path, "there is no such file"));
    }
    let not_ours = || bad(path, "it is not a Tablemap database".into());
    let opened = match cipher::state(path) {
        cipher::FileState::Plain => {
            cipher::open_with(path, None, OpenFlags::SQLITE_OPEN_READ_ONLY).ok().map(|c| (c, None))
        }
        _ => keys.iter().flatten().find_map(|k| {
            cipher::open_with(path, Some(k), OpenFlags::SQLITE_OPEN_READ_ONLY)
                .ok()
                .map(|c| (c, Some((*k).clone())))
        }),
    };
    let (conn, key) = opened.ok_or_else(|| {
        bad(
            path,
            "the key here does not open it (a backup from another computer opens with that computer's \
             recovery code: add --recovery-code), or it is not a Tablemap database"
                .into(),
        )
    })?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|_| not_ours())?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema WHERE name IN ('restaurants', 'visits')", [], |r| {
            r.get(0)
        })
        .map_err(|_| not_ours())?;
    if version == 0 || tables != 2 {
        return Err(not_ours());
    }
    if version > latest_schema() {
        return Err(bad(path, "it was made by a newer Tablemap: update Tablemap first".into()));
    }
    Ok((conn, key))
}

//! The window's side of looking after the database (Settings → Check and back up): the health
//! check as words, backups into a folder under names Tablemap picks, and a list of those backups
//! to put one back. The webview never names a path: it picks a backup by its file name, which
//! must be one of the folder's backups.

use super::{maintenance, ApiError, Result};
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

const PREFIX: &str = "tablemap-backup-";
const SUFFIX: &str = ".sqlite";

/// What the health check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Health {
    pub restaurants: u32,
    pub visits: u32,
    /// Each problem in words; empty when all is well.
    pub problems: Vec<String>,
}

/// One backup in the folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BackupFile {
    pub name: String,
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What putting a backup back did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RestoreDone {
    pub restaurants: u32,
    pub visits: u32,
    /// Where the data it replaced was kept.
    pub previous: String,
}

pub fn health(store: &Store) -> Result<Health> {
    let c = maintenance::doctor(store)?;
    Ok(Health {
        restaurants: c.restaurants as u32,
        visits: c.visits as u32,
        problems: c.findings.into_iter().map(|f| f.detail).collect(),
    })
}

/// A backup into `folder` named by the time (`tablemap-backup-20261207-141500.sqlite`).
pub fn backup_into(store: &Store, folder: &Path, now: DateTime<Utc>) -> Result<BackupFile> {
    crate::paths::create_private_dir_all(folder)
        .map_err(|e| ApiError::file(super::FileAction::Create, folder, e))?;
    let name = format!("{PREFIX}{}{SUFFIX}", now.format("%Y%m%d-%H%M%S"));
    let path = folder.join(&name);
    let bytes = maintenance::backup(store, &path)?;
    Ok(BackupFile { name, path: path.display().to_string(), bytes })
}

/// The backups in `folder`, newest first (a missing folder has none).
pub fn list(folder: &Path) -> Result<Vec<BackupFile>> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Ok(Vec::new()) };
    let mut found: Vec<BackupFile> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = e.metadata().ok().filter(|m| m.is_file())?;
            is_backup_name(&name).then(|| BackupFile {
                path: e.path().display().to_string(),
                name,
                bytes: meta.len(),
            })
        })
        .collect();
    found.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(found)
}

fn is_backup_name(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|r| r.strip_suffix(SUFFIX))
        .is_some_and(|stamp| !stamp.is_empty() && stamp.chars().all(|c| c.is_ascii_digit() || c == '-'))
}

/// Puts back the backup called `name` in `folder` (see `maintenance::restore`).
pub fn restore_named(
    store: &mut Store,
    folder: &Path,
    name: &str,
    now: DateTime<Utc>,
) -> Result<RestoreDone> {
    if !is_backup_name(name) {
        return Err(ApiError::Invalid(crate::domain::ValidationError {
            field: "backup",
            reason: format!("{name:?} is not one of the backups Tablemap made"),
        }));
    }
    let from: PathBuf = folder.join(name);
    let r = maintenance::restore(store, &from, None, now)?;
    Ok(RestoreDone {
        restaurants: r.restaurants as u32,
        visits: r.visits as u32,
        previous: r.previous.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_list_and_restore_by_name_only() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open(&dir.path().join("t.sqlite")).expect("store");
        let now = Utc::now();
        let (r, _) = crate::api::fixtures::zaza_and_amina(&mut store, now);
        assert_eq!(health(&store).expect("check").problems, Vec::<String>::new());
        let out = dir.path().join("out");
        let made = backup_into(&store, &out, now).expect("backup");
        std::fs::write(out.join("notes.sqlite"), b"not ours").expect("other file");
        let names: Vec<String> = list(&out).expect("list").into_iter().map(|b| b.name).collect();
        assert_eq!(names, vec![made.name.clone()]);
        crate::api::erase::restaurant(&mut store, &r, now).expect("erase");
        let cases =
            ["../t.sqlite", "notes.sqlite", "tablemap-backup-.sqlite", "tablemap-backup-1/../../x.sqlite"];
        for name in cases {
            assert!(restore_named(&mut store, &out, name, now).is_err(), "{name}");
        }
        let done = restore_named(&mut store, &out, &made.name, now).expect("restore");
        assert_eq!(done.restaurants, 1);
        assert!(crate::api::restaurants::detail(&store, &r).is_ok(), "back from the backup");
    }
}

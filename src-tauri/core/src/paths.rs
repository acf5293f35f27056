//! Where Tablemap keeps its files by default, who may read them (the folders it makes and its
//! SQLite files: this user alone), and what the process itself uses. No Tauri: the window, the
//! command line and the web service all ask here.

use std::path::{Path, PathBuf};

/// The per-user database: `~/.local/share/tablemap/tablemap.sqlite` on Linux.
pub fn default_database() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("tablemap").join("tablemap.sqlite")
}

/// The per-user tile cache: `~/.cache/tablemap/tiles.sqlite` on Linux. Not user data, so it
/// lives apart from the database and can be deleted at any time.
pub fn default_tile_cache() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("tablemap").join("tiles.sqlite")
}

/// Where printed PDFs and exports go unless the person picks another folder:
/// `~/Documents/Tablemap` (the home folder when there is no Documents folder).
pub fn default_output_folder() -> PathBuf {
    dirs::document_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir).join("Tablemap")
}

/// This process's resident memory, from /proc (Linux only; `None` elsewhere).
pub fn resident_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Creates `dir` and any missing parents readable by this user alone (0700 on Unix). Folders
/// that exist already are left as they are: they may be the person's own (Documents).
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes a SQLite file of Tablemap's readable by this user alone (0600 on Unix): created so if
/// missing (SQLite then gives its `-wal` and `-shm` files the same mode), and narrowed, with
/// those files, if an older Tablemap left it readable by others.
pub fn private_sqlite_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
            return Ok(());
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = PathBuf::from(name);
            if let Ok(meta) = std::fs::metadata(&file) {
                if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(
                        &file,
                        std::fs::Permissions::from_mode(meta.permissions().mode() & 0o700),
                    )?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn private_folders_and_files() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("share/tablemap");
        create_private_dir_all(&data).expect("mkdir");
        assert_eq!((mode(&data), mode(&dir.path().join("share"))), (0o700, 0o700));
        // A folder that exists is the person's: untouched.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        create_private_dir_all(dir.path()).expect("exists");
        assert_eq!(mode(dir.path()), 0o755);

        let db = data.join("t.sqlite");
        private_sqlite_file(&db).expect("create");
        assert_eq!(mode(&db), 0o600);
        // An older file, and its journal, readable by everyone: narrowed to the owner.
        let wal = data.join("t.sqlite-wal");
        std::fs::write(&wal, b"").expect("wal");
        for p in [&db, &wal] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        private_sqlite_file(&db).expect("narrow");
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600));
    }
}

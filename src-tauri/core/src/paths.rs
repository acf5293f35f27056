//! Where Tablemap keeps its files by default, and what the process itself uses. No Tauri: the
//! window, the command line and the web service all ask here.

use std::path::PathBuf;

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

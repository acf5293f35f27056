//! Where the files the window writes go. The webview never names a path: it asks for the output
//! folder (a setting that only the native folder dialog changes) or for the native save dialog,
//! which the Rust command opens itself. This module holds what both routes share: the folder,
//! the kinds of file and their extensions, and file names that are safe and never replace
//! anything in the output folder.

use super::{ApiError, FileAction, Result};
use crate::domain::ValidationError;
use crate::store::{settings, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

const KEY: &str = "output_folder";

/// What is being saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileKind {
    Stickers,
    Calibration,
    WalkSheet,
    /// The report for the meeting.
    Report,
    Csv,
    Geojson,
    /// A folder (the public map's page and its data).
    PublicMap,
}

impl FileKind {
    /// The extension a file of this kind must have; `None` for a folder.
    pub fn extension(self) -> Option<&'static str> {
        match self {
            FileKind::Stickers | FileKind::Calibration | FileKind::WalkSheet | FileKind::Report => {
                Some("pdf")
            }
            FileKind::Csv => Some("csv"),
            FileKind::Geojson => Some("geojson"),
            FileKind::PublicMap => None,
        }
    }

    pub const ALL: [FileKind; 7] = [
        FileKind::Stickers,
        FileKind::Calibration,
        FileKind::WalkSheet,
        FileKind::Report,
        FileKind::Csv,
        FileKind::Geojson,
        FileKind::PublicMap,
    ];

    /// The catalogue key (`crate::i18n`) of the save dialog's title.
    pub fn dialog_title_key(self) -> &'static str {
        match self {
            FileKind::Stickers => "save.dialog.stickers",
            FileKind::Calibration => "save.dialog.calibration",
            FileKind::WalkSheet => "save.dialog.walkSheet",
            FileKind::Report => "save.dialog.report",
            FileKind::Csv => "save.dialog.csv",
            FileKind::Geojson => "save.dialog.geojson",
            FileKind::PublicMap => "save.dialog.publicMap",
        }
    }

    /// The save dialog's filter name.
    pub fn filter_name(self) -> &'static str {
        match self {
            FileKind::Stickers | FileKind::Calibration | FileKind::WalkSheet | FileKind::Report => "PDF",
            FileKind::Csv => "CSV",
            FileKind::Geojson => "GeoJSON",
            FileKind::PublicMap => "Folder",
        }
    }

    /// The name offered when the person typed none.
    pub fn default_stem(self, now: DateTime<Utc>) -> String {
        let day = now.format("%Y-%m-%d");
        match self {
            FileKind::Stickers => format!("stickers {day}"),
            FileKind::Calibration => "calibration page".to_string(),
            FileKind::WalkSheet => format!("walk sheet {day}"),
            FileKind::Report => format!("report for the meeting {day}"),
            FileKind::Csv | FileKind::Geojson => format!("tablemap restaurants {day}"),
            FileKind::PublicMap => "public-map".to_string(),
        }
    }
}

/// The catalogue key of the folder dialog's title (choosing the output folder).
pub const FOLDER_DIALOG_TITLE: &str = "save.dialog.folder";

/// Where the window should save: the output folder, or ask with the native save dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SaveTo {
    OutputFolder,
    Ask,
}

/// The output folder: the one chosen in Settings, or `~/Documents/Tablemap`.
pub fn folder(store: &Store) -> Result<PathBuf> {
    Ok(settings::get(store.conn(), KEY)?
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(crate::paths::default_output_folder))
}

/// Sets the output folder (an existing folder, named by the native folder dialog or the
/// command line), or goes back to the default with `None`; answers the folder now in use.
pub fn set_folder(store: &mut Store, chosen: Option<&Path>) -> Result<PathBuf> {
    let value = match chosen {
        Some(dir) if !dir.is_absolute() || !dir.is_dir() => {
            return Err(ApiError::Invalid(ValidationError {
                field: "output_folder",
                reason: format!("{} is not a folder; choose an existing folder", dir.display()),
            }))
        }
        Some(dir) => dir.display().to_string(),
        None => String::new(),
    };
    store.write(|tx| settings::set(tx, KEY, &value))?;
    folder(store)
}

/// A file name from what the person typed: any folder part dropped, characters that are not
/// allowed in file names on some system made spaces, at most 80 characters, never hidden, and
/// ending in the kind's extension. Empty gives the kind's default name.
pub fn file_name(typed: &str, kind: FileKind, now: DateTime<Utc>) -> String {
    let last = typed.rsplit(['/', '\\']).next().unwrap_or("");
    let without_ext = match kind.extension() {
        Some(ext) if last.to_lowercase().ends_with(&format!(".{ext}")) => &last[..last.len() - ext.len() - 1],
        _ => last,
    };
    let kept: String =
        without_ext.chars().map(|c| if c.is_control() || "<>:\"|?*".contains(c) { ' ' } else { c }).collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let stem: String = words.join(" ").trim_start_matches('.').chars().take(80).collect();
    let stem = match stem.trim() {
        "" => kind.default_stem(now),
        s => s.to_string(),
    };
    with_extension(PathBuf::from(stem), kind).display().to_string()
}

/// `path` with the kind's extension added when it lacks it (a name typed in the save dialog).
pub fn with_extension(path: PathBuf, kind: FileKind) -> PathBuf {
    match kind.extension() {
        Some(ext) if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) => {
            let mut name = path.into_os_string();
            name.push(format!(".{ext}"));
            PathBuf::from(name)
        }
        _ => path,
    }
}

/// `name` in `folder`, or `name (2)`, `name (3)`, … when it is taken: nothing in the output
/// folder is ever replaced, except a public map Tablemap wrote there before (it is the same map,
/// brought up to date).
pub fn fresh_path(folder: &Path, name: &str, kind: FileKind) -> PathBuf {
    let taken = |p: &Path| {
        std::fs::symlink_metadata(p).is_ok()
            && !(kind == FileKind::PublicMap && p.join(crate::exports::public_map::MARKER).is_file())
    };
    let first = folder.join(name);
    if !taken(&first) {
        return first;
    }
    let (stem, ext) = match kind.extension() {
        Some(ext) => (&name[..name.len() - ext.len() - 1], format!(".{ext}")),
        None => (name, String::new()),
    };
    (2..).map(|n| folder.join(format!("{stem} ({n}){ext}"))).find(|p| !taken(p)).expect("an unused name")
}

/// Where a file of `kind` named as typed goes in the output folder (made, 0700, if missing).
pub fn in_output_folder(store: &Store, typed: &str, kind: FileKind, now: DateTime<Utc>) -> Result<PathBuf> {
    let dir = folder(store)?;
    crate::paths::create_private_dir_all(&dir).map_err(|e| ApiError::file(FileAction::Create, &dir, e))?;
    Ok(fresh_path(&dir, &file_name(typed, kind, now), kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialog_title_is_in_every_language_the_window_has() {
        let keys = FileKind::ALL.map(FileKind::dialog_title_key);
        for key in keys.iter().copied().chain([FOLDER_DIALOG_TITLE]) {
            for lang in crate::i18n::languages() {
                assert!(crate::i18n::has(lang, key), "{lang} lacks {key}");
            }
        }
    }

    #[test]
    fn typed_names_become_safe_file_names() {
        let now = "2026-12-07T10:00:00Z".parse().expect("time");
        let cases = [
            ("batch", FileKind::Stickers, "batch.pdf"),
            ("batch.PDF", FileKind::Stickers, "batch.pdf"),
            ("../../etc/passwd", FileKind::Csv, "passwd.csv"),
            ("C:\\Users\\x\\list.csv", FileKind::Csv, "list.csv"),
            (".hidden", FileKind::Geojson, "hidden.geojson"),
            ("a<b>:c?", FileKind::WalkSheet, "a b c.pdf"),
            ("  ", FileKind::WalkSheet, "walk sheet 2026-12-07.pdf"),
            ("/", FileKind::Stickers, "stickers 2026-12-07.pdf"),
            ("مطعم الشام", FileKind::Stickers, "مطعم الشام.pdf"),
            ("public map", FileKind::PublicMap, "public map"),
        ];
        for (typed, kind, want) in cases {
            assert_eq!(file_name(typed, kind, now), want, "{typed}");
        }
        assert_eq!(file_name(&"x".repeat(200), FileKind::Csv, now).len(), 84);
    }

    #[test]
    fn the_save_dialogs_name_gets_its_extension() {
        let cases = [
            ("/tmp/a", FileKind::Csv, "/tmp/a.csv"),
            ("/tmp/a.csv", FileKind::Csv, "/tmp/a.csv"),
            ("/tmp/a.CSV", FileKind::Csv, "/tmp/a.CSV"),
            ("/tmp/a.txt", FileKind::Geojson, "/tmp/a.txt.geojson"),
            ("/tmp/map", FileKind::PublicMap, "/tmp/map"),
        ];
        for (path, kind, want) in cases {
            assert_eq!(with_extension(PathBuf::from(path), kind), PathBuf::from(want), "{path}");
        }
    }

    #[test]
    fn nothing_in_the_output_folder_is_replaced_but_an_earlier_public_map() {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        assert_eq!(fresh_path(d, "b.pdf", FileKind::Stickers), d.join("b.pdf"));
        std::fs::write(d.join("b.pdf"), "mine").expect("write");
        std::fs::write(d.join("b (2).pdf"), "mine too").expect("write");
        assert_eq!(fresh_path(d, "b.pdf", FileKind::Stickers), d.join("b (3).pdf"));
        std::fs::create_dir(d.join("public-map")).expect("dir");
        assert_eq!(fresh_path(d, "public-map", FileKind::PublicMap), d.join("public-map (2)"));
        std::fs::write(d.join("public-map").join(crate::exports::public_map::MARKER), "").expect("marker");
        assert_eq!(fresh_path(d, "public-map", FileKind::PublicMap), d.join("public-map"));
    }

    #[test]
    fn the_folder_is_the_default_until_one_is_chosen_and_must_exist() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open_in_memory().expect("store");
        assert_eq!(folder(&store).expect("folder"), crate::paths::default_output_folder());
        assert_eq!(set_folder(&mut store, Some(dir.path())).expect("set"), dir.path());
        let missing = dir.path().join("missing");
        assert!(matches!(set_folder(&mut store, Some(&missing)), Err(ApiError::Invalid(_))));
        assert!(matches!(set_folder(&mut store, Some(Path::new("relative"))), Err(ApiError::Invalid(_))));
        assert_eq!(folder(&store).expect("folder"), dir.path(), "a refused folder changes nothing");
        assert_eq!(set_folder(&mut store, None).expect("reset"), crate::paths::default_output_folder());
        let now = Utc::now();
        set_folder(&mut store, Some(dir.path())).expect("set");
        let path = in_output_folder(&store, "list", FileKind::Csv, now).expect("path");
        assert_eq!(path, dir.path().join("list.csv"));
    }
}

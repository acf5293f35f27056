//! Settings the window changes: the map's tile source and the interface language.

use super::Result;
use crate::domain::validation::invalid;
use crate::store::{settings, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
pub const DEFAULT_TILE_ATTRIBUTION: &str = "© OpenStreetMap contributors";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Where map tiles come from, with `{z}`, `{x}` and `{y}` placeholders.
    pub tile_url: String,
    /// Credit shown on the map for the tiles.
    pub tile_attribution: String,
    /// Interface language: `en`, `ar`, ... or empty to follow the system.
    pub language: String,
}

pub fn get(store: &Store) -> Result<Settings> {
    let c = store.conn();
    Ok(Settings {
        tile_url: settings::get(c, "tile_url")?.unwrap_or_else(|| DEFAULT_TILE_URL.to_string()),
        tile_attribution: settings::get(c, "tile_attribution")?
            .unwrap_or_else(|| DEFAULT_TILE_ATTRIBUTION.to_string()),
        language: settings::get(c, "language")?.unwrap_or_default(),
    })
}

pub fn save(store: &mut Store, new: Settings) -> Result<Settings> {
    let url = new.tile_url.trim().to_string();
    check_tile_url(&url)?;
    let language = new.language.trim().to_string();
    if !language.is_empty() && !language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return invalid("language", "must be a language tag such as en or ar").map_err(Into::into);
    }
    store.write(|tx| {
        settings::set(tx, "tile_url", &url)?;
        settings::set(tx, "tile_attribution", new.tile_attribution.trim())?;
        settings::set(tx, "language", &language)?;
        Ok::<_, super::ApiError>(())
    })?;
    get(store)
}

/// A tile URL must be http(s) and name the three placeholders.
pub fn check_tile_url(url: &str) -> crate::domain::ValidationResult<()> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return invalid("tile_url", "must start with https:// (or http:// for a local server)");
    }
    for p in ["{z}", "{x}", "{y}"] {
        if !url.contains(p) {
            return invalid("tile_url", format!("must contain {p}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_urls() {
        let cases: &[(&str, bool)] = &[
            (DEFAULT_TILE_URL, true),
            ("http://127.0.0.1:8080/{z}/{x}/{y}.png", true),
            ("ftp://x/{z}/{x}/{y}", false),
            ("https://x/{z}/{x}.png", false),
            ("javascript:alert(1)//{z}{x}{y}", false),
        ];
        for (url, ok) in cases {
            assert_eq!(check_tile_url(url).is_ok(), *ok, "{url}");
        }
    }
}

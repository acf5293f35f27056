//! Settings the window changes: the map's tile source, the interface language, and where
//! OpenStreetMap data and geocoding come from.

use super::Result;
use crate::domain::validation::invalid;
use crate::store::{settings, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
pub const DEFAULT_TILE_ATTRIBUTION: &str = "© OpenStreetMap contributors";
pub const DEFAULT_OVERPASS_URL: &str = "https://overpass-api.de/api";
pub const DEFAULT_POSTCODES_URL: &str = "https://api.postcodes.io";
pub const DEFAULT_NOMINATIM_URL: &str = "https://nominatim.openstreetmap.org";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Where map tiles come from, with `{z}`, `{x}` and `{y}` placeholders.
    pub tile_url: String,
    /// Credit shown on the map for the tiles.
    pub tile_attribution: String,
    /// Interface language: `en`, `ar`, ... or empty to follow the system.
    pub language: String,
    /// The Overpass API server OpenStreetMap imports ask (the part before `/interpreter`).
    /// Empty when saving means the default.
    #[serde(default)]
    pub overpass_url: String,
    /// The postcodes.io server for UK postcodes. Empty when saving means the default.
    #[serde(default)]
    pub postcodes_url: String,
    /// The Nominatim server for addresses and reverse geocoding. Empty when saving means the
    /// default.
    #[serde(default)]
    pub nominatim_url: String,
}

pub fn get(store: &Store) -> Result<Settings> {
    let c = store.conn();
    Ok(Settings {
        tile_url: settings::get(c, "tile_url")?.unwrap_or_else(|| DEFAULT_TILE_URL.to_string()),
        tile_attribution: settings::get(c, "tile_attribution")?
            .unwrap_or_else(|| DEFAULT_TILE_ATTRIBUTION.to_string()),
        language: settings::get(c, "language")?.unwrap_or_default(),
        overpass_url: settings::get(c, "overpass_url")?.unwrap_or_else(|| DEFAULT_OVERPASS_URL.to_string()),
        postcodes_url: settings::get(c, "postcodes_url")?
            .unwrap_or_else(|| DEFAULT_POSTCODES_URL.to_string()),
        nominatim_url: settings::get(c, "nominatim_url")?
            .unwrap_or_else(|| DEFAULT_NOMINATIM_URL.to_string()),
    })
}

pub fn save(store: &mut Store, new: Settings) -> Result<Settings> {
    let url = new.tile_url.trim().to_string();
    check_tile_url(&url)?;
    let language = new.language.trim().to_string();
    if !language.is_empty() && !language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return invalid("language", "must be a language tag such as en or ar").map_err(Into::into);
    }
    let overpass_url = service_url("overpass_url", &new.overpass_url, DEFAULT_OVERPASS_URL)?;
    let postcodes_url = service_url("postcodes_url", &new.postcodes_url, DEFAULT_POSTCODES_URL)?;
    let nominatim_url = service_url("nominatim_url", &new.nominatim_url, DEFAULT_NOMINATIM_URL)?;
    store.write(|tx| {
        settings::set(tx, "tile_url", &url)?;
        settings::set(tx, "tile_attribution", new.tile_attribution.trim())?;
        settings::set(tx, "language", &language)?;
        settings::set(tx, "overpass_url", &overpass_url)?;
        settings::set(tx, "postcodes_url", &postcodes_url)?;
        settings::set(tx, "nominatim_url", &nominatim_url)?;
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

/// A service's base URL, trimmed and without a trailing `/`; empty means `default`. It must be
/// http(s) with a host and no query or fragment (paths are added to it).
pub fn service_url(field: &'static str, url: &str, default: &str) -> crate::domain::ValidationResult<String> {
    let url = url.trim().trim_end_matches('/');
    if url.is_empty() {
        return Ok(default.to_string());
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return invalid(field, "must start with https:// (or http:// for a local server)");
    }
    match url::Url::parse(url) {
        Ok(u)
            if u.host_str().is_some_and(|h| !h.is_empty())
                && u.query().is_none()
                && u.fragment().is_none() =>
        {
            Ok(url.to_string())
        }
        _ => invalid(field, "must be a web address such as https://example.org/api, without ? or #"),
    }
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

    #[test]
    fn service_urls() {
        let d = DEFAULT_OVERPASS_URL;
        let cases: &[(&str, Option<&str>)] = &[
            ("", Some(d)),
            ("   ", Some(d)),
            ("https://overpass.kumi.systems/api/", Some("https://overpass.kumi.systems/api")),
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            (" https://example.org/api ", Some("https://example.org/api")),
            ("ftp://example.org", None),
            ("overpass-api.de/api", None),
            ("https://", None),
            ("https://example.org/api?key=1", None),
            ("https://example.org/#x", None),
            ("javascript:alert(1)", None),
        ];
        for (url, want) in cases {
            assert_eq!(service_url("overpass_url", url, d).ok().as_deref(), *want, "{url:?}");
        }
    }

    #[test]
    fn defaults_and_saving() {
        let mut store = Store::open_in_memory().expect("ok");
        let s = get(&store).expect("ok");
        assert_eq!(
            (s.overpass_url.as_str(), s.postcodes_url.as_str(), s.nominatim_url.as_str()),
            (DEFAULT_OVERPASS_URL, DEFAULT_POSTCODES_URL, DEFAULT_NOMINATIM_URL)
        );
        let saved = save(
            &mut store,
            Settings {
                overpass_url: "http://127.0.0.1:9/api/".into(),
                nominatim_url: "".into(),
                ..s.clone()
            },
        )
        .expect("ok");
        assert_eq!(saved.overpass_url, "http://127.0.0.1:9/api");
        assert_eq!(saved.nominatim_url, DEFAULT_NOMINATIM_URL);
        let err =
            save(&mut store, Settings { postcodes_url: "postcodes.io".into(), ..s }).expect_err("refused");
        assert!(matches!(err, crate::api::ApiError::Invalid(ref v) if v.field == "postcodes_url"), "{err:?}");
        assert_eq!(get(&store).expect("ok").overpass_url, "http://127.0.0.1:9/api");
    }
}

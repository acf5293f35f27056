//! Settings the window changes: the map's tile source (a tile server, or an MBTiles file), the
//! interface language, and where OpenStreetMap data and geocoding come from.

use super::Result;
use crate::domain::validation::invalid;
use crate::domain::ValidationError;
use crate::sources::mbtiles::MbTiles;
use crate::store::{settings, Store};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
pub const DEFAULT_TILE_ATTRIBUTION: &str = "© OpenStreetMap contributors";
pub const DEFAULT_OVERPASS_URL: &str = "https://overpass-api.de/api";
pub const DEFAULT_POSTCODES_URL: &str = "https://api.postcodes.io";
pub const DEFAULT_NOMINATIM_URL: &str = "https://nominatim.openstreetmap.org";
pub const DEFAULT_PHOTON_URL: &str = "https://photon.komoot.io";
/// The longest wait between the window's syncs a setting may ask for: four hours.
pub const MAX_SYNC_MINUTES: u32 = 240;
/// The services that can turn addresses into positions and back.
pub const ADDRESS_GEOCODERS: [&str; 2] = ["nominatim", "photon"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Where map tiles come from, with `{z}`, `{x}` and `{y}` placeholders.
    pub tile_url: String,
    /// Credit shown on the map for the tiles in use: with an MBTiles basemap, the file's own
    /// credit (or what was typed for it); otherwise the tile server's. See `credits`.
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
    /// Which service finds addresses and what is at a point: `nominatim` (the default) or
    /// `photon`. Empty when saving means the default.
    #[serde(default)]
    pub address_geocoder: String,
    /// The Photon server, when `address_geocoder` is `photon`. Empty when saving means the
    /// default.
    #[serde(default)]
    pub photon_url: String,
    /// Minutes between the window's syncs while a team is joined (1 to 240; 1 by default).
    #[serde(default)]
    pub sync_every_minutes: u32,
    /// Whose bank holidays walks keep (`england-and-wales`, the default; `scotland`,
    /// `northern-ireland`; or `none`, when opening hours marked "PH" read as unknown).
    #[serde(default)]
    pub holiday_region: String,
    /// The campaign's time zone (an IANA name such as `Europe/London`, the default): reports
    /// count days and weeks in it. Empty when saving means the default.
    #[serde(default)]
    pub campaign_time_zone: String,
    /// An MBTiles file (raster tiles) the map is drawn from instead of the tile server; read,
    /// never written. `None` (or empty when saving) uses the tile server.
    #[serde(default)]
    pub mbtiles_path: Option<String>,
    /// The deepest zoom level the MBTiles file holds (read from the file when it is chosen;
    /// ignored when saving): the map enlarges that level's tiles when zoomed in further.
    #[serde(default)]
    pub mbtiles_max_zoom: Option<u32>,
}

pub fn get(store: &Store) -> Result<Settings> {
    let c = store.conn();
    let mbtiles_path = settings::get(c, "mbtiles_path")?.filter(|p| !p.is_empty());
    let online_credit =
        settings::get(c, "tile_attribution")?.unwrap_or_else(|| DEFAULT_TILE_ATTRIBUTION.to_string());
    let mbtiles_credit = settings::get(c, "mbtiles_attribution")?.unwrap_or_default();
    Ok(Settings {
        tile_url: settings::get(c, "tile_url")?.unwrap_or_else(|| DEFAULT_TILE_URL.to_string()),
        tile_attribution: match &mbtiles_path {
            Some(_) if !mbtiles_credit.is_empty() => mbtiles_credit,
            _ => online_credit,
        },
        language: settings::get(c, "language")?.unwrap_or_default(),
        overpass_url: settings::get(c, "overpass_url")?.unwrap_or_else(|| DEFAULT_OVERPASS_URL.to_string()),
        postcodes_url: settings::get(c, "postcodes_url")?
            .unwrap_or_else(|| DEFAULT_POSTCODES_URL.to_string()),
        nominatim_url: settings::get(c, "nominatim_url")?
            .unwrap_or_else(|| DEFAULT_NOMINATIM_URL.to_string()),
        address_geocoder: settings::get(c, "address_geocoder")?
            .filter(|g| ADDRESS_GEOCODERS.contains(&g.as_str()))
            .unwrap_or_else(|| ADDRESS_GEOCODERS[0].to_string()),
        photon_url: settings::get(c, "photon_url")?.unwrap_or_else(|| DEFAULT_PHOTON_URL.to_string()),
        mbtiles_max_zoom: match &mbtiles_path {
            Some(_) => settings::get(c, "mbtiles_max_zoom")?.and_then(|z| z.parse().ok()),
            None => None,
        },
        sync_every_minutes: settings::get(c, "sync_every_minutes")?
            .and_then(|m| m.parse().ok())
            .filter(|m| (1..=MAX_SYNC_MINUTES).contains(m))
            .unwrap_or(1),
        holiday_region: settings::get(c, "holiday_region")?
            .unwrap_or_else(|| crate::walk::holidays::Region::EnglandAndWales.as_str().to_string()),
        campaign_time_zone: crate::store::reached::campaign_time_zone(c)?.name().to_string(),
        mbtiles_path,
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
    let photon_url = service_url("photon_url", &new.photon_url, DEFAULT_PHOTON_URL)?;
    let sync_every = match new.sync_every_minutes {
        0 => 1,
        m if m <= MAX_SYNC_MINUTES => m,
        _ => {
            return invalid("sync_every_minutes", format!("must be between 1 and {MAX_SYNC_MINUTES} minutes"))
                .map_err(Into::into)
        }
    };
    let holiday_region = match new.holiday_region.trim() {
        "" => crate::walk::holidays::Region::EnglandAndWales.as_str(),
        "none" => "none",
        r => match crate::walk::holidays::Region::parse(r) {
            Some(region) => region.as_str(),
            None => {
                return invalid(
                    "holiday_region",
                    "must be england-and-wales, scotland, northern-ireland or none",
                )
                .map_err(Into::into)
            }
        },
    };
    let time_zone = match new.campaign_time_zone.trim() {
        "" => crate::store::reached::DEFAULT_TIME_ZONE,
        name => name.parse::<chrono_tz::Tz>().map_err(|_| crate::domain::ValidationError {
            field: "campaign_time_zone",
            reason: format!("'{name}' is not a time zone: use a name such as Europe/London or Africa/Lagos"),
        })?,
    };
    let geocoder = match new.address_geocoder.trim() {
        "" => ADDRESS_GEOCODERS[0],
        g => match ADDRESS_GEOCODERS.iter().find(|known| known.eq_ignore_ascii_case(g)) {
            Some(known) => known,
            None => return invalid("address_geocoder", "must be nominatim or photon").map_err(Into::into),
        },
    };
    let before = get(store)?;
    let mbtiles = match new.mbtiles_path.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(check_mbtiles(p)?),
        None => None,
    };
    let mbtiles_path = mbtiles.as_ref().map(|m| m.path.clone());
    let (online_credit, mbtiles_credit) = credits(Credits {
        shown: &before.tile_attribution,
        typed: new.tile_attribution.trim(),
        online: &settings::get(store.conn(), "tile_attribution")?
            .unwrap_or_else(|| DEFAULT_TILE_ATTRIBUTION.to_string()),
        mbtiles: &settings::get(store.conn(), "mbtiles_attribution")?.unwrap_or_default(),
        file: mbtiles.as_ref().map(|m| m.credit.as_str()),
        same_file: mbtiles_path.is_some() && mbtiles_path == before.mbtiles_path,
    });
    store.write(|tx| {
        settings::set(tx, "tile_url", &url)?;
        settings::set(tx, "tile_attribution", &online_credit)?;
        settings::set(tx, "mbtiles_path", mbtiles_path.as_deref().unwrap_or_default())?;
        settings::set(tx, "mbtiles_attribution", &mbtiles_credit)?;
        let max_zoom = mbtiles.as_ref().and_then(|m| m.max_zoom).map(|z| z.to_string());
        settings::set(tx, "mbtiles_max_zoom", max_zoom.as_deref().unwrap_or_default())?;
        settings::set(tx, "language", &language)?;
        settings::set(tx, "overpass_url", &overpass_url)?;
        settings::set(tx, "postcodes_url", &postcodes_url)?;
        settings::set(tx, "nominatim_url", &nominatim_url)?;
        settings::set(tx, "photon_url", &photon_url)?;
        settings::set(tx, "address_geocoder", geocoder)?;
        settings::set(tx, "holiday_region", holiday_region)?;
        settings::set(tx, crate::store::reached::TIME_ZONE_KEY, time_zone.name())?;
        settings::set(tx, "sync_every_minutes", &sync_every.to_string())?;
        Ok::<_, super::ApiError>(())
    })?;
    get(store)
}

/// An MBTiles file checked for use as the basemap.
pub struct CheckedMbTiles {
    /// Absolute (`~/` is the home folder).
    pub path: String,
    /// Its own credit, as plain text ("" when it names none).
    pub credit: String,
    pub max_zoom: Option<u32>,
}

/// Checks an MBTiles file for use as the basemap (exists, is MBTiles, holds raster tiles).
pub fn check_mbtiles(path: &str) -> crate::domain::ValidationResult<CheckedMbTiles> {
    let expanded = match path.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().unwrap_or_default().join(rest),
        None => PathBuf::from(path),
    };
    let refused = |reason: String| ValidationError { field: "mbtiles_path", reason };
    let file = MbTiles::open(&expanded).map_err(|e| refused(e.to_string()))?;
    let absolute = std::fs::canonicalize(&expanded).unwrap_or(expanded);
    Ok(CheckedMbTiles {
        path: absolute.display().to_string(),
        credit: file.info().attribution.clone().unwrap_or_default(),
        max_zoom: file.info().max_zoom,
    })
}

/// What a save knows about the credit line.
struct Credits<'a> {
    /// The credit the dialog was showing (what `get` answered before the save).
    shown: &'a str,
    /// The credit sent back.
    typed: &'a str,
    /// The tile server's credit, as stored.
    online: &'a str,
    /// The MBTiles file's credit, as stored.
    mbtiles: &'a str,
    /// With an MBTiles basemap after the save: the file's own credit ("" when it names none).
    file: Option<&'a str>,
    /// The MBTiles file is the one that was already set.
    same_file: bool,
}

/// The credits to store, (tile server's, MBTiles file's). The window has one credit field, for
/// the basemap in use: sent back unchanged it changes nothing, so switching to an MBTiles file
/// and back never loses the tile server's credit; typed, it is the credit of the basemap in use
/// after the save. A newly chosen file brings its own credit.
fn credits(c: Credits<'_>) -> (String, String) {
    let typed = (c.typed != c.shown).then_some(c.typed);
    match c.file {
        None => (typed.unwrap_or(c.online).to_string(), String::new()),
        Some(file) => {
            let kept = if c.same_file { c.mbtiles } else { file };
            (c.online.to_string(), typed.unwrap_or(kept).to_string())
        }
    }
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
        // Minutes between syncs: (asked, kept) — 0 means the default, past four hours is refused.
        assert_eq!(get(&store).expect("ok").sync_every_minutes, 1);
        for (asked, kept) in [(15, Some(15)), (0, Some(1)), (240, Some(240)), (241, None)] {
            let s = get(&store).expect("ok");
            let got = save(&mut store, Settings { sync_every_minutes: asked, ..s })
                .ok()
                .map(|s| s.sync_every_minutes);
            assert_eq!(got, kept, "{asked}");
        }
        // The campaign's time zone: (asked, kept); empty is London, a made-up name is refused.
        assert_eq!(get(&store).expect("ok").campaign_time_zone, "Europe/London");
        for (asked, kept) in [
            ("Africa/Lagos", Some("Africa/Lagos")),
            (" America/Bogota ", Some("America/Bogota")),
            ("", Some("Europe/London")),
            ("Europe/Atlantis", None),
            ("<b>", None),
        ] {
            let s = get(&store).expect("ok");
            let got = save(&mut store, Settings { campaign_time_zone: asked.into(), ..s })
                .ok()
                .map(|s| s.campaign_time_zone);
            assert_eq!(got.as_deref(), kept, "{asked}");
        }
    }

    /// (shown, typed, stored online, stored file credit, file after save, same file) ->
    /// (online credit, file credit).
    #[test]
    fn credits_follow_the_basemap_in_use() {
        type Case<'a> = ((&'a str, &'a str, &'a str, &'a str, Option<&'a str>, bool), (&'a str, &'a str));
        let cases: &[Case] = &[
            // Tile server only: untouched keeps, typed replaces.
            (("OSM", "OSM", "OSM", "", None, false), ("OSM", "")),
            (("OSM", "Mine", "OSM", "", None, false), ("Mine", "")),
            // A new file brings its credit; the server's stays for later.
            (("OSM", "OSM", "OSM", "", Some("© File"), false), ("OSM", "© File")),
            // A new file with no credit: the server's credit shows (get falls back to it).
            (("OSM", "OSM", "OSM", "", Some(""), false), ("OSM", "")),
            // A credit typed for the file in use.
            (("© File", "Ours", "OSM", "© File", Some("© File"), true), ("OSM", "Ours")),
            // The same file saved again keeps what was typed for it before.
            (("Ours", "Ours", "OSM", "Ours", Some("© File"), true), ("OSM", "Ours")),
            // Typed while choosing a file: it is the new file's credit.
            (("OSM", "Ours", "OSM", "", Some("© File"), false), ("OSM", "Ours")),
            // Back to the server: the file's credit, sent back unchanged, is not the server's.
            (("© File", "© File", "OSM", "© File", None, false), ("OSM", "")),
        ];
        for ((shown, typed, online, mbtiles, file, same_file), (want_online, want_file)) in cases {
            let got = credits(Credits { shown, typed, online, mbtiles, file: *file, same_file: *same_file });
            assert_eq!(got, (want_online.to_string(), want_file.to_string()), "{shown} {typed} {file:?}");
        }
    }

    #[test]
    fn an_mbtiles_basemap_is_checked_and_brings_its_credit() {
        let dir = tempfile::tempdir().expect("dir");
        let raster = dir.path().join("raster.mbtiles");
        let vector = dir.path().join("vector.mbtiles");
        for (path, format) in [(&raster, "png"), (&vector, "pbf")] {
            rusqlite::Connection::open(path)
                .and_then(|c| {
                    c.execute_batch(&format!(
                        "CREATE TABLE metadata (name TEXT, value TEXT);
                         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
                         INSERT INTO metadata VALUES ('format', '{format}'), ('attribution', '<b>© File</b>');
                         INSERT INTO tiles VALUES (0, 0, 0, x'89504E47');"
                    ))
                })
                .expect("write");
        }
        let mut store = Store::open_in_memory().expect("ok");
        let s = get(&store).expect("ok");
        assert_eq!(
            (s.mbtiles_path.as_deref(), s.tile_attribution.as_str()),
            (None, DEFAULT_TILE_ATTRIBUTION)
        );
        let refusals: &[(&str, &str)] = &[
            (vector.to_str().unwrap_or_default(), "vector tiles (pbf)"),
            ("/no/such/file.mbtiles", "there is no file at /no/such/file.mbtiles"),
        ];
        for (path, want) in refusals {
            let err = save(&mut store, Settings { mbtiles_path: Some(path.to_string()), ..s.clone() })
                .expect_err("refused");
            assert!(
                matches!(err, crate::api::ApiError::Invalid(ref v) if v.field == "mbtiles_path" && v.reason.contains(want)),
                "{err:?}"
            );
        }
        let path = raster.to_str().unwrap_or_default().to_string();
        let saved =
            save(&mut store, Settings { mbtiles_path: Some(format!(" {path} ")), ..s.clone() }).expect("ok");
        assert_eq!(
            (saved.mbtiles_path.as_deref(), saved.tile_attribution.as_str()),
            (Some(path.as_str()), "© File")
        );
        // No maxzoom in its metadata: the deepest level it holds, for enlarging deeper views.
        assert_eq!(saved.mbtiles_max_zoom, Some(0));
        // Cleared with an empty path: the tile server's credit is back, untouched.
        let cleared = save(&mut store, Settings { mbtiles_path: Some(" ".into()), ..saved }).expect("ok");
        assert_eq!(
            (cleared.mbtiles_path, cleared.tile_attribution.as_str(), cleared.mbtiles_max_zoom),
            (None, DEFAULT_TILE_ATTRIBUTION, None)
        );
    }
}

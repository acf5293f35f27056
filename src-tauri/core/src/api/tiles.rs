//! Map tiles as use-cases the window, the CLI and the tests share: the tile the map asks for
//! (from the MBTiles basemap when one is set, else the cache or the tile server), and keeping
//! an area offline, only from tile servers whose policy allows it.

use super::{ApiError, Refusal, Result};
use crate::domain::validation::invalid;
use crate::domain::Bbox;
use crate::domain::ValidationResult;
use crate::sources::mbtiles::{blank_png, MbTiles};
use crate::sources::offline::{self, BulkDownload, Ended, OfflineProgress, MAX_TILES};
use crate::sources::tiles::{parse_tile_path, TileFetcher, MAX_ZOOM};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

/// What the `tiles:` protocol answers: the window's Tauri shell only wraps it in a response.
#[derive(Debug, Clone, PartialEq)]
pub struct TileAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl TileAnswer {
    fn ok(content_type: &str, body: Vec<u8>) -> Self {
        TileAnswer { status: 200, content_type: content_type.to_string(), body }
    }
}

/// The tile at `path` (`/{z}/{x}/{y}.png`). With an MBTiles basemap the file alone answers, and
/// a tile it lacks is a transparent PNG: the map's background shows, never an error. Without
/// one, the cache or the server (`template`) answers; a tile that cannot be had is a 502 and the
/// map shows its background there (Leaflet's error tile).
pub async fn tile(
    fetcher: &TileFetcher,
    template: &str,
    basemap: Option<&MbTiles>,
    path: &str,
    now: DateTime<Utc>,
) -> TileAnswer {
    let Some((z, x, y)) = parse_tile_path(path) else {
        return TileAnswer {
            status: 400,
            content_type: "text/plain".into(),
            body: b"expected /{z}/{x}/{y}.png".to_vec(),
        };
    };
    if let Some(file) = basemap {
        return match file.tile(z, x, y) {
            Ok(Some(t)) => TileAnswer::ok(&t.content_type, t.body),
            Ok(None) => TileAnswer::ok("image/png", blank_png().to_vec()),
            Err(e) => {
                eprintln!("tablemap: {e}");
                TileAnswer::ok("image/png", blank_png().to_vec())
            }
        };
    }
    match fetcher.get(template, z, x, y, now).await {
        Ok((t, _)) => TileAnswer::ok(&t.content_type, t.body),
        Err(e) => {
            TileAnswer { status: 502, content_type: "text/plain".into(), body: e.to_string().into_bytes() }
        }
    }
}

/// An area to keep offline: a box and the zoom levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfflineArea {
    pub bbox: Bbox,
    pub min_zoom: u32,
    pub max_zoom: u32,
}

impl OfflineArea {
    /// The box within the map's range (south below north; west left of east, or right of it for
    /// a box across the 180° meridian) and the zooms in order within the tile grid.
    pub fn check(&self) -> ValidationResult<()> {
        let b = self.bbox;
        for (v, limit) in [(b.south, 90.0), (b.north, 90.0), (b.west, 180.0), (b.east, 180.0)] {
            if !v.is_finite() || v.abs() > limit {
                return invalid(
                    "bbox",
                    "latitudes must be between -90 and 90 and longitudes between -180 and 180",
                );
            }
        }
        if b.south >= b.north {
            return invalid("bbox", "south must be less than north (the order is S,W,N,E)");
        }
        if b.west == b.east {
            return invalid(
                "bbox",
                "west and east must differ (the order is S,W,N,E; west greater than east crosses the 180° meridian)",
            );
        }
        if self.max_zoom > u32::from(MAX_ZOOM) {
            return invalid("max_zoom", format!("must be {MAX_ZOOM} or less"));
        }
        if self.min_zoom > self.max_zoom {
            return invalid("min_zoom", "must not be above the highest zoom (e.g. 12-16)");
        }
        Ok(())
    }
}

/// What keeping an area offline would take, said before anything is fetched.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OfflinePlan {
    /// Tiles covering the area at the chosen zooms.
    #[ts(type = "number")]
    pub tiles: u64,
    /// The most one run fetches.
    #[ts(type = "number")]
    pub max_tiles: u64,
    /// Tiles per zoom level, lowest zoom first.
    pub per_zoom: Vec<ZoomTiles>,
    /// The tile server's host.
    pub host: String,
    pub bulk: BulkDownload,
    /// Why it is forbidden, when it is (English; the window has its own words).
    pub policy: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ZoomTiles {
    pub zoom: u32,
    #[ts(type = "number")]
    pub tiles: u64,
}

/// How many tiles `area` takes from the tile server `template`, and whether that server allows it.
pub fn plan(template: &str, area: &OfflineArea) -> Result<OfflinePlan> {
    area.check()?;
    let ranges = offline::tile_ranges(&area.bbox, area.min_zoom, area.max_zoom);
    let policy = offline::bulk_policy(template);
    Ok(OfflinePlan {
        tiles: ranges.iter().map(|r| r.count()).sum(),
        max_tiles: MAX_TILES,
        per_zoom: ranges.iter().map(|r| ZoomTiles { zoom: r.z, tiles: r.count() }).collect(),
        host: policy.host,
        bulk: policy.rule,
        policy: policy.why.map(str::to_string),
    })
}

/// What a "keep offline" run did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OfflineSummary {
    #[serde(flatten)]
    pub progress: OfflineProgress,
    /// Stopped by the person; what was fetched is kept.
    pub cancelled: bool,
}

/// Fetches every tile of `area` from `template` into the tile cache, after checking that the
/// server allows it (`allowed_by_provider`: the person confirmed their provider does) and that
/// it is at most `MAX_TILES`. Nothing is requested when a check fails. A failed request stops
/// the run; tiles already fetched stay, and a second run asks only for the rest.
pub async fn keep_offline(
    fetcher: &TileFetcher,
    template: &str,
    area: &OfflineArea,
    allowed_by_provider: bool,
    now: DateTime<Utc>,
    on_progress: &mut (dyn FnMut(&OfflineProgress) -> bool + Send),
) -> Result<OfflineSummary> {
    let plan = plan(template, area)?;
    if plan.bulk == BulkDownload::Forbidden {
        return Err(Refusal::BulkDownloadForbidden { policy: plan.policy.unwrap_or_default() }.into());
    }
    if !allowed_by_provider {
        return invalid(
            "allowed_by_provider",
            format!(
                "confirm that your tile provider ({}) allows downloading areas: many forbid it in their \
                 terms. If yours does not, use an MBTiles file instead",
                plan.host
            ),
        )
        .map_err(Into::into);
    }
    if plan.tiles > MAX_TILES {
        return invalid(
            "max_zoom",
            format!(
                "that is {} tiles, and Tablemap keeps at most {MAX_TILES} at a time: choose a smaller area \
                 or fewer zoom levels (each level deeper is about four times as many tiles)",
                plan.tiles
            ),
        )
        .map_err(Into::into);
    }
    let ranges = offline::tile_ranges(&area.bbox, area.min_zoom, area.max_zoom);
    let (progress, ended) = offline::fetch_area(fetcher, template, &ranges, now, on_progress).await;
    match ended {
        Ended::Finished => Ok(OfflineSummary { progress, cancelled: false }),
        Ended::Cancelled => Ok(OfflineSummary { progress, cancelled: true }),
        Ended::Failed(e) => Err(ApiError::OfflineStopped {
            done: progress.done.into(),
            total: progress.total.into(),
            reason: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_checked() {
        let b = Bbox { south: 51.54, west: -0.08, north: 51.55, east: -0.06 };
        let cases: &[(Bbox, u32, u32, Option<&str>)] = &[
            (b, 12, 16, None),
            (b, 0, 22, None),
            (b, 16, 16, None),
            (b, 16, 12, Some("min_zoom")),
            (b, 12, 23, Some("max_zoom")),
            (Bbox { north: 51.53, ..b }, 12, 16, Some("bbox")),
            (Bbox { east: b.west, ..b }, 12, 16, Some("bbox")),
            // West greater than east: a box across the 180° meridian, allowed.
            (Bbox { west: 179.5, east: -179.5, ..b }, 12, 12, None),
            (Bbox { south: -91.0, ..b }, 12, 16, Some("bbox")),
            (Bbox { west: f64::NAN, ..b }, 12, 16, Some("bbox")),
        ];
        for (bbox, min_zoom, max_zoom, field) in cases {
            let got = OfflineArea { bbox: *bbox, min_zoom: *min_zoom, max_zoom: *max_zoom }.check();
            assert_eq!(got.err().map(|e| e.field), *field, "{bbox:?} {min_zoom}-{max_zoom}");
        }
    }

    #[test]
    fn plans_say_the_count_and_the_policy() {
        let area = OfflineArea {
            bbox: Bbox { south: 51.54, west: -0.08, north: 51.55, east: -0.06 },
            min_zoom: 12,
            max_zoom: 16,
        };
        let osm = plan(super::super::settings::DEFAULT_TILE_URL, &area).expect("plan");
        assert_eq!((osm.tiles, osm.max_tiles, osm.bulk), (35, MAX_TILES, BulkDownload::Forbidden));
        assert_eq!(
            osm.per_zoom.iter().map(|z| (z.zoom, z.tiles)).collect::<Vec<_>>(),
            [(12, 1), (13, 1), (14, 4), (15, 9), (16, 20)]
        );
        assert!(osm.policy.as_deref().unwrap_or_default().contains("MBTiles"));
        let other = plan("https://tiles.example.org/{z}/{x}/{y}.png", &area).expect("plan");
        assert_eq!(
            (other.host.as_str(), other.bulk, other.policy),
            ("tiles.example.org", BulkDownload::AskProvider, None)
        );
    }
}

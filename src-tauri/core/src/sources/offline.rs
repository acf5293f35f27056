//! Keeping an area of the map offline: which tiles cover a box, which tile servers allow
//! fetching an area in bulk, and the polite fetch itself (two requests at a time, through the
//! tile cache, with the usual User-Agent). Tiles fetched here are kept like any other tile.

use super::tiles::{TileError, TileFetcher, MAX_ZOOM};
use crate::domain::Bbox;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Mutex;
use ts_rs::TS;

/// The most tiles one "keep offline" fetches: about 150 MB of map, and at two at a time a few
/// minutes of a tile server's attention. A bigger area wants an MBTiles file.
pub const MAX_TILES: u64 = 10_000;
/// Requests in flight at once (`fetch_area` runs this many workers).
pub const CONCURRENCY: usize = 2;
const _: () = assert!(CONCURRENCY == 2, "fetch_area joins exactly two workers");
/// Web Mercator stops here; the tile grid covers nothing further north or south.
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// The tiles of one zoom level that cover a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRange {
    pub z: u32,
    pub min_x: u32,
    pub max_x: u32,
    pub min_y: u32,
    pub max_y: u32,
}

impl TileRange {
    pub fn count(&self) -> u64 {
        u64::from(self.max_x - self.min_x + 1) * u64::from(self.max_y - self.min_y + 1)
    }

    /// Every z/x/y, row by row.
    pub fn tiles(&self) -> impl Iterator<Item = (u32, u32, u32)> + Send + '_ {
        (self.min_y..=self.max_y).flat_map(move |y| (self.min_x..=self.max_x).map(move |x| (self.z, x, y)))
    }
}

/// The tile column holding longitude `lon` at zoom `z`.
pub fn column(lon: f64, z: u32) -> u32 {
    let n = f64::from(1u32 << z);
    let x = ((lon.clamp(-180.0, 180.0) + 180.0) / 360.0 * n).floor();
    x.clamp(0.0, n - 1.0) as u32
}

/// The tile row (XYZ, counted from the top) holding latitude `lat` at zoom `z`.
pub fn row(lat: f64, z: u32) -> u32 {
    let n = f64::from(1u32 << z);
    let phi = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let y = ((1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    y.clamp(0.0, n - 1.0) as u32
}

/// The tiles covering `bbox` at each zoom from `min_zoom` to `max_zoom` (capped at the tile
/// grid's deepest level). A box whose west is greater than its east crosses the 180° meridian
/// (Fiji, the Chukotka coast): it is two ranges at each zoom, one either side.
pub fn tile_ranges(bbox: &Bbox, min_zoom: u32, max_zoom: u32) -> Vec<TileRange> {
    let spans = if bbox.west > bbox.east {
        vec![(bbox.west, 180.0), (-180.0, bbox.east)]
    } else {
        vec![(bbox.west, bbox.east)]
    };
    (min_zoom..=max_zoom.min(u32::from(MAX_ZOOM)))
        .flat_map(|z| {
            spans.iter().map(move |&(west, east)| TileRange {
                z,
                min_x: column(west, z),
                max_x: column(east, z),
                // North is the top of the map: the smaller row.
                min_y: row(bbox.north, z),
                max_y: row(bbox.south, z),
            })
        })
        .collect()
}

/// How many tiles cover `bbox` from `min_zoom` to `max_zoom`.
pub fn estimate(bbox: &Bbox, min_zoom: u32, max_zoom: u32) -> u64 {
    tile_ranges(bbox, min_zoom, max_zoom).iter().map(TileRange::count).sum()
}

/// Whether a tile server lets people fetch whole areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BulkDownload {
    /// Its usage policy forbids it: Tablemap refuses and explains.
    Forbidden,
    /// Unknown to Tablemap: allowed once the person confirms their provider allows it.
    AskProvider,
}

/// Why OpenStreetMap's own tile server is never asked for an area.
pub const OSM_TILE_POLICY: &str = "tile.openstreetmap.org does not allow downloading areas. Its tile \
usage policy (https://operations.osmfoundation.org/policies/tiles/) prohibits bulk downloading: the \
servers run on donated resources and are meant for people viewing the map, not for saving tiles to \
look at later. To have the map offline, use an MBTiles file of your area (made from OpenStreetMap \
data, or from a provider whose terms allow it) as the basemap: Settings > Offline map, or \
`tablemap settings set --mbtiles FILE`. Or switch to a tile provider whose terms allow downloading \
areas.";

/// Tile servers whose policy Tablemap knows. A rule for `example.org` covers its subdomains.
const KNOWN_HOSTS: &[(&str, BulkDownload, &str)] = &[
    ("tile.openstreetmap.org", BulkDownload::Forbidden, OSM_TILE_POLICY),
    // The OpenStreetMap Foundation's short domain for the same servers.
    ("tile.osm.org", BulkDownload::Forbidden, OSM_TILE_POLICY),
];

/// What a tile source's host allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPolicy {
    /// The host, as in the tile URL (lower case).
    pub host: String,
    pub rule: BulkDownload,
    /// The explanation when it is forbidden.
    pub why: Option<&'static str>,
}

/// The policy for the tile URL template `template` (`{s}`, `{z}`, `{x}`, `{y}` allowed).
pub fn bulk_policy(template: &str) -> BulkPolicy {
    let filled = template.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0");
    let host = url::Url::parse(&filled)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase()))
        .unwrap_or_default();
    let known =
        KNOWN_HOSTS.iter().find(|(domain, _, _)| host == *domain || host.ends_with(&format!(".{domain}")));
    match known {
        Some((_, rule, why)) => BulkPolicy { host, rule: *rule, why: Some(why) },
        None => BulkPolicy { host, rule: BulkDownload::AskProvider, why: None },
    }
}

/// How far a fetch has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OfflineProgress {
    /// Tiles dealt with so far, of `total`.
    pub done: u32,
    pub total: u32,
    /// Asked of the server (new, or revalidated).
    pub fetched: u32,
    /// Already in the cache and fresh: no request.
    pub cached: u32,
    /// The server has no such tile (404): the map shows its background there.
    pub missing: u32,
}

/// Why a fetch ended.
#[derive(Debug)]
pub enum Ended {
    Finished,
    /// `on_progress` answered false; what was fetched stays in the cache.
    Cancelled,
    /// A request failed (not a missing tile): the fetch stops rather than hammer a server that
    /// is refusing; what was fetched stays in the cache.
    Failed(TileError),
}

struct Run<'a, I> {
    tiles: I,
    progress: OfflineProgress,
    ended: Option<Ended>,
    on_progress: &'a mut (dyn FnMut(&OfflineProgress) -> bool + Send),
}

/// Fetches every tile of `ranges` from `template` into the fetcher's cache, `CONCURRENCY` at a
/// time. Tiles already fresh in the cache cost no request. `on_progress` hears after every tile
/// and stops the fetch by answering false.
pub async fn fetch_area(
    fetcher: &TileFetcher,
    template: &str,
    ranges: &[TileRange],
    now: DateTime<Utc>,
    on_progress: &mut (dyn FnMut(&OfflineProgress) -> bool + Send),
) -> (OfflineProgress, Ended) {
    let total = ranges.iter().map(TileRange::count).sum::<u64>();
    let progress = OfflineProgress { total: u32::try_from(total).unwrap_or(u32::MAX), ..Default::default() };
    let go_on = on_progress(&progress);
    let run = Mutex::new(Run {
        tiles: ranges.iter().flat_map(TileRange::tiles),
        progress,
        ended: (!go_on).then_some(Ended::Cancelled),
        on_progress,
    });
    // Two workers on this task, each with one request in flight (CONCURRENCY).
    tokio::join!(worker(fetcher, template, now, &run), worker(fetcher, template, now, &run));
    let run = run.into_inner().unwrap_or_else(|e| e.into_inner());
    (run.progress, run.ended.unwrap_or(Ended::Finished))
}

async fn worker<I: Iterator<Item = (u32, u32, u32)>>(
    fetcher: &TileFetcher,
    template: &str,
    now: DateTime<Utc>,
    run: &Mutex<Run<'_, I>>,
) {
    loop {
        let next = {
            let mut r = run.lock().unwrap_or_else(|e| e.into_inner());
            if r.ended.is_some() {
                return;
            }
            r.tiles.next()
        };
        let Some((z, x, y)) = next else { return };
        let result = fetcher.get(template, z, x, y, now).await;
        let mut r = run.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok((_, super::tiles::Origin::Cache)) => r.progress.cached += 1,
            Ok(_) => r.progress.fetched += 1,
            Err(TileError::Upstream { status: 404, .. }) => {
                r.progress.fetched += 1;
                r.progress.missing += 1;
            }
            Err(e) => {
                r.ended.get_or_insert(Ended::Failed(e));
                return;
            }
        }
        r.progress.done += 1;
        let progress = r.progress;
        if !(r.on_progress)(&progress) {
            r.ended.get_or_insert(Ended::Cancelled);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bbox(south: f64, west: f64, north: f64, east: f64) -> Bbox {
        Bbox { south, west, north, east }
    }

    #[test]
    fn columns_and_rows() {
        // (lat, lon, z, x, y): checked against the OpenStreetMap wiki's slippy-map formulas.
        let cases: &[(f64, f64, u32, u32, u32)] = &[
            (0.0, 0.0, 0, 0, 0),
            (0.0, 0.0, 1, 1, 1),
            (51.5074, -0.1278, 12, 2046, 1362),
            (51.5074, -0.1278, 16, 32744, 21792),
            (85.1, -180.0, 3, 0, 0),
            (-85.1, 180.0, 3, 7, 7),
            (-90.0, 200.0, 2, 3, 3),
            (40.7128, -74.0060, 10, 301, 385),
        ];
        for (lat, lon, z, x, y) in cases {
            assert_eq!((column(*lon, *z), row(*lat, *z)), (*x, *y), "{lat},{lon} at {z}");
        }
    }

    #[test]
    fn tile_counts_for_boxes() {
        let dalston = bbox(51.54, -0.08, 51.55, -0.06);
        let cases: &[(Bbox, u32, u32, u64)] = &[
            // The whole world: 1, 4, 16 tiles.
            (bbox(-85.0, -180.0, 85.0, 180.0), 0, 0, 1),
            (bbox(-85.0, -180.0, 85.0, 180.0), 0, 2, 1 + 4 + 16),
            // A small box sits in one tile at low zoom and spreads out deeper.
            (dalston, 10, 10, 1),
            (dalston, 12, 12, 1),
            (dalston, 14, 14, 2 * 2),
            (dalston, 15, 15, 3 * 3),
            (dalston, 16, 16, 5 * 4),
            (dalston, 12, 16, 1 + 1 + 4 + 9 + 20),
            // A point-sized box is one tile at every zoom.
            (bbox(51.5, -0.1, 51.5, -0.1), 0, 19, 20),
            // Zooms past the grid's end are not counted twice.
            (bbox(51.5, -0.1, 51.5, -0.1), 22, 30, 1),
            // An empty range.
            (dalston, 14, 13, 0),
            // Across the 180° meridian (Fiji, 177°E to 178°W): the tiles either side, at zoom 2
            // the easternmost and westernmost columns.
            (bbox(-19.0, 177.0, -16.0, -178.0), 2, 2, 2),
            (bbox(-19.0, 177.0, -16.0, -178.0), 8, 8, (3 + 2) * 3),
        ];
        for (b, min, max, want) in cases {
            assert_eq!(estimate(b, *min, *max), *want, "{b:?} {min}-{max}");
        }
        let ranges = tile_ranges(&dalston, 14, 14);
        assert_eq!(ranges, vec![TileRange { z: 14, min_x: 8188, max_x: 8189, min_y: 5444, max_y: 5445 }]);
        assert_eq!(
            ranges[0].tiles().collect::<Vec<_>>(),
            vec![(14, 8188, 5444), (14, 8189, 5444), (14, 8188, 5445), (14, 8189, 5445)]
        );
    }

    #[test]
    fn bulk_download_policies() {
        use BulkDownload::*;
        let cases: &[(&str, &str, BulkDownload)] = &[
            ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "tile.openstreetmap.org", Forbidden),
            ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "a.tile.openstreetmap.org", Forbidden),
            ("https://b.tile.openstreetmap.org/{z}/{x}/{y}.png", "b.tile.openstreetmap.org", Forbidden),
            ("http://TILE.OpenStreetMap.org./{z}/{x}/{y}.png", "tile.openstreetmap.org", Forbidden),
            ("https://tile.osm.org/{z}/{x}/{y}.png", "tile.osm.org", Forbidden),
            // Only that server: other hosts merely named like it are not OpenStreetMap's.
            (
                "https://tile.openstreetmap.org.example.com/{z}/{x}/{y}.png",
                "tile.openstreetmap.org.example.com",
                AskProvider,
            ),
            (
                "https://mytile.openstreetmap.org.evil/{z}/{x}/{y}.png",
                "mytile.openstreetmap.org.evil",
                AskProvider,
            ),
            ("https://tiles.example.org/{z}/{x}/{y}.png?key=1", "tiles.example.org", AskProvider),
            ("http://127.0.0.1:8080/{z}/{x}/{y}.png", "127.0.0.1", AskProvider),
            ("not a url {z}{x}{y}", "", AskProvider),
        ];
        for (template, host, rule) in cases {
            let p = bulk_policy(template);
            assert_eq!((p.host.as_str(), p.rule), (*host, *rule), "{template}");
            assert_eq!(p.why.is_some(), *rule == Forbidden, "{template}");
        }
        assert!(OSM_TILE_POLICY.contains("MBTiles") && OSM_TILE_POLICY.contains("policies/tiles"));
    }
}

//! `tiles estimate` and `tiles offline`: how many tiles an area takes, and fetching them into the
//! tile cache from a server whose policy allows it. The basemap from an MBTiles file is a
//! setting (`settings set --mbtiles PATH`).

use super::places::block_on;
use super::CliError;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use tablemap_core::api::tiles::{self, OfflineArea, OfflinePlan};
use tablemap_core::api::{self, ApiError, FileAction};
use tablemap_core::domain::Bbox;
use tablemap_core::sources::offline::{BulkDownload, OfflineProgress};
use tablemap_core::sources::overpass::OsmArea;
use tablemap_core::sources::tiles::{TileCache, TileFetcher};
use tablemap_core::store::Store;

#[derive(Debug, Args)]
pub struct TilesArgs {
    /// The global `--tile-cache` (or TABLEMAP_TILE_CACHE).
    #[arg(from_global)]
    tile_cache: Option<PathBuf>,
    #[command(subcommand)]
    command: TilesCommand,
}

#[derive(Debug, Subcommand)]
pub enum TilesCommand {
    /// How many map tiles an area takes at some zoom levels, and whether the tile server
    /// (the tile_url setting) allows downloading areas.
    Estimate(AreaArgs),
    /// Keep an area's map tiles in the tile cache for use offline: two requests at a time, at
    /// most 10,000 tiles. Refused for tile.openstreetmap.org, whose policy forbids it (use an
    /// MBTiles file instead: `settings set --mbtiles FILE`).
    Offline {
        #[command(flatten)]
        area: AreaArgs,
        /// Confirms that your tile provider's terms allow downloading areas.
        #[arg(long)]
        allowed_by_provider: bool,
    },
}

#[derive(Debug, Args)]
pub struct AreaArgs {
    /// A box in degrees: south,west,north,east, e.g. 51.54,-0.08,51.55,-0.06.
    #[arg(long, allow_hyphen_values = true, value_name = "S,W,N,E")]
    bbox: String,
    /// Zoom levels, e.g. 12-16 (or one level: 15).
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_zooms)]
    zoom: (u32, u32),
}

fn parse_zooms(text: &str) -> Result<(u32, u32), String> {
    let number =
        |s: &str| s.trim().parse::<u32>().map_err(|_| format!("'{text}' should be zooms like 12-16"));
    match text.split_once('-') {
        Some((min, max)) => Ok((number(min)?, number(max)?)),
        None => number(text).map(|z| (z, z)),
    }
}

impl AreaArgs {
    fn area(&self) -> Result<OfflineArea, CliError> {
        let OsmArea::Bbox { south, west, north, east } =
            OsmArea::parse_bbox(&self.bbox).map_err(ApiError::from)?
        else {
            return Err(CliError::Usage("--bbox should be S,W,N,E".into()));
        };
        let (min_zoom, max_zoom) = self.zoom;
        Ok(OfflineArea { bbox: Bbox { south, west, north, east }, min_zoom, max_zoom })
    }
}

pub(super) fn run(store: &Store, args: TilesArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let template = api::settings::get(store)?.tile_url;
    match args.command {
        TilesCommand::Estimate(area) => {
            let plan = tiles::plan(&template, &area.area()?)?;
            print_plan(&plan);
            match plan.bulk {
                BulkDownload::Forbidden => println!("\n{}", plan.policy.unwrap_or_default()),
                BulkDownload::AskProvider => println!(
                    "\n{} may be asked for this area if its terms allow downloading areas \
                     (tiles offline ... --allowed-by-provider)",
                    plan.host
                ),
            }
        }
        TilesCommand::Offline { area, allowed_by_provider } => {
            let area = area.area()?;
            print_plan(&tiles::plan(&template, &area)?);
            let cache = args.tile_cache.unwrap_or_else(tablemap_core::paths::default_tile_cache);
            let fetcher = TileFetcher::new(
                TileCache::open(&cache).map_err(|e| ApiError::file(FileAction::Read, &cache, e))?,
            );
            let mut step = 0;
            let mut report = |p: &OfflineProgress| {
                // About twenty lines for a long run, each one a fresh line (logs stay readable).
                let every = (p.total / 20).max(1);
                if p.done == p.total || p.done / every > step {
                    step = p.done / every;
                    eprintln!("{} of {} tiles", p.done, p.total);
                }
                true
            };
            let summary = block_on(tiles::keep_offline(
                &fetcher,
                &template,
                &area,
                allowed_by_provider,
                now,
                &mut report,
            ))??;
            let p = summary.progress;
            println!(
                "kept {} tiles offline in {}: {} fetched, {} already in the cache, {} the server does not have",
                p.done,
                cache.display(),
                p.fetched - p.missing,
                p.cached,
                p.missing
            );
        }
    }
    Ok(())
}

fn print_plan(plan: &OfflinePlan) {
    for z in &plan.per_zoom {
        println!("zoom {:>2}: {:>9} tiles", z.zoom, z.tiles);
    }
    println!(
        "{} tiles in all from {} (at most {} in one run)",
        plan.tiles,
        if plan.host.is_empty() { "the tile server" } else { &plan.host },
        plan.max_tiles
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_ranges() {
        let cases: &[(&str, Option<(u32, u32)>)] = &[
            ("12-16", Some((12, 16))),
            ("15", Some((15, 15))),
            (" 3 - 5 ", Some((3, 5))),
            ("a-5", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_zooms(text).ok(), *want, "{text:?}");
        }
    }
}

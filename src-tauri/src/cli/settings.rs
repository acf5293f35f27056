//! `tablemap settings show` and `settings set`: only the options given change.

use super::CliError;
use clap::{Args, Subcommand};
use tablemap_core::api;
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    Show,
    // Boxed: ten optional strings would make every `SettingsCommand` as large as `Set`.
    Set(Box<SettingsChanges>),
}

#[derive(Debug, Args)]
pub struct SettingsChanges {
    /// Tile server URL with {z}, {x} and {y}.
    #[arg(long)]
    tile_url: Option<String>,
    /// Credit line for the tiles.
    #[arg(long)]
    tile_attribution: Option<String>,
    /// Interface language (en, ar, ...); empty follows the system.
    #[arg(long)]
    language: Option<String>,
    /// Overpass API server for OpenStreetMap imports ("" for the default).
    #[arg(long)]
    overpass_url: Option<String>,
    /// postcodes.io server for UK postcodes ("" for the default).
    #[arg(long)]
    postcodes_url: Option<String>,
    /// Nominatim server for addresses and points ("" for the default).
    #[arg(long)]
    nominatim_url: Option<String>,
    /// Which service finds addresses and points: nominatim (the default) or photon.
    #[arg(long, value_parser = ["nominatim", "photon"])]
    address_geocoder: Option<String>,
    /// Photon server, when --address-geocoder photon ("" for the default).
    #[arg(long)]
    photon_url: Option<String>,
    /// Whose bank holidays walks keep: england-and-wales, scotland, northern-ireland or none.
    #[arg(long, value_parser = ["england-and-wales", "scotland", "northern-ireland", "none"])]
    holidays: Option<String>,
    /// The campaign's time zone, an IANA name such as Europe/London (the default) or
    /// Africa/Lagos: reports count days and weeks in it.
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// An MBTiles file (raster tiles) to draw the map from, offline ("" goes back to the tile
    /// server).
    #[arg(long, value_name = "PATH")]
    mbtiles: Option<String>,
}

impl SettingsChanges {
    fn apply(self, s: &mut api::Settings) {
        for (given, slot) in [
            (self.tile_url, &mut s.tile_url),
            (self.tile_attribution, &mut s.tile_attribution),
            (self.language, &mut s.language),
            (self.overpass_url, &mut s.overpass_url),
            (self.postcodes_url, &mut s.postcodes_url),
            (self.nominatim_url, &mut s.nominatim_url),
            (self.address_geocoder, &mut s.address_geocoder),
            (self.photon_url, &mut s.photon_url),
            (self.holidays, &mut s.holiday_region),
            (self.time_zone, &mut s.campaign_time_zone),
        ] {
            if let Some(value) = given {
                *slot = value;
            }
        }
        if self.mbtiles.is_some() {
            s.mbtiles_path = self.mbtiles;
        }
    }
}

pub(super) fn run(store: &mut Store, command: SettingsCommand) -> Result<(), CliError> {
    match command {
        SettingsCommand::Show => {
            println!("{}", serde_json::to_string_pretty(&api::settings::get(store)?)?);
        }
        SettingsCommand::Set(changes) => {
            let mut s = api::settings::get(store)?;
            changes.apply(&mut s);
            let saved = api::settings::save(store, s)?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
        }
    }
    Ok(())
}

//! The commands that ask outside services about places: `import osm` (Overpass) and `geocode`
//! (postcodes.io, Nominatim). Each runs its requests on a small tokio runtime of its own.

use super::{CliError, Format};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use std::path::Path;
use tablemap_core::api::geocode::{self, Geocoder};
use tablemap_core::api::{self, ApiError};
use tablemap_core::sources::overpass::{OsmArea, OverpassClient};
use tablemap_core::store::Store;

/// `tablemap import osm (--bbox S,W,N,E | --area NAME) [--overpass-url URL]`
#[derive(Debug, Args)]
pub struct OsmArgs {
    /// A box in degrees: south,west,north,east, e.g. 51.54,-0.08,51.55,-0.06.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "S,W,N,E",
        conflicts_with = "area",
        required_unless_present = "area"
    )]
    bbox: Option<String>,
    /// An area OpenStreetMap knows by this exact name, e.g. "London Borough of Hackney".
    #[arg(long, value_name = "NAME")]
    area: Option<String>,
    /// The Overpass API server, the part before /interpreter (default: the overpass_url setting).
    #[arg(long, value_name = "URL")]
    overpass_url: Option<String>,
    /// How long the server may work on the query, in seconds.
    #[arg(long, default_value_t = tablemap_core::sources::overpass::DEFAULT_TIMEOUT_SECS)]
    timeout: u32,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Subcommand)]
pub enum GeocodeCommand {
    /// Positions of UK postcodes (postcodes.io, up to 100 per request).
    Postcode {
        #[arg(required = true)]
        postcodes: Vec<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The position of an address (Nominatim: at most one request a second).
    Address {
        address: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The address at a point (Nominatim).
    Reverse {
        #[arg(allow_hyphen_values = true)]
        lat: f64,
        #[arg(allow_hyphen_values = true)]
        lon: f64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

pub(super) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, CliError> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CliError::Runtime)?;
    Ok(runtime.block_on(future))
}

pub(super) fn import_osm(store: &mut Store, args: OsmArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let area = match (args.bbox, args.area) {
        (Some(b), _) => OsmArea::parse_bbox(&b).map_err(ApiError::from)?,
        (None, Some(name)) => OsmArea::Named(name),
        (None, None) => {
            return Err(ApiError::from(tablemap_core::domain::ValidationError {
                field: "area",
                reason: "give --bbox S,W,N,E or --area NAME".into(),
            })
            .into())
        }
    };
    let url = match args.overpass_url {
        Some(u) => api::settings::service_url("overpass_url", &u, api::settings::DEFAULT_OVERPASS_URL)
            .map_err(ApiError::from)?,
        None => api::settings::get(store)?.overpass_url,
    };
    let client = OverpassClient::with_timeout(&url, args.timeout);
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if interactive {
        eprintln!("asking {} ...", client.interpreter_url());
    }
    let fetched = block_on(api::osm::fetch(&client, &area))??;
    let summary = api::osm::apply(store, &fetched.venues, now, &mut |done, total| {
        if interactive {
            eprint!("\r{done} of {total}");
        }
        true
    })?;
    if interactive {
        eprintln!();
    }
    match args.format {
        Format::Json => {
            let mut value = serde_json::to_value(summary)?;
            value["skipped_without_position"] = fetched.skipped_without_position.into();
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Format::Table => {
            let mut line = format!(
                "added {}, updated {}, unchanged {}, skipped {} without a name",
                summary.added, summary.updated, summary.unchanged, summary.skipped_unnamed
            );
            if summary.skipped_invalid > 0 {
                line.push_str(&format!(
                    ", {} with a name or position Tablemap cannot accept",
                    summary.skipped_invalid
                ));
            }
            if fetched.skipped_without_position > 0 {
                line.push_str(&format!(", {} without a position", fetched.skipped_without_position));
            }
            println!("{line}");
        }
    }
    Ok(())
}

pub(super) fn geocode(
    db: &Path,
    store: &Store,
    command: GeocodeCommand,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let geocoder = Geocoder::open(db, &api::settings::get(store)?)?;
    let position = |p: Option<(f64, f64)>| p.map(|(lat, lon)| serde_json::json!({ "lat": lat, "lon": lon }));
    match command {
        GeocodeCommand::Postcode { postcodes, format } => {
            let found = block_on(geocoder.postcodes(&postcodes, now))??;
            match format {
                Format::Json => {
                    let rows: Vec<serde_json::Value> = postcodes
                        .iter()
                        .zip(&found)
                        .map(|(q, p)| {
                            serde_json::json!({ "query": q, "postcode": geocode::normalise_postcode(q), "position": position(*p) })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                }
                Format::Table => {
                    for (q, p) in postcodes.iter().zip(&found) {
                        match (geocode::normalise_postcode(q), p) {
                            (None, _) => println!("{q}  not a UK postcode"),
                            (Some(pc), None) => println!("{pc}  not found"),
                            (Some(pc), Some((lat, lon))) => println!("{pc}  {lat}, {lon}"),
                        }
                    }
                }
            }
        }
        GeocodeCommand::Address { address, format } => {
            let found = block_on(geocoder.search(&address, now))??;
            match (format, found) {
                (Format::Json, p) => println!("{}", serde_json::to_string_pretty(&position(p))?),
                (Format::Table, Some((lat, lon))) => println!("{lat}, {lon}"),
                (Format::Table, None) => println!("not found"),
            }
        }
        GeocodeCommand::Reverse { lat, lon, format } => {
            let found = block_on(geocoder.reverse(lat, lon, now))??;
            match (format, found) {
                (Format::Json, hit) => println!("{}", serde_json::to_string_pretty(&hit)?),
                (Format::Table, None) => println!("nothing found"),
                (Format::Table, Some(hit)) => {
                    let field = |k: &str, v: Option<&str>| println!("{k:<13} {}", v.unwrap_or("-"));
                    field("address", hit.address.as_deref());
                    field("postcode", hit.postcode.as_deref());
                    field("city", hit.city.as_deref());
                    field("display name", Some(&hit.display_name));
                }
            }
        }
    }
    Ok(())
}

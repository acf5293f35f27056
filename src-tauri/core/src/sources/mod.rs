//! Everything that talks to the network. Every base URL is configurable, and every request
//! names Tablemap in its User-Agent.

pub mod error;
pub mod mbtiles;
pub mod nominatim;
pub mod offline;
pub mod overpass;
pub mod photon;
pub mod postcodes;
pub mod tiles;

pub use error::{Service, SourceError};

/// The User-Agent on every request Tablemap makes.
pub const USER_AGENT: &str =
    concat!("Tablemap/", env!("CARGO_PKG_VERSION"), " (campaign outreach desktop app)");

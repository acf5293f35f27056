//! Restaurants out of Tablemap: CSV that is safe to open in a spreadsheet, and GeoJSON
//! (RFC 7946) for GIS tools. Writers take any `io::Write`; `api::exports` picks the file.

pub mod csv_file;
pub mod geojson;
pub mod owner_page;
pub mod public_map;

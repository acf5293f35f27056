//! The Rust side's one integration-test binary: the CLI on real database files, the store's
//! search and persistence, and the network clients (tiles, Overpass, postcodes.io, Nominatim)
//! against local servers.

#[path = "../../../tests/support/fixture_server.rs"]
mod fixture_server;
#[path = "../../../tests/support/postgres.rs"]
mod pg_server;

mod areas;
mod cli;
mod crash;
mod csv_import;
mod exports;
mod geocode;
mod keys;
mod offline_tiles;
mod osm;
mod report;
mod stickers;
mod store;
mod support;
mod sync;
mod sync_attacks;
mod sync_campaign;
mod sync_erase;
mod sync_guards;
mod sync_patterns;
mod sync_people;
mod sync_permissions;
mod sync_proposals;
mod sync_quarantine;
mod sync_retention;
mod sync_tls;
mod tiles;
mod walk;
mod web;
mod web_bench;

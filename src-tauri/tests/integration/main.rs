//! The Rust side's one integration-test binary: the CLI on real database files, the store's
//! search and persistence, and the tile client against a local tile server.

#[path = "../../../tests/support/fixture_server.rs"]
mod fixture_server;

mod cli;
mod exports;
mod stickers;
mod store;
mod tiles;

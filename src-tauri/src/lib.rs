//! Tablemap: outreach map, visit log and sticker printing for a campaign that asks
//! migrant-owned restaurants to display a sticker. See ARCHITECTURE.md for the map of modules.

pub mod api;
pub mod app;
pub mod atomic_file;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod domain;
pub mod exports;
pub mod imports;
pub mod map;
pub mod sources;
pub mod stickers;
pub mod store;
pub mod sync;
pub mod walk;

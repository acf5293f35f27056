//! Tablemap, the desktop app: the Tauri window (`app`, `commands`, the window's `background`
//! sync thread) and the command line (`cli`), both thin faces over `tablemap_core::api`.
//! See ARCHITECTURE.md for the map of modules.

pub mod app;
pub mod background;
pub mod cli;
pub mod commands;

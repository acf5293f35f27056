//! tablemap-core: everything Tablemap knows that is not a window or a command line. The desktop
//! app (`tablemap`), its command line and the web service are faces over `api`. No Tauri, GTK
//! or WebKit anywhere in this crate's dependency tree. See ARCHITECTURE.md for the layers.

pub mod api;
pub mod atomic_file;
pub mod demo;
pub mod domain;
pub mod exports;
#[doc(hidden)]
pub mod fuzz;
pub mod i18n;
pub mod imports;
pub mod map;
pub mod paths;
pub mod secrets;
pub mod sources;
pub mod stickers;
pub mod store;
pub mod sync;
pub mod walk;

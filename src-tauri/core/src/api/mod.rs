//! The one API layer: every use-case the window, the CLI and the tests call. Each function takes
//! the store and, where it writes, `now`; validates with the domain, writes in one transaction,
//! and answers with what the caller shows next.

pub mod access;
pub mod areas;
pub mod backups;
pub mod erase;
mod error;
pub mod exports;
pub mod first_run;
#[cfg(test)]
mod fixtures;
pub mod geocode;
pub mod imports;
pub mod maintenance;
pub mod map;
mod models;
pub mod osm;
pub mod output;
pub mod privacy;
pub mod report;
pub mod restaurant_record;
pub mod restaurants;
pub mod retention;
pub mod settings;
pub mod stickers;
pub mod sync;
pub mod tiles;
pub mod visits;
pub mod volunteers;
pub mod walk;

pub use models::{RestaurantDetail, RestaurantListItem, RestaurantPage, StatusCount};
pub use settings::Settings;

pub use error::{ApiError, FileAction, Refusal};

pub type Result<T> = std::result::Result<T, ApiError>;

/// The writer of a file just created; asking twice is a bug, reported against the file.
fn take_writer(
    file: &mut crate::atomic_file::AtomicFile,
    path: &std::path::Path,
) -> Result<std::io::BufWriter<std::fs::File>> {
    file.take_writer().ok_or_else(|| ApiError::file(FileAction::Write, path, "its writer was already taken"))
}
pub type ApiResult<T> = Result<T>;

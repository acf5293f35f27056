//! The one API layer: every use-case the window, the CLI and the tests call. Each function takes
//! the store and, where it writes, `now`; validates with the domain, writes in one transaction,
//! and answers with what the caller shows next.

pub mod areas;
pub mod exports;
pub mod geocode;
pub mod imports;
pub mod map;
mod models;
pub mod osm;
pub mod restaurants;
pub mod settings;
pub mod stickers;
pub mod sync;
pub mod tiles;
pub mod visits;
pub mod volunteers;
pub mod walk;

pub use models::{RestaurantDetail, RestaurantPage, StatusCount};
pub use settings::Settings;

use crate::domain::ValidationError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Store(StoreError),
    /// A file could not be written or read, or an outside service (Overpass, postcodes.io,
    /// Nominatim) failed; the message says what happened and what to try.
    #[error("{0}")]
    Io(String),
    /// A file to import is damaged or does not fit: where (line, column) and why. Nothing was kept.
    #[error("{0}")]
    BadFile(crate::imports::problem::Problem),
    /// The person cancelled a long job; nothing was kept.
    #[error("cancelled")]
    Cancelled,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::NotFound { what, id },
            other => ApiError::Store(other),
        }
    }
}

/// A failed network request reaches the window as a message (`SourceError` words it for a
/// coordinator); nothing was written when it happens.
impl From<crate::sources::SourceError> for ApiError {
    fn from(e: crate::sources::SourceError) -> Self {
        ApiError::Io(e.to_string())
    }
}

/// A failed sync reaches the window as a message that says what to do; local store failures
/// keep their own kind.
impl From<crate::sync::SyncError> for ApiError {
    fn from(e: crate::sync::SyncError) -> Self {
        match e {
            crate::sync::SyncError::Store(s) => s.into(),
            other => ApiError::Io(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Store(StoreError::Sqlite(e))
    }
}

pub type Result<T> = std::result::Result<T, ApiError>;
pub type ApiResult<T> = Result<T>;

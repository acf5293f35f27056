//! The one API layer: every use-case the window, the CLI and the tests call. Each function takes
//! the store and, where it writes, `now`; validates with the domain, writes in one transaction,
//! and answers with what the caller shows next.

pub mod exports;
mod models;
pub mod restaurants;
pub mod settings;
pub mod stickers;
pub mod visits;
pub mod volunteers;

pub use models::{MapView, RestaurantDetail, RestaurantPage, StatusCount};
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
    /// A file could not be written or read.
    #[error("{0}")]
    Io(String),
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

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Store(StoreError::Sqlite(e))
    }
}

pub type Result<T> = std::result::Result<T, ApiError>;
pub type ApiResult<T> = Result<T>;

//! The one error the window sees: `{ kind, message, field }`. A kind exists only where the UI
//! does something different for it.

use serde::Serialize;
use tablemap_core::api::ApiError;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    /// Something typed is wrong: show `message` next to `field`.
    Invalid,
    /// It was removed or never existed: refresh the view.
    NotFound,
    /// It clashes with what is there (a name taken, a visit already corrected).
    Conflict,
    /// The database could not be read or written: nothing was saved.
    Storage,
    /// A file could not be written (full disk, no permission).
    File,
    /// An outside service or the team server failed: the message says what to try.
    Network,
    /// The person cancelled; not an error to show.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UiError {
    pub kind: ErrorKind,
    pub message: String,
    pub field: Option<String>,
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        let (kind, field) = match &e {
            ApiError::Invalid(v) => (ErrorKind::Invalid, Some(v.field.to_string())),
            ApiError::NotFound { .. } => (ErrorKind::NotFound, None),
            ApiError::Refused(_) => (ErrorKind::Conflict, None),
            ApiError::Store(_)
            | ApiError::Encode { .. }
            | ApiError::Random(_)
            | ApiError::Inconsistent { .. } => (ErrorKind::Storage, None),
            ApiError::File { .. }
            | ApiError::StickerSheet(_)
            | ApiError::WalkSheet(_)
            | ApiError::ReportPdf(_)
            | ApiError::BadBackup { .. } => (ErrorKind::File, None),
            ApiError::Network(_) | ApiError::OfflineStopped { .. } | ApiError::Sync(_) => {
                (ErrorKind::Network, None)
            }
            ApiError::BadFile(_) => (ErrorKind::Invalid, Some("file".to_string())),
            ApiError::Cancelled => (ErrorKind::Cancelled, None),
        };
        let message = match &e {
            ApiError::Invalid(v) => v.reason.clone(),
            other => other.to_string(),
        };
        UiError { kind, message, field }
    }
}

impl UiError {
    /// A refusal that only the window's own state can cause (the wizard closed meanwhile).
    pub fn conflict(message: impl Into<String>) -> Self {
        UiError { kind: ErrorKind::Conflict, message: message.into(), field: None }
    }

    /// The person closed a dialog without choosing: nothing to show.
    pub fn cancelled() -> Self {
        UiError { kind: ErrorKind::Cancelled, message: "cancelled".into(), field: None }
    }

    /// A background job of the window ended without an answer (it panicked); nothing was saved.
    pub fn stopped(what: &str, e: impl std::fmt::Display) -> Self {
        UiError {
            kind: ErrorKind::Storage,
            message: format!("{what} stopped unexpectedly: {e}"),
            field: None,
        }
    }
}

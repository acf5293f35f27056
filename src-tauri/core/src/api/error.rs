//! The API's one error: what failed, with the ids, names and figures involved as fields, so a
//! face (the window, later in the person's language) can word it from the variant and its
//! parameters. `Display` gives the English sentence the CLI prints, which says what to do next.

use crate::domain::permissions::{Action, Role};
use crate::domain::{Standing, StickerState, ValidationError, VisitId};
use crate::imports::problem::Problem;
use crate::sources::SourceError;
use crate::stickers::codes::RandomError;
use crate::store::StoreError;
use crate::sync::SyncError;
use chrono::{DateTime, Utc};
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    /// A rule of the campaign refuses it (a name taken, a sticker already placed, an area held).
    #[error("{0}")]
    Refused(Refusal),
    #[error("{0}")]
    Store(StoreError),
    /// A file could not be read, created or written; nothing was kept.
    #[error("cannot {action} {}: {reason}", path.display())]
    File { action: FileAction, path: PathBuf, reason: String },
    /// A file to import is damaged or does not fit: where (line, column) and why. Nothing was kept.
    #[error("{0}")]
    BadFile(Problem),
    /// An outside service (Overpass, postcodes.io, Nominatim, Photon, a tile server) failed; the
    /// source error says what happened and what to try. Nothing was written.
    #[error("{0}")]
    Network(SourceError),
    /// Keeping an area offline stopped at a failed request; what was fetched stays.
    #[error(
        "stopped after {done} of {total} tiles: {reason}. The tiles fetched are kept; run it again later to fetch the rest"
    )]
    OfflineStopped { done: u64, total: u64, reason: String },
    /// Team sync failed; the sync error says what to do.
    #[error("{0}")]
    Sync(SyncError),
    /// A sticker sheet or calibration page could not be drawn or written.
    #[error("{0}")]
    StickerSheet(crate::stickers::sheet::SheetError),
    /// A walk sheet could not be drawn or written.
    #[error("{0}")]
    WalkSheet(crate::walk::sheet::SheetError),
    /// The meeting report's PDF could not be drawn or written.
    #[error("{0}")]
    ReportPdf(crate::walk::sheet::SheetError),
    /// The operating system's random source failed (sticker codes need it).
    #[error("{0}")]
    Random(#[from] RandomError),
    /// Something Tablemap made itself could not be turned into JSON: a bug, never the input.
    #[error("cannot encode {what}: {reason}")]
    Encode { what: &'static str, reason: String },
    /// One of Tablemap's own checks of itself failed (`what` says which); nothing was kept.
    #[error("{what}")]
    Inconsistent { what: &'static str },
    /// The person cancelled a long job; nothing was kept.
    #[error("cancelled")]
    Cancelled,
    /// A backup that cannot be made or put back (not a Tablemap database, from a newer version,
    /// or damaged: `reason` names the first problem); nothing was changed.
    #[error("{} cannot be used as a backup: {reason}; nothing was changed", path.display())]
    BadBackup { path: PathBuf, reason: String },
}

/// What was being done to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    Read,
    Create,
    Write,
}

impl fmt::Display for FileAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileAction::Read => "read",
            FileAction::Create => "create",
            FileAction::Write => "write",
        })
    }
}

/// What an area was being asked to do while someone held it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldFor {
    Delete,
    Claim,
}

/// The campaign's rules that say no, each with what a sentence needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Demo data goes only into an empty database.
    DemoNeedsEmptyDatabase { restaurants: u64 },
    /// A correction must name a visit to the same restaurant.
    CorrectsAnotherRestaurant { visit: VisitId },
    /// A visit is corrected once; a second correction corrects the correction.
    AlreadyCorrected { visit: VisitId },
    /// A sticker printed for one restaurant is placed there or nowhere.
    StickerForAnotherRestaurant { code: String, restaurant: String },
    /// The sticker's state does not allow the move.
    StickerMove { code: String, state: StickerState, to: StickerState },
    /// Every sticker of a batch has been handed out, placed or lost.
    BatchAllHandedOut { batch: String },
    /// Only a coordinator may do this (`action` in words: "clear reviews").
    CoordinatorOnly { action: &'static str },
    /// The tile server's policy forbids bulk downloads; `policy` is its own words.
    BulkDownloadForbidden { policy: String },
    /// Someone holds the area until `until`.
    AreaHeld { area: String, holder: String, until: DateTime<Utc>, asked: HeldFor },
    /// Nobody holds the area, so it cannot be released.
    AreaNotHeld { area: String },
    /// Area names are unique (ignoring case).
    AreaNameTaken { name: String },
    /// Volunteers' display names are unique (ignoring case).
    VolunteerNameTaken { name: String },
    /// The person's role on the team does not allow it (`domain::permissions`).
    NotForRole { role: Role, action: Action },
    /// Only a proposed restaurant is confirmed or rejected, once.
    NotAProposal { restaurant: String, standing: Standing },
}

/// How a time reads in a refusal.
fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::DemoNeedsEmptyDatabase { restaurants } => write!(
                f,
                "this database already has {restaurants} restaurants; demo data goes into an empty database \
                 (use --db with a new file)"
            ),
            Refusal::CorrectsAnotherRestaurant { visit } => {
                write!(f, "visit {visit} belongs to another restaurant")
            }
            Refusal::AlreadyCorrected { visit } => {
                write!(f, "visit {visit} was already corrected; correct the correction instead")
            }
            Refusal::StickerForAnotherRestaurant { code, restaurant } => {
                write!(f, "sticker {code} was printed for {restaurant}; place it there, or use a blank sticker")
            }
            Refusal::StickerMove { code, state, to: StickerState::Placed } => {
                write!(f, "sticker {code} is already {state}; it cannot be placed again")
            }
            Refusal::StickerMove { code, state, to } => {
                write!(f, "sticker {code} is {state}; it cannot become {to}")
            }
            Refusal::BatchAllHandedOut { .. } => {
                f.write_str("every sticker of this batch has been handed out, placed or lost already")
            }
            Refusal::CoordinatorOnly { action } => write!(f, "only a coordinator {action}"),
            Refusal::BulkDownloadForbidden { policy } => f.write_str(policy),
            Refusal::AreaHeld { area, holder, until, asked: HeldFor::Delete } => {
                write!(f, "\u{201c}{area}\u{201d} is held by {holder} until {}; release it first", when(*until))
            }
            Refusal::AreaHeld { area, holder, until, asked: HeldFor::Claim } => write!(
                f,
                "\u{201c}{area}\u{201d} is held by {holder} until {}: ask them to release it, wait until then, \
                 or take it over (--force on the command line)",
                when(*until)
            ),
            Refusal::AreaNotHeld { area } => {
                write!(f, "nobody holds \u{201c}{area}\u{201d}; there is nothing to release")
            }
            Refusal::AreaNameTaken { name } => write!(f, "there is already an area called \u{201c}{name}\u{201d}"),
            Refusal::NotForRole { role, action } => write!(
                f,
                "{} may not {}: ask {}",
                role.with_article(),
                action.in_words(),
                crate::domain::permissions::who_may(*action)
            ),
            Refusal::NotAProposal { restaurant, standing } => write!(
                f,
                "\u{201c}{restaurant}\u{201d} is not waiting for a decision: it is {}",
                standing.as_str()
            ),
            Refusal::VolunteerNameTaken { name } => {
                write!(f, "a volunteer called '{name}' already exists; pick them from the list")
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::Refused(r)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::NotFound { what, id },
            other => ApiError::Store(other),
        }
    }
}

impl From<crate::secrets::KeyError> for ApiError {
    fn from(e: crate::secrets::KeyError) -> Self {
        ApiError::Store(StoreError::Key(e))
    }
}

impl From<SourceError> for ApiError {
    fn from(e: SourceError) -> Self {
        ApiError::Network(e)
    }
}

/// A failed sync keeps its words; a local store failure keeps its own kind.
impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Store(s) => s.into(),
            other => ApiError::Sync(other),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Store(StoreError::Sqlite(e))
    }
}

impl ApiError {
    /// A file error at `path`.
    pub fn file(action: FileAction, path: impl Into<PathBuf>, e: impl fmt::Display) -> Self {
        ApiError::File { action, path: path.into(), reason: e.to_string() }
    }

    /// A JSON encoding failure of something Tablemap made.
    pub fn encode(what: &'static str, e: impl fmt::Display) -> Self {
        ApiError::Encode { what, reason: e.to_string() }
    }
}

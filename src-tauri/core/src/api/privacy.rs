//! The person's key and what they may ask of it: where it is kept, its recovery code (shown
//! once when Tablemap makes the key, and whenever asked), and taking another computer's key.

use super::Result;
use crate::secrets::{self, DatabaseKey, KeyPlace};
use crate::store::{cipher, Store};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// What the window shows about the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct KeyStatus {
    pub place: KeyPlace,
    /// Tablemap made the key in this run: the recovery code is shown once, now.
    pub created_this_run: bool,
    /// 24 words.
    pub recovery_code: String,
}

/// The key of the open database: `None` for a database in memory, or one opened with a key
/// given rather than this person's.
pub fn key_status(store: &Store) -> Option<KeyStatus> {
    let key = store.key()?;
    let resolved = secrets::current().filter(|r| &r.key == key)?;
    Some(KeyStatus {
        created_this_run: resolved.announce(),
        place: resolved.place,
        recovery_code: key.recovery_code(),
    })
}

/// Makes `key` (another computer's) the key here. The database at `db`, if the key here opens
/// it, is encrypted again with the new one first (staged, then put in place once the key is
/// stored), so it still opens afterwards. Answers what was done, in words.
pub fn import_key(db: &Path, key: &DatabaseKey) -> Result<String> {
    let mut staged = None;
    let mut note = String::new();
    if cipher::state(db) == cipher::FileState::Encrypted && cipher::opens(db, key).is_err() {
        match secrets::database_key(db, false) {
            Ok(current) if cipher::opens(db, &current.key).is_ok() => {
                staged = Some(cipher::reencrypt(db, Some(&current.key), key)?);
                note = format!("; {} was encrypted again with it", db.display());
            }
            _ => {
                note = format!(
                    "; note: it does not open {} (that database was made with yet another key)",
                    db.display()
                )
            }
        }
    }
    let place = secrets::import_key(key)?;
    if let Some(staged) = staged {
        staged.commit()?;
    }
    Ok(format!("the key is now kept in {}{note}", place.in_words()))
}

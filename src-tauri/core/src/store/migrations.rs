//! Numbered SQL files, applied in order inside one transaction each; `PRAGMA user_version`
//! records how far a database has come. A landed file is never edited: add the next one.

use super::{Result, StoreError};
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_stickers.sql"),
    include_str!("../../migrations/0003_import_lookups.sql"),
    include_str!("../../migrations/0004_geocode_cache.sql"),
    include_str!("../../migrations/0005_areas.sql"),
    include_str!("../../migrations/0006_sync.sql"),
    include_str!("../../migrations/0007_sync_campaign.sql"),
    include_str!("../../migrations/0008_sync_parked_reason.sql"),
];

pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn apply(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest() {
        return Err(StoreError::TooNew { found: current, known: latest() });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn from_empty_in_memory_and_on_a_file() {
        let mem = Store::open_in_memory().unwrap();
        assert_eq!(mem.schema_version().unwrap(), latest());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let file = Store::open(&path).unwrap();
        assert_eq!(file.schema_version().unwrap(), latest());
        drop(file);
        // Reopening applies nothing twice.
        assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), latest());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { found: 99, .. })));
    }
}

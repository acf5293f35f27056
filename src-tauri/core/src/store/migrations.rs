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
    include_str!("../../migrations/0009_strict_times.sql"),
    include_str!("../../migrations/0010_proposals.sql"),
    include_str!("../../migrations/0011_drop_refused.sql"),
    include_str!("../../migrations/0012_search_index_bulk.sql"),
    include_str!("../../migrations/0013_erase.sql"),
    include_str!("../../migrations/0014_retention.sql"),
    include_str!("../../migrations/0015_visits_by_time.sql"),
    include_str!("../../migrations/0016_follow_up_by.sql"),
    include_str!("../../migrations/0017_visits_in_fold_order.sql"),
    include_str!("../../migrations/0018_visit_hours.sql"),
    include_str!("../../migrations/0019_first_reached.sql"),
    include_str!("../../migrations/0020_scans.sql"),
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
    fn consents_stamped_with_a_word_are_set_aside_and_cannot_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let mut old = Connection::open(&path).unwrap();
        old.pragma_update(None, "foreign_keys", false).unwrap();
        for (i, sql) in MIGRATIONS[..8].iter().enumerate() {
            old.execute_batch(sql).unwrap();
            old.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        let consent =
            "INSERT INTO consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at) \
                       VALUES (?1, 'r1', 'listed_publicly', ?2, 'v1', ?3)";
        old.execute(consent, ["c-real", "no", "2026-06-01T10:00:00.000Z"]).unwrap();
        old.execute(consent, ["c-epoch", "yes", "epoch"]).unwrap();
        apply(&mut old).unwrap();
        let kept: Vec<String> = old
            .prepare("SELECT id FROM consent_records")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(kept, ["c-real"]);
        let (id, reason): (String, String) = old
            .query_row("SELECT id, reason FROM sync_parked WHERE kind = 'consent'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((id.as_str(), reason.as_str()), ("c-epoch", "its recorded_at (epoch) is not a time"));
        for bad in ["epoch", "tomorrow", "2026-06-01T10:00:00Z", "2026-06-01 10:00:00.000Z"] {
            let e = old.execute(consent, ["c-again", "yes", bad]).unwrap_err().to_string();
            assert!(e.contains("must look like"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { found: 99, .. })));
    }
}

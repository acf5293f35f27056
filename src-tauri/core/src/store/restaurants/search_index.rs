//! The full-text search index in bulk. Outside a bulk write the triggers of migration 0001 keep
//! `restaurants_fts` in step row by row. FTS5 writes its pending tokens to disk at every
//! statement savepoint, so thousands of single-row inserts each leave a tiny segment that later
//! merges rewrite again and again: at 50,000 rows that was most of a CSV import. Inside
//! [`in_bulk`] the triggers (migration 0012) leave the index alone (noting only restaurants from
//! before that changed), and one statement indexes every new or changed restaurant before the
//! caller's transaction commits.

use super::super::Result;
use rusqlite::Transaction;

/// Runs `f` with the search index deferred, then indexes every restaurant `f` added or changed.
/// On error nothing is flushed; the caller's transaction rolls the marks back with the rest.
pub fn in_bulk<T, E>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E>
where
    E: From<super::super::StoreError>,
{
    let nested = tx
        .query_row("SELECT EXISTS (SELECT 1 FROM search_index_bulk)", [], |r| r.get::<_, bool>(0))
        .map_err(super::super::StoreError::from)?;
    if nested {
        return f(tx);
    }
    tx.execute(
        "INSERT INTO search_index_bulk (one, since_pk) SELECT 1, coalesce(max(pk), 0) FROM restaurants",
        [],
    )
    .map_err(super::super::StoreError::from)?;
    // The insert trigger does nothing in bulk mode, yet its presence alone costs a third of
    // writing new rows: SQLite runs its WHEN for every row, and a multi-row INSERT into a table
    // with row triggers goes through a temporary table first. It is dropped for the bulk write
    // and made again from its own definition, inside the same transaction.
    let trigger = set_aside(tx, INSERT_TRIGGER)?;
    let value = f(tx)?;
    flush(tx)?;
    if let Some(sql) = trigger {
        tx.execute_batch(&sql).map_err(super::super::StoreError::from)?;
    }
    Ok(value)
}

/// The trigger that indexes a new restaurant outside bulk mode.
const INSERT_TRIGGER: &str = "restaurants_fts_insert";

/// Drops the trigger `name`; answers the statement that makes it again.
fn set_aside(tx: &Transaction<'_>, name: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension as _;
    let sql: Option<String> = tx
        .query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", [name], |r| r.get(0))
        .optional()?;
    if sql.is_some() {
        tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
    }
    Ok(sql)
}

/// Indexes what the bulk write marked, and leaves bulk mode.
fn flush(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM restaurants_fts WHERE rowid IN (SELECT pk FROM search_index_pending);
         INSERT INTO restaurants_fts (rowid, name, address, cuisines)
             SELECT r.pk, r.name, concat_ws(' ', r.address, r.postcode), r.cuisines FROM restaurants r
             WHERE r.pk IN (SELECT pk FROM search_index_pending)
                OR r.pk > (SELECT since_pk FROM search_index_bulk)
             ORDER BY r.pk;
         DELETE FROM search_index_pending;
         DELETE FROM search_index_bulk;",
    )?;
    Ok(())
}

/// Marks left outside a transaction: a bulk write that committed without its flush.
pub fn leftovers(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM search_index_pending) + (SELECT count(*) FROM search_index_bulk)",
        [],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::restaurant::ValidDraft;
    use crate::domain::{RestaurantDraft, RestaurantId};
    use crate::store::restaurants::{insert, update};
    use crate::store::{Store, StoreError};
    use chrono::Utc;

    fn draft(name: &str) -> ValidDraft {
        RestaurantDraft { name: name.into(), lat: 51.5, lon: -0.07, ..Default::default() }.validate().unwrap()
    }

    fn found(store: &Store, words: &str) -> i64 {
        store
            .conn()
            .query_row("SELECT count(*) FROM restaurants_fts WHERE restaurants_fts MATCH ?1", [words], |r| {
                r.get(0)
            })
            .unwrap()
    }

    #[test]
    fn a_bulk_write_is_searchable_once_it_ends_and_leaves_no_marks() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.sqlite")).unwrap();
        let now = Utc::now();
        let before = RestaurantId::generate(now);
        store.write(|tx| insert(tx, &before, &draft("Old Name Grill"), "manual", None, now)).unwrap();
        store
            .write(|tx| {
                in_bulk(tx, |tx| -> std::result::Result<(), StoreError> {
                    for i in 0..50 {
                        insert(
                            tx,
                            &RestaurantId::generate(now),
                            &draft(&format!("Zahle {i}")),
                            "csv",
                            None,
                            now,
                        )?;
                    }
                    update(tx, &before, &draft("New Name Grill"), now)?;
                    let gone = RestaurantId::generate(now);
                    insert(tx, &gone, &draft("Ephemeral"), "csv", None, now)?;
                    tx.execute("DELETE FROM restaurant_status WHERE restaurant_id = ?1", [gone.as_str()])?;
                    tx.execute("DELETE FROM restaurants WHERE id = ?1", [gone.as_str()])?;
                    Ok(())
                })
            })
            .unwrap();
        // The insert trigger, set aside during the bulk write, indexes a single new row again.
        store
            .write(|tx| insert(tx, &RestaurantId::generate(now), &draft("Later Cafe"), "manual", None, now))
            .unwrap();
        let cases = [("zahle", 50), ("new", 1), ("old", 0), ("grill", 1), ("ephemeral", 0), ("later", 1)];
        for (words, want) in cases {
            assert_eq!(found(&store, words), want, "{words}");
        }
        assert_eq!(leftovers(store.conn()).unwrap(), 0);
    }

    #[test]
    fn a_failed_bulk_write_leaves_the_index_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.sqlite")).unwrap();
        let now = Utc::now();
        let failed: std::result::Result<(), StoreError> = store.write(|tx| {
            in_bulk(tx, |tx| {
                insert(tx, &RestaurantId::generate(now), &draft("Zahle"), "csv", None, now)?;
                Err(StoreError::NotFound { what: "restaurant", id: "x".into() })
            })
        });
        assert!(failed.is_err());
        assert_eq!(found(&store, "zahle"), 0);
        assert_eq!(leftovers(store.conn()).unwrap(), 0);
        // The row-by-row triggers are back in charge.
        store
            .write(|tx| insert(tx, &RestaurantId::generate(now), &draft("Zahle"), "manual", None, now))
            .unwrap();
        assert_eq!(found(&store, "zahle"), 1);
    }
}

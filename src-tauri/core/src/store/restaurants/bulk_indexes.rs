//! The secondary indexes of `restaurants` (position, name, postcode) rebuilt in one pass rather
//! than fed row by row, when a bulk write brings in at least twice as many restaurants as there
//! were (a campaign's first import). Each new row lands at a random place in each index; building
//! an index sorts once. On 50,000 new rows that saves about a fifth of the writing. The indexes
//! are dropped and made again inside the caller's transaction, from their own definitions in
//! `sqlite_master`, so a failure or a kill leaves them as they were.

use super::super::{Result, StoreError};
use rusqlite::Transaction;

/// The indexes worth rebuilding; `id` and `external_ref` are unique (checked on every insert)
/// and new ids are monotonic, so those two stay.
const REBUILT: [&str; 3] = ["restaurants_position", "restaurants_name", "restaurants_postcode"];

/// Bulk writes smaller than this keep their indexes whatever the table holds.
const AT_LEAST: usize = 5_000;

/// Runs `f`, which adds up to `adding` restaurants, with the secondary indexes dropped when
/// rebuilding them is cheaper; they are made again before this returns `f`'s answer.
pub fn deferred<T, E>(
    tx: &Transaction<'_>,
    adding: usize,
    f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E>
where
    E: From<StoreError>,
{
    let existing: i64 =
        tx.query_row("SELECT count(*) FROM restaurants", [], |r| r.get(0)).map_err(StoreError::from)?;
    if adding < AT_LEAST || (adding as i64) < existing * 2 {
        return f(tx);
    }
    let definitions = drop_all(tx)?;
    let value = f(tx)?;
    for sql in definitions {
        tx.execute_batch(&sql).map_err(StoreError::from)?;
    }
    Ok(value)
}

/// Drops the indexes; answers the statements that make them again.
fn drop_all(tx: &Transaction<'_>) -> Result<Vec<String>> {
    let mut definitions = Vec::new();
    for name in REBUILT {
        let sql: Option<String> = tx
            .query_row("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1", [name], |r| {
                r.get(0)
            })
            .ok();
        if let Some(sql) = sql {
            tx.execute_batch(&format!("DROP INDEX {name}"))?;
            definitions.push(sql);
        }
    }
    Ok(definitions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn indexes(store: &Store) -> Vec<(String, String)> {
        let mut stmt = store
            .conn()
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'restaurants' AND sql IS NOT NULL ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").map(|r| r.expect("row")).collect()
    }

    #[test]
    fn the_indexes_come_back_as_they_were_after_a_write_and_after_a_failure() {
        let mut store = Store::open_in_memory().expect("store");
        let before = indexes(&store);
        assert_eq!(before.len(), REBUILT.len(), "{before:?}");
        let cases: [(usize, bool, bool); 4] = [
            // (adding, f fails, dropped while f runs)
            (10, false, false),
            (AT_LEAST, false, true),
            (AT_LEAST, true, true),
            (AT_LEAST * 10, false, true),
        ];
        for (adding, fails, dropped) in cases {
            let result = store.write(|tx| {
                deferred(tx, adding, |tx| {
                    let n: i64 = tx
                        .query_row(
                            "SELECT count(*) FROM sqlite_master WHERE name = 'restaurants_name'",
                            [],
                            |r| r.get(0),
                        )
                        .map_err(StoreError::from)?;
                    assert_eq!(n == 0, dropped, "{adding}");
                    if fails {
                        return Err(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows));
                    }
                    Ok(())
                })
            });
            assert_eq!(result.is_err(), fails);
            assert_eq!(indexes(&store), before, "{adding} {fails}");
        }
    }
}

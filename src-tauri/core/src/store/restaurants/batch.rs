//! Many new restaurants at once (a CSV or OpenStreetMap import): the same rows [`super::insert`]
//! writes, sent `CHUNK` to a statement. A statement on `restaurants` (which has triggers) keeps a
//! statement journal, a copy of every page it touches; one statement per row copied the same
//! index pages once per row. With [`super::search_index::in_bulk`] this halves a 50,000-row
//! import.

use super::super::Result;
use super::draft_values;
use crate::domain::restaurant::ValidDraft;
use crate::domain::RestaurantId;
use crate::store::codec::time;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// Rows per statement: 15 values each, well under SQLite's 32,766 parameters.
const CHUNK: usize = 500;

/// New restaurants waiting to be written. Call [`Batch::flush`] before reading any of them back
/// and before the transaction ends; [`Batch::push`] flushes by itself every `CHUNK` rows and
/// returns the ids it wrote.
pub struct Batch {
    source: &'static str,
    /// `now` as stored, made once.
    stamp: String,
    rows: Vec<Value>,
    ids: Vec<RestaurantId>,
}

impl Batch {
    pub fn new(source: &'static str, now: DateTime<Utc>) -> Self {
        Batch {
            source,
            stamp: time(now),
            rows: Vec::with_capacity(CHUNK * 15),
            ids: Vec::with_capacity(CHUNK),
        }
    }

    /// Queues one restaurant; writes the queue when it is full and returns the ids written.
    pub fn push(
        &mut self,
        conn: &Connection,
        id: RestaurantId,
        draft: &ValidDraft,
        external_ref: Option<&str>,
    ) -> Result<Vec<RestaurantId>> {
        self.rows.extend(draft_values(&id, &draft.0));
        self.rows.push(Value::Text(self.source.to_string()));
        self.rows.push(external_ref.map_or(Value::Null, |r| Value::Text(r.to_string())));
        self.rows.push(Value::Text(self.stamp.clone()));
        self.rows.push(Value::Text(self.stamp.clone()));
        self.ids.push(id);
        if self.ids.len() >= CHUNK {
            return self.flush(conn);
        }
        Ok(Vec::new())
    }

    /// Writes what is queued; returns the ids written, in order.
    pub fn flush(&mut self, conn: &Connection) -> Result<Vec<RestaurantId>> {
        let n = self.ids.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let tuple = format!("({})", vec!["?"; 15].join(", "));
        let sql = format!(
            "INSERT INTO restaurants (id, name, address, postcode, lat, lon, cuisines, languages, \
             opening_hours, phone, website, source, external_ref, created_at, updated_at) VALUES {}",
            vec![tuple.as_str(); n].join(", ")
        );
        conn.prepare_cached(&sql)?.execute(params_from_iter(self.rows.drain(..)))?;
        // One statement inserts the rows with consecutive row numbers, ending at the last one.
        conn.prepare_cached(
            "INSERT INTO restaurant_status (restaurant_id) SELECT id FROM restaurants \
             WHERE pk > last_insert_rowid() - ?1 ORDER BY pk",
        )?
        .execute([n as i64])
        .and_then(|written| match written == n {
            true => Ok(()),
            false => Err(rusqlite::Error::StatementChangedRows(written)),
        })?;
        Ok(std::mem::take(&mut self.ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RestaurantDraft;
    use crate::store::Store;

    #[test]
    fn a_batch_writes_what_single_inserts_write() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.sqlite")).unwrap();
        let now = Utc::now();
        let draft = |name: &str| {
            RestaurantDraft {
                name: name.into(),
                lat: 51.5,
                lon: -0.07,
                postcode: Some("E1 6AN".into()),
                ..Default::default()
            }
            .validate()
            .unwrap()
        };
        let (one, many) = (RestaurantId("a-single".into()), 1203);
        let written = store
            .write(|tx| -> Result<Vec<RestaurantId>> {
                super::super::insert(tx, &one, &draft("Single"), "csv", Some("ref-0"), now)?;
                let mut batch = Batch::new("csv", now);
                let mut written = Vec::new();
                for i in 0..many {
                    let id = RestaurantId(format!("b-{i:05}"));
                    written.extend(batch.push(
                        tx,
                        id,
                        &draft(&format!("Zahle {i}")),
                        Some(&format!("ref-{}", i + 1)),
                    )?);
                }
                written.extend(batch.flush(tx)?);
                Ok(written)
            })
            .unwrap();
        assert_eq!(written.len(), many);
        assert_eq!(written[0].as_str(), "b-00000");
        let same = |sql: &str| store.conn().query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        let cases = [
            ("SELECT count(*) FROM restaurants", many as i64 + 1),
            ("SELECT count(*) FROM restaurant_status WHERE status = 'not_contacted'", many as i64 + 1),
            ("SELECT count(DISTINCT source || created_at || updated_at || postcode || lat || lon) FROM restaurants", 1),
            ("SELECT count(*) FROM restaurants WHERE external_ref = 'ref-' || (substr(id, 3) + 1)", many as i64),
            ("SELECT count(*) FROM restaurants_fts WHERE restaurants_fts MATCH 'zahle'", many as i64),
        ];
        for (sql, want) in cases {
            assert_eq!(same(sql), want, "{sql}");
        }
    }
}

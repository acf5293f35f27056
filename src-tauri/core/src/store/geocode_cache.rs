//! The `geocode_cache` table: every answer a geocoder gave, keyed by service and the normalised
//! question. The answer is JSON chosen by `api::geocode`; `null` records "not found".

use super::codec::{parse_time, time};
use super::Result;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq)]
pub struct CachedAnswer {
    /// JSON; `null` when the service found nothing.
    pub answer: String,
    pub fetched_at: DateTime<Utc>,
}

pub fn get(conn: &Connection, service: &str, query: &str) -> Result<Option<CachedAnswer>> {
    let row = conn
        .prepare_cached("SELECT answer, fetched_at FROM geocode_cache WHERE service = ?1 AND query = ?2")?
        .query_row([service, query], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .optional()?;
    row.map(|(answer, at)| {
        Ok(CachedAnswer { answer, fetched_at: parse_time("geocode_cache.fetched_at", &at)? })
    })
    .transpose()
}

/// Records (or replaces) the answer to `query`.
pub fn put(conn: &Connection, service: &str, query: &str, answer: &str, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO geocode_cache (service, query, answer, fetched_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (service, query) DO UPDATE SET answer = excluded.answer, fetched_at = excluded.fetched_at",
    )?
    .execute(params![service, query, answer, time(now)])?;
    Ok(())
}

/// How many answers are kept for `service`.
pub fn count(conn: &Connection, service: &str) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM geocode_cache WHERE service = ?1", [service], |r| {
        r.get::<_, i64>(0)
    })? as u64)
}

/// How many answers are kept, from every service.
pub fn count_all(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM geocode_cache", [], |r| r.get::<_, i64>(0))? as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn answers_are_kept_and_replaced() {
        let store = Store::open_in_memory().expect("ok");
        let c = store.conn();
        let t1: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().expect("ok");
        let t2: DateTime<Utc> = "2026-07-01T12:00:00Z".parse().expect("ok");
        assert_eq!(get(c, "postcodes.io", "E8 1AA").expect("ok"), None);
        put(c, "postcodes.io", "E8 1AA", "null", t1).expect("ok");
        put(c, "nominatim/search", "E8 1AA", "{\"lat\":1}", t1).expect("ok");
        assert_eq!(
            get(c, "postcodes.io", "E8 1AA").expect("ok"),
            Some(CachedAnswer { answer: "null".into(), fetched_at: t1 })
        );
        put(c, "postcodes.io", "E8 1AA", "[51.5,-0.05]", t2).expect("ok");
        assert_eq!(
            get(c, "postcodes.io", "E8 1AA").expect("ok"),
            Some(CachedAnswer { answer: "[51.5,-0.05]".into(), fetched_at: t2 })
        );
        assert_eq!(count(c, "postcodes.io").expect("ok"), 1);
        assert_eq!(count(c, "nominatim/search").expect("ok"), 1);
    }
}

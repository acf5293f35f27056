//! Keeping the snapshot fresh: every few seconds a cheap look at the public side's views (each
//! one's row count and newest transaction id); when anything moved, every row is read again in
//! one snapshot of the database and the new `Snapshot` swapped in. A withdrawn listing, a
//! do-not-contact or an erasure (rows gone: a count falls) is on the pages within one period.

use crate::snapshot::{self, Rows, Snapshot};
use deadpool_postgres::Pool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How often the views are looked at.
pub const PERIOD: Duration = Duration::from_secs(5);

/// The snapshot every request reads; replaced whole.
pub type Shared = Arc<RwLock<Arc<Snapshot>>>;

pub fn current(shared: &Shared) -> Arc<Snapshot> {
    shared.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |s| s.clone())
}

const FINGERPRINT: &str = "SELECT concat_ws('|', \
    (SELECT count(*) || ':' || coalesce(max(txid)::text, '') FROM tablemap.web_restaurant_fields), \
    (SELECT count(*) || ':' || coalesce(max(txid)::text, '') FROM tablemap.web_listing), \
    (SELECT count(*) || ':' || coalesce(max(txid)::text, '') FROM tablemap.web_visits), \
    (SELECT count(*) || ':' || coalesce(max(txid)::text, '') FROM tablemap.web_codes), \
    (SELECT count(*) || ':' || coalesce(max(txid)::text, '') FROM tablemap.web_sticker_events), \
    (SELECT coalesce(max(txid)::text, '') FROM tablemap.campaign_settings WHERE key = 'campaign'))";

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Where the public side stands now (changes whenever anything the snapshot reads does).
pub async fn fingerprint(pool: &Pool) -> Result<String, Failure> {
    let client = pool.get().await?;
    Ok(client.query_one(FINGERPRINT, &[]).await?.try_get(0)?)
}

/// Reads every row the snapshot is made from, in one consistent view of the database.
pub async fn load(pool: &Pool) -> Result<Snapshot, Failure> {
    let mut client = pool.get().await?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let campaign = tx
        .query_opt("SELECT value FROM tablemap.campaign_settings WHERE key = 'campaign'", &[])
        .await?
        .map(|r| r.try_get::<_, serde_json::Value>(0))
        .transpose()?;
    let mut rows = Rows { campaign, ..Rows::default() };
    for r in tx.query("SELECT restaurant_id, field, value FROM tablemap.web_restaurant_fields", &[]).await? {
        rows.fields.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
    }
    for r in tx.query("SELECT restaurant_id, answer, recorded_at FROM tablemap.web_listing", &[]).await? {
        rows.listing.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
    }
    let visits =
        "SELECT id, restaurant_id, outcome, visited_at, recorded_at, corrects FROM tablemap.web_visits";
    for r in tx.query(visits, &[]).await? {
        rows.visits.push((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
        ));
    }
    for r in tx.query("SELECT DISTINCT code FROM tablemap.web_codes", &[]).await? {
        rows.codes.push(r.try_get(0)?);
    }
    let events = "SELECT id, code, state, restaurant_id, at FROM tablemap.web_sticker_events";
    for r in tx.query(events, &[]).await? {
        rows.sticker_events.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?));
    }
    tx.commit().await?;
    Ok(snapshot::build(&rows))
}

/// Looks every `period` and swaps in a new snapshot when the views moved. A failed look is
/// said once per failure run on standard error (no address or row in it) and tried again.
pub async fn keep_fresh(pool: Pool, shared: Shared, period: Duration) {
    let mut seen = String::new();
    let mut failing = false;
    loop {
        let step = async {
            let now = fingerprint(&pool).await?;
            if now != seen {
                let fresh = load(&pool).await?;
                *shared.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
                seen = now;
            }
            Ok::<(), Failure>(())
        };
        match step.await {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                eprintln!("tablemap-server: cannot refresh the public side: {e}");
                failing = true;
            }
            Err(_) => {}
        }
        tokio::time::sleep(period).await;
    }
}

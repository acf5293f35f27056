//! Pulling what others wrote since the cursor, and applying it in short local transactions, the
//! last of which saves the new cursor (so a pull cut off half-way is simply done again: applying
//! is idempotent).
//!
//! The window is `cursor <= txid < pg_snapshot_xmin(pg_current_snapshot())`, read in one
//! REPEATABLE READ snapshot (`read.rs`): every transaction below the xmin has finished, so
//! nothing can later commit inside the window. A transaction still running keeps the xmin below
//! it and its rows wait for the next pull; rows seen twice are applied idempotently.

mod fields;
mod read;
mod shared;

pub use shared::SHARED_SETTINGS;

use super::apply::{self, Applied};
use super::{Result, Step};
use crate::domain::hlc::Hlc;
use crate::domain::{RestaurantId, VolunteerDraft, VolunteerId};
use crate::store::{erase, outbox, status, Store};
use chrono::{DateTime, Utc};
use postgres::Client;
use read::FieldRow;
use rusqlite::Connection;
use rusqlite::OptionalExtension;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What a pull brought in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub restaurants: usize,
    pub fields: usize,
    pub visits: usize,
    pub consents: usize,
    pub reviews: usize,
    /// Print batches, sticker events, templates, areas, claims and notes new here.
    pub campaign: usize,
    /// Rows waiting for a parent that has not arrived yet (tried again next time).
    pub parked: u64,
    /// Restaurants and volunteers a coordinator erased, erased here too.
    pub erased: usize,
    /// Visit notes blanked here by the team's choice of how long notes are kept.
    pub notes_blanked: usize,
    /// Scan counts (per code and day) new or changed here.
    pub scans: usize,
}

/// Restaurants a pull applies per transaction, and other rows.
const RESTAURANTS_PER_CHUNK: usize = 1_000;
const ROWS_PER_CHUNK: usize = 2_000;

pub fn pull(store: &mut Store, client: &mut Client, now: DateTime<Utc>) -> Result<Pulled> {
    pull_with(store, client, now, &mut |_| {})
}

/// `pull`, telling `progress` how far it has got: once the window is read (`Step::Read`), then
/// after each chunk applied (`Step::Applied`, restaurants and rows counted together).
pub fn pull_with(
    store: &mut Store,
    client: &mut Client,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Step),
) -> Result<Pulled> {
    let cursor = outbox::state(store.conn(), "cursor")?.unwrap_or_else(|| "0".into());
    let team_at_start = outbox::state(store.conn(), "team")?;
    let w = read::window(client, &cursor)?;

    let mut latest = latest_stamp(&w);
    let mut rows: Vec<(&str, Value)> = Vec::new();
    for (kind, texts) in &w.rows {
        for text in texts {
            rows.push((kind, serde_json::from_str(text).unwrap_or(Value::Null)));
        }
    }
    for (kind, body) in &rows {
        if matches!(*kind, "template" | "area") {
            if let Some(h) = body.get("hlc").and_then(Value::as_str).and_then(|h| h.parse::<Hlc>().ok()) {
                if latest.as_ref().is_none_or(|l| h > *l) {
                    latest = Some(h);
                }
            }
        }
    }

    let mut by_restaurant: BTreeMap<&str, Vec<&FieldRow>> = BTreeMap::new();
    for f in &w.fields {
        by_restaurant.entry(&f.restaurant_id).or_default().push(f);
    }
    let by_restaurant: Vec<(&str, Vec<&FieldRow>)> = by_restaurant.into_iter().collect();
    let meta: BTreeMap<String, fields::Meta> = w
        .restaurants
        .iter()
        .filter_map(|r| {
            let proposed: bool = r.try_get(4).ok()?;
            let meta = fields::Meta {
                source: r.try_get(1).ok()?,
                external_ref: r.try_get(2).ok()?,
                created_at: r.try_get(3).ok()?,
                proposed_by: if proposed { r.try_get::<_, Option<String>>(5).ok()? } else { None },
            };
            Some((r.try_get(0).ok()?, meta))
        })
        .collect();
    let total = by_restaurant.len() + rows.len();
    progress(Step::Read { total });

    store.write(|db| add_people(db, &w.people, now))?;
    // Applied in chunks, each its own short transaction, so the window's own writes never wait
    // long for a big first pull; applying is idempotent, so a pull cut off between chunks is
    // simply done again (the cursor moves only with the last chunk).
    let mut pulled = Pulled::default();
    let mut done = 0;
    for chunk in by_restaurant.chunks(RESTAURANTS_PER_CHUNK) {
        store.write(|db| -> Result<()> {
            for (id, fs) in chunk {
                let (added, taken) =
                    fields::apply_fields(db, &RestaurantId(id.to_string()), fs, meta.get(*id), now)?;
                pulled.restaurants += usize::from(added);
                pulled.fields += taken;
            }
            Ok(())
        })?;
        done += chunk.len();
        progress(Step::Applied { done, total });
    }
    for chunk in rows.chunks(ROWS_PER_CHUNK) {
        store.write(|db| -> Result<()> {
            let mut added = Vec::new();
            for (kind, body) in chunk {
                if apply::row(db, kind, body, now)? == Applied::Added {
                    added.push((*kind, body));
                }
            }
            count(db, &mut pulled, added.into_iter())
        })?;
        done += chunk.len();
        progress(Step::Applied { done, total });
    }
    let saved = store.write(|db| -> Result<bool> {
        // A new join code used while this pull ran: its cursor belongs to another start.
        if outbox::state(db, "cursor")?.unwrap_or_else(|| "0".into()) != cursor
            || outbox::state(db, "team")? != team_at_start
        {
            return Ok(false);
        }
        // Rows parked by an earlier pull (or just now) whose parents have come.
        let parked = apply::parked(db, now)?;
        count(db, &mut pulled, parked.iter().map(|(k, b)| (*k, b)))?;
        pulled.parked = apply::parked_count(db)?;
        pulled.erased += apply_erasures(db, &w.erasures)?;
        pulled.scans += shared::apply_scans(db, &w.scans)?;
        shared::apply_settings(db, &w.settings)?;
        // The team's months for notes (perhaps just pulled) over every note here, pulled ones too.
        pulled.notes_blanked += crate::store::retention::apply_team_notes(db, now)? as usize;
        pulled.reviews += shared::apply_reviews(db, &w.reviews)?;
        if let Some(h) = &latest {
            outbox::observe(db, h, now)?;
        }
        outbox::set_state(db, "cursor", &w.high)?;
        Ok(true)
    })?;
    if !saved {
        return Ok(Pulled::default());
    }
    Ok(pulled)
}

/// The latest stamp among the fields and settings pulled (values merged by stamp; event stamps
/// play no part in merging).
fn latest_stamp(w: &read::Window) -> Option<Hlc> {
    let fields = w.fields.iter().map(|f| f.version.hlc.clone());
    let settings = w.settings.iter().filter_map(|s| s.try_get::<_, String>(2).ok()?.parse().ok());
    fields.chain(settings).max()
}

/// Everyone on the team this machine has not seen. A name or id the window would refuse is left
/// out; rows naming that person wait.
fn add_people(db: &Connection, people: &[postgres::Row], now: DateTime<Utc>) -> Result<()> {
    for p in people {
        let (Ok(id), Ok(name)) = (p.try_get::<_, String>(0), p.try_get::<_, String>(1)) else { continue };
        let Ok(draft) = (VolunteerDraft { display_name: name, contact: None }).validate() else {
            continue;
        };
        if !super::checks::strict_id(&id) {
            continue;
        }
        fields::add_volunteer(db, &VolunteerId(id), draft.display_name, now)?;
    }
    Ok(())
}

/// Erases here what a coordinator erased for the team (a tombstone this machine may already
/// have, if the erasure was made here: then nothing is left to do).
fn apply_erasures(db: &Connection, erasures: &[postgres::Row]) -> Result<usize> {
    let mut n = 0;
    for e in erasures {
        let (Ok(id), Ok(kind), Ok(at)) =
            (e.try_get::<_, String>(0), e.try_get::<_, String>(1), e.try_get::<_, String>(3))
        else {
            continue;
        };
        let by = e.try_get::<_, Option<String>>(2).ok().flatten();
        let Ok(at) = DateTime::parse_from_rfc3339(&at).map(|t| t.with_timezone(&Utc)) else { continue };
        let known = |sql: &str| db.query_row(sql, [&id], |_| Ok(())).optional().map(|r| r.is_some());
        match kind.as_str() {
            "restaurant" if known("SELECT 1 FROM restaurants WHERE id = ?1")? => {
                erase::restaurant(db, &RestaurantId(id), by.as_deref(), at, false)?;
                n += 1;
            }
            "volunteer"
                if known(
                    "SELECT 1 FROM volunteers WHERE id = ?1 AND id NOT IN (SELECT id FROM erasures)",
                )? =>
            {
                erase::volunteer(db, &VolunteerId(id), by.as_deref(), at, false)?;
                n += 1;
            }
            _ => {}
        }
    }
    Ok(n)
}

/// Counts rows that went in, and refreshes the status of restaurants that got a visit.
fn count<'a>(
    db: &Connection,
    pulled: &mut Pulled,
    added: impl Iterator<Item = (&'a str, &'a Value)>,
) -> Result<()> {
    let mut touched = BTreeSet::new();
    for (kind, body) in added {
        match kind {
            "visit" => {
                pulled.visits += 1;
                if let Some(r) = body.get("restaurant_id").and_then(Value::as_str) {
                    touched.insert(r.to_string());
                }
            }
            "consent" => pulled.consents += 1,
            _ => pulled.campaign += 1,
        }
    }
    for id in touched {
        status::refresh(db, &RestaurantId(id))?;
    }
    Ok(())
}

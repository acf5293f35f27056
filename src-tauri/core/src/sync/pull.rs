//! Pulling what others wrote since the cursor, and applying it in short local transactions, the
//! last of which saves the new cursor (so a pull cut off half-way is simply done again: applying
//! is idempotent).
//!
//! The window is `cursor <= txid < pg_snapshot_xmin(pg_current_snapshot())`, read in one
//! REPEATABLE READ snapshot: every transaction below the xmin has finished, so nothing can
//! later commit inside the window. A transaction still running keeps the xmin below it and its
//! rows wait for the next pull; rows seen twice are applied idempotently.

use super::apply::{self, Applied};
use super::Result;
use crate::domain::hlc::Hlc;
use crate::domain::merge::{self, FieldVersion};
use crate::domain::restaurant::ValidDraft;
use crate::domain::{RestaurantDraft, RestaurantId, VolunteerDraft, VolunteerId};
use crate::store::{outbox, restaurants, settings, status, volunteers, Store};
use chrono::{DateTime, Utc};
use postgres::Client;
use rusqlite::{params, Connection};
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
}

struct FieldRow {
    restaurant_id: String,
    field: String,
    version: FieldVersion,
}

/// Each kind pulled as rows, with the query that reads its window as the local row's JSON.
const ROW_QUERIES: &[(&str, &str)] = &[
    ("visit", "SELECT (to_jsonb(t) - 'txid')::text FROM tablemap.visits t WHERE {window} ORDER BY id"),
    ("consent", "SELECT (to_jsonb(t) - 'txid')::text FROM tablemap.consent_records t WHERE {window} ORDER BY id"),
    (
        "print_batch",
        "SELECT (body || jsonb_build_object('id', id))::text FROM tablemap.print_batches t WHERE {window} ORDER BY id",
    ),
    (
        "sticker_event",
        "SELECT (to_jsonb(t) - 'txid' - 'recorded_by')::text FROM tablemap.sticker_events t WHERE {window} ORDER BY id",
    ),
    (
        "template",
        "SELECT (body || jsonb_build_object('id', id, 'hlc', hlc))::text FROM tablemap.templates t WHERE {window} ORDER BY id",
    ),
    (
        "area",
        "SELECT (body || jsonb_build_object('id', id, 'hlc', hlc))::text FROM tablemap.areas t WHERE {window} ORDER BY id",
    ),
    // The columns row-level security checked stand over whatever the body says.
    (
        "area_claim",
        "SELECT (body || jsonb_build_object('id', id, 'area_id', area_id, 'volunteer_id', volunteer_id))::text \
         FROM tablemap.area_claims t WHERE {window} ORDER BY id",
    ),
    (
        "area_note",
        "SELECT (body || jsonb_build_object('id', id, 'area_id', area_id, 'volunteer_id', volunteer_id))::text \
         FROM tablemap.area_notes t WHERE {window} ORDER BY id",
    ),
];

pub fn pull(store: &mut Store, client: &mut Client, now: DateTime<Utc>) -> Result<Pulled> {
    let cursor = outbox::state(store.conn(), "cursor")?.unwrap_or_else(|| "0".into());
    let team_at_start = outbox::state(store.conn(), "team")?;
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let high: String =
        tx.query_one("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[])?.try_get(0)?;
    // A server whose transaction ids are behind the cursor was restored from a backup or
    // rebuilt: everything is read again (applying is idempotent), or nothing would come until
    // its ids caught up.
    let from = if cursor.parse::<u64>().unwrap_or(0) > high.parse::<u64>().unwrap_or(u64::MAX) {
        "0".to_string()
    } else {
        cursor.clone()
    };
    let window = "txid >= $1::text::xid8 AND txid < $2::text::xid8";
    let args: [&(dyn postgres::types::ToSql + Sync); 2] = [&from, &high];

    // Everyone on the team (a short list): a row may name someone added before the cursor.
    let people = tx.query("SELECT id, display_name FROM tablemap.volunteers", &[])?;
    // Every field of each restaurant the window touches, not only the fields it changed: a
    // restaurant whose fields were pushed in two batches arrives whole, and a visit's restaurant
    // is always complete here.
    let touched = format!(
        "WITH touched AS (SELECT restaurant_id AS id FROM tablemap.restaurant_fields WHERE {window} \
         UNION SELECT id FROM tablemap.restaurants WHERE {window} \
         UNION SELECT restaurant_id FROM tablemap.visits WHERE {window} \
         UNION SELECT restaurant_id FROM tablemap.consent_records WHERE {window})"
    );
    let restaurant_rows = tx.query(
        &format!(
            "{touched} SELECT r.id, r.source, r.external_ref, r.created_at FROM tablemap.restaurants r \
             JOIN touched USING (id)"
        ),
        &args,
    )?;
    let fields = tx.query(
        &format!(
            "{touched} SELECT f.restaurant_id, f.field, f.value::text, f.hlc, f.base_hlc \
             FROM tablemap.restaurant_fields f JOIN touched ON touched.id = f.restaurant_id"
        ),
        &args,
    )?;
    let mut pulled_rows: Vec<(&str, Vec<String>)> = Vec::new();
    for (kind, sql) in ROW_QUERIES {
        let rows = tx.query(&sql.replace("{window}", window), &args)?;
        // A row the server cannot give as text (NULL) is skipped, never a panic.
        pulled_rows.push((kind, rows.iter().filter_map(|r| r.try_get::<_, String>(0).ok()).collect()));
    }
    let settings_rows = tx.query(
        &format!("SELECT key, value::text, hlc FROM tablemap.campaign_settings WHERE {window}"),
        &args,
    )?;
    let coordinator: bool = tx.query_one("SELECT tablemap.is_coordinator()", &[])?.try_get(0)?;
    let reviews = if coordinator {
        tx.query(
            &format!(
                "SELECT id, restaurant_id, field, kept_value::text, kept_hlc, other_value::text, other_hlc, cleared_at, \
                 cleared_by FROM tablemap.reviews WHERE {window}"
            ),
            &args,
        )?
    } else {
        Vec::new()
    };
    tx.commit()?;

    let fields: Vec<FieldRow> = fields
        .iter()
        .filter_map(|r| {
            let version = FieldVersion {
                value: r.try_get(2).ok()?,
                hlc: r.try_get::<_, String>(3).ok()?.parse().ok()?,
                base: r.try_get::<_, Option<String>>(4).ok()?.and_then(|b| b.parse().ok()),
            };
            Some(FieldRow { restaurant_id: r.try_get(0).ok()?, field: r.try_get(1).ok()?, version })
        })
        .collect();

    // The latest stamp among the values merged by stamp; event stamps play no part in merging.
    let mut latest: Option<Hlc> = None;
    let mut see = |h: Option<Hlc>| {
        if let Some(h) = h {
            if latest.as_ref().is_none_or(|l| h > *l) {
                latest = Some(h);
            }
        }
    };
    for f in &fields {
        see(Some(f.version.hlc.clone()));
    }
    for s in &settings_rows {
        see(s.try_get::<_, String>(2).ok().and_then(|h| h.parse().ok()));
    }
    let mut rows: Vec<(&str, Value)> = Vec::new();
    for (kind, texts) in &pulled_rows {
        for text in texts {
            let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            if matches!(*kind, "template" | "area") {
                see(body.get("hlc").and_then(Value::as_str).and_then(|h| h.parse().ok()));
            }
            rows.push((kind, body));
        }
    }

    // Applied in chunks, each its own short transaction, so the window's own writes never wait
    // long for a big first pull; applying is idempotent, so a pull cut off between chunks is
    // simply done again (the cursor moves only with the last chunk).
    let mut pulled = Pulled::default();
    let mut by_restaurant: BTreeMap<&str, Vec<&FieldRow>> = BTreeMap::new();
    for f in &fields {
        by_restaurant.entry(&f.restaurant_id).or_default().push(f);
    }
    let by_restaurant: Vec<(&str, Vec<&FieldRow>)> = by_restaurant.into_iter().collect();
    let meta: BTreeMap<String, (String, Option<String>, String)> = restaurant_rows
        .iter()
        .filter_map(|r| {
            Some((r.try_get(0).ok()?, (r.try_get(1).ok()?, r.try_get(2).ok()?, r.try_get(3).ok()?)))
        })
        .collect();
    store.write(|db| -> Result<()> {
        for p in &people {
            let (Ok(id), Ok(name)) = (p.try_get::<_, String>(0), p.try_get::<_, String>(1)) else { continue };
            // A name or id the window would refuse is left out; rows naming that person wait.
            let Ok(draft) = (VolunteerDraft { display_name: name, contact: None }).validate() else {
                continue;
            };
            if !super::checks::strict_id(&id) {
                continue;
            }
            add_volunteer(db, &VolunteerId(id), draft.display_name, now)?;
        }
        Ok(())
    })?;
    for chunk in by_restaurant.chunks(RESTAURANTS_PER_CHUNK) {
        store.write(|db| -> Result<()> {
            for (id, fs) in chunk {
                let (added, taken) = apply_fields(db, &RestaurantId(id.to_string()), fs, meta.get(*id), now)?;
                pulled.restaurants += usize::from(added);
                pulled.fields += taken;
            }
            Ok(())
        })?;
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
        for s in &settings_rows {
            let (Ok(key), Ok(value), Ok(hlc)) =
                (s.try_get::<_, String>(0), s.try_get::<_, String>(1), s.try_get::<_, String>(2))
            else {
                continue;
            };
            // Only the campaign's own words travel; this machine's settings (tile server, service
            // addresses, language) are nobody else's to change.
            if !SHARED_SETTINGS.contains(&key.as_str()) {
                continue;
            }
            let mark = format!("setting_hlc:{key}");
            if outbox::state(db, &mark)?.is_none_or(|mine| hlc > mine) {
                // The campaign's words meet the checks the settings form applies (an https
                // address for the stickers, names within their limits); else they are kept aside.
                let value = match campaign_checked(&value) {
                    Ok(v) => v,
                    Err(reason) => {
                        db.prepare_cached(
                            "INSERT OR REPLACE INTO sync_parked (kind, id, body, reason) VALUES ('setting', ?1, ?2, ?3)",
                        )?
                        .execute(params![key, value, reason])?;
                        continue;
                    }
                };
                db.prepare_cached("DELETE FROM sync_parked WHERE kind = 'setting' AND id = ?1")?.execute([&key])?;
                settings::set(db, &key, &value)?;
                outbox::set_state(db, &mark, &hlc)?;
            }
        }
        for r in &reviews {
            let text = |i: usize| r.try_get::<_, String>(i).ok();
            let maybe = |i: usize| r.try_get::<_, Option<String>>(i).ok().flatten();
            let (Some(id), Some(restaurant), Some(field)) = (text(0), text(1), text(2)) else { continue };
            pulled.reviews += db
                .prepare_cached(
                    "INSERT OR REPLACE INTO sync_reviews (id, restaurant_id, field, kept_value, kept_hlc, other_value, \
                     other_hlc, cleared_at, cleared_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![id, restaurant, field, text(3), text(4), text(5), text(6), maybe(7), maybe(8)])?;
        }
        if let Some(h) = &latest {
            outbox::observe(db, h, now)?;
        }
        outbox::set_state(db, "cursor", &high)?;
        Ok(true)
    })?;
    if !saved {
        return Ok(Pulled::default());
    }
    Ok(pulled)
}

/// The pulled campaign setting as the settings form would save it, or why not.
fn campaign_checked(value: &str) -> std::result::Result<String, String> {
    let campaign: crate::stickers::campaign::Campaign =
        serde_json::from_str(value).map_err(|e| format!("the campaign's settings cannot be read ({e})"))?;
    let campaign = campaign.validate().map_err(|e| format!("the campaign's {}", e))?;
    serde_json::to_string(&campaign).map_err(|e| e.to_string())
}

/// Restaurants a pull applies per transaction, and other rows.
const RESTAURANTS_PER_CHUNK: usize = 1_000;
const ROWS_PER_CHUNK: usize = 2_000;

/// The settings the team shares (`campaign_settings` keys).
pub const SHARED_SETTINGS: [&str; 1] = ["campaign"];

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

/// A team member this machine has not seen; a name already used here gets a number.
fn add_volunteer(db: &Connection, id: &VolunteerId, name: String, now: DateTime<Utc>) -> Result<()> {
    if volunteers::get(db, id).is_ok() {
        return Ok(());
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while volunteers::by_name(db, &candidate)?.is_some() {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    volunteers::insert(db, id, &VolunteerDraft { display_name: candidate, contact: None }, now)?;
    Ok(())
}

/// Merges a restaurant's pulled fields field by field; adds the restaurant if it is new here.
/// Answers (added, fields taken).
fn apply_fields(
    db: &Connection,
    id: &RestaurantId,
    fields: &[&FieldRow],
    meta: Option<&(String, Option<String>, String)>,
    now: DateTime<Utc>,
) -> Result<(bool, usize)> {
    let existing = restaurants::get(db, id).ok();
    let mut draft = existing.as_ref().map(merge::draft_of).unwrap_or_default();
    let current: BTreeMap<&str, Value> =
        merge::field_values(&draft).into_iter().collect::<BTreeMap<&str, Value>>();
    let mut taken = Vec::new();
    for f in fields {
        let mine = match (&existing, outbox::field_clock(db, id, &f.field)?) {
            (Some(_), Some((hlc, base))) => hlc.parse::<Hlc>().ok().map(|hlc| FieldVersion {
                value: current.get(f.field.as_str()).map(Value::to_string).unwrap_or_default(),
                hlc,
                base: base.and_then(|b| b.parse().ok()),
            }),
            _ => None,
        };
        // Compare values as the server stores them (jsonb text), not as typed.
        let incoming_value: Value = serde_json::from_str(&f.version.value).unwrap_or(Value::Null);
        let incoming = FieldVersion { value: incoming_value.to_string(), ..f.version.clone() };
        if merge::field(mine.as_ref(), &incoming).take
            && merge::set_field(&mut draft, &f.field, &incoming_value).is_ok()
        {
            taken.push(*f);
        }
    }
    if taken.is_empty() {
        return Ok((false, 0));
    }
    // What another machine sent must pass the same checks as what is typed here: a value that
    // does not is left out (the rest of the restaurant still merges).
    let before = existing.as_ref().map(merge::draft_of).unwrap_or_default();
    let Some(valid) = settle(draft, &before, &mut taken) else { return Ok((false, 0)) };
    let added = match existing {
        Some(_) => {
            restaurants::update(db, id, &valid, now)?;
            false
        }
        None => {
            // A new restaurant needs its name and position; they travel together with the row.
            let has = |name: &str| taken.iter().any(|f| f.field == name);
            let Some((source, external_ref, created_at)) = meta else { return Ok((false, 0)) };
            if !has("name") || !has("position") {
                return Ok((false, 0));
            }
            // An OpenStreetMap id both machines imported stays with the first restaurant here.
            let reference = match external_ref {
                Some(r) if restaurants::find_by_external_ref(db, r)?.is_none() => Some(r.as_str()),
                _ => None,
            };
            let created = DateTime::parse_from_rfc3339(created_at).map_or(now, |t| t.with_timezone(&Utc));
            restaurants::insert(db, id, &valid, source, reference, created)?;
            true
        }
    };
    for f in &taken {
        let base = f.version.base.as_ref().map(Hlc::to_string);
        outbox::set_field_clock(db, id, &f.field, &f.version.hlc.to_string(), base.as_deref())?;
    }
    Ok((added, taken.len()))
}

/// Validates the merged draft, putting back (and no longer counting as taken) each pulled field
/// the checks refuse; `None` when the name or the position itself is refused.
fn settle(
    mut draft: RestaurantDraft,
    before: &RestaurantDraft,
    taken: &mut Vec<&FieldRow>,
) -> Option<ValidDraft> {
    loop {
        let refused = match draft.clone().validate() {
            Ok(valid) => return Some(valid),
            Err(e) => match e.field {
                "lat" | "lon" => "position",
                other => other,
            },
        };
        let at = taken.iter().position(|f| f.field == refused)?;
        if before.name.is_empty() && (refused == "name" || refused == "position") {
            return None;
        }
        let old = merge::field_values(before).into_iter().find(|(f, _)| *f == refused).map(|(_, v)| v)?;
        merge::set_field(&mut draft, refused, &old).ok()?;
        taken.remove(at);
    }
}

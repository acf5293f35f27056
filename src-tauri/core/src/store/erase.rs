//! Erasure (a person's right to erasure, GDPR art. 17). A restaurant goes with every row that
//! names it: visits, consent records, sticker events and the pre-assignment of codes, field
//! clocks, waiting and refused changes, rows parked by a pull, review entries, its search entry
//! and the geocoding answers for its address and pin. A volunteer keeps their id (their visits
//! stand, attributed to "a former volunteer") and loses their name and contact. What remains of
//! either is one row of `erasures`: the id, who, when; that row also keeps the id from coming
//! back through a pull.
//!
//! Events stay append-only everywhere else: their delete triggers let a row go only while the
//! flag row `erasing` exists, which these functions set and remove in the caller's transaction.

use super::outbox::{clear_state, set_state};
use super::{codec::time, Result, StoreError};
use crate::domain::{RestaurantId, VolunteerId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

/// What an erasure removed, for the confirmation that follows it.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Erased {
    #[ts(type = "number")]
    pub visits: u64,
    #[ts(type = "number")]
    pub consents: u64,
    #[ts(type = "number")]
    pub sticker_events: u64,
    /// Printed codes no longer pre-assigned to it (the stickers themselves stay in their batch).
    #[ts(type = "number")]
    pub codes_unassigned: u64,
    /// Waiting, refused or parked team changes that named it.
    #[ts(type = "number")]
    pub team_changes: u64,
    #[ts(type = "number")]
    pub geocoding_answers: u64,
}

/// Who erased what and when; `sent` once the team server has it (always, unjoined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub id: String,
    pub kind: String,
    pub erased_by: Option<String>,
    pub erased_at: String,
}

/// Whether restaurant `id` was erased, here or by the team.
pub fn restaurant_erased(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM erasures WHERE id = ?1 AND kind = 'restaurant'")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Erases restaurant `id` and every row naming it, in `tx`. `to_send`: the team server must
/// still hear of it (an erasure made here on a team; not one pulled from the team).
pub fn restaurant(
    tx: &Connection,
    id: &RestaurantId,
    by: Option<&str>,
    at: DateTime<Utc>,
    to_send: bool,
) -> Result<Erased> {
    let r = super::restaurants::get(tx, id)?;
    let id = id.as_str();
    set_state(tx, "erasing", "1")?;
    let mut e = Erased::default();
    let visits = "SELECT id FROM visits WHERE restaurant_id = ?1";
    let consents = "SELECT id FROM consent_records WHERE restaurant_id = ?1";
    let events = format!("SELECT id FROM sticker_events WHERE restaurant_id = ?1 OR visit_id IN ({visits})");
    // Team changes first, while the rows they name can still be found.
    e.team_changes += tx.execute(
        &format!(
            "DELETE FROM outbox WHERE entity_id = ?1 OR json_extract(payload, '$.restaurant_id') = ?1 \
             OR entity_id IN ({visits}) OR entity_id IN ({consents}) OR entity_id IN ({events})"
        ),
        [id],
    )? as u64;
    e.team_changes += tx.execute(
        &format!(
            "DELETE FROM sync_parked WHERE id = ?1 OR json_extract(body, '$.restaurant_id') = ?1 \
             OR json_extract(body, '$.visit_id') IN ({visits})"
        ),
        [id],
    )? as u64;
    tx.execute("DELETE FROM sync_reviews WHERE restaurant_id = ?1", [id])?;
    (e.sticker_events, e.codes_unassigned, e.visits, e.consents) = events_and_visits(tx, id)?;
    e.geocoding_answers = geocoding_answers(tx, r.address.as_deref(), r.lat, r.lon)?;
    // Its status and field clocks go with it (ON DELETE CASCADE), its search entry by trigger.
    tx.execute("DELETE FROM restaurants WHERE id = ?1", [id])?;
    record(tx, id, "restaurant", by, at, to_send)?;
    clear_state(tx, "erasing")?;
    Ok(e)
}

/// Deletes the events naming restaurant `id` (its sticker events, visits with their
/// corrections, consent records) and unassigns its printed codes; the caller has set a flag that
/// lets events go. Answers (sticker events, codes unassigned, visits, consent records).
pub(super) fn events_and_visits(tx: &Connection, id: &str) -> Result<(u64, u64, u64, u64)> {
    let events = tx.execute(
        "DELETE FROM sticker_events WHERE restaurant_id = ?1 \
         OR visit_id IN (SELECT id FROM visits WHERE restaurant_id = ?1)",
        [id],
    )? as u64;
    let codes =
        tx.execute("UPDATE sticker_codes SET restaurant_id = NULL WHERE restaurant_id = ?1", [id])? as u64;
    // Corrections point at the visits they correct: leaves first, until none is left.
    let mut visits = 0;
    loop {
        let n = tx.execute(
            "DELETE FROM visits WHERE restaurant_id = ?1 AND id NOT IN \
             (SELECT corrects FROM visits WHERE corrects IS NOT NULL)",
            [id],
        )?;
        if n == 0 {
            break;
        }
        visits += n as u64;
    }
    let consents = tx.execute("DELETE FROM consent_records WHERE restaurant_id = ?1", [id])? as u64;
    Ok((events, codes, visits, consents))
}

/// Replaces volunteer `id`'s name and contact, in `tx`; their visits stay, under the new name.
/// Answers the name they now go by.
pub fn volunteer(
    tx: &Connection,
    id: &VolunteerId,
    by: Option<&str>,
    at: DateTime<Utc>,
    to_send: bool,
) -> Result<String> {
    let name = former_name(id.as_str());
    let changed = tx.execute(
        "UPDATE volunteers SET display_name = ?2, contact = NULL WHERE id = ?1",
        [id.as_str(), name.as_str()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound { what: "volunteer", id: id.to_string() });
    }
    // A volunteer not yet sent to the team goes under the new name.
    tx.execute(
        "UPDATE outbox SET payload = json_set(payload, '$.display_name', ?2) \
         WHERE kind = 'volunteer' AND entity_id = ?1",
        [id.as_str(), name.as_str()],
    )?;
    record(tx, id.as_str(), "volunteer", by, at, to_send)?;
    Ok(name)
}

/// The name an erased volunteer goes by: the same on every machine (it is made from the id),
/// and unique, as names must be.
pub fn former_name(id: &str) -> String {
    let tail: String = id.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("Former volunteer {}", tail.to_uppercase())
}

fn record(
    tx: &Connection,
    id: &str,
    kind: &str,
    by: Option<&str>,
    at: DateTime<Utc>,
    to_send: bool,
) -> Result<()> {
    tx.execute(
        "INSERT INTO erasures (id, kind, erased_by, erased_at, sent) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO NOTHING",
        rusqlite::params![id, kind, by, time(at), i64::from(!to_send)],
    )?;
    Ok(())
}

/// Answers cached for this address (any search whose question contains it) and for a pin
/// dropped on this spot (reverse lookups are cached by the point at 5 decimals). Postcode
/// answers stay: a postcode is shared by a street, not this restaurant's.
fn geocoding_answers(tx: &Connection, address: Option<&str>, lat: f64, lon: f64) -> Result<u64> {
    let round = |v: f64| (v * 1e5).round() / 1e5;
    let point = format!("{:.5},{:.5}", round(lat), round(lon));
    let mut n = tx.execute("DELETE FROM geocode_cache WHERE query = ?1", [point])? as u64;
    if let Some(a) = address.map(|a| a.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()) {
        if !a.is_empty() {
            n += tx.execute("DELETE FROM geocode_cache WHERE instr(query, ?1) > 0", [a])? as u64;
        }
    }
    Ok(n)
}

/// Erasures made here that the team server has not heard of yet, oldest first.
pub fn unsent(conn: &Connection) -> Result<Vec<Erasure>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, erased_by, erased_at FROM erasures WHERE sent = 0 AND refused IS NULL ORDER BY erased_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Erasure { id: r.get(0)?, kind: r.get(1)?, erased_by: r.get(2)?, erased_at: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The server has it (`refused: None`), or said no (the reason, shown with refused changes).
pub fn mark_sent(conn: &Connection, id: &str, refused: Option<&str>) -> Result<()> {
    match refused {
        None => conn.execute("UPDATE erasures SET sent = 1 WHERE id = ?1", [id])?,
        Some(why) => conn.execute("UPDATE erasures SET refused = ?2 WHERE id = ?1", [id, why])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Outcome;
    use crate::store::fixtures::{at, count, visit, zaza_and_amina};
    use crate::store::Store;

    #[test]
    fn a_restaurant_goes_with_every_row_naming_it_and_leaves_only_who_and_when() {
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        zaza_and_amina(db);
        visit(db, "x1", Outcome::Agreed, 1);
        db.execute(
            "INSERT INTO visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, corrects) \
             VALUES ('x2', 'r1', 'v1', '2026-06-01T10:02:00.000Z', '2026-06-01T10:02:00.000Z', 'spoke', 'x1')",
            [],
        )
        .expect("correction");
        db.execute(
            "INSERT INTO consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at) \
             VALUES ('c1', 'r1', 'listed_publicly', 'yes', 'v1', '2026-06-01T10:03:00.000Z')",
            [],
        )
        .expect("consent");
        db.execute_batch(
            "UPDATE restaurants SET address = '12 Kingsland Road' WHERE id = 'r1';
             INSERT INTO geocode_cache (service, query, answer, fetched_at) VALUES
                 ('nominatim', '12 kingsland road, e8 1aa', '[51.5,-0.07]', '2026-06-01T10:00:00.000Z'),
                 ('nominatim', '51.50000,-0.07000', '{}', '2026-06-01T10:00:00.000Z'),
                 ('postcodes.io', 'E8 1AA', '[51.5,-0.07]', '2026-06-01T10:00:00.000Z');
             INSERT INTO outbox (kind, entity_id, hlc, payload, created_at) VALUES
                 ('visit', 'x1', '0000000000000001-00000-00000000000000aa', '{\"restaurant_id\":\"r1\"}', '2026-06-01T10:00:00.000Z'),
                 ('area_note', 'n1', '0000000000000001-00000-00000000000000aa', '{}', '2026-06-01T10:00:00.000Z');
             INSERT INTO sync_parked (kind, id, body) VALUES ('consent', 'c9', '{\"restaurant_id\":\"r1\"}');",
        )
        .expect("rows");
        let erased = restaurant(db, &RestaurantId("r1".into()), Some("v1"), at(9), false).expect("erase");
        assert_eq!(
            erased,
            Erased {
                visits: 2,
                consents: 1,
                sticker_events: 0,
                codes_unassigned: 0,
                team_changes: 2,
                geocoding_answers: 2
            }
        );
        let cases = [
            ("SELECT count(*) FROM restaurants", 0),
            ("SELECT count(*) FROM restaurant_status", 0),
            ("SELECT count(*) FROM visits", 0),
            ("SELECT count(*) FROM consent_records", 0),
            ("SELECT count(*) FROM outbox", 1),
            ("SELECT count(*) FROM sync_parked", 0),
            ("SELECT count(*) FROM geocode_cache", 1),
            ("SELECT count(*) FROM restaurants_fts WHERE restaurants_fts MATCH 'zaza'", 0),
            ("SELECT count(*) FROM sync_state WHERE key = 'erasing'", 0),
            ("SELECT count(*) FROM erasures WHERE id = 'r1' AND erased_by = 'v1' AND sent = 1", 1),
        ];
        for (sql, want) in cases {
            assert_eq!(count(db, sql), want, "{sql}");
        }
        assert!(restaurant_erased(db, "r1").expect("read"));
        // Append-only again once the erasure is over.
        db.execute_batch(
            "INSERT INTO restaurants (id, name, lat, lon, created_at, updated_at) \
                 VALUES ('r2', 'Other', 51.5, -0.07, '2026-06-01T10:00:00.000Z', '2026-06-01T10:00:00.000Z');
             INSERT INTO visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome) \
                 VALUES ('x3', 'r2', 'v1', '2026-06-01T10:04:00.000Z', '2026-06-01T10:04:00.000Z', 'spoke');",
        )
        .expect("another visit");
        assert!(db.execute("DELETE FROM visits WHERE id = 'x3'", []).is_err());
    }

    #[test]
    fn a_volunteer_keeps_their_visits_under_a_former_name() {
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        zaza_and_amina(db);
        db.execute("UPDATE volunteers SET contact = 'amina@example.org' WHERE id = 'v1'", [])
            .expect("contact");
        visit(db, "x1", Outcome::Agreed, 1);
        let name = volunteer(db, &VolunteerId("v1".into()), None, at(9), true).expect("erase");
        assert_eq!(name, "Former volunteer V1");
        let row: (String, Option<String>) = db
            .query_row("SELECT display_name, contact FROM volunteers WHERE id = 'v1'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("row");
        assert_eq!(row, ("Former volunteer V1".to_string(), None));
        assert_eq!(count(db, "SELECT count(*) FROM visits WHERE volunteer_id = 'v1'"), 1);
        assert_eq!(unsent(db).expect("unsent").len(), 1);
        assert_eq!(former_name("01HZX4Q8M2V7KD3RS9T0AB12CD"), "Former volunteer 12CD");
    }
}

//! Retention: what is kept only as long as the person chose. Visit notes older than a cut-off
//! are blanked (the visit itself stays: it makes the status), geocoding answers older than theirs
//! are forgotten. Visits are append-only; the trigger of migration 0014 lets only a note become
//! empty, only while the flag row `retention` exists, which `blank_notes` sets and removes in the
//! caller's transaction.

use super::codec::time;
use super::outbox::{clear_state, set_state};
use super::{settings, Result};
use chrono::{DateTime, Months, Utc};
use rusqlite::Connection;

/// The team's choice of how long visit notes are kept: the campaign setting a coordinator sets
/// (`{"months": N}`, or `{"months": null}` to keep them), as the last pull brought it.
pub const TEAM_KEY: &str = "note_retention";

/// `now` less `months` (the earliest time there is, if that is before it).
pub fn months_before(now: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(months)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Reads a `note_retention` value: `Some(months)` as chosen (`None` inside: keep notes), or
/// `None` for a value the team server should never have taken (kept aside by the pull).
pub fn parse_team_notes(value: &str) -> Option<Option<u32>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TeamNotes {
        months: Option<u32>,
    }
    let parsed: TeamNotes = serde_json::from_str(value).ok()?;
    match parsed.months {
        Some(m) if !(1..=120).contains(&m) => None,
        months => Some(months),
    }
}

/// The value that says `months` for the team.
pub fn team_notes_value(months: Option<u32>) -> serde_json::Value {
    serde_json::json!({ "months": months })
}

/// The team's months, while this file is on a team and a coordinator chose some.
pub fn team_note_months(conn: &Connection) -> Result<Option<u32>> {
    if super::outbox::state(conn, "team")?.is_none() {
        return Ok(None);
    }
    Ok(settings::get(conn, TEAM_KEY)?.as_deref().and_then(parse_team_notes).flatten())
}

/// Blanks the notes the team's choice no longer keeps (after a pull); answers how many.
pub fn apply_team_notes(tx: &Connection, now: DateTime<Utc>) -> Result<u64> {
    match team_note_months(tx)? {
        Some(months) => blank_notes(tx, months_before(now, months)),
        None => Ok(0),
    }
}

/// Visits before `before` that still have a note.
pub fn old_notes(conn: &Connection, before: DateTime<Utc>) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM visits WHERE note IS NOT NULL AND visited_at < ?1",
        [time(before)],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Blanks the notes of visits before `before`, here and in changes not yet sent to a team.
pub fn blank_notes(tx: &Connection, before: DateTime<Utc>) -> Result<u64> {
    let cut = time(before);
    tx.execute(
        "UPDATE outbox SET payload = json_set(payload, '$.note', NULL) WHERE kind = 'visit' AND entity_id IN \
         (SELECT id FROM visits WHERE note IS NOT NULL AND visited_at < ?1)",
        [&cut],
    )?;
    set_state(tx, "retention", "1")?;
    let n = tx.execute("UPDATE visits SET note = NULL WHERE note IS NOT NULL AND visited_at < ?1", [&cut])?;
    clear_state(tx, "retention")?;
    Ok(n as u64)
}

/// Forgets geocoding answers fetched before `before` (all of them with `None`).
pub fn forget_geocoding(tx: &Connection, before: Option<DateTime<Utc>>) -> Result<u64> {
    let n = match before {
        Some(b) => tx.execute("DELETE FROM geocode_cache WHERE fetched_at < ?1", [time(b)])?,
        None => tx.execute("DELETE FROM geocode_cache", [])?,
    };
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Outcome;
    use crate::store::fixtures::{at, count, visit, zaza_and_amina};
    use crate::store::Store;

    #[test]
    fn old_notes_are_blanked_and_nothing_else_may_change() {
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        zaza_and_amina(db);
        visit(db, "x1", Outcome::Agreed, 1);
        visit(db, "x2", Outcome::Spoke, 30);
        // The fixture's visits have no note: give them one the way a record would (a fresh row).
        db.execute_batch(
            "INSERT INTO visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, note) VALUES
                 ('n1', 'r1', 'v1', '2026-06-01T10:02:00.000Z', '2026-06-01T10:02:00.000Z', 'spoke', 'Owner: Selam'),
                 ('n2', 'r1', 'v1', '2026-06-01T10:40:00.000Z', '2026-06-01T10:40:00.000Z', 'spoke', 'Back Tuesday');",
        )
        .expect("notes");
        assert_eq!(old_notes(db, at(20)).expect("count"), 1);
        assert_eq!(blank_notes(db, at(20)).expect("blank"), 1);
        let cases = [
            ("SELECT count(*) FROM visits WHERE note IS NULL AND id = 'n1'", 1),
            ("SELECT count(*) FROM visits WHERE note = 'Back Tuesday'", 1),
            ("SELECT count(*) FROM visits", 4),
            ("SELECT count(*) FROM sync_state WHERE key = 'retention'", 0),
        ];
        for (sql, want) in cases {
            assert_eq!(count(db, sql), want, "{sql}");
        }
        // Outside a retention run, and even inside one for anything but a blanked note: refused.
        assert!(db.execute("UPDATE visits SET note = NULL WHERE id = 'n2'", []).is_err());
        set_state(db, "retention", "1").expect("flag");
        assert!(db.execute("UPDATE visits SET outcome = 'declined' WHERE id = 'n2'", []).is_err());
        assert!(db.execute("UPDATE visits SET note = 'changed' WHERE id = 'n2'", []).is_err());
    }
}

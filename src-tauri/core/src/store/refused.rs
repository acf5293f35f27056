//! Dropping what the team refused: the person's choice to let this machine show what the team
//! has, instead of keeping changes the server would not take. Each refused change is undone
//! here, kind by kind, and the pull cursor goes back to the start, so the next pull brings the
//! team's version of everything the undone changes touched.
//!
//! Events stay append-only everywhere else: the delete triggers let a row go only while the flag
//! row `dropping_refused` exists, and `drop_all` sets and removes it in its one transaction.

use super::outbox::{clear_state, set_state};
use super::{status, Result};
use crate::domain::RestaurantId;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;
use std::collections::BTreeSet;

/// What dropping undid.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Refused changes dropped.
    pub changes: usize,
    /// Restaurants whose status was worked out again.
    pub restaurants: usize,
}

/// Undoes every refused change in `tx` (the caller's transaction) and rewinds the pull cursor.
pub fn drop_all(tx: &Connection) -> Result<Dropped> {
    let refused: Vec<(i64, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT seq, kind, entity_id, payload FROM outbox WHERE refused IS NOT NULL ORDER BY seq DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if refused.is_empty() {
        return Ok(Dropped::default());
    }
    set_state(tx, "dropping_refused", "1")?;
    let mut touched = BTreeSet::new();
    // Newest first: a correction goes before the visit it corrects, a sticker placement before
    // its visit, a visit before its restaurant.
    for (seq, kind, id, payload) in &refused {
        let payload: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
        if let Some(r) = payload.get("restaurant_id").and_then(Value::as_str) {
            touched.insert(r.to_string());
        }
        undo(tx, kind, id, &payload)?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
    }
    clear_state(tx, "dropping_refused")?;
    // The next pull reads everything again and takes the team's version where a stamp was cleared.
    clear_state(tx, "cursor")?;
    let mut restaurants = 0;
    for r in touched {
        let id = RestaurantId(r);
        if super::restaurants::get(tx, &id).is_ok() {
            status::refresh(tx, &id)?;
            restaurants += 1;
        }
    }
    Ok(Dropped { changes: refused.len(), restaurants })
}

/// Undoes one refused change.
fn undo(tx: &Connection, kind: &str, id: &str, payload: &Value) -> Result<()> {
    match kind {
        // Events the server never took: gone here too.
        "visit" => {
            tx.execute("DELETE FROM sticker_events WHERE visit_id = ?1", [id])?;
            tx.execute("DELETE FROM visits WHERE id = ?1", [id])?;
        }
        "consent" => {
            tx.execute("DELETE FROM consent_records WHERE id = ?1", [id])?;
        }
        "sticker_event" => {
            tx.execute("DELETE FROM sticker_events WHERE id = ?1", [id])?;
        }
        "area_claim" => {
            tx.execute("DELETE FROM area_claims WHERE id = ?1", [id])?;
        }
        "area_note" => {
            tx.execute("DELETE FROM area_notes WHERE id = ?1", [id])?;
        }
        // A value the server did not take: forget this machine's stamp and value, so the team's
        // value (or none, if the team has none) stands after the next pull. A name or a position
        // the team always has: it comes back with the pull.
        "field" => {
            let field = payload.get("field").and_then(Value::as_str).unwrap_or_default();
            tx.execute(
                "DELETE FROM restaurant_field_clocks WHERE restaurant_id = ?1 AND field = ?2",
                [id, field],
            )?;
            let emptied = match field {
                "address" | "postcode" | "opening_hours" | "phone" | "website" => Some("NULL"),
                "cuisines" | "languages" => Some("''"),
                _ => None,
            };
            if let Some(empty) = emptied {
                tx.execute(&format!("UPDATE restaurants SET {field} = {empty} WHERE id = ?1"), [id])?;
            }
        }
        "campaign_setting" => {
            clear_state(tx, &format!("setting_hlc:{id}"))?;
            tx.execute("DELETE FROM settings WHERE key = ?1", [id])?;
        }
        "template" | "area" => {
            tx.execute("DELETE FROM document_clocks WHERE kind = ?1 AND id = ?2", [kind, id])?;
            // New here and refused: it goes, unless something here still names it (the pull
            // brings the team's version back if the team has one).
            let table = if kind == "area" { "areas" } else { "label_templates" };
            delete_if_unused(tx, &format!("DELETE FROM {table} WHERE id = ?1"), id)?;
        }
        "review_cleared" => {
            tx.execute("UPDATE sync_reviews SET cleared_at = NULL, cleared_by = NULL WHERE id = ?1", [id])?;
        }
        "restaurant" => drop_restaurant(tx, id)?,
        "volunteer" => delete_if_unused(tx, "DELETE FROM volunteers WHERE id = ?1", id)?,
        "print_batch" => {
            let codes = "SELECT code FROM sticker_codes WHERE batch_id = ?1";
            tx.execute(&format!("DELETE FROM sticker_events WHERE code IN ({codes})"), [id])?;
            tx.execute("DELETE FROM sticker_codes WHERE batch_id = ?1", [id])?;
            delete_if_unused(tx, "DELETE FROM print_batches WHERE id = ?1", id)?;
        }
        // A kind a newer Tablemap queued: nothing of it to undo here.
        _ => {}
    }
    Ok(())
}

/// A restaurant the server refused: it and everything recorded about it (none of which the
/// server can have, as every row of it names the restaurant).
fn drop_restaurant(tx: &Connection, id: &str) -> Result<()> {
    let exists = tx.query_row("SELECT 1 FROM restaurants WHERE id = ?1", [id], |_| Ok(())).optional()?;
    if exists.is_none() {
        return Ok(());
    }
    super::erase::events_and_visits(tx, id)?;
    tx.execute("DELETE FROM outbox WHERE entity_id = ?1 AND refused IS NULL AND kind = 'field'", [id])?;
    tx.execute("DELETE FROM restaurants WHERE id = ?1", [id])?;
    Ok(())
}

/// Runs `sql` (a delete of one row by id) unless a foreign key still needs the row.
fn delete_if_unused(tx: &Connection, sql: &str, id: &str) -> Result<()> {
    tx.execute_batch("SAVEPOINT drop_one")?;
    match tx.execute(sql, [id]) {
        Ok(_) => tx.execute_batch("RELEASE drop_one")?,
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            tx.execute_batch("ROLLBACK TO drop_one; RELEASE drop_one")?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Outcome, Status};
    use crate::store::fixtures::{at, count, visit, zaza_and_amina};
    use crate::store::{outbox, Store};

    #[test]
    fn a_refused_visit_and_field_are_undone_and_the_rest_stays() {
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        set_state(db, "team", "{}").expect("sharing");
        set_state(db, "cursor", "1234").expect("cursor");
        zaza_and_amina(db);
        for (id, outcome, minute) in [("kept", Outcome::Spoke, 1), ("refused", Outcome::DoNotContact, 2)] {
            visit(db, id, outcome, minute);
            outbox::event(db, "visit", id, at(minute)).expect("queued");
        }
        outbox::set_field_clock(
            db,
            &RestaurantId("r1".into()),
            "phone",
            "0000000000000001-00000-00000000000000aa",
            None,
        )
        .expect("clock");
        let hlc = outbox::tick(db, at(3)).expect("tick");
        let field = serde_json::json!({"restaurant_id": "r1", "field": "phone", "value": "1"});
        outbox::append(db, "field", "r1", &hlc, &field, at(3)).expect("field");
        db.execute("UPDATE outbox SET refused = 'no' WHERE kind = 'field' OR entity_id = 'refused'", [])
            .expect("refuse");
        assert_eq!(status::get(db, &RestaurantId("r1".into())).expect("status").status, Status::DoNotContact);

        let dropped = drop_all(db).expect("drop");
        assert_eq!(dropped, Dropped { changes: 2, restaurants: 1 });
        assert_eq!(count(db, "SELECT count(*) FROM visits WHERE id = 'refused'"), 0);
        assert_eq!(count(db, "SELECT count(*) FROM visits WHERE id = 'kept'"), 1);
        assert_eq!(status::get(db, &RestaurantId("r1".into())).expect("status").status, Status::Contacted);
        assert_eq!(count(db, "SELECT count(*) FROM restaurant_field_clocks"), 0);
        assert_eq!(count(db, "SELECT count(*) FROM outbox"), 1, "the visit not refused still waits");
        assert_eq!(outbox::state(db, "cursor").expect("cursor"), None);
        // Append-only again.
        let again = db.execute("DELETE FROM visits WHERE id = 'kept'", []).expect_err("append-only");
        assert!(again.to_string().contains("append-only"), "{again}");
        // Nothing refused: nothing to do.
        assert_eq!(drop_all(db).expect("again"), Dropped::default());
    }
}

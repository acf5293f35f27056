//! Taking the demo data set out of a database: every restaurant marked `demo` with every row
//! that names it, and the demo crew. A demo restaurant the person has visited themselves (a visit
//! whose id is not one the demo made) is kept, as theirs: it loses the `demo` mark, so exports
//! include it. Demo ids carry a fixed time (`demo::ID_BASE_MS`); a person's ids carry the time
//! they were made.

use super::outbox::{clear_state, set_state};
use super::Result;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

/// What removing the demo set did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DemoRemoved {
    #[ts(type = "number")]
    pub restaurants: u64,
    /// Demo restaurants kept because the person visited them: their names.
    pub kept: Vec<String>,
    #[ts(type = "number")]
    pub volunteers: u64,
}

/// Whether `id` is one the demo made (its time is within `span` ms of `base`).
pub fn is_demo_id(id: &str, base_ms: u64, span_ms: u64) -> bool {
    ulid::Ulid::from_string(id).is_ok_and(|u| (base_ms..base_ms + span_ms).contains(&u.timestamp_ms()))
}

/// Demo restaurants in the database.
pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM restaurants WHERE source = 'demo'", [], |r| r.get::<_, i64>(0))?
        as u64)
}

/// Removes the demo set in `tx` (see the module's words).
pub fn remove(tx: &Connection, base_ms: u64, span_ms: u64) -> Result<DemoRemoved> {
    let mut out = DemoRemoved::default();
    let demo: Vec<(String, String)> = tx
        .prepare("SELECT id, name FROM restaurants WHERE source = 'demo' ORDER BY name, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    set_state(tx, "erasing", "1")?;
    for (id, name) in demo {
        let visit_ids: Vec<String> = tx
            .prepare_cached("SELECT id FROM visits WHERE restaurant_id = ?1")?
            .query_map([&id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if visit_ids.iter().any(|v| !is_demo_id(v, base_ms, span_ms)) {
            tx.execute("UPDATE restaurants SET source = 'manual' WHERE id = ?1", [&id])?;
            out.kept.push(name);
            continue;
        }
        tx.execute(
            "DELETE FROM outbox WHERE entity_id = ?1 OR json_extract(payload, '$.restaurant_id') = ?1",
            [&id],
        )?;
        super::erase::events_and_visits(tx, &id)?;
        tx.execute("DELETE FROM restaurants WHERE id = ?1", [&id])?;
        out.restaurants += 1;
    }
    clear_state(tx, "erasing")?;
    // The crew goes unless something kept still names them.
    let crew: Vec<String> = tx
        .prepare("SELECT id FROM volunteers")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?
        .into_iter()
        .filter(|v| is_demo_id(v, base_ms, span_ms))
        .collect();
    for v in crew {
        let named = tx
            .query_row(
                "SELECT 1 FROM visits WHERE volunteer_id = ?1 UNION ALL SELECT 1 FROM consent_records WHERE recorded_by = ?1 \
                 UNION ALL SELECT 1 FROM sticker_events WHERE volunteer_id = ?1 UNION ALL SELECT 1 FROM area_claims \
                 WHERE volunteer_id = ?1 UNION ALL SELECT 1 FROM area_notes WHERE volunteer_id = ?1 LIMIT 1",
                [&v],
                |_| Ok(()),
            )
            .optional()?;
        if named.is_none() {
            out.volunteers += tx.execute("DELETE FROM volunteers WHERE id = ?1", [&v])? as u64;
        }
    }
    Ok(out)
}

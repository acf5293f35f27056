//! `visit_hours` (migration 0018): standing visits counted per UTC hour and volunteer, kept by
//! triggers. The report reads it for periods that start and end on the hour; `doctor` compares
//! it with the same counts made again from the visits.

use super::Result;
use rusqlite::Connection;

/// One hour's visits by one volunteer: visits, agreements, stickers placed.
pub type HourCount = (String, String, [u32; 3]);

/// The counts kept, zero rows left out, in (hour, volunteer) order, for hours from `from` up to
/// `to` (excluded), each `YYYY-MM-DDTHH`.
pub fn between(
    conn: &Connection,
    from: &str,
    to: &str,
    mut each: impl FnMut(&str, &str, [u32; 3]),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT hour, volunteer_id, visits, agreed, placed FROM visit_hours \
         WHERE hour >= ?1 AND hour < ?2 AND visits > 0 ORDER BY hour, volunteer_id",
    )?;
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let counts = [r.get::<_, i64>(2)? as u32, r.get::<_, i64>(3)? as u32, r.get::<_, i64>(4)? as u32];
        each(
            r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?,
            r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?,
            counts,
        );
    }
    Ok(())
}

/// Every count kept (zero rows left out).
pub fn stored(conn: &Connection) -> Result<Vec<HourCount>> {
    let mut out = Vec::new();
    between(conn, "", "~", |h, v, c| out.push((h.to_string(), v.to_string(), c)))?;
    Ok(out)
}

/// The same counts made again from the visits that stand.
pub fn recounted(conn: &Connection) -> Result<Vec<HourCount>> {
    let mut stmt = conn.prepare(
        "SELECT substr(v.visited_at, 1, 13), v.volunteer_id, count(*), \
         sum(v.outcome IN ('agreed', 'sticker_placed')), sum(v.outcome = 'sticker_placed') \
         FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visits c WHERE c.corrects = v.id) \
         GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            [r.get::<_, i64>(2)? as u32, r.get::<_, i64>(3)? as u32, r.get::<_, i64>(4)? as u32],
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NewVisit, Outcome, RestaurantId, VisitId, VolunteerId};
    use crate::store::fixtures::zaza_and_amina;
    use crate::store::{visits, Store};

    fn log(db: &Connection, id: &str, outcome: Outcome, minute: u32, corrects: Option<&str>) {
        let at = crate::store::fixtures::at(minute);
        let v = NewVisit {
            restaurant_id: RestaurantId("r1".into()),
            volunteer_id: VolunteerId("v1".into()),
            visited_at: Some(at),
            outcome,
            stickers_left: 0,
            note: None,
            follow_up_on: None,
            corrects: corrects.map(|c| VisitId(c.into())),
            sticker_codes: vec![],
        };
        visits::insert(db, &VisitId(id.into()), &v, at).expect("visit");
    }

    fn hour(db: &Connection) -> [u32; 3] {
        let kept = stored(db).expect("stored");
        assert_eq!(kept, recounted(db).expect("recounted"), "the triggers kept what the visits say");
        kept.iter().map(|k| k.2).next().unwrap_or_default()
    }

    #[test]
    fn the_counts_follow_visits_corrections_and_removals() {
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        zaza_and_amina(db);
        // (what happens, then [visits, agreed, placed] in that hour)
        log(db, "a", Outcome::Spoke, 0, None);
        assert_eq!(hour(db), [1, 0, 0]);
        log(db, "b", Outcome::StickerPlaced, 5, None);
        assert_eq!(hour(db), [2, 1, 1]);
        // A sticker logged by mistake, corrected to "agreed": one visit fewer, one more.
        log(db, "c", Outcome::Agreed, 5, Some("b"));
        assert_eq!(hour(db), [2, 1, 0]);
        // A correction of the correction.
        log(db, "d", Outcome::Declined, 5, Some("c"));
        assert_eq!(hour(db), [2, 0, 0]);
        // The last correction dropped (a change the team refused): the one it corrected stands.
        db.execute("INSERT INTO sync_state (key, value) VALUES ('dropping_refused', '1')", []).expect("flag");
        db.execute("DELETE FROM visits WHERE id = 'd'", []).expect("drop");
        assert_eq!(hour(db), [2, 1, 0]);
        // Everything removed in one statement (an erase), the corrected and the correction in
        // whatever order SQLite takes them: nothing counts.
        db.execute("DELETE FROM visits", []).expect("drop");
        assert_eq!(hour(db), [0, 0, 0]);
    }
}

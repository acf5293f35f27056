//! A database's health, read without changing anything: SQLite's own integrity and foreign-key
//! checks, every derived status worked out again from the visits and compared with the stored
//! one, and the outbox against the rows it says are waiting to be sent.

use super::outbox::ROWS;
use super::{status, Result};
use crate::domain::status::derive_all;
use crate::domain::RestaurantId;
use rusqlite::Connection;

/// One thing found wrong, in words that name what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which check found it: `integrity`, `foreign_keys`, `status`, `outbox`.
    pub check: &'static str,
    pub detail: String,
}

/// What `check` looked at, for the "all well" line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    pub restaurants: u64,
    pub visits: u64,
    pub outbox: u64,
    pub findings: Vec<Finding>,
}

/// Runs every check; answers what was looked at and everything found (empty: all well).
pub fn check(conn: &Connection) -> Result<Checked> {
    let mut findings = Vec::new();
    let mut found = |check: &'static str, detail: String| findings.push(Finding { check, detail });

    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let line = line?;
        if line != "ok" {
            found("integrity", line);
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (table, rowid, parent) = row?;
        let at = rowid.map_or_else(String::new, |r| format!(" (row {r})"));
        found("foreign_keys", format!("a row of {table}{at} names a {parent} row that does not exist"));
    }

    let ids: Vec<String> = {
        let mut stmt = conn.prepare("SELECT id FROM restaurants ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &ids {
        let id = RestaurantId(id.clone());
        let visits = super::visits::for_restaurant(conn, &id)?;
        let derived = derive_all(&visits);
        let want = derived.summary;
        let kept = (derived.follow_up_by.map(|v| v.as_str().to_string()), derived.first);
        match status::get(conn, &id) {
            Ok(stored) if stored == want && status::kept(conn, &id)? == kept => {}
            Ok(stored) if stored == want => found(
                "status",
                format!("restaurant {id}: who owes its follow-up or when it was first visited, agreed or given a sticker is stored as its visits do not say"),
            ),
            Ok(stored) => found(
                "status",
                format!(
                    "restaurant {id}: stored as {} but its visits say {}",
                    stored.status.as_str(),
                    want.status.as_str()
                ),
            ),
            Err(_) => found("status", format!("restaurant {id} has no stored status")),
        }
    }

    // The report's counts per hour kept by triggers (migration 0018) must be what the visits say.
    let (kept, want) = (super::visit_hours::stored(conn)?, super::visit_hours::recounted(conn)?);
    if kept != want {
        let differ = want.iter().filter(|w| !kept.contains(w)).count()
            + kept.iter().filter(|k| !want.contains(k)).count();
        found("visit_hours", format!("{differ} of the report's counts per hour differ from the visits"));
    }

    // Every event the outbox holds must still be here to send (documents and fields are read
    // again when sent, so only rows that travel as themselves are checked).
    for (kind, table, _) in ROWS.iter().filter(|(k, _, _)| !matches!(*k, "template" | "area")) {
        let missing: i64 = conn.query_row(
            &format!(
                "SELECT count(*) FROM outbox o WHERE o.kind = ?1 AND NOT EXISTS \
                 (SELECT 1 FROM {table} t WHERE t.id = o.entity_id)"
            ),
            [kind],
            |r| r.get(0),
        )?;
        if missing > 0 {
            found("outbox", format!("{missing} waiting {kind} changes name rows that are not in {table}"));
        }
    }
    // Leaving a team empties the outbox: entries without a team are left over from a fault.
    let unjoined_waiting: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'team')",
        [],
        |r| r.get(0),
    )?;
    if unjoined_waiting > 0 {
        found(
            "outbox",
            format!("{unjoined_waiting} changes queued on a database that has not joined a team"),
        );
    }

    // The search index: a bulk write's marks are gone once it commits, and every restaurant is
    // in the index (contentless, so only its row numbers can be compared).
    let leftovers = super::restaurants::search_index::leftovers(conn)?;
    if leftovers > 0 {
        found("search_index", format!("{leftovers} marks of an unfinished bulk write are left"));
    }
    let unindexed: i64 = conn.query_row(
        "SELECT count(*) FROM restaurants WHERE pk NOT IN (SELECT rowid FROM restaurants_fts)",
        [],
        |r| r.get(0),
    )?;
    if unindexed > 0 {
        found("search_index", format!("{unindexed} restaurants are missing from the search index"));
    }

    let count = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
    Ok(Checked {
        restaurants: ids.len() as u64,
        visits: count("SELECT count(*) FROM visits")?,
        outbox: count("SELECT count(*) FROM outbox")?,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Outcome;
    use crate::store::fixtures::{visit, zaza_and_amina};
    use crate::store::Store;

    #[test]
    fn a_healthy_file_passes_and_each_kind_of_damage_is_named() {
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        zaza_and_amina(db);
        visit(db, "x1", Outcome::Agreed, 0);
        let healthy = check(db).expect("check");
        assert_eq!(healthy.findings, []);
        assert_eq!((healthy.restaurants, healthy.visits, healthy.outbox), (1, 1, 0));

        // A stored status the visits do not give, and an outbox entry with no team and no row.
        db.execute("UPDATE restaurant_status SET status = 'declined' WHERE restaurant_id = 'r1'", [])
            .expect("damage");
        db.execute(
            "INSERT INTO outbox (kind, entity_id, hlc, payload, created_at) VALUES \
             ('visit', 'gone', '0000000000000001-00000-00000000000000aa', '{}', '2026-06-01T10:00:00.000Z')",
            [],
        )
        .expect("damage");
        // A restaurant the search index lost, and a bulk write's mark left behind.
        db.execute(
            "DELETE FROM restaurants_fts WHERE rowid = (SELECT pk FROM restaurants WHERE id = 'r1')",
            [],
        )
        .expect("damage");
        db.execute("INSERT INTO search_index_pending (pk) VALUES (7)", []).expect("damage");
        let sick = check(db).expect("check");
        let checks: Vec<&str> = sick.findings.iter().map(|f| f.check).collect();
        assert_eq!(
            checks,
            ["status", "outbox", "outbox", "search_index", "search_index"],
            "{:?}",
            sick.findings
        );
        assert_eq!(sick.findings[4].detail, "1 restaurants are missing from the search index");
        assert_eq!(sick.findings[0].detail, "restaurant r1: stored as declined but its visits say agreed");
        assert_eq!(sick.findings[1].detail, "1 waiting visit changes name rows that are not in visits");

        // A follow-up stored as owed by someone the visits do not say.
        let store = Store::open_in_memory().expect("store");
        let db = store.conn();
        zaza_and_amina(db);
        visit(db, "x1", Outcome::ComeBack, 0);
        assert_eq!(check(db).expect("check").findings, []);
        db.execute("UPDATE restaurant_status SET follow_up_by = 'someone-else'", []).expect("damage");
        let sick = check(db).expect("check");
        assert_eq!(
            sick.findings.iter().map(|f| f.check).collect::<Vec<_>>(),
            ["status"],
            "{:?}",
            sick.findings
        );
        // The report's counts per hour, changed by hand.
        db.execute("UPDATE restaurant_status SET follow_up_by = NULL", []).expect("mend");
        db.execute("UPDATE visit_hours SET visits = visits + 1", []).expect("damage");
        let sick = check(db).expect("check");
        assert_eq!(
            sick.findings.iter().map(|f| f.check).collect::<Vec<_>>(),
            ["visit_hours"],
            "{:?}",
            sick.findings
        );
    }
}

//! The admin's side: the team schema from `server-migrations/` (versioned, each applied once in
//! its own transaction, so `server init` can be run again safely), and one login per person
//! (`people.rs`: add, remove, re-role, rotate, list).

use super::{connect, Result, SyncError, Tls};

mod people;
mod web;
pub use crate::domain::permissions::Role;
pub use people::{add_user, remove_user, rotate, set_role, users, NewPerson, TeamMember};
pub use web::web_login;

const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../server-migrations/0001_team.sql")),
    (2, include_str!("../../server-migrations/0002_campaign.sql")),
    (3, include_str!("../../server-migrations/0003_bulk.sql")),
    (4, include_str!("../../server-migrations/0004_hardening.sql")),
    (5, include_str!("../../server-migrations/0005_trust.sql")),
    (6, include_str!("../../server-migrations/0006_people.sql")),
    (7, include_str!("../../server-migrations/0007_proposals.sql")),
    (8, include_str!("../../server-migrations/0008_cheaper_checks.sql")),
    (9, include_str!("../../server-migrations/0009_faster_patterns.sql")),
    (10, include_str!("../../server-migrations/0010_erase.sql")),
    (11, include_str!("../../server-migrations/0011_retention.sql")),
    (12, include_str!("../../server-migrations/0012_web.sql")),
];

/// The schema version this Tablemap brings.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Applies the migrations the server lacks; answers the versions applied now (empty when the
/// server was already up to date).
pub fn init(config: &postgres::Config, tls: &Tls) -> Result<Vec<i32>> {
    init_to(config, tls, latest())
}

/// Applies the migrations the server lacks up to `last` (a staged upgrade; the tests build an
/// older team's server with it).
pub fn init_to(config: &postgres::Config, tls: &Tls, last: i32) -> Result<Vec<i32>> {
    let mut client = connect(config, tls)?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 <= last) {
        let mut tx = client.transaction()?;
        // Two admins running init at once: the second waits, then finds the work done.
        tx.batch_execute(
            "SELECT pg_advisory_xact_lock(7243550001);
             CREATE SCHEMA IF NOT EXISTS tablemap;
             CREATE TABLE IF NOT EXISTS tablemap.tablemap_schema_version (
                 version    integer PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now()
             );",
        )?;
        let done = tx
            .query_opt("SELECT 1 FROM tablemap.tablemap_schema_version WHERE version = $1", &[version])?
            .is_some();
        if done {
            continue;
        }
        let newer: Option<i32> =
            tx.query_one("SELECT max(version) FROM tablemap.tablemap_schema_version", &[])?.get(0);
        if newer.is_some_and(|n| n > latest()) {
            return Err(SyncError::Server(format!(
                "the team server's schema ({}) is newer than this Tablemap knows ({}); update Tablemap",
                newer.unwrap_or_default(),
                latest()
            )));
        }
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO tablemap.tablemap_schema_version (version) VALUES ($1)", &[version])?;
        tx.commit()?;
        applied.push(*version);
    }
    Ok(applied)
}

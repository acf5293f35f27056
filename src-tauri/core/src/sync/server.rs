//! The admin's side: the team schema from `server-migrations/` (versioned, each applied once in
//! its own transaction, so `server init` can be run again safely), and one login per person.

use super::{connect, Result, SyncError, TeamConnection, Tls, TlsMode};
use base64::Engine;
use chrono::{DateTime, Utc};

const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../server-migrations/0001_team.sql")),
    (2, include_str!("../../server-migrations/0002_campaign.sql")),
    (3, include_str!("../../server-migrations/0003_bulk.sql")),
    (4, include_str!("../../server-migrations/0004_hardening.sql")),
    (5, include_str!("../../server-migrations/0005_trust.sql")),
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

/// A person's role on the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Volunteer,
    Organiser,
    Coordinator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Organiser => "organiser",
            Role::Coordinator => "coordinator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Volunteer, Role::Organiser, Role::Coordinator].into_iter().find(|r| r.as_str() == s)
    }
}

/// A login name from a person's name: lower case ASCII letters, digits and `_`, so it needs no
/// quoting anywhere (`Amina K.` -> `amina_k`).
pub fn login_for(name: &str) -> Option<String> {
    let mut login = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            login.push(c);
        } else if !login.ends_with('_') && !login.is_empty() {
            login.push('_');
        }
    }
    let login = login.trim_end_matches('_').chars().take(48).collect::<String>();
    let starts_ok = login.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    (starts_ok && !login.starts_with("pg_") && !login.starts_with("tablemap")).then_some(login)
}

/// What `add-user` needs beyond the admin connection.
pub struct NewPerson<'a> {
    pub name: &'a str,
    pub role: Role,
    /// The host people's machines use (the admin may be connected through another name).
    pub public_host: Option<&'a str>,
}

/// Creates the person's login (a random password, stored by the server as a SCRAM verifier
/// made here), their volunteer row and role, in one transaction; answers their connection.
pub fn add_user(
    config: &postgres::Config,
    tls: &Tls,
    person: NewPerson<'_>,
    now: DateTime<Utc>,
) -> Result<TeamConnection> {
    let login = login_for(person.name).ok_or_else(|| {
        SyncError::BadUrl(format!(
            "'{}' cannot become a login name: start it with a letter (a-z), and not with pg_ or tablemap",
            person.name
        ))
    })?;
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes)
        .map_err(|e| SyncError::Server(format!("no randomness for a password: {e}")))?;
    let password = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let volunteer_id = crate::domain::VolunteerId::generate(now).0;

    let mut client = connect(config, tls)?;
    let mut tx = client.transaction()?;
    let ready = tx.query_one("SELECT to_regclass('tablemap.people') IS NOT NULL", &[])?.get::<_, bool>(0);
    if !ready {
        return Err(SyncError::Server("the team schema is missing: run `tablemap server init` first".into()));
    }
    if tx.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&login])?.is_some() {
        return Err(SyncError::Server(format!(
            "a login called '{login}' already exists; choose another name"
        )));
    }
    // DDL takes no parameters: the login is [a-z0-9_] and the verifier base64 and `$:`, so
    // neither can close the quotes.
    debug_assert!(!verifier.contains('\''));
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD '{verifier}' IN ROLE tablemap_{role};
         ALTER ROLE {login} SET statement_timeout = '60s'",
        role = person.role.as_str()
    ))?;
    tx.execute(
        "INSERT INTO tablemap.volunteers (id, display_name, created_at) VALUES ($1, $2, $3)",
        &[&volunteer_id, &person.name.trim(), &now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)],
    )?;
    tx.execute(
        "INSERT INTO tablemap.people (login, volunteer_id, role) VALUES ($1::text::name, $2, $3)",
        &[&login, &volunteer_id, &person.role.as_str()],
    )?;
    let dbname: String = tx.query_one("SELECT current_database()::text", &[])?.get(0);
    tx.commit()?;

    let host = match (person.public_host, config.get_hosts().first()) {
        (Some(h), _) => h.to_string(),
        (None, Some(postgres::config::Host::Tcp(h))) => h.clone(),
        _ => return Err(SyncError::BadUrl("the server address needs a host name".into())),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    // TLS for the person whenever the admin used it (or the host is not this machine), with the
    // campaign's own authority when the admin named one.
    let mode = if tls.mode == TlsMode::Require { TlsMode::Require } else { TlsMode::default_for(&host) };
    Ok(TeamConnection {
        tls: mode,
        ca_pem: tls.ca_pem.clone(),
        host,
        port,
        dbname,
        user: login,
        password,
        volunteer_id,
        name: person.name.trim().to_string(),
        role: person.role.as_str().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names() {
        let cases = [
            ("Amina", Some("amina")),
            ("Amina K.", Some("amina_k")),
            ("  José  María ", Some("jos_mar_a")),
            ("o'brien", Some("o_brien")),
            ("9lives", None),
            ("pg_admin", None),
            ("tablemap_coordinator", None),
            ("", None),
            ("'; DROP TABLE x; --", Some("drop_table_x")),
        ];
        for (name, want) in cases {
            assert_eq!(login_for(name).as_deref(), want, "{name:?}");
        }
    }

    #[test]
    fn roles_by_name() {
        for r in [Role::Volunteer, Role::Organiser, Role::Coordinator] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}

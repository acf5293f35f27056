//! People on the team, for whoever runs the server: one PostgreSQL login each, with a role.
//! Logins are opaque (`tm_` and random letters): every login can read `pg_roles`, so a login
//! made from a real name would tell every member who else is on the team.

use super::Role;
use crate::sync::{connect, Result, SyncError, TeamConnection, Tls, TlsMode};
use base64::Engine;
use chrono::{DateTime, Utc};
use postgres::GenericClient;

/// What `add-user` needs beyond the admin connection.
pub struct NewPerson<'a> {
    pub name: &'a str,
    pub role: Role,
    /// The host people's machines use (the admin may be connected through another name).
    pub public_host: Option<&'a str>,
}

/// A person as `server users` lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeamMember {
    pub login: String,
    pub name: String,
    pub role: String,
    pub volunteer_id: String,
    /// When the server last saw them sync (RFC 3339), if ever.
    pub last_sync: Option<String>,
    /// When they were removed, if they were.
    pub removed: Option<String>,
}

fn random_text(bytes: usize) -> Result<Vec<u8>> {
    let mut out = vec![0u8; bytes];
    getrandom::fill(&mut out).map_err(|e| SyncError::Server(format!("no randomness for a login: {e}")))?;
    Ok(out)
}

/// `tm_` and 12 letters or digits: needs no quoting anywhere, and says nothing of the person.
fn new_login() -> Result<String> {
    opaque_login("tm_")
}

/// `prefix` and 12 random lower-case letters or digits (no look-alikes).
pub(super) fn opaque_login(prefix: &str) -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let letters: String =
        random_text(12)?.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    Ok(format!("{prefix}{letters}"))
}

/// A new password and the SCRAM verifier the server keeps (the password itself never reaches it).
pub(super) fn new_password() -> Result<(String, String)> {
    let password = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_text(18)?);
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    // DDL takes no parameters: the verifier is base64 and `$:`, so it cannot close the quotes.
    debug_assert!(!verifier.contains('\''));
    Ok((password, verifier))
}

pub(super) fn ready(c: &mut impl GenericClient) -> Result<()> {
    let ok: bool = c.query_one("SELECT to_regclass('tablemap.people') IS NOT NULL", &[])?.try_get(0)?;
    if !ok {
        return Err(SyncError::Server("the team schema is missing: run `tablemap server init` first".into()));
    }
    Ok(())
}

/// Creates the person's login (a random password, stored by the server as a SCRAM verifier
/// made here), their volunteer row and role, in one transaction; answers their connection.
pub fn add_user(
    config: &postgres::Config,
    tls: &Tls,
    person: NewPerson<'_>,
    now: DateTime<Utc>,
) -> Result<TeamConnection> {
    let name = crate::domain::VolunteerDraft { display_name: person.name.to_string(), contact: None }
        .validate()
        .map_err(|e| SyncError::BadUrl(format!("'{}' cannot be a person's name: {e}", person.name)))?
        .display_name;
    let login = new_login()?;
    let (password, verifier) = new_password()?;
    let volunteer_id = crate::domain::VolunteerId::generate(now).0;

    let mut client = connect(config, tls)?;
    let mut tx = client.transaction()?;
    ready(&mut tx)?;
    let same: Option<String> = tx
        .query_opt(
            "SELECT p.login::text FROM tablemap.people p JOIN tablemap.volunteers v ON v.id = p.volunteer_id \
             WHERE p.removed_at IS NULL AND lower(v.display_name) = lower($1)",
            &[&name],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    if let Some(login) = same {
        return Err(SyncError::Server(format!(
            "someone called '{name}' is on the team already (login {login}): give this person a name the team can \
             tell apart, e.g. with an initial"
        )));
    }
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD '{verifier}' IN ROLE tablemap_{role};
         ALTER ROLE {login} SET statement_timeout = '60s'",
        role = person.role.as_str()
    ))?;
    tx.execute(
        "INSERT INTO tablemap.volunteers (id, display_name, created_at) VALUES ($1, $2, $3)",
        &[&volunteer_id, &name, &crate::store::codec_text_time(now)],
    )?;
    tx.execute(
        "INSERT INTO tablemap.people (login, volunteer_id, role) VALUES ($1::text::name, $2, $3)",
        &[&login, &volunteer_id, &person.role.as_str()],
    )?;
    let dbname: String = tx.query_one("SELECT current_database()::text", &[])?.try_get(0)?;
    tx.commit()?;
    let member = TeamMember {
        login,
        name,
        role: person.role.as_str().into(),
        volunteer_id,
        last_sync: None,
        removed: None,
    };
    connection_for(config, tls, person.public_host, dbname, member, password)
}

/// The connection a person's machine uses: TLS whenever the admin used it (or the host is not
/// this machine), with the campaign's own authority when the admin named one.
fn connection_for(
    config: &postgres::Config,
    tls: &Tls,
    public_host: Option<&str>,
    dbname: String,
    member: TeamMember,
    password: String,
) -> Result<TeamConnection> {
    let host = match (public_host, config.get_hosts().first()) {
        (Some(h), _) => h.to_string(),
        (None, Some(postgres::config::Host::Tcp(h))) => h.clone(),
        _ => return Err(SyncError::BadUrl("the server address needs a host name".into())),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let mode = if tls.mode == TlsMode::Require { TlsMode::Require } else { TlsMode::default_for(&host) };
    Ok(TeamConnection {
        tls: mode,
        ca_pem: tls.ca_pem.clone(),
        host,
        port,
        dbname,
        user: member.login,
        password,
        volunteer_id: member.volunteer_id,
        name: member.name,
        role: member.role,
    })
}

/// Everyone who has had a login, in the order they were added.
pub fn users(config: &postgres::Config, tls: &Tls) -> Result<Vec<TeamMember>> {
    let mut client = connect(config, tls)?;
    list(&mut client)
}

fn list(c: &mut impl GenericClient) -> Result<Vec<TeamMember>> {
    ready(c)?;
    let rows = c.query(
        "SELECT p.login::text, v.display_name, p.role, p.volunteer_id, \
                to_char(p.last_sync_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                to_char(p.removed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
         FROM tablemap.people p JOIN tablemap.volunteers v ON v.id = p.volunteer_id \
         ORDER BY p.created_at, p.login",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(TeamMember {
                login: r.try_get(0)?,
                name: r.try_get(1)?,
                role: r.try_get(2)?,
                volunteer_id: r.try_get(3)?,
                last_sync: r.try_get(4)?,
                removed: r.try_get(5)?,
            })
        })
        .collect()
}

/// The one person `who` names (their login, or their name if only one current person has it).
fn find(c: &mut impl GenericClient, who: &str) -> Result<TeamMember> {
    // Logins go into DDL unquoted: only ever ones Tablemap made (lower case, digits, `_`).
    let people: Vec<TeamMember> = list(c)?
        .into_iter()
        .filter(|p| p.login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
        .collect();
    if let Some(p) = people.iter().find(|p| p.login == who) {
        return Ok(p.clone());
    }
    let named: Vec<&TeamMember> =
        people.iter().filter(|p| p.removed.is_none() && p.name.eq_ignore_ascii_case(who.trim())).collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(SyncError::Server(format!(
            "no one on the team is called '{who}'; `tablemap server users` lists everyone"
        ))),
        many => Err(SyncError::Server(format!(
            "{} people are called '{who}': name one by login ({})",
            many.len(),
            many.iter().map(|p| p.login.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Ends the login's open connections: a removed or rotated login must not go on with one it
/// opened before.
fn disconnect(c: &mut impl GenericClient, login: &str) -> Result<()> {
    c.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1::text::name",
        &[&login],
    )?;
    Ok(())
}

/// Removes a person: their login can no longer log in and its connections end at once; what
/// they recorded stays, under their name. Answers who was removed.
pub fn remove_user(config: &postgres::Config, tls: &Tls, who: &str) -> Result<TeamMember> {
    let mut client = connect(config, tls)?;
    let mut tx = client.transaction()?;
    let person = find(&mut tx, who)?;
    if person.removed.is_some() {
        return Err(SyncError::Server(format!("{} ({}) was removed already", person.name, person.login)));
    }
    tx.batch_execute(&format!(
        "ALTER ROLE {login} NOLOGIN; REVOKE tablemap_volunteer, tablemap_organiser, tablemap_coordinator FROM {login}",
        login = person.login
    ))?;
    tx.execute(
        "UPDATE tablemap.people SET removed_at = now() WHERE login = $1::text::name",
        &[&person.login],
    )?;
    tx.commit()?;
    disconnect(&mut client, &person.login)?;
    find(&mut client, &person.login)
}

/// Gives a person another role; it takes effect at their next sync.
pub fn set_role(config: &postgres::Config, tls: &Tls, who: &str, role: Role) -> Result<TeamMember> {
    let mut client = connect(config, tls)?;
    let mut tx = client.transaction()?;
    let person = find(&mut tx, who)?;
    if person.removed.is_some() {
        return Err(SyncError::Server(format!(
            "{} ({}) was removed: add them again with `tablemap server add-user`",
            person.name, person.login
        )));
    }
    tx.batch_execute(&format!(
        "REVOKE tablemap_volunteer, tablemap_organiser, tablemap_coordinator FROM {login}; GRANT tablemap_{role} TO {login}",
        login = person.login,
        role = role.as_str()
    ))?;
    tx.execute(
        "UPDATE tablemap.people SET role = $2 WHERE login = $1::text::name",
        &[&person.login, &role.as_str()],
    )?;
    tx.commit()?;
    find(&mut client, &person.login)
}

/// A new password for a person (a lost laptop, a code shared by mistake): the old join code
/// stops working at once; answers the new connection to hand them.
pub fn rotate(
    config: &postgres::Config,
    tls: &Tls,
    who: &str,
    public_host: Option<&str>,
) -> Result<TeamConnection> {
    let mut client = connect(config, tls)?;
    let person = find(&mut client, who)?;
    if person.removed.is_some() {
        return Err(SyncError::Server(format!(
            "{} ({}) was removed: add them again with `tablemap server add-user`",
            person.name, person.login
        )));
    }
    let (password, verifier) = new_password()?;
    client.batch_execute(&format!("ALTER ROLE {} PASSWORD '{verifier}'", person.login))?;
    disconnect(&mut client, &person.login)?;
    let dbname: String = client.query_one("SELECT current_database()::text", &[])?.try_get(0)?;
    connection_for(config, tls, public_host, dbname, person, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_say_nothing_of_the_person_and_need_no_quotes() {
        let a = new_login().unwrap();
        let b = new_login().unwrap();
        assert_ne!(a, b);
        for login in [a, b] {
            assert_eq!(login.len(), 15, "{login}");
            assert!(login.starts_with("tm_"), "{login}");
            assert!(
                login.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'),
                "{login}"
            );
        }
    }
}

//! The web service's login (`tablemap server web-login`, also `tablemap-server web-login`): a
//! login in the `tablemap_web` group (schema 12), which reads only the public side's views and
//! writes only scan counts and the day's key. Its name is opaque, like people's.

use super::people::{new_password, opaque_login, ready};
use crate::sync::{connect, Result, SyncError, Tls, TlsMode};

/// Makes a new web login (a random password, kept by the server as a SCRAM verifier made here)
/// and answers the service's `--database-url` for it: `public_host` (else the admin URL's host),
/// TLS as the admin connection has it.
pub fn web_login(config: &postgres::Config, tls: &Tls, public_host: Option<&str>) -> Result<String> {
    let login = opaque_login("tmweb_")?;
    let (password, verifier) = new_password()?;
    let mut client = connect(config, tls)?;
    let mut tx = client.transaction()?;
    ready(&mut tx)?;
    let schema: bool =
        tx.query_one("SELECT to_regclass('tablemap.web_logins') IS NOT NULL", &[])?.try_get(0)?;
    if !schema {
        return Err(SyncError::Server(
            "the team schema has no web login yet: run `tablemap server init` to bring it up to date".into(),
        ));
    }
    // The service's queries are short: a stuck one is ended rather than holding a connection.
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD '{verifier}' IN ROLE tablemap_web;
         ALTER ROLE {login} SET statement_timeout = '10s'"
    ))?;
    tx.execute("INSERT INTO tablemap.web_logins (login) VALUES ($1::text::name)", &[&login])?;
    let dbname: String = tx.query_one("SELECT current_database()::text", &[])?.try_get(0)?;
    tx.commit()?;
    let host = match (public_host, config.get_hosts().first()) {
        (Some(h), _) => h.to_string(),
        (None, Some(postgres::config::Host::Tcp(h))) => h.clone(),
        _ => return Err(SyncError::BadUrl("the server address needs a host name".into())),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let sslmode = match tls.mode {
        TlsMode::Require => "require",
        TlsMode::Disable => "disable",
    };
    // The password is base64url and the login letters and digits: nothing to escape.
    Ok(format!("postgres://{login}:{password}@{host}:{port}/{dbname}?sslmode={sslmode}"))
}

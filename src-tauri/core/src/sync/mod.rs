//! Team sync through PostgreSQL: the connection and join codes (here), the server's schema and
//! logins (`server.rs`), pushing the outbox (`push.rs`) and pulling what others wrote
//! (`pull.rs`). The only module besides `sources/` that talks to the network, and only when a
//! person asks for a sync (or runs a `server` command).

pub mod apply;
pub mod checks;
pub mod pull;
pub mod push;
pub mod server;

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this database has not joined a team: run `tablemap join CODE` with the code your coordinator gave you")]
    NotJoined,
    #[error("that is not a Tablemap join code ({0}); copy the whole last line `server add-user` printed")]
    BadJoinCode(String),
    #[error("{0}")]
    BadUrl(String),
    #[error(
        "could not reach the team server at {host}:{port} ({reason}); check the connection and try again"
    )]
    Unreachable { host: String, port: u16, reason: String },
    #[error("the team password is no longer kept on this computer (the keyring was reset, or this database came from elsewhere): ask your coordinator for a new join code (`tablemap server rotate`), then join again")]
    PasswordGone,
    #[error("the team server did not accept the login '{user}': it may have been removed from the team or given a new password; ask your coordinator for a new join code, then join again")]
    LoginRefused { user: String },
    #[error("the team server answered with an error: {0}")]
    Server(String),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
}

pub type Result<T> = std::result::Result<T, SyncError>;

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

impl From<postgres::Error> for SyncError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) if schema_too_old(db.code()) => SyncError::Server(format!(
                "the team server's tables are older than this Tablemap ({}): ask whoever runs the server to run \
                 `tablemap server init` with this version; nothing is lost meanwhile",
                db.message()
            )),
            Some(db) => SyncError::Server(db.message().to_string()),
            None => SyncError::Server(e.to_string()),
        }
    }
}

/// The server lacks a table, column or function this version uses: its schema is older.
pub(crate) fn schema_too_old(code: &postgres::error::SqlState) -> bool {
    use postgres::error::SqlState;
    [SqlState::UNDEFINED_TABLE, SqlState::UNDEFINED_FUNCTION, SqlState::UNDEFINED_COLUMN].contains(code)
}

/// Whether the connection is encrypted. On by default for any host but this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// No TLS: only for a server on this machine (loopback).
    Disable,
    /// TLS, with the server's certificate checked against the Mozilla roots.
    Require,
}

impl TlsMode {
    pub fn default_for(host: &str) -> Self {
        if is_loopback(host) {
            TlsMode::Disable
        } else {
            TlsMode::Require
        }
    }
}

pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// How far a sync has got, for a progress bar: changes sent of those waiting, the pull's window
/// read (how many restaurants and rows it holds), and how many of them are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Sent { done: usize, total: usize },
    Read { total: usize },
    Applied { done: usize, total: usize },
}

/// Everything a person's machine needs to reach the team server as themselves. Kept in the
/// local database (`sync_state.team`) and carried by a join code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamConnection {
    pub host: String,
    pub port: u16,
    pub dbname: String,
    pub user: String,
    pub password: String,
    pub tls: TlsMode,
    /// The person's volunteer id on the team (their visits are recorded under it).
    pub volunteer_id: String,
    pub name: String,
    pub role: String,
    /// The certificate (PEM) of the campaign's own certificate authority, when the server's
    /// certificate is not from a public one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
}

const JOIN_PREFIX: &str = "tablemap1:";

impl TeamConnection {
    /// `tablemap1:` and the connection as base64url JSON: one line, safe to paste anywhere.
    pub fn join_code(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!("{JOIN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
    }

    pub fn from_join_code(code: &str) -> Result<Self> {
        let body = code
            .trim()
            .strip_prefix(JOIN_PREFIX)
            .ok_or_else(|| SyncError::BadJoinCode(format!("it does not start with {JOIN_PREFIX}")))?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body.trim_end_matches('='))
            .map_err(|_| SyncError::BadJoinCode("it is cut short or has a typo".into()))?;
        let team: TeamConnection = serde_json::from_slice(&bytes)
            .map_err(|_| SyncError::BadJoinCode("it is cut short or has a typo".into()))?;
        if team.host.is_empty() || team.user.is_empty() || team.volunteer_id.is_empty() {
            return Err(SyncError::BadJoinCode("it names no server or no person".into()));
        }
        if team.tls == TlsMode::Disable && !is_loopback(&team.host) {
            // The password would cross the network in the clear: such a code was edited.
            return Err(SyncError::BadJoinCode(
                "it turns encryption off for a server on another machine".into(),
            ));
        }
        Ok(team)
    }

    pub fn config(&self) -> postgres::Config {
        let mut c = postgres::Config::new();
        c.host(&self.host)
            .port(self.port)
            .dbname(&self.dbname)
            .user(&self.user)
            .password(&self.password)
            .application_name("tablemap")
            .connect_timeout(Duration::from_secs(10));
        c
    }

    pub fn connect(&self) -> Result<postgres::Client> {
        connect(&self.config(), &Tls { mode: self.tls, ca_pem: self.ca_pem.clone() })
    }
}

/// How to reach the server: whether to encrypt, and which authority signs its certificate
/// besides the public ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub mode: TlsMode,
    pub ca_pem: Option<String>,
}

impl Tls {
    pub fn plain(mode: TlsMode) -> Self {
        Tls { mode, ca_pem: None }
    }

    /// With the campaign's own certificate authority from a PEM file.
    pub fn with_ca_file(path: &std::path::Path) -> Result<Self> {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            SyncError::BadUrl(format!("cannot read the CA certificate {}: {e}", path.display()))
        })?;
        ca_certificates(&pem)?;
        Ok(Tls { mode: TlsMode::Require, ca_pem: Some(pem) })
    }
}

/// The certificates in a PEM text; refuses a text with none.
fn ca_certificates(pem: &str) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| SyncError::BadUrl(format!("the CA certificate is not readable PEM: {e:?}")))?;
    if certs.is_empty() {
        return Err(SyncError::BadUrl(
            "the CA file holds no certificate (expected -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(certs)
}

/// Opens a connection, with TLS unless `tls` says otherwise, and words the failures.
pub fn connect(config: &postgres::Config, tls: &Tls) -> Result<postgres::Client> {
    let mut config = config.clone();
    let result = match tls.mode {
        TlsMode::Disable => config.ssl_mode(postgres::config::SslMode::Disable).connect(postgres::NoTls),
        TlsMode::Require => {
            config.ssl_mode(postgres::config::SslMode::Require);
            config.connect(rustls_connector(tls.ca_pem.as_deref())?)
        }
    };
    result.map_err(|e| connect_error(&config, e))
}

/// TLS for PostgreSQL by rustls: Mozilla's roots, and the campaign's own authority if given
/// (team sync, and the web service's pool).
pub fn rustls_connector(ca_pem: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(pem) = ca_pem {
        for cert in ca_certificates(pem)? {
            roots
                .add(cert)
                .map_err(|e| SyncError::BadUrl(format!("the CA certificate cannot be used: {e}")))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Server(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Tells the server this login is syncing now (it records when, for `server users`) and
/// answers the login's role as the server has it: a role changed by `server set-role` counts
/// from the next sync.
pub fn hello(client: &mut postgres::Client) -> Result<server::Role> {
    let role: Option<String> = client.query_one("SELECT tablemap.hello()", &[])?.try_get(0)?;
    role.as_deref().and_then(server::Role::parse).ok_or_else(|| {
        SyncError::Server(
            "this login is no longer on the team: ask a coordinator for a new join code, then run `tablemap join`"
                .into(),
        )
    })
}

fn connect_error(config: &postgres::Config, e: postgres::Error) -> SyncError {
    let user = config.get_user().unwrap_or_default().to_string();
    if let Some(db) = e.as_db_error() {
        if db.code() == &postgres::error::SqlState::INVALID_PASSWORD
            || db.code() == &postgres::error::SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return SyncError::LoginRefused { user };
        }
        return SyncError::Server(db.message().to_string());
    }
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(other) => format!("{other:?}"),
        None => "?".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let reason = certificate_problem(&e).unwrap_or_else(|| e.to_string());
    SyncError::Unreachable { host, port, reason }
}

/// A TLS failure in words that say what to do.
fn certificate_problem(e: &postgres::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        // An io::Error hides the error it wraps from `source()`: look inside.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|e| e as &dyn std::error::Error);
        let found = s
            .downcast_ref::<rustls::Error>()
            .or_else(|| inner.and_then(|e| e.downcast_ref::<rustls::Error>()));
        if let Some(tls) = found {
            return Some(match tls {
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                    "its certificate is not signed by an authority Tablemap knows: if the campaign runs its own \
                     certificate authority, give its certificate with --ca-file (or ask for a join code made with it)"
                        .to_string()
                }
                rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName)
                | rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext { .. }) => {
                    "its certificate is for another name: connect with the name the certificate was made for".to_string()
                }
                other => format!("the secure connection failed: {other}"),
            });
        }
        source = s.source();
    }
    let text = e.to_string();
    text.contains("server does not support TLS")
        .then(|| "it does not offer TLS: turn TLS on in the server (ssl = on), or use sslmode=disable on a trusted network".to_string())
}

/// The admin connection of `server` commands: `url` read as `admin_config` does, the password
/// from `PGPASSWORD` when the URL has none, and the campaign's own certificate authority from
/// `ca_file` (which turns TLS on).
pub fn admin_connection(url: &str, ca_file: Option<&std::path::Path>) -> Result<(postgres::Config, Tls)> {
    let (mut config, mode) = admin_config(url)?;
    if config.get_password().is_none() {
        if let Ok(pw) = std::env::var("PGPASSWORD") {
            config.password(pw);
        }
    }
    let tls = match ca_file {
        Some(path) => Tls::with_ca_file(path)?,
        None => Tls::plain(mode),
    };
    Ok((config, tls))
}

/// An admin's `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` URL (or key=value string), with TLS
/// on unless the host is this machine or the URL says `sslmode=disable`; `sslmode=require`
/// asks for TLS even on this machine.
pub fn admin_config(url: &str) -> Result<(postgres::Config, TlsMode)> {
    let config: postgres::Config =
        url.parse().map_err(|e| SyncError::BadUrl(format!("cannot read the server address '{url}': {e}")))?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => {
            return Err(SyncError::BadUrl(
                "the server address needs a host name (postgres://USER@HOST/DB)".into(),
            ))
        }
    };
    let tls = match config.get_ssl_mode() {
        postgres::config::SslMode::Disable => TlsMode::Disable,
        postgres::config::SslMode::Require => TlsMode::Require,
        _ => TlsMode::default_for(&host),
    };
    Ok((config, tls))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(host: &str) -> TeamConnection {
        TeamConnection {
            host: host.into(),
            port: 5432,
            dbname: "campaign".into(),
            user: "amina".into(),
            password: "pa55-word_x".into(),
            tls: TlsMode::default_for(host),
            volunteer_id: "01J00000000000000000000000".into(),
            name: "Amina".into(),
            role: "volunteer".into(),
            ca_pem: None,
        }
    }

    #[test]
    fn join_codes_round_trip() {
        for host in ["127.0.0.1", "db.example.org", "::1"] {
            let t = team(host);
            let code = t.join_code();
            assert!(code.starts_with("tablemap1:") && !code.contains(char::is_whitespace), "{code}");
            assert_eq!(TeamConnection::from_join_code(&format!("  {code}\n")).unwrap(), t);
        }
    }

    #[test]
    fn bad_join_codes_are_refused() {
        let good = team("db.example.org").join_code();
        let clear = TeamConnection { tls: TlsMode::Disable, ..team("db.example.org") }.join_code();
        for bad in ["", "tablemap1:", "tablemap2:abc", "postgres://x@y/z", &good[..good.len() - 7], &clear] {
            assert!(matches!(TeamConnection::from_join_code(bad), Err(SyncError::BadJoinCode(_))), "{bad:?}");
        }
    }

    #[test]
    fn tls_by_default_except_on_this_machine() {
        let cases = [
            ("localhost", TlsMode::Disable),
            ("127.0.0.1", TlsMode::Disable),
            ("::1", TlsMode::Disable),
            ("10.0.0.5", TlsMode::Require),
            ("db.example.org", TlsMode::Require),
        ];
        for (host, want) in cases {
            assert_eq!(TlsMode::default_for(host), want, "{host}");
        }
        let (_, tls) = admin_config("postgres://admin@db.example.org/campaign").unwrap();
        assert_eq!(tls, TlsMode::Require);
        let (_, tls) = admin_config("postgres://admin@db.example.org/campaign?sslmode=disable").unwrap();
        assert_eq!(tls, TlsMode::Disable);
        assert!(admin_config("not a url at all =").is_err());
    }
}

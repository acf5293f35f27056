//! The service's PostgreSQL: a bounded pool of its own login's connections (TLS as team sync
//! does it, from core), checked once at start so a wrong URL or a database that is down is one
//! clear line and a non-zero exit, not a service that answers errors.

use crate::error::ServerError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::time::Duration;
use tablemap_core::sync::{self, TlsMode};
use tokio_postgres::config::{Host, SslMode};

/// How long a request waits for a connection, and the start for its first one.
pub const WAIT: Duration = Duration::from_secs(5);

/// Reads `url` and makes the pool; nothing is connected yet.
pub fn pool(url: &str, max: usize) -> Result<(Pool, String), ServerError> {
    let bad = |reason: String| ServerError::Setting { flag: "database-url", reason };
    let config: tokio_postgres::Config =
        url.parse().map_err(|e| bad(format!("cannot read the database address: {e}")))?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => return Err(bad("the database address needs a host name (postgres://USER@HOST/DB)".into())),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let place = format!("{host}:{port}");
    let tls = match config.get_ssl_mode() {
        SslMode::Disable => TlsMode::Disable,
        SslMode::Require => TlsMode::Require,
        _ => TlsMode::default_for(&host),
    };
    let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
    let manager = match tls {
        TlsMode::Disable => {
            let mut config = config;
            config.ssl_mode(SslMode::Disable);
            Manager::from_config(config, tokio_postgres::NoTls, manager_config)
        }
        TlsMode::Require => {
            let mut config = config;
            config.ssl_mode(SslMode::Require);
            let tls = sync::rustls_connector(None).map_err(|e| bad(e.to_string()))?;
            Manager::from_config(config, tls, manager_config)
        }
    };
    let pool = Pool::builder(manager)
        .max_size(max.max(1))
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(WAIT))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    Ok((pool, place))
}

/// Whether the database answers now; the reason when it does not.
pub async fn reachable(pool: &Pool) -> Result<(), String> {
    let client = pool.get().await.map_err(|e| reason(&e))?;
    client.simple_query("SELECT 1").await.map_err(|e| e.to_string())?;
    Ok(())
}

/// A pool error in words: the database's own message when it gave one.
fn reason(e: &deadpool_postgres::PoolError) -> String {
    match e {
        deadpool_postgres::PoolError::Backend(pg) => match pg.as_db_error() {
            Some(db) => db.message().to_string(),
            None => pg.to_string(),
        },
        deadpool_postgres::PoolError::Timeout(_) => "no answer in time".to_string(),
        other => other.to_string(),
    }
}

/// The start's check: one line naming where and why.
pub async fn check(pool: &Pool, place: &str) -> Result<(), ServerError> {
    reachable(pool).await.map_err(|reason| ServerError::Database { place: place.to_string(), reason })
}

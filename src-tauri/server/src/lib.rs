//! `tablemap-server`, the campaign's web service, as a library: the binary (`main.rs`) reads its
//! settings and calls `run`; tests call `serve` on a listener of their own. Domain rules come
//! from `tablemap-core`; this crate only speaks HTTP and reads PostgreSQL.

pub mod app;
pub mod database;
pub mod error;
mod health;
pub mod html;
pub mod refresh;
pub mod scans;
pub mod settings;
pub mod snapshot;
pub mod sticker;
mod web_login;

pub use error::ServerError;
pub use settings::Settings;

use std::future::Future;
use tokio::net::TcpListener;

/// Checks the settings and the database, listens, and serves until SIGTERM or Ctrl-C (or runs
/// the subcommand given instead).
pub async fn run(settings: Settings) -> Result<(), ServerError> {
    if let Some(settings::Command::WebLogin { url, public_host, ca_file }) = settings.command {
        let url = tokio::task::spawn_blocking(move || {
            web_login::make(&url, public_host.as_deref(), ca_file.as_deref())
        })
        .await
        .map_err(|e| ServerError::Serve(e.to_string()))??;
        println!("made a login for the web service; start tablemap-server with --database-url set to:");
        println!("{url}");
        return Ok(());
    }
    let missing = |flag: &'static str| ServerError::Setting { flag, reason: "is needed".into() };
    let landing = landing(settings.landing.as_deref().ok_or_else(|| missing("landing"))?)?;
    let database_url = settings.database_url.ok_or_else(|| missing("database-url"))?;
    let (pool, place) = database::pool(&database_url, settings.max_connections)?;
    database::check(&pool, &place).await?;
    let mut state = app::State::new(pool, landing);
    state.trusted_proxy = settings.trusted_proxy;
    // The first snapshot before listening: a login without the web service's grants (a
    // person's, or a server not brought up to schema 12) stops the start here, in words.
    let first = refresh::load(&state.pool).await.map_err(|e| ServerError::Database {
        place: place.clone(),
        reason: format!(
            "cannot read the public side ({e}): start with the login `tablemap server web-login` makes, after \
             `tablemap server init`"
        ),
    })?;
    *state.snapshot.write().unwrap_or_else(|p| p.into_inner()) = std::sync::Arc::new(first);
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|e| ServerError::Listen { addr: settings.listen, reason: e.to_string() })?;
    eprintln!("tablemap-server: listening on {}", settings.listen);
    serve(listener, state, stop_signal()).await?;
    eprintln!("tablemap-server: stopped");
    Ok(())
}

/// Serves on `listener` until `stop` resolves, then finishes the requests under way; keeps the
/// public side fresh meanwhile (every `refresh::PERIOD`).
pub async fn serve(
    listener: TcpListener,
    state: app::State,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let fresh =
        tokio::spawn(refresh::keep_fresh(state.pool.clone(), state.snapshot.clone(), refresh::PERIOD));
    let (counter, pool) = (state.counter.clone(), state.pool.clone());
    let flushing = tokio::spawn(scans::keep_flushing(counter.clone(), pool.clone(), scans::FLUSH_EVERY));
    let app = app::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| ServerError::Serve(e.to_string()));
    fresh.abort();
    flushing.abort();
    // A clean stop writes what was counted since the last batch.
    if let Err(e) = counter.flush(&pool).await {
        eprintln!("tablemap-server: scan counts not written at the stop: {e}");
    }
    served
}

/// The landing address: an absolute http(s) URL, since a visitor's browser is sent there.
pub fn landing(url: &str) -> Result<String, ServerError> {
    let bad = |reason: &str| ServerError::Setting { flag: "landing", reason: reason.to_string() };
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.len() < 10 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("an address such as https://migrantscontribute.org.uk/"));
    }
    Ok(url.to_string())
}

/// SIGTERM (systemd stopping the service) or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_landing_address_is_an_absolute_web_address() {
        let cases = [
            ("https://migrantscontribute.org.uk/", true),
            ("http://localhost:9/", true),
            (" https://mc.example/ ", true),
            ("migrantscontribute.org.uk", false),
            ("javascript:alert(1)", false),
            ("https://mc.example/a b", false),
            ("", false),
        ];
        for (url, ok) in cases {
            assert_eq!(landing(url).is_ok(), ok, "{url:?}");
        }
    }
}

//! The routes, and what every request shares. Nothing is kept in the process that another
//! instance would need: several instances can stand behind one proxy.

use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::get;
use axum::Router;
use deadpool_postgres::Pool;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// A request that takes longer is answered 408 and dropped.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct State {
    pub pool: Pool,
    pub landing: String,
    /// What the public side shows, kept fresh by `refresh::keep_fresh`.
    pub snapshot: crate::refresh::Shared,
    /// Scans counted and not yet written.
    pub counter: std::sync::Arc<crate::scans::Counter>,
    /// The proxy whose `X-Forwarded-For` says who the visitor is (`--trusted-proxy`).
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl State {
    /// A state with an empty snapshot (every sticker link goes to the landing page until the
    /// first refresh) and nothing counted.
    pub fn new(pool: Pool, landing: String) -> State {
        State {
            pool,
            landing,
            snapshot: Default::default(),
            counter: Default::default(),
            trusted_proxy: None,
        }
    }
}

pub fn router(state: State) -> Router {
    Router::new()
        .route("/healthz", get(crate::health::healthz))
        .route("/assets/sticker.css", get(crate::sticker::stylesheet))
        .fallback(get(crate::sticker::link))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        // No page of the service is worth telling another site about.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

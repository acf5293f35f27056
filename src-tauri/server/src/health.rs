//! `/healthz`: 200 while the database answers, 503 (with why) when it does not; for the proxy's
//! health checks and the systemd watchdog's.

use crate::app::State;
use axum::extract;
use axum::http::StatusCode;

pub async fn healthz(extract::State(state): extract::State<State>) -> (StatusCode, String) {
    match crate::database::reachable(&state.pool).await {
        Ok(()) => (StatusCode::OK, "ok\n".into()),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the database is not reachable\n".into()),
    }
}

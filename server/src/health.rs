//! For the people who run it: `/health` answers while the process is up
//! (a liveness probe), `/ready` only while the database answers too (a
//! readiness probe: a load balancer sends no traffic to a replica that
//! cannot reach it).

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// GET `/health`: 200 `{"status": "ok"}`.
pub async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// GET `/ready`: 200 `{"status": "ready"}`, or 503 `{"status":
/// "unavailable"}` with `Retry-After` while the database cannot be reached.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.engine.ready().await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            let mut res = (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response();
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            res
        }
    }
}

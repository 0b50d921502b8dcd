//! GET `activity/`: the caller's own security events, newest first
//! (`cursor`: an event id, older ones follow; `page_size` up to 100) →
//! `{"results", "next_cursor"}`.

use super::admin::{page, Params};
use super::auth::Authed;
use super::error::ApiResult;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::Value;

pub async fn list(State(state): State<AppState>, authed: Authed, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    let mut q = Params::new(raw);
    let cursor = q.integer("cursor");
    let size = q.page_size();
    q.finish()?;
    let before = cursor.map(|n| i32::try_from(n).unwrap_or(-1));
    Ok(Json(page(state.engine.own_activity(authed.user.id, before, size).await?, size)))
}

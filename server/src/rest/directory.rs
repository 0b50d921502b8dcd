//! `profiles/` and `profiles/{username}/`: the public profile directory
//! (see `app::core::flows::directory`), paginated as DRF's
//! `PageNumberPagination` (`count`, `next`, `previous`, `results`; "Invalid
//! page." past the end).

use super::auth::MaybeAuthed;
use super::error::{ApiError, ApiResult};
use super::profile_fields;
use crate::state::AppState;
use app::core::FlowError;
use app::shared::profile::PublicProfile;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

#[derive(serde::Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

fn entry(state: &AppState, p: &PublicProfile) -> Value {
    json!({ "username": p.username, "profile": profile_fields::public_json(state, &p.profile) })
}

/// `GET profiles/?page=N`.
pub async fn list(
    State(state): State<AppState>,
    MaybeAuthed(viewer): MaybeAuthed,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let invalid = || ApiError::detail(StatusCode::NOT_FOUND, "Invalid page.");
    let page = match q.page.as_deref() {
        None => 1,
        Some(p) => p.trim().parse::<u64>().ok().filter(|p| *p >= 1 && *p <= 1_000_000).ok_or_else(invalid)?,
    };
    let found = state.engine.directory(viewer.as_ref().map(|a| &a.user), page).await;
    let found = match found {
        Err(FlowError::NotFound) if state.engine.directory_open(viewer.as_ref().map(|a| &a.user)).is_ok() => {
            return Err(invalid())
        }
        other => other?,
    };
    let at = |n: u64| format!("{}/api/auth/profiles/?page={n}", state.engine.config().public_url);
    Ok(Json(json!({
        "count": found.count,
        "next": (found.page < found.pages).then(|| at(found.page + 1)),
        "previous": (found.page > 1).then(|| at(found.page - 1)),
        "results": found.results.iter().map(|p| entry(&state, p)).collect::<Vec<_>>(),
    })))
}

/// `GET profiles/{username}/`.
pub async fn detail(
    State(state): State<AppState>,
    MaybeAuthed(viewer): MaybeAuthed,
    Path(username): Path<String>,
) -> ApiResult<Json<Value>> {
    let found = state.engine.public_profile(viewer.as_ref().map(|a| &a.user), &username).await?;
    Ok(Json(entry(&state, &found)))
}

//! `sessions/`: the caller's devices (browser sessions, API tokens, JWT
//! families). GET lists them; `DELETE sessions/{id}/` ends one (204);
//! `DELETE sessions/others/` ends all but the one asking (204).

use super::auth::Authed;
use super::client::ClientOf;
use super::error::ApiResult;
use crate::state::AppState;
use app::shared::admin::DeviceItem;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

pub async fn list(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Vec<DeviceItem>>> {
    Ok(Json(state.engine.devices(&authed.user, &authed.credential).await?))
}

pub async fn end_one(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.engine.end_device(&authed.user, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn end_others(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
) -> ApiResult<StatusCode> {
    state.engine.end_other_devices(authed.user.id, &authed.credential, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

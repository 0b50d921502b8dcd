//! `email/change/` and `email/change/confirm/`: a new address replaces the
//! old one only after it is confirmed; the old address is told.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::ApiResult;
use super::payload::Payload;
use crate::state::AppState;
use app::core::flows::email_change::EmailChangeInput;
use app::dialects::dj_rest_auth as messages;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn change(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    let input =
        EmailChangeInput { new_email: p.required("new_email"), password: Some(p.secret("password")), links: None };
    p.finish()?;
    state.engine.request_email_change(&authed.user, input, client).await?;
    Ok(Json(json!({ "detail": messages::EMAIL_CHANGE_SENT })))
}

pub async fn confirm(State(state): State<AppState>, mut p: Payload) -> ApiResult<Json<Value>> {
    let key = p.required("key");
    p.finish()?;
    state.engine.confirm_email_change(&key).await?;
    Ok(Json(json!({ "detail": messages::OK })))
}

//! `password/change/`, `password/reset/`, `password/reset/confirm/`.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::ApiResult;
use super::payload::Payload;
use crate::state::AppState;
use app::core::flows::password_change::PasswordChangeInput;
use app::core::flows::password_reset::ResetConfirmInput;
use app::dialects::dj_rest_auth as messages;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

pub async fn change(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    session: tower_sessions::Session,
    mut p: Payload,
) -> ApiResult<axum::response::Response> {
    let old_password = if state.engine.config().old_password_required {
        Some(p.secret("old_password"))
    } else {
        p.optional_secret("old_password")
    };
    let input = PasswordChangeInput {
        old_password,
        new_password1: p.secret("new_password1"),
        new_password2: p.secret("new_password2"),
        always_check_old: false,
    };
    p.finish()?;
    let epoch = state.engine.change_password(&authed.user, input, &authed.credential, &client).await?;
    authed.keep_session(&session, epoch).await?;
    let mut res = Json(json!({ "detail": messages::PASSWORD_SAVED })).into_response();
    if epoch.is_none() && state.settings.jwt_cookies {
        // signed out: the browser's JWT cookies go too (as logout/ clears them)
        super::jwt_cookies::clear(res.headers_mut(), state.settings.secure_cookies());
    }
    Ok(res)
}

pub async fn reset(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    let email = p.required("email");
    p.finish()?;
    state.engine.request_password_reset(&email, client, None).await?;
    Ok(Json(json!({ "detail": messages::RESET_SENT })))
}

pub async fn reset_confirm(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    let input = ResetConfirmInput {
        uid: p.required("uid"),
        token: p.required("token"),
        new_password1: p.secret("new_password1"),
        new_password2: p.secret("new_password2"),
        client,
    };
    p.finish()?;
    state.engine.confirm_password_reset(input).await?;
    Ok(Json(json!({ "detail": messages::RESET_DONE })))
}

//! `mfa/`: dj-rest-auth 7.2's two-factor endpoints. `mfa/verify/` completes
//! a sign-in that `login/` (or `{provider}/`) answered with an ephemeral
//! token; the others manage the signed-in user's TOTP and recovery codes.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::{ApiError, ApiResult};
use super::login::login_response;
use super::payload::Payload;
use crate::state::AppState;
use app::core::codes::Code;
use app::core::FlowError;
use app::dialects::dj_rest_auth as messages;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};
use tower_sessions::Session;

/// The longest code dj-rest-auth takes (a recovery code, `xxxx-xxxx`).
const CODE_MAX: usize = 9;

/// A required, non-blank field as DRF's `CharField` reads it (trimmed).
fn text(p: &mut Payload, name: &str, max: Option<usize>) -> String {
    let value = p.required(name).trim().to_owned();
    if p.has_error(name) {
        return value;
    }
    if value.is_empty() {
        p.error(name, Code::Blank);
    } else if let Some(max) = max.filter(|m| value.chars().count() > *m) {
        p.error(name, Code::TooLong(max));
    }
    value
}

pub async fn verify(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> ApiResult<Response> {
    let token = text(&mut p, "ephemeral_token", None);
    let code = text(&mut p, "code", Some(CODE_MAX));
    p.finish()?;
    let engine = &state.engine;
    let user = engine.complete_sign_in(&engine.pending_key(&token), &code, client.clone()).await?;
    login_response(&state, &session, &client, &user, StatusCode::OK).await
}

/// GET `mfa/totp/activate/`: a new secret, its URL and QR code, and the
/// activation token to confirm it with.
pub async fn activate_begin(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Value>> {
    let e = state.engine.begin_totp(&authed.user)?;
    Ok(Json(json!({
        "secret": e.secret,
        "totp_url": e.totp_url,
        "qr_code_data_uri": e.qr_data_uri(),
        "activation_token": e.activation_token,
    })))
}

/// Refuses when two-factor is (or is not) on, before the body is looked at,
/// as dj-rest-auth does.
async fn require_enabled(state: &AppState, user_id: i32, enabled: bool) -> ApiResult<()> {
    if state.engine.mfa_status(user_id).await?.enabled == enabled {
        return Ok(());
    }
    let code = if enabled { Code::MfaNotEnabled } else { Code::MfaAlreadyEnabled };
    Err(ApiError::Flow(FlowError::Refused(code)))
}

/// POST `mfa/totp/activate/`: `activation_token` and `code`; the recovery codes.
pub async fn activate_confirm(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    session: Session,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    require_enabled(&state, authed.user.id, false).await?;
    let token = text(&mut p, "activation_token", None);
    let code = text(&mut p, "code", None);
    p.finish()?;
    let engine = &state.engine;
    let (codes, epoch) = engine.confirm_totp(&authed.user, &token, &code, &authed.credential, &client).await?;
    authed.keep_session(&session, Some(epoch)).await?;
    Ok(Json(json!({ "recovery_codes": codes })))
}

pub async fn deactivate(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    require_enabled(&state, authed.user.id, true).await?;
    let code = text(&mut p, "code", None);
    p.finish()?;
    state.engine.deactivate_totp(&authed.user, &code, &client).await?;
    Ok(Json(json!({ "detail": messages::MFA_DEACTIVATED })))
}

pub async fn status(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Value>> {
    let s = state.engine.mfa_status(authed.user.id).await?;
    Ok(Json(json!({
        "mfa_enabled": s.enabled,
        "created_at": s.created_at.map(app::core::rfc3339),
        "last_used_at": s.last_used_at.map(app::core::rfc3339),
    })))
}

/// POST `mfa/recovery-codes/` (dj-rest-auth answers POST only): the unused codes.
pub async fn recovery_codes(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "codes": state.engine.unused_recovery_codes(authed.user.id).await? })))
}

pub async fn regenerate(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "codes": state.engine.regenerate_recovery_codes(&authed.user, &client).await? })))
}

//! `passkeys/`: dj-rest-auth's passkey endpoints (master, after 7.2).
//! `register/begin|complete` add one for the signed-in user;
//! `login/begin|complete` sign in without a password (the normal login
//! response, through the one sign-in finisher); the rest list, rename and
//! delete the caller's own. Errors are DRF's `non_field_errors`, in the
//! package's words.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::{ApiError, ApiResult};
use super::login::login_response;
use super::payload::Payload;
use crate::state::AppState;
use app::core::codes::Code;
use app::core::factors::passkey::{is_session_id, PasskeyInfo, NAME_MAX};
use app::core::FlowError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tower_sessions::Session;

/// A passkey as dj-rest-auth's `PasskeyListSerializer` shows it.
fn body(p: &PasskeyInfo) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "credential_id": p.credential_id,
        "created_at": app::core::rfc3339(p.created_at),
        "last_used_at": p.last_used_at.map(app::core::rfc3339),
        "transports": p.transports,
        "discoverable": true,
    })
}

/// An optional `name` as DRF's `CharField(required=False)` reads it: when
/// given, not blank and at most 255 characters.
fn optional_name(p: &mut Payload) -> String {
    let Some(name) = p.optional("name") else { return String::new() };
    let name = name.trim().to_owned();
    if name.is_empty() {
        p.error("name", Code::Blank);
    } else if name.chars().count() > NAME_MAX {
        p.error("name", Code::TooLong(NAME_MAX));
    }
    name
}

/// The caller's passkey `id` from the path (anything else is not found).
fn passkey_id(raw: &str) -> ApiResult<i32> {
    raw.parse::<i32>().ok().filter(|n| *n > 0).ok_or(ApiError::Flow(FlowError::NotFound))
}

/// POST `passkeys/register/begin/`: `[name]` (read, not kept, as the
/// package does) → the creation options.
pub async fn register_begin(State(state): State<AppState>, authed: Authed, mut p: Payload) -> ApiResult<Json<Value>> {
    optional_name(&mut p);
    p.finish()?;
    Ok(Json(state.engine.begin_passkey_registration(&authed.user).await?))
}

/// POST `passkeys/register/complete/`: `credential`, `[name]` → 201 with
/// the passkey.
pub async fn register_complete(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    mut p: Payload,
) -> ApiResult<Response> {
    let credential = p.json("credential");
    let name = optional_name(&mut p);
    p.finish()?;
    let passkey = state.engine.complete_passkey_registration(&authed.user, &credential, &name, &client).await?;
    Ok((StatusCode::CREATED, Json(body(&passkey))).into_response())
}

/// POST `passkeys/login/begin/`: `[username | email]` (checked for shape,
/// then set aside: the answer is the same for every account) → the request
/// options and `session_id`.
pub async fn login_begin(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    p.optional("username");
    if let Some(email) = p.optional("email").filter(|e| !e.trim().is_empty()) {
        if app::core::domain::EmailAddress::parse(&email).is_err() {
            p.error("email", Code::InvalidEmail);
        }
    }
    p.finish()?;
    let started = state.engine.begin_passkey_login(&client).await?;
    let mut options = started.options;
    if let Some(o) = options.as_object_mut() {
        o.insert("session_id".into(), Value::String(started.session_id));
    }
    Ok(Json(options))
}

/// POST `passkeys/login/complete/`: `credential`, `session_id` → the login
/// response of `login/` (a passkey is two factors: no `mfa/verify/` step).
pub async fn login_complete(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> ApiResult<Response> {
    let credential = p.json("credential");
    let session_id = p.text("session_id");
    if !p.has_error("session_id") && !is_session_id(&session_id) {
        p.error("session_id", Code::PatternMismatch);
    }
    p.finish()?;
    let user = state.engine.complete_passkey_login(&session_id, &credential, &client).await?;
    login_response(&state, &session, &client, &user, StatusCode::OK).await
}

/// GET `passkeys/`: the caller's passkeys, newest first.
pub async fn list(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Value>> {
    let all = state.engine.passkeys(authed.user.id).await?;
    Ok(Json(Value::Array(all.iter().map(body).collect())))
}

/// GET `passkeys/{id}/`.
pub async fn detail(State(state): State<AppState>, authed: Authed, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(body(&state.engine.passkey(authed.user.id, passkey_id(&id)?).await?)))
}

/// PUT `passkeys/{id}/`: `{"name"}` → `{"name"}`.
pub async fn replace(state: State<AppState>, authed: Authed, id: Path<String>, p: Payload) -> ApiResult<Json<Value>> {
    rename(state, authed, id, p, true).await
}

/// PATCH `passkeys/{id}/`: `{"name"}` → `{"name"}`.
pub async fn update(state: State<AppState>, authed: Authed, id: Path<String>, p: Payload) -> ApiResult<Json<Value>> {
    rename(state, authed, id, p, false).await
}

async fn rename(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    mut p: Payload,
    put: bool,
) -> ApiResult<Json<Value>> {
    let id = passkey_id(&id)?;
    // the caller's own passkey first: another's id is not found, whatever the body
    state.engine.passkey(authed.user.id, id).await?;
    // PUT replaces: `name` is required; PATCH may leave it out
    let name = if put { Some(p.required("name")) } else { p.optional("name") };
    p.finish()?;
    let Some(name) = name else {
        // a PATCH without a name changes nothing
        return Ok(Json(json!({ "name": state.engine.passkey(authed.user.id, id).await?.name })));
    };
    let renamed = state.engine.rename_passkey(authed.user.id, id, &name).await?;
    Ok(Json(json!({ "name": renamed.name })))
}

/// DELETE `passkeys/{id}/`: 204.
pub async fn delete(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.engine.delete_passkey(&authed.user, passkey_id(&id)?, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

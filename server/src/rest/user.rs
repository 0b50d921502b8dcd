//! `user/`: read (GET), replace (PUT), update (PATCH) and delete (DELETE) the
//! caller's account; `user/avatar/` uploads a picture. `pk` and `email` are
//! read-only; `profile` is nested, as in dj-rest-auth's user-profile guide.

use super::auth::Authed;
use super::error::{ApiError, ApiResult};
use super::payload::Payload;
use super::profile_fields;
use crate::state::AppState;
use app::core::codes::Code;
use app::core::entities::user::Model as User;
use app::core::flows::profile::ProfileInput;
use app::core::FlowError;
use app::dialects::dj_rest_auth as messages;
use app::shared::user::AccountView;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// The user with its nested profile; pictures as absolute URLs (the JWT
/// login response's `user` too).
pub(super) async fn body(state: &AppState, user: &User) -> ApiResult<Value> {
    Ok(body_of(state, state.engine.account(user).await?))
}

fn body_of(state: &AppState, account: AccountView) -> Value {
    let mut body = json!({
        "pk": account.user.pk,
        "username": account.user.username,
        "email": account.user.email,
        "first_name": account.user.first_name,
        "last_name": account.user.last_name,
        "profile": profile_fields::to_json(state, &account.profile),
    });
    profile_fields::hide_username(state, &mut body);
    body
}

pub async fn get(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(body_of(&state, state.engine.account_for_read(&authed.user).await?)))
}

/// PUT and PATCH, from JSON, a URL-encoded form or a multipart form (the
/// user-profile guide's way: `profile.avatar` as a file part).
async fn update(state: AppState, authed: Authed, mut p: Payload, partial: bool) -> Result<Json<Value>, Response> {
    let usernames = state.engine.config().username != app::core::config::UsernameMode::None;
    let username = if partial || !usernames { p.optional("username") } else { Some(p.required("username")) };
    let first_name = p.optional("first_name");
    let last_name = p.optional("last_name");
    let (nested, shape) = match p.object("profile") {
        Ok(nested) => (nested, None),
        Err(shape) => (None, Some(shape)),
    };
    let mut input = ProfileInput { username, first_name, last_name, ..Default::default() };
    let mut errors = p.into_errors();
    if let Some(profile) = nested {
        (input.profile, input.images) = profile_fields::read_update(&state, &profile);
        input.full = !partial;
        errors.merge(profile.into_errors());
    }
    if !errors.is_empty() || shape.is_some() {
        return Err(profile_fields::nest_errors(&state, messages::render, errors, shape));
    }
    match state.engine.update_profile(authed.user, input).await {
        Ok(user) => body(&state, &user).await.map(Json).map_err(IntoResponse::into_response),
        Err(FlowError::Invalid(errors)) => Err(profile_fields::nest_errors(&state, messages::render, errors, None)),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

pub async fn put(State(state): State<AppState>, authed: Authed, p: Payload) -> Result<Json<Value>, Response> {
    update(state, authed, p, false).await
}

pub async fn patch(State(state): State<AppState>, authed: Authed, p: Payload) -> Result<Json<Value>, Response> {
    update(state, authed, p, true).await
}

pub async fn delete(State(state): State<AppState>, authed: Authed, mut p: Payload) -> ApiResult<StatusCode> {
    let password = p.optional_secret("password");
    p.finish()?;
    state.engine.delete_account(&authed.user, password).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn avatar(
    State(state): State<AppState>,
    authed: Authed,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Value>> {
    let max = state.engine.config().avatar_max_bytes;
    let invalid = |c: Code| ApiError::Flow(FlowError::field("avatar", c));
    let mut multipart = multipart.map_err(|_| {
        ApiError::detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the picture as multipart/form-data in a field named \"avatar\".",
        )
    })?;
    let bytes = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("avatar") => {
                break field.bytes().await.map_err(|_| invalid(Code::ImageTooLarge(max)))?
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(invalid(Code::Required)),
            Err(_) => return Err(invalid(Code::ImageTooLarge(max))),
        }
    };
    let url = state.engine.set_avatar(&authed.user, &bytes).await?;
    Ok(Json(json!({ "avatar": format!("{}{url}", state.engine.config().public_url) })))
}

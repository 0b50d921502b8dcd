//! `user/`: read (GET), replace (PUT), update (PATCH) and delete (DELETE) the
//! caller's account; `user/avatar/` uploads a picture. `pk` and `email` are
//! read-only; `profile` is nested, as in dj-rest-auth's user-profile guide.

use super::auth::Authed;
use super::error::{ApiError, ApiResult};
use super::payload::{Nested, Payload};
use crate::state::AppState;
use app::core::codes::{Code, Problems};
use app::core::entities::user::Model as User;
use app::core::flows::profile::ProfileInput;
use app::core::FlowError;
use app::dialects::dj_rest_auth as messages;
use app::shared::errors::NON_FIELD;
use app::shared::user::AccountView;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

const PROFILE_FIELDS: [&str; 4] = ["company_name", "phone_number", "bio", "avatar"];

/// The user with its nested profile; the avatar as an absolute URL (the
/// JWT login response's `user` too).
pub(super) async fn body(state: &AppState, user: &User) -> ApiResult<Value> {
    Ok(body_of(state, state.engine.account(user).await?))
}

fn body_of(state: &AppState, account: AccountView) -> Value {
    let base = &state.engine.config().public_url;
    json!({
        "pk": account.user.pk,
        "username": account.user.username,
        "email": account.user.email,
        "first_name": account.user.first_name,
        "last_name": account.user.last_name,
        "profile": {
            "company_name": account.profile.company_name,
            "phone_number": account.profile.phone_number,
            "bio": account.profile.bio,
            "avatar": account.profile.avatar.map(|a| format!("{base}{a}")),
        },
    })
}

pub async fn get(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Value>> {
    Ok(Json(body_of(&state, state.engine.account_for_read(&authed.user).await?)))
}

/// Moves profile field errors under `"profile"`, as DRF nests them; `shape`
/// says the `profile` given was not an object.
fn nest_profile_errors(problems: Problems, shape: Option<Nested>) -> Response {
    let mut top = Map::new();
    let mut nested = Map::new();
    for (field, messages) in messages::render(&problems).0 {
        let v = json!(messages);
        if PROFILE_FIELDS.contains(&field.as_str()) {
            nested.insert(field, v);
        } else {
            top.insert(field, v);
        }
    }
    let shape = shape.map(|s| match s {
        Nested::Null => json!([messages::words("profile", &Code::Null)]),
        Nested::NotAnObject(kind) => json!({ NON_FIELD: [messages::words(NON_FIELD, &Code::NotAnObject(kind))] }),
    });
    if let Some(shape) = shape {
        top.insert("profile".into(), shape);
    } else if !nested.is_empty() {
        top.insert("profile".into(), Value::Object(nested));
    }
    (StatusCode::BAD_REQUEST, Json(Value::Object(top))).into_response()
}

/// PUT and PATCH, from JSON, a URL-encoded form or a multipart form (the
/// user-profile guide's way: `profile.avatar` as a file part).
async fn update(state: AppState, authed: Authed, mut p: Payload, partial: bool) -> Result<Json<Value>, Response> {
    let username = if partial { p.optional("username") } else { Some(p.required("username")) };
    let first_name = p.optional("first_name");
    let last_name = p.optional("last_name");
    let (nested, shape) = match p.object("profile") {
        Ok(nested) => (nested, None),
        Err(shape) => (None, Some(shape)),
    };
    let mut input = ProfileInput { username, first_name, last_name, ..Default::default() };
    let mut errors = p.into_errors();
    if let Some(mut profile) = nested {
        input.company_name = profile.optional("company_name");
        input.phone_number = profile.optional("phone_number");
        input.bio = profile.optional("bio");
        input.avatar = profile.file("avatar").map(|b| b.to_vec());
        errors.merge(profile.into_errors());
    }
    if !errors.is_empty() || shape.is_some() {
        return Err(nest_profile_errors(errors, shape));
    }
    match state.engine.update_profile(authed.user, input).await {
        Ok(user) => body(&state, &user).await.map(Json).map_err(IntoResponse::into_response),
        Err(FlowError::Invalid(errors)) => Err(nest_profile_errors(errors, None)),
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

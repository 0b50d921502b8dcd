//! The profile schema in the JSON doors: the nested `profile` object of a
//! user (values as the schema's kinds render, pictures as absolute URLs),
//! the values an update or a sign-up sends, and DRF's nesting of the
//! profile's field errors under `profile`.

use super::payload::{Nested, Payload};
use crate::state::AppState;
use app::core::codes::{Code, Problems};
use app::core::flows::profile::{Images, ProfileValues};
use app::dialects::dj_rest_auth as messages;
use app::shared::errors::NON_FIELD;
use app::shared::profile::{FieldKind, FieldSpec, ProfileView};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// The `profile` object: every field of the schema, pictures absolute.
pub fn to_json(state: &AppState, profile: &ProfileView) -> Value {
    json_of(state, profile, |_| true)
}

/// A directory entry's `profile`: the public fields only.
pub fn public_json(state: &AppState, profile: &ProfileView) -> Value {
    json_of(state, profile, |f| f.public)
}

fn json_of(state: &AppState, profile: &ProfileView, shown: impl Fn(&FieldSpec) -> bool) -> Value {
    let base = &state.engine.config().public_url;
    let mut out = Map::new();
    for spec in state.engine.config().profile.fields().iter().filter(|f| shown(f)) {
        let value = profile.values.get(&spec.name).cloned().unwrap_or(Value::Null);
        let value = match (spec.kind, value) {
            (FieldKind::Image, Value::String(path)) => Value::String(format!("{base}{path}")),
            (_, v) => v,
        };
        out.insert(spec.name.clone(), value);
    }
    Value::Object(out)
}

/// What an update's `profile` object carries: values by field, and files
/// for the image fields (multipart `profile.<field>` parts).
pub fn read_update(state: &AppState, profile: &Payload) -> (ProfileValues, Images) {
    let mut values = Vec::new();
    let mut images = Vec::new();
    for spec in state.engine.config().profile.fields() {
        if spec.kind == FieldKind::Image {
            if let Some(bytes) = profile.file(&spec.name) {
                images.push((spec.name.clone(), bytes.to_vec()));
            }
        } else if let Some(v) = profile.raw(&spec.name) {
            values.push((spec.name.clone(), v.clone()));
        }
    }
    (values, images)
}

/// The sign-up fields, read from the top level of a registration body (as
/// the dj-rest-auth article's custom register serializer takes them).
pub fn read_signup(state: &AppState, p: &Payload) -> ProfileValues {
    state
        .engine
        .config()
        .profile
        .signup_fields()
        .filter_map(|f| p.raw(&f.name).map(|v| (f.name.clone(), v.clone())))
        .collect()
}

/// How a door words its errors.
pub type Render = fn(&Problems) -> app::shared::errors::FieldErrors;

/// Moves the profile's field errors under `"profile"`, as DRF nests them,
/// in the door's words (`render`); `shape` says the `profile` given was not
/// an object.
pub fn nest_errors(state: &AppState, render: Render, problems: Problems, shape: Option<Nested>) -> Response {
    let schema = &state.engine.config().profile;
    let mut top = Map::new();
    let mut nested = Map::new();
    for (field, words) in render(&problems).0 {
        let v = json!(words);
        if schema.get(&field).is_some() {
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

/// djoser and django-rest-registration show and take a nested `profile`
/// only when the deployment defines its own fields (their bodies stay as
/// the packages' with the built-in schema). `Some` when an update carries
/// a `profile` object.
///
/// # Errors
/// `profile` is not an object.
pub fn custom_update(
    state: &AppState,
    p: &mut Payload,
) -> Result<Option<app::core::flows::profile::ProfileInput>, Nested> {
    if !state.engine.config().profile.is_custom() {
        return Ok(None);
    }
    let Some(nested) = p.object("profile")? else { return Ok(None) };
    let (profile, images) = read_update(state, &nested);
    Ok(Some(app::core::flows::profile::ProfileInput { profile, images, ..Default::default() }))
}

/// A door's user `body` as the deployment shapes it: without `username`
/// for email-only accounts, with the `profile` of a custom schema.
///
/// # Errors
/// Database failures.
pub async fn with_profile(
    state: &AppState,
    user: &app::core::entities::user::Model,
    mut body: Value,
) -> Result<Value, super::error::ApiError> {
    hide_username(state, &mut body);
    if state.engine.config().profile.is_custom() {
        let account = state.engine.account(user).await?;
        if let Value::Object(map) = &mut body {
            map.insert("profile".into(), to_json(state, &account.profile));
        }
    }
    Ok(body)
}

/// Email-only accounts (`LATCHKEY_USERNAME=none`) show no `username`.
pub fn hide_username(state: &AppState, body: &mut Value) {
    if state.engine.config().username == app::core::config::UsernameMode::None {
        if let Value::Object(map) = body {
            map.remove("username");
        }
    }
}

/// The address a sign-up body carries: required unless the deployment
/// allows accounts without one (`LATCHKEY_EMAIL_REQUIRED=false`).
pub fn signup_email(state: &AppState, p: &mut Payload) -> String {
    if state.engine.config().email_required {
        p.required("email")
    } else {
        p.optional("email").unwrap_or_default()
    }
}

/// The username a sign-up body carries: required unless the deployment
/// makes one from the address.
pub fn signup_username(state: &AppState, p: &mut Payload) -> String {
    match state.engine.config().username {
        app::core::config::UsernameMode::Required => p.required("username"),
        _ => p.optional("username").unwrap_or_default(),
    }
}

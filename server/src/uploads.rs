//! The profile page's avatar upload: a plain multipart form post (works
//! without JavaScript), translated to the engine's `set_avatar`.

use crate::state::AppState;
use app::api::session;
use app::core::FlowError;
use app::shared::forms::FormState;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

const NO_FILE: &str = "No file was submitted. Check the encoding type on the form.";

/// Reads the `avatar` part; `Err` carries the message for the field.
async fn read_avatar(multipart: Result<Multipart, MultipartRejection>, max: usize) -> Result<Vec<u8>, String> {
    let mut multipart = multipart.map_err(|_| NO_FILE.to_owned())?;
    let too_large = || app::dialects::dj_rest_auth::image_too_large(max);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("avatar") => {
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                return if bytes.is_empty() { Err(NO_FILE.to_owned()) } else { Ok(bytes.to_vec()) };
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(NO_FILE.to_owned()),
            Err(_) => return Err(too_large()),
        }
    }
}

/// The database is down (503, try again) or something else broke (500).
fn unavailable_or_error(e: FlowError) -> Response {
    use axum::http::{header, HeaderValue, StatusCode};
    let unavailable = matches!(e, FlowError::Unavailable(_));
    if !unavailable {
        tracing::error!(error = %format!("{e:#}"), "avatar upload");
    }
    let (status, text) = if unavailable {
        (StatusCode::SERVICE_UNAVAILABLE, "The service is temporarily unavailable. Please try again in a moment.")
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again.")
    };
    let mut res = (status, axum::response::Html(format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Latchkey</title></head><body><p>{text}</p></body></html>"))).into_response();
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

pub async fn avatar(
    State(state): State<AppState>,
    session: Session,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let engine = &state.engine;
    let user = match session::signed_in_user(engine, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/login?next=/profile").into_response(),
        Err(e) => return unavailable_or_error(e),
    };
    let result = match read_avatar(multipart, engine.config().avatar_max_bytes).await {
        Ok(bytes) => engine.set_avatar(&user, &bytes).await.map(|_| None),
        Err(message) => Ok(Some(message)),
    };
    let errors = match result {
        Ok(None) => return Redirect::to("/profile?notice=avatar_saved").into_response(),
        Ok(Some(message)) => app::shared::errors::FieldErrors::single("avatar", message),
        Err(FlowError::Invalid(problems)) => app::dialects::dj_rest_auth::render(&problems),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "avatar upload");
            app::shared::errors::FieldErrors::single("avatar", "The picture could not be saved. Please try again.")
        }
    };
    let state = FormState { errors, ..Default::default() };
    let sealed = serde_json::to_string(&state).map(|s| engine.seal(&s)).unwrap_or_default();
    Redirect::to(&format!("/profile?form={sealed}")).into_response()
}

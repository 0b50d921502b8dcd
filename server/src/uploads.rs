//! The profile page's picture uploads (the avatar and any other image field
//! of the profile schema): a plain multipart form post (works without
//! JavaScript), translated to the engine's `set_image`.

use crate::state::AppState;
use app::api::session;
use app::core::FlowError;
use app::shared::forms::FormState;
use app::shared::profile::FieldKind;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

const NO_FILE: &str = "No file was submitted. Check the encoding type on the form.";

/// Reads the part named `field`; `Err` carries the message for the field.
async fn read_part(
    multipart: Result<Multipart, MultipartRejection>,
    field: &str,
    max: usize,
) -> Result<Vec<u8>, String> {
    let mut multipart = multipart.map_err(|_| NO_FILE.to_owned())?;
    let too_large = || app::dialects::dj_rest_auth::image_too_large(max);
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) if part.name() == Some(field) => {
                let bytes = part.bytes().await.map_err(|_| too_large())?;
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
        tracing::error!(error = %format!("{e:#}"), "picture upload");
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

/// `POST /profile/avatar`.
pub async fn avatar(
    state: State<AppState>,
    session: Session,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    upload(state, session, "avatar", multipart).await
}

/// `POST /profile/images/{field}`.
pub async fn image(
    state: State<AppState>,
    session: Session,
    Path(field): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    upload(state, session, &field, multipart).await
}

async fn upload(
    State(state): State<AppState>,
    session: Session,
    field: &str,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let engine = &state.engine;
    let user = match session::signed_in_user(engine, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/login?next=/profile").into_response(),
        Err(e) => return unavailable_or_error(e),
    };
    if !engine.config().profile.get(field).is_some_and(|f| f.kind == FieldKind::Image && f.editable) {
        return crate::rest::not_found().await.into_response();
    }
    let result = match read_part(multipart, field, engine.config().avatar_max_bytes).await {
        Ok(bytes) => engine.set_image(&user, field, &bytes).await.map(|_| None),
        Err(message) => Ok(Some(message)),
    };
    let errors = match result {
        Ok(None) => {
            let notice = if field == "avatar" { "avatar_saved" } else { "image_saved" };
            return Redirect::to(&format!("/profile?notice={notice}")).into_response();
        }
        Ok(Some(message)) => app::shared::errors::FieldErrors::single(field, message),
        Err(FlowError::Invalid(problems)) => app::dialects::dj_rest_auth::render(&problems),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "picture upload");
            app::shared::errors::FieldErrors::single(field, "The picture could not be saved. Please try again.")
        }
    };
    let state = FormState { errors, ..Default::default() };
    let sealed = serde_json::to_string(&state).map(|s| engine.seal(&s)).unwrap_or_default();
    Redirect::to(&format!("/profile?form={sealed}")).into_response()
}

//! `registration/`, `registration/verify-email/`, `registration/resend-email/`.

use super::client::ClientOf;
use super::error::ApiResult;
use super::login::login_response;
use super::payload::Payload;
use crate::state::AppState;
use app::core::flows::signup::{SignupInput, SignupOutcome};
use app::dialects::dj_rest_auth as messages;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

pub async fn register(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> ApiResult<Response> {
    let input = SignupInput {
        username: super::profile_fields::signup_username(&state, &mut p),
        email: super::profile_fields::signup_email(&state, &mut p),
        password1: p.secret("password1"),
        password2: p.secret("password2"),
        first_name: String::new(),
        last_name: String::new(),
        profile: super::profile_fields::read_signup(&state, &p),
        client: client.clone(),
        links: None,
    };
    p.finish()?;
    match state.engine.signup(input).await? {
        SignupOutcome::VerificationSent(_) => Ok(detail(StatusCode::CREATED, messages::VERIFICATION_SENT)),
        SignupOutcome::LoggedIn(user) => login_response(&state, &session, &client, &user, StatusCode::CREATED).await,
    }
}

pub async fn verify_email(State(state): State<AppState>, mut p: Payload) -> ApiResult<Response> {
    let key = p.required("key");
    if key.is_empty() && !p.has_error("key") {
        p.error("key", app::core::codes::Code::Blank);
    }
    p.finish()?;
    state.engine.verify_email(&key).await?;
    Ok(detail(StatusCode::OK, messages::OK))
}

pub async fn resend_email(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> ApiResult<Response> {
    let email = p.required("email");
    p.finish()?;
    state.engine.resend_verification(&email, client, None).await?;
    Ok(detail(StatusCode::OK, messages::OK))
}

//! The django-rest-registration 0.9 door (`LATCHKEY_REST_REGISTRATION_PREFIX`,
//! `/api/v1/accounts` by default): the package's eleven endpoints, its
//! fields, `{"detail": ...}` answers and signed links, onto the same engine
//! flows as every other door. The words come from
//! `app::dialects::rest_registration`.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::ApiError;
use super::payload::Payload;
use super::profile_fields;
use crate::settings::RestRegistrationSettings;
use crate::state::AppState;
use app::api::sign_in::{finish_sign_in, Door, Issued};
use app::core::codes::Code;
use app::core::config::{LoginMethod, VerificationMode};
use app::core::entities::user::Model as User;
use app::core::flows::email_change::EmailChangeInput;
use app::core::flows::login::LoginInput;
use app::core::flows::password_change::PasswordChangeInput;
use app::core::flows::profile::ProfileInput;
use app::core::flows::sign_in::SignIn;
use app::core::flows::signed_links::SignedLink;
use app::core::flows::signup::{SignupInput, SignupOutcome};
use app::core::flows::Credential;
use app::core::FlowError;
use app::dialects::rest_registration as words;
use app::shared::errors::NON_FIELD;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde_json::json;
use tower_sessions::Session;

/// An error in the package's words. `validators`: the endpoint runs
/// password validators the package's way (see `words::render`).
pub struct RrError {
    inner: ApiError,
    validators: bool,
}

impl From<ApiError> for RrError {
    fn from(inner: ApiError) -> Self {
        RrError { inner, validators: false }
    }
}

impl From<FlowError> for RrError {
    fn from(e: FlowError) -> Self {
        ApiError::Flow(e).into()
    }
}

fn with_validators(e: impl Into<RrError>) -> RrError {
    RrError { validators: true, ..e.into() }
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "detail": message }))).into_response()
}

impl IntoResponse for RrError {
    fn into_response(self) -> Response {
        match self.inner {
            ApiError::Flow(FlowError::Invalid(problems)) => match words::render(&problems, self.validators) {
                Ok(fields) => (StatusCode::BAD_REQUEST, Json(fields)).into_response(),
                Err(detail) => bad_request(detail),
            },
            ApiError::Flow(FlowError::Refused(code)) => match words::detail(&code) {
                Some(detail) => bad_request(detail),
                None => bad_request(&words::words(NON_FIELD, &code)),
            },
            other => other.into_response(),
        }
    }
}

type Result<T> = std::result::Result<T, RrError>;

fn settings(state: &AppState) -> Result<&RestRegistrationSettings> {
    state.settings.rest_registration.as_ref().ok_or_else(not_found_error)
}

fn not_found_error() -> RrError {
    ApiError::detail(StatusCode::NOT_FOUND, "Not found.").into()
}

fn ok(message: &str) -> Response {
    Json(json!({ "detail": message })).into_response()
}

/// The package's default user fields (Django's `User`).
fn user_body(user: &User) -> serde_json::Value {
    json!({
        "id": user.id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
    })
}

/// A text field the package's `ModelSerializer` reads as optional.
fn optional_text(p: &mut Payload, name: &str) -> String {
    p.optional(name).unwrap_or_default()
}

/// The parts of a signed link, as posted (DRF checks their shape first).
fn signed_link(p: &mut Payload, with_email: bool) -> SignedLink {
    let user_id = p.text("user_id");
    let email = with_email.then(|| p.text("email"));
    let timestamp = p.integer("timestamp");
    let signature = p.text("signature");
    SignedLink { user_id, timestamp, signature, email }
}

/// Without the confirm setting, the new password is its own confirmation.
fn new_password(p: &mut Payload, confirm: bool) -> (secrecy::SecretString, secrecy::SecretString) {
    let password = p.secret("password");
    let again = if confirm { p.secret("password_confirm") } else { password.clone() };
    (password, again)
}

/// POST `register/`: 201 with the user; the verification email carries the
/// signed link.
async fn register(State(state): State<AppState>, ClientOf(client): ClientOf, mut p: Payload) -> Result<Response> {
    let s = settings(&state)?;
    let username = profile_fields::signup_username(&state, &mut p);
    let (first_name, last_name) = (optional_text(&mut p, "first_name"), optional_text(&mut p, "last_name"));
    let email = p.optional("email").unwrap_or_default();
    let (password1, password2) = new_password(&mut p, s.register_password_confirm);
    let profile = super::profile_fields::read_signup(&state, &p);
    p.finish()?;
    if email.trim().is_empty() && state.engine.config().email_required {
        return Ok(bad_request("User without email cannot be verified"));
    }
    let input = SignupInput {
        username,
        email,
        password1,
        password2,
        first_name,
        last_name,
        profile,
        client,
        links: Some(s.links.clone()),
    };
    let user = match state.engine.signup(input).await.map_err(with_validators)? {
        SignupOutcome::VerificationSent(user) | SignupOutcome::LoggedIn(user) => user,
    };
    let body = profile_fields::with_profile(&state, &user, user_body(&user)).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// POST `verify-registration/`: `user_id`, `timestamp`, `signature`.
async fn verify_registration(State(state): State<AppState>, mut p: Payload) -> Result<Response> {
    settings(&state)?;
    if state.engine.config().verification == VerificationMode::None {
        return Err(not_found_error());
    }
    let link = signed_link(&mut p, false);
    p.finish()?;
    state.engine.verify_registration(&link).await?;
    Ok(ok(words::VERIFIED))
}

/// POST `send-reset-password-link/`: `login` (or `email`, with the
/// package's setting); the same answer whoever it names.
async fn send_reset_password_link(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> Result<Response> {
    let s = settings(&state)?;
    let links = s.links.clone();
    if s.reset_link_use_email {
        let email = p.text("email");
        p.finish()?;
        state.engine.request_password_reset(&email, client, Some(links)).await?;
    } else {
        let login = p.text("login");
        p.finish()?;
        state.engine.request_password_reset_by_login(&login, client, links).await?;
    }
    Ok(ok(words::RESET_LINK_SENT))
}

/// POST `reset-password/`: the signed link's parts and `password`
/// (`password_confirm` with the package's setting).
async fn reset_password(State(state): State<AppState>, ClientOf(client): ClientOf, mut p: Payload) -> Result<Response> {
    let confirm = settings(&state)?.reset_password_confirm;
    let link = signed_link(&mut p, false);
    let (password, again) = new_password(&mut p, confirm);
    p.finish()?;
    state.engine.reset_password_signed(&link, password, again, client).await.map_err(with_validators)?;
    Ok(ok(words::RESET_DONE))
}

/// POST `login/`: `login`, `password`; `{"detail", "token"}` and a session
/// (a new token for each sign-in).
async fn login(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> Result<Response> {
    settings(&state)?;
    let login = p.text("login");
    let password = p.secret("password");
    p.finish()?;
    let (username, email) = match state.engine.config().login_method {
        LoginMethod::Email => (None, Some(login)),
        LoginMethod::Username | LoginMethod::UsernameEmail => (Some(login), None),
    };
    let user = match state.engine.login(LoginInput { username, email, password, client: client.clone() }).await {
        Ok(SignIn::Done(user)) => user,
        Ok(SignIn::SecondFactorRequired(_)) => return Err(FlowError::Refused(Code::SecondFactorElsewhere).into()),
        // one answer for every failure, as the package gives
        Err(FlowError::Invalid(_)) => return Err(FlowError::Refused(Code::InvalidCredentials).into()),
        Err(e) => return Err(e.into()),
    };
    match finish_sign_in(&state.engine, &session, &user, &client, Door::SessionAndToken).await? {
        Issued::Token(key) => Ok(Json(json!({ "detail": words::LOGIN_OK, "token": key })).into_response()),
        _ => Err(ApiError::from(anyhow::anyhow!("the login door issued something else")).into()),
    }
}

/// POST `logout/`: ends the browser session; `revoke_token` also ends the
/// token the request came with (or, from a browser session, the account's
/// tokens: the package's one token per user).
async fn logout(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    session: Session,
    mut p: Payload,
) -> Result<Response> {
    settings(&state)?;
    let revoke = p.boolean("revoke_token", false);
    p.finish()?;
    state.engine.record_sign_out(authed.user.id, &client).await?;
    session.flush().await.map_err(|e| ApiError::from(anyhow::Error::from(e)))?;
    if revoke {
        match authed.credential {
            Credential::Token(id) => state.engine.revoke_token(authed.user.id, id).await?,
            Credential::Jwt(family) => state.engine.revoke_family(&family).await?,
            Credential::Session(_) | Credential::None => state.engine.revoke_all_tokens(authed.user.id).await?,
        }
    }
    Ok(ok(words::LOGOUT_OK))
}

/// GET `profile/`.
async fn profile(State(state): State<AppState>, authed: Authed) -> Result<Json<serde_json::Value>> {
    settings(&state)?;
    Ok(Json(profile_fields::with_profile(&state, &authed.user, user_body(&authed.user)).await?))
}

/// POST/PUT `profile/` (`username` required) and PATCH (nothing required):
/// `id` and `email` are read-only, as in the package.
async fn profile_update(state: &AppState, authed: Authed, mut p: Payload, partial: bool) -> Result<Response> {
    settings(state)?;
    let usernames = state.engine.config().username != app::core::config::UsernameMode::None;
    let username = if partial || !usernames { p.optional("username") } else { Some(p.required("username")) };
    let (first_name, last_name) = (p.optional("first_name"), p.optional("last_name"));
    let nested = match profile_fields::custom_update(state, &mut p) {
        Ok(nested) => nested.map(|n| ProfileInput { full: !partial, ..n }),
        Err(shape) => return Ok(profile_fields::nest_errors(state, rr_words, p.into_errors(), Some(shape))),
    };
    let with_profile = nested.is_some();
    let input = ProfileInput { username, first_name, last_name, ..nested.unwrap_or_default() };
    p.finish()?;
    let user = match state.engine.update_profile(authed.user, input).await {
        Ok(user) => user,
        Err(FlowError::Invalid(problems)) if with_profile => {
            return Ok(profile_fields::nest_errors(state, rr_words, problems, None))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(profile_fields::with_profile(state, &user, user_body(&user)).await?).into_response())
}

/// The package's words for a profile update's errors (a whole-answer
/// `detail` cannot come from one).
fn rr_words(problems: &app::core::codes::Problems) -> app::shared::errors::FieldErrors {
    words::render(problems, false).unwrap_or_else(app::shared::errors::FieldErrors::non_field)
}

async fn profile_put(State(state): State<AppState>, authed: Authed, p: Payload) -> Result<Response> {
    profile_update(&state, authed, p, false).await
}

async fn profile_patch(State(state): State<AppState>, authed: Authed, p: Payload) -> Result<Response> {
    profile_update(&state, authed, p, true).await
}

/// POST `change-password/`: `old_password`, `password` (`password_confirm`
/// with the package's setting, on by default).
async fn change_password(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    session: Session,
    mut p: Payload,
) -> Result<Response> {
    let confirm = settings(&state)?.change_password_confirm;
    let old = p.secret("old_password");
    let (password, again) = new_password(&mut p, confirm);
    p.finish()?;
    let input = PasswordChangeInput {
        old_password: Some(old),
        new_password1: password,
        new_password2: again,
        always_check_old: true,
    };
    let epoch = state.engine.change_password(&authed.user, input, &authed.credential, &client).await?;
    authed.keep_session(&session, epoch).await?;
    Ok(ok(words::PASSWORD_CHANGED))
}

/// POST `register-email/`: `email`; the link goes to the new address (an
/// address another account holds gets a notice instead, and the answer is
/// the same). `password` is checked when given, and required with
/// `LATCHKEY_REST_REGISTRATION_REGISTER_EMAIL_PASSWORD_REQUIRED`.
async fn register_email(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    mut p: Payload,
) -> Result<Response> {
    let s = settings(&state)?;
    let new_email = p.text("email");
    let password = if s.register_email_password { Some(p.secret("password")) } else { p.optional_secret("password") };
    p.finish()?;
    let input = EmailChangeInput { new_email, password, links: Some(s.links.clone()) };
    state.engine.request_email_change(&authed.user, input, client).await?;
    Ok(ok(words::EMAIL_LINK_SENT))
}

/// POST `verify-email/`: `user_id`, `email`, `timestamp`, `signature` (the
/// link is the credential: no sign-in needed).
async fn verify_email(State(state): State<AppState>, mut p: Payload) -> Result<Response> {
    settings(&state)?;
    let link = signed_link(&mut p, true);
    p.finish()?;
    state.engine.confirm_email_change_signed(&link).await?;
    Ok(ok(words::EMAIL_VERIFIED))
}

async fn not_found() -> ApiError {
    ApiError::detail(StatusCode::NOT_FOUND, "Not found.")
}

/// The package's routes, each with and without its trailing slash.
pub fn router() -> Router<AppState> {
    let signed_in = super::signed_in;
    let routes: [(&str, MethodRouter<AppState>); 10] = [
        ("/register", post(register)),
        ("/verify-registration", post(verify_registration)),
        ("/send-reset-password-link", post(send_reset_password_link)),
        ("/reset-password", post(reset_password)),
        ("/login", post(login)),
        ("/logout", signed_in(post(logout))),
        ("/profile", signed_in(get(profile).post(profile_put).put(profile_put).patch(profile_patch))),
        ("/change-password", signed_in(post(change_password))),
        ("/register-email", signed_in(post(register_email))),
        ("/verify-email", post(verify_email)),
    ];
    let mut r = Router::new();
    for (path, route) in routes {
        r = super::both(r, path, route);
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(DefaultBodyLimit::max(super::BODY_LIMIT))
}

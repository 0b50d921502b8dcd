//! The djoser 2.3 door (`LATCHKEY_DJOSER_PREFIX`, `/auth` by default):
//! djoser's paths, fields, 204-empty successes and words, onto the same
//! engine flows as every other door. Each handler reads djoser's fields,
//! calls one flow and renders the answer; the words come from
//! `app::dialects::djoser`.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::ApiError;
use super::payload::Payload;
use super::profile_fields;
use crate::settings::DjoserSettings;
use crate::state::AppState;
use app::api::sign_in::{finish_sign_in, Door, Issued};
use app::core::codes::Code;
use app::core::entities::user::Model as User;
use app::core::flows::login::LoginInput;
use app::core::flows::password_change::PasswordChangeInput;
use app::core::flows::password_reset::ResetConfirmInput;
use app::core::flows::sign_in::SignIn;
use app::core::flows::signup::{SignupInput, SignupOutcome};
use app::core::flows::Credential;
use app::core::FlowError;
use app::dialects::djoser as words;
use app::shared::errors::NON_FIELD;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde_json::json;
use tower_sessions::Session;

/// An error in djoser's words.
pub struct DjoserError(ApiError);

impl From<ApiError> for DjoserError {
    fn from(e: ApiError) -> Self {
        DjoserError(e)
    }
}

impl From<FlowError> for DjoserError {
    fn from(e: FlowError) -> Self {
        DjoserError(ApiError::Flow(e))
    }
}

impl IntoResponse for DjoserError {
    fn into_response(self) -> Response {
        match self.0 {
            ApiError::Flow(FlowError::Invalid(problems)) => {
                (StatusCode::BAD_REQUEST, Json(words::render(&problems))).into_response()
            }
            ApiError::Flow(FlowError::Refused(code)) => {
                ApiError::detail(StatusCode::BAD_REQUEST, words::words(NON_FIELD, &code)).into_response()
            }
            other => other.into_response(),
        }
    }
}

type Result<T> = std::result::Result<T, DjoserError>;

fn settings(state: &AppState) -> Result<&DjoserSettings> {
    state.settings.djoser.as_ref().ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Not found.").into())
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// djoser's `UserSerializer`: `{USERNAME_FIELD, id, REQUIRED_FIELDS...}`.
fn user_body(user: &User) -> serde_json::Value {
    json!({ "email": user.email, "id": user.id, "username": user.username })
}

/// Without the retype setting there is no second field to report on.
fn without(e: FlowError, field: &str) -> FlowError {
    match e {
        FlowError::Invalid(mut problems) => {
            problems.0.remove(field);
            if problems.is_empty() {
                FlowError::non_field(Code::InvalidValue)
            } else {
                FlowError::Invalid(problems)
            }
        }
        e => e,
    }
}

/// POST `users/`: 201 `{"email", "username", "id"}`.
async fn create(State(state): State<AppState>, ClientOf(client): ClientOf, mut p: Payload) -> Result<Response> {
    let s = settings(&state)?;
    let retype = s.user_create_password_retype;
    let username = profile_fields::signup_username(&state, &mut p);
    let email = profile_fields::signup_email(&state, &mut p);
    let password = p.secret("password");
    let again = if retype { p.secret("re_password") } else { password.clone() };
    let profile = super::profile_fields::read_signup(&state, &p);
    p.finish()?;
    let input = SignupInput {
        username,
        email,
        password1: password,
        password2: again,
        first_name: String::new(),
        last_name: String::new(),
        profile,
        client,
        links: Some(s.links.clone()),
    };
    let user = match state.engine.signup(input).await {
        Ok(SignupOutcome::VerificationSent(user) | SignupOutcome::LoggedIn(user)) => user,
        Err(e) if !retype => return Err(without(e, "password2").into()),
        Err(e) => return Err(e.into()),
    };
    let body = profile_fields::with_profile(&state, &user, user_body(&user)).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// GET `users/me/` (with the `profile` of a custom schema).
async fn me(State(state): State<AppState>, authed: Authed) -> Result<Json<serde_json::Value>> {
    Ok(Json(profile_fields::with_profile(&state, &authed.user, user_body(&authed.user)).await?))
}

/// PUT/PATCH `users/me/`: the username is read-only (djoser's `LOGIN_FIELD`);
/// an address changes only through the confirm-first email change; a custom
/// schema's `profile` may change.
async fn me_update(state: State<AppState>, authed: Authed, p: Payload) -> Result<Response> {
    me_change(state, authed, p, false).await
}

/// PUT `users/me/`: as PATCH, and a `profile` must carry its required fields.
async fn me_put(state: State<AppState>, authed: Authed, p: Payload) -> Result<Response> {
    me_change(state, authed, p, true).await
}

async fn me_change(State(state): State<AppState>, authed: Authed, mut p: Payload, full: bool) -> Result<Response> {
    let email = p.optional("email");
    let nested = match profile_fields::custom_update(&state, &mut p) {
        Ok(nested) => nested.map(|n| app::core::flows::profile::ProfileInput { full, ..n }),
        Err(shape) => return Ok(profile_fields::nest_errors(&state, words::render, p.into_errors(), Some(shape))),
    };
    p.finish()?;
    if email.is_some_and(|e| !e.trim().eq_ignore_ascii_case(&authed.user.email)) {
        return Err(FlowError::field("email", Code::EmailChangeElsewhere).into());
    }
    let user = match nested {
        Some(input) => match state.engine.update_profile(authed.user, input).await {
            Ok(user) => user,
            Err(FlowError::Invalid(problems)) => {
                return Ok(profile_fields::nest_errors(&state, words::render, problems, None))
            }
            Err(e) => return Err(e.into()),
        },
        None => authed.user,
    };
    Ok(Json(profile_fields::with_profile(&state, &user, user_body(&user)).await?).into_response())
}

/// DELETE `users/me/`: `current_password`; 204.
async fn me_delete(State(state): State<AppState>, authed: Authed, mut p: Payload) -> Result<Response> {
    let password = p.secret("current_password");
    p.finish()?;
    // djoser always checks it: an account without a password cannot pass
    if authed.user.password_hash.is_none() {
        return Err(FlowError::field("current_password", Code::PasswordWrong).into());
    }
    state.engine.delete_account(&authed.user, Some(password)).await?;
    Ok(no_content())
}

/// GET `users/`: with djoser's `HIDE_USERS` (its default), a user sees only
/// themselves.
async fn list(State(state): State<AppState>, authed: Authed) -> Json<serde_json::Value> {
    let mut body = user_body(&authed.user);
    profile_fields::hide_username(&state, &mut body);
    Json(json!([body]))
}

/// `users/{id}/`: one's own id works as `users/me/`; any other id, whether
/// or not it belongs to someone, is "Not found." (nothing says who exists).
async fn own_id(authed: &Authed, id: &str) -> Result<()> {
    if id.parse::<i32>().ok() == Some(authed.user.id) {
        Ok(())
    } else {
        Err(ApiError::detail(StatusCode::NOT_FOUND, "Not found.").into())
    }
}

async fn by_id_get(state: State<AppState>, authed: Authed, Path(id): Path<String>) -> Result<Json<serde_json::Value>> {
    own_id(&authed, &id).await?;
    me(state, authed).await
}

async fn by_id_update(state: State<AppState>, authed: Authed, Path(id): Path<String>, p: Payload) -> Result<Response> {
    own_id(&authed, &id).await?;
    me_update(state, authed, p).await
}

async fn by_id_put(state: State<AppState>, authed: Authed, Path(id): Path<String>, p: Payload) -> Result<Response> {
    own_id(&authed, &id).await?;
    me_put(state, authed, p).await
}

async fn by_id_delete(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    p: Payload,
) -> Result<Response> {
    own_id(&authed, &id).await?;
    me_delete(State(state), authed, p).await
}

/// POST `users/set_username/`: `current_password`, `new_username`
/// (`re_new_username` with the retype setting); 204.
async fn set_username(State(state): State<AppState>, authed: Authed, mut p: Payload) -> Result<Response> {
    usernames(&state)?;
    let retype = settings(&state)?.set_username_retype;
    let current = p.secret("current_password");
    let new = p.required("new_username");
    let again = if retype { Some(p.required("re_new_username")) } else { None };
    p.finish()?;
    if again.is_some_and(|a| a != new) {
        return Err(FlowError::non_field(Code::UsernameMismatch).into());
    }
    state.engine.change_username(authed.user, current, new).await.map_err(|e| rename(e, "username", "new_username"))?;
    Ok(no_content())
}

/// POST `users/reset_username/`: `email`; 204 whoever it belongs to. Off
/// (404) unless `LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL` is set.
async fn reset_username(State(state): State<AppState>, ClientOf(client): ClientOf, mut p: Payload) -> Result<Response> {
    let template = username_reset_url(&state)?;
    let email = p.required("email");
    p.finish()?;
    state.engine.request_username_reset(&email, client, template).await?;
    Ok(no_content())
}

/// POST `users/reset_username_confirm/`: `uid`, `token`, `new_username`
/// (`re_new_username` with the retype setting); 204.
async fn reset_username_confirm(State(state): State<AppState>, mut p: Payload) -> Result<Response> {
    username_reset_url(&state)?;
    let retype = settings(&state)?.username_reset_confirm_retype;
    let (uid, token, new) = (p.required("uid"), p.required("token"), p.required("new_username"));
    let again = if retype { Some(p.required("re_new_username")) } else { None };
    p.finish()?;
    if again.is_some_and(|a| a != new) {
        return Err(FlowError::non_field(Code::UsernameMismatch).into());
    }
    state.engine.confirm_username_reset(&uid, &token, new).await.map_err(|e| rename(e, "username", "new_username"))?;
    Ok(no_content())
}

/// Email-only accounts (`LATCHKEY_USERNAME=none`) have no username to set
/// or reset: those paths are "Not found.".
fn usernames(state: &AppState) -> Result<()> {
    if state.engine.config().username == app::core::config::UsernameMode::None {
        return Err(ApiError::detail(StatusCode::NOT_FOUND, "Not found.").into());
    }
    Ok(())
}

fn username_reset_url(state: &AppState) -> Result<String> {
    usernames(state)?;
    settings(state)?
        .username_reset_url
        .clone()
        .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Not found.").into())
}

/// Moves what the engine found on `from` to djoser's `to`.
fn rename(e: FlowError, from: &str, to: &str) -> FlowError {
    match e {
        FlowError::Invalid(mut problems) => {
            if let Some(codes) = problems.0.remove(from) {
                for code in codes {
                    problems.add(to, code);
                }
            }
            FlowError::Invalid(problems)
        }
        e => e,
    }
}

/// POST `users/activation/`: `uid`, `token` from the emailed link; 204.
async fn activation(State(state): State<AppState>, mut p: Payload) -> Result<Response> {
    let (uid, token) = (p.required("uid"), p.required("token"));
    p.finish()?;
    state.engine.verify_email_for(&uid, &token).await?;
    Ok(no_content())
}

/// POST `users/resend_activation/`: `email`; 204 whoever it belongs to.
async fn resend_activation(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> Result<Response> {
    let links = settings(&state)?.links.clone();
    let email = p.required("email");
    p.finish()?;
    state.engine.resend_verification(&email, client, Some(links)).await?;
    Ok(no_content())
}

/// POST `users/set_password/`: `current_password`, `new_password`
/// (`re_new_password` with the retype setting); 204.
async fn set_password(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    session: Session,
    mut p: Payload,
) -> Result<Response> {
    let retype = settings(&state)?.set_password_retype;
    let current = p.secret("current_password");
    let new = p.secret("new_password");
    let again = if retype { p.secret("re_new_password") } else { new.clone() };
    p.finish()?;
    let input = PasswordChangeInput {
        old_password: Some(current),
        new_password1: new,
        new_password2: again,
        always_check_old: true,
    };
    let epoch = state.engine.change_password(&authed.user, input, &authed.credential, &client).await;
    let epoch = epoch.map_err(|e| if retype { e } else { without_retyped(e) })?;
    authed.keep_session(&session, epoch).await?;
    Ok(no_content())
}

/// Without a retype field, what the engine found on the second copy of the
/// new password is said once, on `new_password`.
fn without_retyped(e: FlowError) -> FlowError {
    match e {
        FlowError::Invalid(mut problems) => {
            let second = problems.0.remove("new_password2").unwrap_or_default();
            if !problems.has("new_password1") {
                for code in second {
                    problems.add("new_password1", code);
                }
            }
            FlowError::Invalid(problems)
        }
        e => e,
    }
}

/// POST `users/reset_password/`: `email`; 204 whoever it belongs to.
async fn reset_password(State(state): State<AppState>, ClientOf(client): ClientOf, mut p: Payload) -> Result<Response> {
    let links = settings(&state)?.links.clone();
    let email = p.required("email");
    p.finish()?;
    state.engine.request_password_reset(&email, client, Some(links)).await?;
    Ok(no_content())
}

/// POST `users/reset_password_confirm/`: `uid`, `token`, `new_password`
/// (`re_new_password` with the retype setting); 204.
async fn reset_password_confirm(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    mut p: Payload,
) -> Result<Response> {
    let retype = settings(&state)?.password_reset_confirm_retype;
    let (uid, token, new) = (p.required("uid"), p.required("token"), p.secret("new_password"));
    let again = if retype { p.secret("re_new_password") } else { new.clone() };
    p.finish()?;
    let input = ResetConfirmInput { uid, token, new_password1: new, new_password2: again, client };
    state.engine.confirm_password_reset(input).await.map_err(|e| if retype { e } else { without_retyped(e) })?;
    Ok(no_content())
}

/// A password sign-in through a door with no second step.
async fn sign_in(state: &AppState, client: app::core::flows::throttle::Client, p: &mut Payload) -> Result<User> {
    let input = LoginInput {
        username: p.optional("username"),
        email: p.optional("email"),
        password: p.optional_secret("password").unwrap_or_else(|| secrecy::SecretString::from(String::new())),
        client,
    };
    match state.engine.login(input).await {
        Ok(SignIn::Done(user)) => Ok(user),
        Ok(SignIn::SecondFactorRequired(_)) => Err(FlowError::non_field(Code::SecondFactorElsewhere).into()),
        // djoser says one thing for every failure, an empty body included
        Err(FlowError::Invalid(_)) => Err(FlowError::non_field(Code::InvalidCredentials).into()),
        Err(e) => Err(e.into()),
    }
}

/// POST `token/login/`: `{"auth_token"}` (a new token for each sign-in).
async fn token_login(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> Result<Response> {
    let user = sign_in(&state, client.clone(), &mut p).await?;
    match finish_sign_in(&state.engine, &session, &user, &client, Door::Token).await? {
        Issued::Token(key) => Ok(Json(json!({ "auth_token": key })).into_response()),
        _ => Err(ApiError::from(anyhow::anyhow!("the token door issued something else")).into()),
    }
}

/// POST `token/logout/`: ends the credential the request came with (a
/// token, a JWT family or the browser session); 204.
async fn token_logout(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    session: Session,
) -> Result<Response> {
    state.engine.record_sign_out(authed.user.id, &client).await?;
    match authed.credential {
        Credential::Token(id) => state.engine.revoke_token(authed.user.id, id).await?,
        Credential::Jwt(family) => state.engine.revoke_family(&family).await?,
        Credential::Session(_) | Credential::None => {}
    }
    session.flush().await.map_err(|e| ApiError::from(anyhow::Error::from(e)))?;
    Ok(no_content())
}

/// POST `jwt/create/` (simplejwt's view): `{"refresh", "access"}`.
async fn jwt_create(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> Result<Response> {
    // djoser's LOGIN_FIELD: the email for a deployment that logs in by email
    let by_email = state.engine.config().login_method == app::core::config::LoginMethod::Email;
    let login = p.required(if by_email { "email" } else { "username" });
    let password = p.secret("password");
    p.finish()?;
    let (username, email) = if by_email { (None, Some(login)) } else { (Some(login), None) };
    let input = LoginInput { username, email, password, client: client.clone() };
    let user = match state.engine.login(input).await {
        Ok(SignIn::Done(user)) => user,
        Ok(SignIn::SecondFactorRequired(_)) => {
            return Err(ApiError::detail(StatusCode::UNAUTHORIZED, words::SECOND_FACTOR_ELSEWHERE).into())
        }
        Err(FlowError::Invalid(_)) => {
            return Err(ApiError::detail(StatusCode::UNAUTHORIZED, words::NO_ACTIVE_ACCOUNT).into())
        }
        Err(e) => return Err(e.into()),
    };
    match finish_sign_in(&state.engine, &session, &user, &client, Door::Jwt).await? {
        Issued::Jwt(pair) => Ok(Json(json!({ "refresh": pair.refresh, "access": pair.access })).into_response()),
        _ => Err(ApiError::from(anyhow::anyhow!("the JWT door issued something else")).into()),
    }
}

/// POST `jwt/refresh/`: `refresh`; `{"access", "refresh"}` (it rotates).
async fn jwt_refresh(State(state): State<AppState>, mut p: Payload) -> Result<Response> {
    let refresh = p.required("refresh");
    if refresh.is_empty() && !p.has_error("refresh") {
        p.error("refresh", Code::Blank);
    }
    p.finish()?;
    let pair = state.engine.refresh_jwt(&refresh).await?;
    Ok(Json(json!({ "access": pair.access, "refresh": pair.refresh })).into_response())
}

/// POST `jwt/verify/`: `token`; `{}`.
async fn jwt_verify(State(state): State<AppState>, mut p: Payload) -> Result<Response> {
    let token = p.required("token");
    if token.is_empty() && !p.has_error("token") {
        p.error("token", Code::Blank);
    }
    p.finish()?;
    state.engine.verify_jwt(&token).await?;
    Ok(Json(json!({})).into_response())
}

async fn not_found() -> ApiError {
    ApiError::detail(StatusCode::NOT_FOUND, "Not found.")
}

/// djoser's routes: `users/...` need their trailing slash (DRF's router),
/// `token/...` and `jwt/...` take it or leave it.
pub fn router() -> Router<AppState> {
    let users: [(&str, MethodRouter<AppState>); 12] = [
        ("/users/reset_username/", post(reset_username)),
        ("/users/reset_username_confirm/", post(reset_username_confirm)),
        ("/users/", post(create).get(list)),
        ("/users/{id}/", get(by_id_get).put(by_id_put).patch(by_id_update).delete(by_id_delete)),
        ("/users/set_username/", post(set_username)),
        ("/users/me/", get(me).put(me_put).patch(me_update).delete(me_delete)),
        ("/users/activation/", post(activation)),
        ("/users/resend_activation/", post(resend_activation)),
        ("/users/set_password/", post(set_password)),
        ("/users/reset_password/", post(reset_password)),
        ("/users/reset_password_confirm/", post(reset_password_confirm)),
        ("/token/logout/", post(token_logout)),
    ];
    let either: [(&str, MethodRouter<AppState>); 4] = [
        ("/token/login", post(token_login)),
        ("/jwt/create", post(jwt_create)),
        ("/jwt/refresh", post(jwt_refresh)),
        ("/jwt/verify", post(jwt_verify)),
    ];
    let mut r = Router::new();
    for (path, route) in users {
        r = r.route(path, route);
    }
    r = r.route("/token/logout", post(token_logout));
    for (path, route) in either {
        r = r.route(&format!("{path}/"), route.clone()).route(path, route);
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(DefaultBodyLimit::max(super::BODY_LIMIT))
}

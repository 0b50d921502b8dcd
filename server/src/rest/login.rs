//! `login/`, `logout/`, and the login response `registration/` shares.

use super::auth::MaybeAuthed;
use super::client::ClientOf;
use super::error::ApiResult;
use super::jwt_cookies;
use super::payload::Payload;
use crate::state::AppState;
use app::api::sign_in::{finish_sign_in, Door, Issued};
use app::core::entities::user::Model as User;
use app::core::flows::sign_in::SignIn;
use app::core::flows::throttle::Client;
use app::core::flows::{login::LoginInput, Credential};
use app::dialects::dj_rest_auth as messages;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

/// The answer to a first factor: the login response, or dj-rest-auth's
/// `{"ephemeral_token", "mfa_required": true}` when a second factor is due.
pub async fn sign_in_response(
    state: &AppState,
    session: &Session,
    client: &Client,
    sign_in: SignIn,
    status: StatusCode,
) -> ApiResult<Response> {
    match sign_in {
        SignIn::Done(user) => login_response(state, session, client, &user, status).await,
        SignIn::SecondFactorRequired(pending) => {
            Ok((StatusCode::OK, Json(json!({ "ephemeral_token": pending.ephemeral_token, "mfa_required": true })))
                .into_response())
        }
    }
}

/// Signs the user in (through the one finisher) and renders what it issued:
/// `{"key"}`, or the JWT pair with the user (and cookies when configured).
pub async fn login_response(
    state: &AppState,
    session: &Session,
    client: &Client,
    user: &User,
    status: StatusCode,
) -> ApiResult<Response> {
    let engine = &state.engine;
    Ok(match finish_sign_in(engine, session, user, client, Door::Api).await? {
        Issued::Token(key) => (status, Json(json!({ "key": key }))).into_response(),
        Issued::Jwt(pair) => {
            // dj-rest-auth blanks the refresh token when it travels in an HttpOnly cookie
            let refresh = if state.settings.jwt_cookies { String::new() } else { pair.refresh.clone() };
            let body = json!({
                "access": pair.access,
                "refresh": refresh,
                "user": super::user::body(state, user).await?,
                "access_expiration": app::core::rfc3339(pair.access_expiration),
                "refresh_expiration": app::core::rfc3339(pair.refresh_expiration),
            });
            let mut res = (status, Json(body)).into_response();
            if state.settings.jwt_cookies {
                jwt_cookies::set(res.headers_mut(), &pair, state.settings.secure_cookies(), state.engine.now());
            }
            res
        }
        Issued::Session => (status, Json(json!({}))).into_response(),
    })
}

pub async fn login(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    session: Session,
    mut p: Payload,
) -> ApiResult<Response> {
    let input = LoginInput {
        username: p.optional("username"),
        email: p.optional("email"),
        password: p.secret("password"),
        client: client.clone(),
    };
    p.finish()?;
    let sign_in = state.engine.login(input).await?;
    sign_in_response(&state, &session, &client, sign_in, StatusCode::OK).await
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientOf(client): ClientOf,
    session: Session,
    MaybeAuthed(authed): MaybeAuthed,
    mut p: Payload,
) -> ApiResult<Response> {
    let engine = &state.engine;
    if let Some(a) = &authed {
        engine.record_sign_out(a.user.id, &client).await?;
    }
    match authed.map(|a| (a.user.id, a.credential)) {
        Some((user_id, Credential::Token(id))) => engine.revoke_token(user_id, id).await?,
        Some((_, Credential::Jwt(family))) => engine.revoke_family(&family).await?,
        _ => {}
    }
    let refresh = p.optional("refresh").or_else(|| jwt_cookies::read(&headers, jwt_cookies::REFRESH));
    if let Some(family) = refresh.as_deref().and_then(|r| engine.refresh_family(r)) {
        engine.revoke_family(&family).await?;
    }
    session.flush().await.map_err(anyhow::Error::from)?;
    let mut res = Json(json!({ "detail": messages::LOGGED_OUT })).into_response();
    if state.settings.jwt_cookies {
        jwt_cookies::clear(res.headers_mut(), state.settings.secure_cookies());
    }
    Ok(res)
}

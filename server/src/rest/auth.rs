//! Who is calling: `Authorization: Token <key>`, `Authorization: Bearer
//! <jwt>`, the JWT cookie, or the browser session, in that order.

use super::error::ApiError;
use super::jwt_cookies;
use crate::state::AppState;
use app::api::session;
use app::core::entities::user::Model as User;
use app::core::flows::Credential;
use app::core::FlowError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use tower_sessions::Session;

/// A request with valid credentials.
pub struct Authed {
    pub user: User,
    pub credential: Credential,
}

impl Authed {
    /// After a change that moved the account's credential generation on to
    /// `epoch` (password change, TOTP on): a browser session that made it
    /// moves to a fresh id stamped with the new generation; a token or JWT
    /// family was restamped by the engine.
    ///
    /// # Errors
    /// Session store failures.
    /// `None`: the change signed this credential out too; a browser
    /// session is flushed.
    pub async fn keep_session(&self, session: &Session, epoch: Option<i32>) -> Result<(), ApiError> {
        if matches!(self.credential, Credential::Session(_)) {
            match epoch {
                Some(epoch) => session::restamp(session, epoch).await?,
                None => session.flush().await.map_err(|e| ApiError::from(anyhow::anyhow!("session flush: {e}")))?,
            }
        }
        Ok(())
    }
}

/// A request that may or may not carry valid credentials.
pub struct MaybeAuthed(pub Option<Authed>);

/// Reads may use the engine's short-lived token cache; writes never do.
async fn by_header(value: &str, state: &AppState, read_only: bool) -> Option<Result<Authed, ApiError>> {
    let (scheme, credentials) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let credentials = credentials.trim();
    let engine = &state.engine;
    match scheme.to_ascii_lowercase().as_str() {
        "token" => Some(if credentials.is_empty() {
            Err(ApiError::detail(StatusCode::UNAUTHORIZED, "Invalid token header. No credentials provided."))
        } else if credentials.contains(' ') {
            Err(ApiError::detail(
                StatusCode::UNAUTHORIZED,
                "Invalid token header. Token string should not contain spaces.",
            ))
        } else {
            let found = if read_only {
                engine.authenticate_token_for_read(credentials).await
            } else {
                engine.authenticate_token(credentials).await
            };
            match found {
                Ok((user, id)) => Ok(Authed { user, credential: Credential::Token(id) }),
                Err(FlowError::Unauthenticated) => Err(ApiError::invalid_token()),
                Err(e) => Err(e.into()),
            }
        }),
        "bearer" => Some(
            if read_only {
                engine.authenticate_access_for_read(credentials).await
            } else {
                engine.authenticate_access(credentials).await
            }
            .map(|(user, sid)| Authed { user, credential: Credential::Jwt(sid) })
            .map_err(ApiError::from),
        ),
        _ => None,
    }
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Option<Authed>, ApiError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| ApiError::invalid_token())?.to_owned();
        let read_only = parts.method == Method::GET || parts.method == Method::HEAD;
        if let Some(result) = by_header(&value, state, read_only).await {
            return result.map(Some);
        }
    }
    if state.settings.jwt_cookies {
        if let Some(access) = jwt_cookies::read(&parts.headers, jwt_cookies::ACCESS) {
            let (user, sid) = state.engine.authenticate_access(&access).await?;
            return Ok(Some(Authed { user, credential: Credential::Jwt(sid) }));
        }
    }
    let Ok(session) = Session::from_request_parts(parts, state).await else {
        return Ok(None);
    };
    let Some(user) = session::signed_in_user(&state.engine, &session).await? else {
        return Ok(None);
    };
    let key = session::stored_key(&state.engine, &session).unwrap_or_default();
    Ok(Some(Authed { user, credential: Credential::Session(key) }))
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await?.ok_or_else(ApiError::not_authenticated)
    }
}

impl FromRequestParts<AppState> for MaybeAuthed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(a) => Ok(MaybeAuthed(a)),
            Err(e @ ApiError::Flow(FlowError::Unexpected(_) | FlowError::Unavailable(_))) => Err(e),
            Err(_) => Ok(MaybeAuthed(None)),
        }
    }
}

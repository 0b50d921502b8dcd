//! The one function that turns a finished sign-in into what a front door
//! issues, whatever proved who the user is (password, social login, a
//! second factor; registration's auto-login too): the browser session under
//! a fresh id (no fixation) stamped with the credential generation, and,
//! for API clients, an opaque token or a JWT pair. Also where pages keep a
//! sign-in that waits for its second factor: in the session, as the stored
//! form of its ephemeral token.

use crate::core::config::AuthMode;
use crate::core::entities::user::Model as User;
use crate::core::flows::auth::JwtPair;
use crate::core::flows::sign_in::PendingSignIn;
use crate::core::{Engine, FlowError};
use tower_sessions::Session;

/// Which front door the sign-in came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    /// The JSON API: a session, and the configured token kind.
    Api,
    /// The pages: the session alone.
    Page,
    /// An API door that always hands out an opaque token and no session
    /// (djoser's `token/login/`).
    Token,
    /// An API door that always hands out a JWT pair and no session
    /// (djoser's `jwt/create/`).
    Jwt,
    /// An API door that starts a session and hands out an opaque token
    /// (django-rest-registration's `login/`).
    SessionAndToken,
}

/// What a finished sign-in issued besides the session.
pub enum Issued {
    Session,
    Token(String),
    Jwt(JwtPair),
}

/// Signs `user` in through `door`.
///
/// # Errors
/// Session store or database failures.
pub async fn finish_sign_in(
    engine: &Engine,
    session: &Session,
    user: &User,
    client: &crate::core::flows::throttle::Client,
    door: Door,
) -> Result<Issued, FlowError> {
    if matches!(door, Door::Api | Door::Page | Door::SessionAndToken) {
        super::session::sign_in(session, user, client).await.map_err(FlowError::Unexpected)?;
        let store = |e: tower_sessions::session::Error| FlowError::Unexpected(e.into());
        session.remove::<String>(PENDING_KEY).await.map_err(store)?;
        session.remove::<String>(NEXT_KEY).await.map_err(store)?;
    }
    Ok(match (door, engine.config().auth_mode) {
        (Door::Page, _) => Issued::Session,
        (Door::Token | Door::SessionAndToken, _) => Issued::Token(engine.issue_token(user, client).await?),
        (Door::Jwt, _) => Issued::Jwt(engine.issue_jwt(user, client).await?),
        (Door::Api, AuthMode::Token) => Issued::Token(engine.issue_token(user, client).await?),
        (Door::Api, AuthMode::Jwt) => Issued::Jwt(engine.issue_jwt(user, client).await?),
    })
}

/// Session key of a page sign-in waiting for its second factor (the stored
/// form of the ephemeral token, never the token itself).
const PENDING_KEY: &str = "_mfa_pending";
/// Where to go once it is complete.
const NEXT_KEY: &str = "_mfa_next";

/// Remembers a pending sign-in in the browser session.
///
/// # Errors
/// Session store failures.
pub async fn remember_pending(
    engine: &Engine,
    session: &Session,
    pending: &PendingSignIn,
    next: &str,
) -> Result<(), FlowError> {
    let store = |e: tower_sessions::session::Error| FlowError::Unexpected(e.into());
    session.insert(PENDING_KEY, engine.pending_key(&pending.ephemeral_token)).await.map_err(store)?;
    session.insert(NEXT_KEY, next.to_owned()).await.map_err(store)?;
    Ok(())
}

/// The stored form of the pending sign-in's token, and where to go after.
///
/// # Errors
/// `Unavailable` when the session store cannot be read.
pub async fn pending(session: &Session) -> Result<Option<(String, String)>, FlowError> {
    let read = |e: tower_sessions::session::Error| FlowError::Unavailable(e.to_string());
    let key: Option<String> = session.get(PENDING_KEY).await.map_err(read)?;
    let next: Option<String> = session.get(NEXT_KEY).await.map_err(read)?;
    Ok(key.map(|k| (k, next.unwrap_or_else(|| crate::shared::routes::PROFILE.to_owned()))))
}

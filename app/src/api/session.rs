//! The browser session as both front doors use it: who is signed in, signing
//! in (with a fresh id, no fixation) and out.

use crate::core::{entities::user::Model as User, Engine, FlowError};
use tower_sessions::Session;

/// Session key holding the signed-in user's id.
pub const USER_KEY: &str = "_auth_user_id";
/// Session key holding the browser's User-Agent at sign-in (for the sessions list).
pub const AGENT_KEY: &str = "_user_agent";
/// Session key holding the client address at sign-in (for the devices list).
pub const IP_KEY: &str = "_ip";
/// Session key holding the user's credential generation at sign-in: a
/// password change or reset moves the user's on, and the session dies.
pub const EPOCH_KEY: &str = "_auth_epoch";

/// Signs `user` into the browser session under a fresh id (no fixation).
///
/// # Errors
/// Store failures.
/// Only `api::sign_in::finish_sign_in` calls this: every sign-in ends there.
pub(crate) async fn sign_in(
    session: &Session,
    user: &User,
    client: &crate::core::flows::throttle::Client,
) -> anyhow::Result<()> {
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    session.insert(EPOCH_KEY, user.auth_epoch).await?;
    if let Some(ua) = &client.user_agent {
        session.insert(AGENT_KEY, ua.chars().take(255).collect::<String>()).await?;
    }
    if let Some(ip) = client.ip {
        session.insert(IP_KEY, ip.to_string()).await?;
    }
    session.save().await?;
    Ok(())
}

/// The signed-in user's id, if any.
///
/// # Errors
/// `Unavailable` when the session store cannot be read: a request must not
/// be treated as signed out because the database is down.
pub async fn user_id(session: &Session) -> Result<Option<i32>, FlowError> {
    session.get::<i32>(USER_KEY).await.map_err(|e| {
        tracing::warn!(error = %e, "session store unreadable");
        FlowError::Unavailable(e.to_string())
    })
}

/// The active user this session is signed in as: `None` when nobody is, or
/// when the session belongs to an earlier credential generation (it was
/// issued by a sign-in that raced with a password change).
///
/// # Errors
/// `Unavailable` when the session store or the database cannot be read.
pub async fn signed_in_user(engine: &Engine, session: &Session) -> Result<Option<User>, FlowError> {
    let Some(id) = user_id(session).await? else { return Ok(None) };
    let Some(user) = engine.active_user(id).await? else { return Ok(None) };
    let epoch = session.get::<i32>(EPOCH_KEY).await.map_err(|e| FlowError::Unavailable(e.to_string()))?;
    Ok((epoch.unwrap_or(0) == user.auth_epoch).then_some(user))
}

/// After this session changed the password: it stays signed in, under a
/// fresh id (a copy of the old cookie is worth nothing) and the new
/// credential generation.
///
/// # Errors
/// Store failures.
pub async fn restamp(session: &Session, epoch: i32) -> anyhow::Result<()> {
    session.cycle_id().await?;
    session.insert(EPOCH_KEY, epoch).await?;
    Ok(())
}

/// The stored key of this session, to spare it when revoking the others.
pub fn stored_key(engine: &Engine, session: &Session) -> Option<String> {
    session.id().map(|id| engine.session_key(&id.to_string()))
}

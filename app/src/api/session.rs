//! The browser session as both front doors use it: who is signed in, signing
//! in (with a fresh id, no fixation) and out.

use crate::core::{entities::user::Model as User, Engine, FlowError};
use tower_sessions::Session;

/// Session key holding the signed-in user's id.
pub const USER_KEY: &str = "_auth_user_id";
/// Session key holding the browser's User-Agent at sign-in (for the sessions list).
pub const AGENT_KEY: &str = "_user_agent";

/// Signs `user` into the browser session under a fresh id (no fixation).
///
/// # Errors
/// Store failures.
pub async fn sign_in(session: &Session, user: &User, user_agent: Option<&str>) -> anyhow::Result<()> {
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    if let Some(ua) = user_agent {
        session.insert(AGENT_KEY, ua.chars().take(255).collect::<String>()).await?;
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

/// The stored key of this session, to spare it when revoking the others.
pub fn stored_key(engine: &Engine, session: &Session) -> Option<String> {
    session.id().map(|id| engine.session_key(&id.to_string()))
}

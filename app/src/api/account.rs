//! Who is signed in, and the form state a no-JavaScript post left behind.

use crate::shared::forms::FormState;
use crate::shared::user::{AccountView, ActivityItem, SessionView};
use leptos::prelude::*;

/// The signed-in account, or `None`.
#[server(prefix = "/fn", endpoint = "account")]
pub async fn current_account() -> Result<Option<AccountView>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    match forms::current_user(&engine).await? {
        Some((user, _)) => Ok(Some(engine.account(&user).await.map_err(forms::failure)?)),
        None => Ok(None),
    }
}

/// Unseals the `form=` query parameter of a page (see `forms::finish`).
#[server(prefix = "/fn", endpoint = "form_state")]
pub async fn load_form_state(sealed: String) -> Result<Option<FormState>, ServerFnError> {
    Ok(super::forms::unseal_state(&sealed))
}

/// The signed-in user's recent security events, newest first.
#[server(prefix = "/fn", endpoint = "activity")]
pub async fn my_activity() -> Result<Vec<ActivityItem>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    engine.own_activity(user.id, None, 50).await.map_err(forms::failure)
}

/// The signed-in user's browser sessions.
#[server(prefix = "/fn", endpoint = "sessions")]
pub async fn my_sessions() -> Result<Vec<SessionView>, ServerFnError> {
    use super::{forms, session};
    let engine = forms::engine()?;
    let (user, session) = forms::require_user(&engine).await?;
    let current = session::stored_key(&engine, &session);
    engine.list_sessions(user.id, current.as_deref()).await.map_err(forms::failure)
}

/// Ends every other browser session of the signed-in user.
#[server(prefix = "/fn", endpoint = "logout_others")]
pub async fn logout_other_sessions() -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    let engine = forms::engine()?;
    let (user, session) = forms::require_user(&engine).await?;
    let current = session::stored_key(&engine, &session).unwrap_or_default();
    let client = forms::client(&engine).await;
    let result = engine.logout_other_sessions(user.id, &current, Some(&client)).await;
    forms::finish(result, &[], "/sessions?notice=sessions_ended")
}

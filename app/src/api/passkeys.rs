//! Passkeys for the pages: the profile's list, rename and delete (plain
//! forms, no JavaScript needed), and finishing a sign-in the browser's
//! ceremony began (`public/passkeys.js` runs the ceremony against the JSON
//! API and hands the assertion here, so the page gets a browser session and
//! no API token).

use crate::shared::forms::FormState;
use crate::shared::user::{PasskeySignInView, PasskeysView};
use leptos::prelude::*;

/// The signed-in user's passkeys, newest first.
#[server(prefix = "/fn", endpoint = "passkeys")]
pub async fn passkeys() -> Result<PasskeysView, ServerFnError> {
    use super::forms;
    use crate::shared::user::PasskeyItem;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let list = engine.passkeys(user.id).await.map_err(forms::failure)?;
    Ok(PasskeysView {
        on: engine.passkeys_on(),
        list: list
            .into_iter()
            .map(|p| PasskeyItem {
                id: p.id,
                name: p.name,
                created_at: crate::core::rfc3339(p.created_at),
                last_used_at: p.last_used_at.map(crate::core::rfc3339),
            })
            .collect(),
    })
}

/// Whether passkeys work on this site (a relying party needs a host name).
#[server(prefix = "/fn", endpoint = "passkeys_on")]
pub async fn passkeys_on() -> Result<bool, ServerFnError> {
    Ok(super::forms::engine()?.passkeys_on())
}

#[server(prefix = "/fn", endpoint = "rename_passkey")]
pub async fn rename_passkey(id: i32, name: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let result = engine.rename_passkey(user.id, id, &name).await.map(|_| ());
    forms::finish(result, &[("name", name.as_str())], "/profile?notice=passkey_renamed")
}

#[server(prefix = "/fn", endpoint = "delete_passkey")]
pub async fn delete_passkey(id: i32) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let result = engine.delete_passkey(&user, id, &client).await;
    forms::finish(result, &[], "/profile?notice=passkey_removed")
}

/// Signs the browser in with the assertion for `session_id` (from
/// `/api/auth/passkeys/login/begin/`): a session, and where to go next (a
/// local path only).
#[server(prefix = "/fn", endpoint = "passkey_sign_in")]
pub async fn passkey_sign_in(
    session_id: String,
    credential: String,
    next: Option<String>,
) -> Result<PasskeySignInView, ServerFnError> {
    use super::forms;
    use super::sign_in::{finish_sign_in, Door};
    use crate::core::codes::Code;
    use crate::core::FlowError;
    use crate::dialects::dj_rest_auth;
    use crate::shared::errors::NON_FIELD;
    let engine = forms::engine()?;
    let client = forms::client(&engine).await;
    let session = forms::session().await?;
    // from the second-step page: where the password sign-in was going
    let pending_next = super::sign_in::pending(&session).await.ok().flatten().map(|(_, n)| n);
    let public = &engine.config().public_url;
    let next = next
        .filter(|n| !n.is_empty())
        .or(pending_next)
        .and_then(|n| crate::core::redirect::safe_next(&n, public))
        .unwrap_or_else(|| crate::shared::routes::PROFILE.into());
    let result = async {
        let credential: serde_json::Value =
            serde_json::from_str(&credential).map_err(|_| FlowError::non_field(Code::PasskeyCredentialFormat))?;
        if !crate::core::factors::passkey::is_session_id(session_id.trim()) {
            return Err(FlowError::non_field(Code::PasskeyChallengeExpired));
        }
        let user = engine.complete_passkey_login(session_id.trim(), &credential, &client).await?;
        let client = forms::client(&engine).await;
        finish_sign_in(&engine, &session, &user, &client, Door::Page).await.map(|_| ())
    }
    .await;
    let error = match result {
        Ok(()) => return Ok(PasskeySignInView { location: Some(next), error: None }),
        Err(FlowError::Invalid(p)) => {
            dj_rest_auth::render(&p).0.into_values().flatten().next().unwrap_or_else(|| "Invalid input.".into())
        }
        Err(FlowError::Refused(code)) => dj_rest_auth::words(NON_FIELD, &code),
        Err(FlowError::Throttled(secs)) => dj_rest_auth::throttled(secs),
        Err(FlowError::Unavailable(_)) => {
            "The service is temporarily unavailable. Please try again in a moment.".into()
        }
        Err(e) => return Err(forms::unexpected(e)),
    };
    Ok(PasskeySignInView { location: None, error: Some(error) })
}

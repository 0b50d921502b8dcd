//! Forgot, reset and change password for the pages.

use crate::shared::forms::FormState;
use leptos::prelude::*;

#[server(prefix = "/fn", endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let result = engine.request_password_reset(&email, forms::client(&engine).await, None).await;
    forms::finish(result, &[("email", email.as_str())], "/password-reset?notice=reset_sent")
}

/// Whether a reset link is still good (the page shows the form only then).
#[server(prefix = "/fn", endpoint = "check_reset_link")]
pub async fn check_reset_link(uid: String, token: String) -> Result<bool, ServerFnError> {
    use super::forms;
    use crate::core::FlowError;
    let engine = forms::engine()?;
    match engine.check_reset_link(&uid, &token).await {
        Ok(_) => Ok(true),
        Err(FlowError::Invalid(_) | FlowError::NotFound) => Ok(false),
        Err(e) => Err(forms::failure(e)),
    }
}

#[server(prefix = "/fn", endpoint = "reset_password")]
pub async fn reset_password(
    uid: String,
    token: String,
    new_password1: String,
    new_password2: String,
) -> Result<FormState, ServerFnError> {
    use super::forms;
    use crate::core::flows::password_reset::ResetConfirmInput;
    use secrecy::SecretString;
    let engine = forms::engine()?;
    let input = ResetConfirmInput {
        uid,
        token,
        new_password1: SecretString::from(new_password1),
        new_password2: SecretString::from(new_password2),
        client: forms::client(&engine).await,
    };
    let result = engine.confirm_password_reset(input).await;
    forms::finish(result, &[], "/login?notice=password_reset")
}

#[server(prefix = "/fn", endpoint = "change_password")]
pub async fn change_password(
    old_password: String,
    new_password1: String,
    new_password2: String,
) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::flows::password_change::PasswordChangeInput;
    use crate::core::flows::Credential;
    use secrecy::SecretString;
    let engine = forms::engine()?;
    let (user, session) = forms::require_user(&engine).await?;
    let keep = Credential::Session(session::stored_key(&engine, &session).unwrap_or_default());
    let input = PasswordChangeInput {
        old_password: Some(SecretString::from(old_password)),
        new_password1: SecretString::from(new_password1),
        new_password2: SecretString::from(new_password2),
        always_check_old: true,
    };
    let client = forms::client(&engine).await;
    match engine.change_password(&user, input, &keep, &client).await {
        Ok(Some(epoch)) => {
            let result = session::restamp(&session, epoch).await.map_err(crate::core::FlowError::Unexpected);
            forms::finish(result, &[], "/profile?notice=password_changed")
        }
        // the deployment signs this session out too
        Ok(None) => {
            let result = session.flush().await.map_err(|e| crate::core::FlowError::Unexpected(anyhow::anyhow!("{e}")));
            forms::finish(result, &[], "/login?notice=password_changed_signed_out")
        }
        Err(e) => forms::finish(Err(e), &[], ""),
    }
}

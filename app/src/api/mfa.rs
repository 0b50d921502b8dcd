//! Two-factor authentication for the pages: state, turning TOTP on (QR code
//! and secret, then a code), recovery codes, turning it off.

use crate::shared::forms::FormState;
use crate::shared::user::{MfaView, TotpSetupView};
use leptos::prelude::*;

/// The signed-in user's two-factor state.
#[server(prefix = "/fn", endpoint = "mfa_status")]
pub async fn mfa_status() -> Result<MfaView, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let s = engine.mfa_status(user.id).await.map_err(forms::failure)?;
    Ok(MfaView {
        enabled: s.enabled,
        created_at: s.created_at.map(crate::core::rfc3339),
        last_used_at: s.last_used_at.map(crate::core::rfc3339),
    })
}

/// The secret to set up TOTP with: the one `activation_token` carries when
/// it is still live (a wrong code must not change the secret the app
/// holds), else a new one. Nothing is stored before the code.
#[server(prefix = "/fn", endpoint = "begin_totp")]
pub async fn begin_totp(activation_token: Option<String>) -> Result<TotpSetupView, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    if engine.mfa_status(user.id).await.map_err(forms::failure)?.enabled {
        return Ok(TotpSetupView { already_enabled: true, ..Default::default() });
    }
    let resumed = activation_token.and_then(|t| engine.resume_totp(&user, &t));
    let e = match resumed {
        Some(e) => e,
        None => engine.begin_totp(&user).map_err(forms::failure)?,
    };
    Ok(TotpSetupView {
        already_enabled: false,
        secret: e.secret,
        qr_svg: e.qr_svg,
        activation_token: e.activation_token,
    })
}

/// Session key of recovery codes just made, shown once (sealed, ten minutes).
#[cfg(feature = "ssr")]
pub const FRESH_CODES_KEY: &str = "_fresh_recovery_codes";

/// Keeps codes just made in the session, for the page that shows them once.
#[cfg(feature = "ssr")]
async fn stash(
    engine: &crate::core::Engine,
    session: &tower_sessions::Session,
    user_id: i32,
    codes: &[String],
) -> Result<(), crate::core::FlowError> {
    let sealed = engine.seal_fresh_codes(user_id, codes)?;
    session.insert(FRESH_CODES_KEY, sealed).await.map_err(|e| crate::core::FlowError::Unexpected(e.into()))
}

/// Turns TOTP on from the page: the password again, and a code.
#[server(prefix = "/fn", endpoint = "confirm_totp")]
pub async fn confirm_totp(
    activation_token: String,
    code: String,
    password: String,
) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::flows::Credential;
    use crate::core::{codes::Code, FlowError};
    let engine = forms::engine()?;
    let (user, web) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let values = [("activation_token", activation_token.as_str())];
    let result = async {
        if !engine.check_current_password(&user, secrecy::SecretString::from(password)).await? {
            return Err(FlowError::field("password", Code::PasswordWrong));
        }
        let keep = Credential::Session(session::stored_key(&engine, &web).unwrap_or_default());
        let (codes, epoch) = engine.confirm_totp(&user, &activation_token, &code, &keep, &client).await?;
        session::restamp(&web, epoch).await.map_err(FlowError::Unexpected)?;
        stash(&engine, &web, user.id, &codes).await
    }
    .await;
    forms::finish(result, &values, "/profile/two-factor/codes?notice=totp_enabled")
}

/// The recovery codes just made (shown once: for ten minutes after they
/// were made, in this browser).
#[server(prefix = "/fn", endpoint = "recovery_codes")]
pub async fn recovery_codes() -> Result<Vec<String>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, web) = forms::require_user(&engine).await?;
    let sealed: Option<String> = web.get(FRESH_CODES_KEY).await.ok().flatten();
    Ok(sealed.and_then(|s| engine.open_fresh_codes(user.id, &s)).unwrap_or_default())
}

/// New recovery codes from the page, with a code from the app.
#[server(prefix = "/fn", endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes(code: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, web) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let result = async {
        engine.confirm_with_totp(&user, &code).await?;
        let codes = engine.regenerate_recovery_codes(&user, &client).await?;
        stash(&engine, &web, user.id, &codes).await
    }
    .await;
    forms::finish(result, &[], "/profile/two-factor/codes?notice=codes_regenerated")
}

#[server(prefix = "/fn", endpoint = "turn_off_totp")]
pub async fn turn_off_totp(code: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let result = engine.deactivate_totp(&user, &code, &client).await;
    forms::finish(result, &[], "/profile?notice=totp_disabled")
}

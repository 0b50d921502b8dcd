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

/// A new secret to set up TOTP with (nothing is stored before the code).
#[server(prefix = "/fn", endpoint = "begin_totp")]
pub async fn begin_totp() -> Result<TotpSetupView, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    if engine.mfa_status(user.id).await.map_err(forms::failure)?.enabled {
        return Ok(TotpSetupView { already_enabled: true, ..Default::default() });
    }
    let e = engine.begin_totp(&user).map_err(forms::failure)?;
    Ok(TotpSetupView {
        already_enabled: false,
        secret: e.secret,
        qr_svg: e.qr_svg,
        activation_token: e.activation_token,
    })
}

#[server(prefix = "/fn", endpoint = "confirm_totp")]
pub async fn confirm_totp(activation_token: String, code: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let result = engine.confirm_totp(&user, &activation_token, &code, &client).await.map(|_| ());
    forms::finish(result, &[], "/profile/two-factor/codes?notice=totp_enabled")
}

/// The signed-in user's unused recovery codes.
#[server(prefix = "/fn", endpoint = "recovery_codes")]
pub async fn recovery_codes() -> Result<Vec<String>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    engine.unused_recovery_codes(user.id).await.map_err(forms::failure)
}

#[server(prefix = "/fn", endpoint = "regenerate_recovery_codes")]
pub async fn regenerate_recovery_codes() -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let result = engine.regenerate_recovery_codes(&user, &client).await.map(|_| ());
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

//! Social providers and connected accounts for the pages.

use crate::shared::forms::FormState;
use crate::shared::user::{ProviderView, SocialAccountView};
use leptos::prelude::*;

/// The configured providers, for "Continue with ..." buttons.
#[server(prefix = "/fn", endpoint = "social_providers")]
pub async fn social_providers() -> Result<Vec<ProviderView>, ServerFnError> {
    let engine = super::forms::engine()?;
    Ok(engine.providers().names().into_iter().map(|(id, name)| ProviderView { id, name }).collect())
}

/// The signed-in user's connected accounts.
#[server(prefix = "/fn", endpoint = "social_accounts")]
pub async fn my_social_accounts() -> Result<Vec<SocialAccountView>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    engine.social_accounts(user.id).await.map_err(forms::failure)
}

#[server(prefix = "/fn", endpoint = "social_disconnect")]
pub async fn disconnect_social(id: i32) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let result = engine.social_disconnect(&user, id, Some(&client)).await.map(|_| ());
    forms::finish(result, &[], "/profile?notice=social_disconnected")
}

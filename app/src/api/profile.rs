//! Profile details and email change for the pages.

use crate::shared::forms::FormState;
use leptos::prelude::*;

#[server(prefix = "/fn", endpoint = "update_profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    company_name: String,
    phone_number: String,
    bio: String,
) -> Result<FormState, ServerFnError> {
    use super::forms;
    use crate::core::flows::profile::ProfileInput;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let values = [
        ("first_name", first_name.as_str()),
        ("last_name", last_name.as_str()),
        ("company_name", company_name.as_str()),
        ("phone_number", phone_number.as_str()),
        ("bio", bio.as_str()),
    ];
    let input = ProfileInput {
        username: None,
        first_name: Some(first_name.clone()),
        last_name: Some(last_name.clone()),
        company_name: Some(company_name.clone()),
        phone_number: Some(phone_number.clone()),
        bio: Some(bio.clone()),
        avatar: None,
    };
    let result = engine.update_profile(user, input).await.map(|_| ());
    forms::finish(result, &values, "/profile?notice=profile_saved")
}

#[server(prefix = "/fn", endpoint = "change_email")]
pub async fn change_email(new_email: String, password: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    use crate::core::flows::email_change::EmailChangeInput;
    use secrecy::SecretString;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let input =
        EmailChangeInput { new_email: new_email.clone(), password: Some(SecretString::from(password)), links: None };
    let result = engine.request_email_change(&user, input, forms::client(&engine).await).await;
    forms::finish(result, &[("new_email", new_email.as_str())], "/profile?notice=email_change_sent")
}

/// Confirms an email change (a form post from the link's page, never the
/// GET of the link itself).
#[server(prefix = "/fn", endpoint = "confirm_email_change")]
pub async fn confirm_email_change(key: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let result = engine.confirm_email_change(&key).await.map(|_| ());
    forms::finish(result, &[], "/?notice=email_changed")
}

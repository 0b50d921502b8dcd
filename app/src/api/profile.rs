//! Profile details and email change for the pages.

use crate::shared::forms::FormState;
use leptos::prelude::*;

/// A form's `profile[<field>]` values for the schema's fields (`signup`:
/// those asked at sign-up, else the editable ones) as the engine takes
/// them, and as text to refill the form. A checkbox left unticked sends
/// nothing: false.
#[cfg(feature = "ssr")]
pub(crate) fn from_form(
    engine: &crate::core::Engine,
    form: &std::collections::HashMap<String, String>,
    signup: bool,
) -> (crate::core::flows::profile::ProfileValues, Vec<(String, String)>) {
    use crate::shared::profile::FieldKind;
    use serde_json::Value;
    let mut given = Vec::new();
    let mut shown = Vec::new();
    for spec in engine.config().profile.fields() {
        let asked = if signup { spec.signup } else { spec.editable };
        if !asked || spec.kind == FieldKind::Image {
            continue;
        }
        let raw = match (spec.kind, form.get(&spec.name)) {
            (FieldKind::Boolean, v) => Value::Bool(v.is_some_and(|v| v == "true" || v == "on")),
            (_, Some(v)) => Value::String(v.clone()),
            (_, None) => continue,
        };
        shown.push((spec.name.clone(), raw.as_str().map_or_else(|| raw.to_string(), str::to_owned)));
        given.push((spec.name.clone(), raw));
    }
    (given, shown)
}

/// The profile form: the names, and the schema's editable fields as
/// `profile[<field>]`.
#[server(prefix = "/fn", endpoint = "update_profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    profile: Option<std::collections::HashMap<String, String>>,
) -> Result<FormState, ServerFnError> {
    use super::forms;
    use crate::core::flows::profile::ProfileInput;
    let engine = forms::engine()?;
    let (user, _) = forms::require_user(&engine).await?;
    let (given, shown) = from_form(&engine, &profile.unwrap_or_default(), false);
    let mut values = vec![("first_name".to_owned(), first_name.clone()), ("last_name".to_owned(), last_name.clone())];
    values.extend(shown);
    let input =
        ProfileInput { first_name: Some(first_name), last_name: Some(last_name), profile: given, ..Default::default() };
    let result = engine.update_profile(user, input).await.map(|_| ());
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
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

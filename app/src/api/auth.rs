//! Sign-up, log-in, log-out and email verification for the pages.

use crate::shared::forms::FormState;
use leptos::prelude::*;

/// The sign-up form; `username` is absent for email-only accounts, and
/// the schema's sign-up fields come as `profile[<field>]`.
#[server(prefix = "/fn", endpoint = "signup")]
pub async fn signup(
    username: Option<String>,
    email: String,
    password1: String,
    password2: String,
    profile: Option<std::collections::HashMap<String, String>>,
) -> Result<FormState, ServerFnError> {
    use super::forms;
    use super::sign_in::{finish_sign_in, Door};
    use crate::core::flows::signup::{SignupInput, SignupOutcome};
    use secrecy::SecretString;
    let engine = forms::engine()?;
    let username = username.unwrap_or_default();
    let (given, shown) = super::profile::from_form(&engine, &profile.unwrap_or_default(), true);
    let input = SignupInput {
        username: username.clone(),
        email: email.clone(),
        password1: SecretString::from(password1),
        password2: SecretString::from(password2),
        first_name: String::new(),
        last_name: String::new(),
        profile: given,
        client: forms::client(&engine).await,
        links: None,
    };
    let mut values = vec![("username", username.as_str()), ("email", email.as_str())];
    values.extend(shown.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match engine.signup(input).await {
        Ok(SignupOutcome::VerificationSent(_)) => {
            forms::finish(Ok(()), &values, "/verify-email?notice=verification_sent")
        }
        Ok(SignupOutcome::LoggedIn(user)) => {
            let session = forms::session().await?;
            let client = forms::client(&engine).await;
            let done = finish_sign_in(&engine, &session, &user, &client, Door::Page).await.map(|_| ());
            forms::finish(done, &values, "/profile")
        }
        Err(e) => forms::finish(Err(e), &values, ""),
    }
}

#[server(prefix = "/fn", endpoint = "login")]
pub async fn login(login: String, password: String, next: Option<String>) -> Result<FormState, ServerFnError> {
    use super::forms;
    use super::sign_in::{finish_sign_in, remember_pending, Door};
    use crate::core::config::LoginMethod;
    use crate::core::flows::login::LoginInput;
    use crate::core::flows::sign_in::SignIn;
    use crate::shared::routes;
    use secrecy::SecretString;
    let engine = forms::engine()?;
    let by_email = engine.config().login_method == LoginMethod::Email;
    let input = LoginInput {
        username: (!by_email).then(|| login.clone()),
        email: by_email.then(|| login.clone()),
        password: SecretString::from(password),
        client: forms::client(&engine).await,
    };
    let public = &engine.config().public_url;
    let next =
        next.and_then(|n| crate::core::redirect::safe_next(&n, public)).unwrap_or_else(|| routes::PROFILE.into());
    let values = [("login", login.as_str())];
    let session = forms::session().await?;
    match engine.login(input).await {
        Ok(SignIn::Done(user)) => {
            let client = forms::client(&engine).await;
            let done = finish_sign_in(&engine, &session, &user, &client, Door::Page).await.map(|_| ());
            forms::finish(done, &values, &next)
        }
        Ok(SignIn::SecondFactorRequired(pending)) => {
            let kept = remember_pending(&engine, &session, &pending, &next).await;
            forms::finish(kept, &values, routes::LOGIN_VERIFY)
        }
        Err(e) => forms::finish(Err(e), &values, ""),
    }
}

/// The second step of a sign-in: a TOTP or recovery code for the sign-in
/// kept in this browser's session.
#[server(prefix = "/fn", endpoint = "verify_sign_in")]
pub async fn verify_sign_in(code: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    use super::sign_in::{finish_sign_in, pending, Door};
    use crate::core::FlowError;
    let engine = forms::engine()?;
    let session = forms::session().await?;
    let Some((key, next)) = pending(&session).await.map_err(forms::failure)? else {
        return forms::finish(Err(FlowError::non_field(crate::core::codes::Code::SignInExpired)), &[], "");
    };
    let result = match engine.complete_sign_in(&key, &code, forms::client(&engine).await).await {
        Ok(user) => {
            let client = forms::client(&engine).await;
            finish_sign_in(&engine, &session, &user, &client, Door::Page).await.map(|_| ())
        }
        Err(FlowError::Invalid(errors)) if errors.has("ephemeral_token") => {
            Err(FlowError::non_field(crate::core::codes::Code::SignInExpired))
        }
        Err(e) => Err(e),
    };
    forms::finish(result, &[], &next)
}

#[server(prefix = "/fn", endpoint = "logout")]
pub async fn logout() -> Result<FormState, ServerFnError> {
    use super::forms;
    let session = forms::session().await?;
    let engine = forms::engine()?;
    if let Some(user_id) = super::session::user_id(&session).await.map_err(forms::failure)? {
        engine.record_sign_out(user_id, &forms::client(&engine).await).await.map_err(forms::failure)?;
    }
    session.flush().await.map_err(|e| forms::unexpected(anyhow::Error::from(e)))?;
    forms::finish(Ok(()), &[], "/login?notice=logged_out")
}

#[server(prefix = "/fn", endpoint = "resend_verification")]
pub async fn resend_verification(email: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let result = engine.resend_verification(&email, forms::client(&engine).await, None).await;
    forms::finish(result, &[("email", email.as_str())], "/verify-email?notice=verification_sent")
}

/// Confirms the address a verification link was sent to. Only a form post
/// does this: the link's page (a GET, which mail scanners and previews
/// follow on their own) just shows the button.
#[server(prefix = "/fn", endpoint = "verify_email")]
pub async fn verify_email(key: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let result = engine.verify_email(&key).await.map(|_| ());
    forms::finish(result, &[], "/login?notice=verified")
}

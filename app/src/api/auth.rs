//! Sign-up, log-in, log-out and email verification for the pages.

use crate::shared::forms::FormState;
use leptos::prelude::*;

#[server(prefix = "/fn", endpoint = "signup")]
pub async fn signup(
    username: String,
    email: String,
    password1: String,
    password2: String,
) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::flows::signup::{SignupInput, SignupOutcome};
    use secrecy::SecretString;
    let engine = forms::engine()?;
    let input = SignupInput {
        username: username.clone(),
        email: email.clone(),
        password1: SecretString::from(password1),
        password2: SecretString::from(password2),
        client: forms::client(&engine).await,
    };
    let values = [("username", username.as_str()), ("email", email.as_str())];
    match engine.signup(input).await {
        Ok(SignupOutcome::VerificationSent(_)) => {
            forms::finish(Ok(()), &values, "/verify-email?notice=verification_sent")
        }
        Ok(SignupOutcome::LoggedIn(user)) => {
            let session = forms::session().await?;
            let agent = forms::header(axum::http::header::USER_AGENT);
            session::sign_in(&session, &user, agent.as_deref()).await.map_err(forms::failure)?;
            forms::finish(Ok(()), &values, "/profile")
        }
        Err(e) => forms::finish(Err(e), &values, ""),
    }
}

#[server(prefix = "/fn", endpoint = "login")]
pub async fn login(login: String, password: String, next: Option<String>) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::config::LoginMethod;
    use crate::core::flows::login::LoginInput;
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
    match engine.login(input).await {
        Ok(user) => {
            let session = forms::session().await?;
            let agent = forms::header(axum::http::header::USER_AGENT);
            session::sign_in(&session, &user, agent.as_deref()).await.map_err(forms::failure)?;
            forms::finish(Ok(()), &values, &next)
        }
        Err(e) => forms::finish(Err(e), &values, ""),
    }
}

#[server(prefix = "/fn", endpoint = "logout")]
pub async fn logout() -> Result<FormState, ServerFnError> {
    use super::forms;
    let session = forms::session().await?;
    session.flush().await.map_err(|e| forms::unexpected(anyhow::Error::from(e)))?;
    forms::finish(Ok(()), &[], "/login?notice=logged_out")
}

#[server(prefix = "/fn", endpoint = "resend_verification")]
pub async fn resend_verification(email: String) -> Result<FormState, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let result = engine.resend_verification(&email, forms::client(&engine).await).await;
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

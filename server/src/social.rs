//! The browser side of social login: `/accounts/{provider}/login` sends the
//! browser to the provider with state, PKCE and nonce kept in the session;
//! the callback checks them, and signs in or connects. Failures get a 400
//! page that says what happened, never a 5xx.

use crate::rest::client::ClientOf;
use crate::state::AppState;
use app::api::session as web_session;
use app::api::sign_in::{finish_sign_in, remember_pending, Door};
use app::core::flows::sign_in::SignIn;
use app::core::html::escape;
use app::core::oauth::PendingLogin;
use app::core::FlowError;
use app::shared::routes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const PENDING_KEY: &str = "_oauth_pending";

#[derive(Serialize, Deserialize)]
struct Pending {
    login: PendingLogin,
    connect: bool,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct StartQuery {
    process: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A small 400 page explaining a failed social login; it runs no script.
fn failure(message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Social login failed · Latchkey</title><link rel=\"stylesheet\" href=\"/pkg/latchkey.css\"></head>\
         <body><main class=\"container\"><section class=\"card\"><h1>Social login failed</h1>\
         <p class=\"errors\" data-testid=\"social-error\">{}</p><p><a class=\"button\" href=\"{}\">Back to log in</a></p>\
         </section></main></body></html>",
        escape(message),
        escape(routes::LOGIN)
    );
    let mut res = (StatusCode::BAD_REQUEST, Html(body)).into_response();
    res.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(crate::headers::STATIC_PAGE_CSP));
    res
}

fn flow_failure(e: FlowError) -> Response {
    match e {
        FlowError::Invalid(problems) => {
            let rendered = app::dialects::dj_rest_auth::render(&problems);
            let mut text = rendered.0.values().flatten().cloned().collect::<Vec<_>>().join(" ");
            if problems.get(app::shared::errors::NON_FIELD) == [app::core::codes::Code::EmailRegistered] {
                text.push_str(
                    " If it is yours, log in with your password and connect this provider from your profile \
                     (forgot it? use \"Forgot your password?\").",
                );
            }
            failure(&text)
        }
        FlowError::NotFound => failure("This login provider is not configured."),
        FlowError::Unavailable(_) => {
            let mut res = failure("The service is temporarily unavailable. Please try again in a moment.");
            *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            res
        }
        other => {
            tracing::error!(error = %format!("{other:#}"), "social login");
            failure("Something went wrong on our side. Please try again.")
        }
    }
}

pub async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(q): Query<StartQuery>,
    session: Session,
) -> Response {
    let engine = &state.engine;
    let redirect_uri = engine.config().social_callback_url(&provider);
    let (url, login) = match engine.providers().start(&provider, &redirect_uri).await {
        Ok(found) => found,
        Err(e) => return flow_failure(e.into()),
    };
    let pending = Pending {
        login,
        connect: q.process.as_deref() == Some("connect"),
        next: q.next.and_then(|n| app::core::redirect::safe_next(&n, &engine.config().public_url)),
    };
    if session.insert(PENDING_KEY, pending).await.is_err() {
        return failure("Your session could not be saved. Are cookies enabled?");
    }
    Redirect::to(&url).into_response()
}

pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    ClientOf(client): ClientOf,
    Query(q): Query<CallbackQuery>,
    session: Session,
) -> Response {
    let engine = &state.engine;
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending.filter(|p| p.login.provider == provider) else {
        return failure("This login attempt has expired or was started elsewhere. Please start again.");
    };
    let same_state = q
        .state
        .as_deref()
        .is_some_and(|s| bool::from(subtle::ConstantTimeEq::ct_eq(s.as_bytes(), pending.login.state.as_bytes())));
    if !same_state {
        return failure("The login could not be verified (state mismatch). Please start again.");
    }
    if let Some(error) = q.error {
        // the provider's words are not shown: a crafted link must not put text on our pages
        tracing::info!(%error, description = q.error_description.as_deref().unwrap_or(""), "provider refused a login");
        return failure("The provider did not let you in. Please start again.");
    }
    let Some(code) = q.code else { return failure("The provider sent no authorization code.") };
    let redirect_uri = engine.config().social_callback_url(&provider);
    let identity = match engine
        .providers()
        .exchange(&provider, &code, &redirect_uri, Some(&pending.login.verifier), Some(&pending.login.nonce))
        .await
    {
        Ok(i) => i,
        Err(e) => return flow_failure(e.into()),
    };
    if pending.connect {
        let user = match web_session::signed_in_user(engine, &session).await {
            Ok(found) => found,
            Err(e) => return flow_failure(e),
        };
        let Some(user) = user else { return failure("Log in first, then connect the account from your profile.") };
        return match engine.social_connect(&user, &provider, identity, &client).await {
            Ok(_) => Redirect::to("/profile?notice=social_connected").into_response(),
            Err(e) => flow_failure(e),
        };
    }
    let next = pending.next.as_deref().unwrap_or(routes::PROFILE);
    match engine.social_login(&provider, identity, &client).await {
        Ok(SignIn::Done(user)) => match finish_sign_in(engine, &session, &user, &client, Door::Page).await {
            Ok(_) => Redirect::to(next).into_response(),
            Err(e) => flow_failure(e),
        },
        Ok(SignIn::SecondFactorRequired(waiting)) => match remember_pending(engine, &session, &waiting, next).await {
            Ok(()) => Redirect::to(routes::LOGIN_VERIFY).into_response(),
            Err(e) => flow_failure(e),
        },
        Err(e) => flow_failure(e),
    }
}

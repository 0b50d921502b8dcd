//! Server-side plumbing shared by every server function: reaching the engine
//! and the session, and answering a form submission the way the caller needs
//! (JSON for the hydrated page, a redirect for a plain HTML form post).

use crate::core::entities::user::Model as User;
use crate::core::{Engine, FlowError};
use crate::dialects::dj_rest_auth;
use crate::shared::errors::{FieldErrors, NON_FIELD};
use crate::shared::forms::FormState;
use crate::shared::routes;
use axum::http::request::Parts;
use axum::http::{header, Method};
use leptos::prelude::*;
use tower_sessions::Session;

pub fn engine() -> Result<Engine, ServerFnError> {
    use_context::<Engine>().ok_or_else(|| ServerFnError::new("engine missing from context"))
}

pub async fn session() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>().await.map_err(|e| ServerFnError::new(format!("session: {e}")))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn header(name: header::HeaderName) -> Option<String> {
    parts().and_then(|p| p.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// Who is asking (for rate limits).
pub async fn client(engine: &Engine) -> crate::core::flows::throttle::Client {
    use axum::extract::ConnectInfo;
    let peer = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await.ok().map(|c| c.0.ip());
    let headers = parts().map(|p| p.headers).unwrap_or_default();
    super::client::client(peer, &headers, &engine.config().trusted_proxies)
}

/// The signed-in user, if any.
pub async fn current_user(engine: &Engine) -> Result<Option<(User, Session)>, ServerFnError> {
    let session = session().await?;
    let user = super::session::signed_in_user(engine, &session).await.map_err(failure)?;
    Ok(user.map(|u| (u, session)))
}

/// The signed-in user, or a redirect to the login page.
pub async fn require_user(engine: &Engine) -> Result<(User, Session), ServerFnError> {
    match current_user(engine).await? {
        Some(found) => Ok(found),
        None => {
            leptos_axum::redirect(routes::LOGIN);
            Err(ServerFnError::new("Authentication credentials were not provided."))
        }
    }
}

/// What the message of a server function's error says when the database
/// cannot be reached (pages show a "try again" notice for it).
pub const UNAVAILABLE: &str = "unavailable";

/// A failure while reading state for a page: the database being down is
/// "try again" (and the page answers 503), anything else a server error.
pub fn failure(e: impl Into<FlowError>) -> ServerFnError {
    match e.into() {
        FlowError::Unavailable(_) => {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
                res.insert_header(header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
            }
            ServerFnError::new(UNAVAILABLE)
        }
        other => unexpected(other),
    }
}

pub fn unexpected(e: impl Into<FlowError>) -> ServerFnError {
    let e: FlowError = e.into();
    tracing::error!(error = %format!("{e:#}"), "unexpected error in a page");
    ServerFnError::new("A server error occurred.")
}

/// A plain HTML form post (no JavaScript): the browser wants a page back.
fn plain_form_post() -> bool {
    parts().is_some_and(|p| {
        p.method == Method::POST
            && p.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// Path and query of the page that posted the form, without an old
/// `form=`; home when the `Referer` is missing or not a local path.
fn referer_path() -> String {
    let Ok(engine) = engine() else { return routes::HOME.to_owned() };
    let public = &engine.config().public_url;
    let Some(path) = header(header::REFERER).and_then(|r| crate::core::redirect::local_path(&r, public)) else {
        return routes::HOME.to_owned();
    };
    let path = path.split('#').next().unwrap_or_default();
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("form=")).collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// Answers a form submission: on success, redirect to `success`; on invalid
/// input, the errors (and the non-secret `values`) go back to the page,
/// either as the server function's result or, for a plain form post, sealed
/// into the URL of the page the form came from.
pub fn finish(
    result: Result<(), FlowError>,
    values: &[(&str, &str)],
    success: &str,
) -> Result<FormState, ServerFnError> {
    let errors = match result {
        Ok(()) => {
            leptos_axum::redirect(success);
            return Ok(FormState::default());
        }
        Err(FlowError::Invalid(problems)) => dj_rest_auth::render(&problems),
        Err(FlowError::NotFound) => FieldErrors::non_field("This link is invalid or has expired."),
        Err(FlowError::Refused(code) | FlowError::Forbidden(code)) => {
            FieldErrors::non_field(dj_rest_auth::words(NON_FIELD, &code))
        }
        Err(FlowError::Unavailable(_)) => {
            FieldErrors::non_field("The service is temporarily unavailable. Please try again in a moment.")
        }
        Err(FlowError::Throttled(secs)) => FieldErrors::non_field(dj_rest_auth::throttled(secs)),
        Err(FlowError::Unauthenticated | FlowError::TokenInvalid) => {
            leptos_axum::redirect(routes::LOGIN);
            return Ok(FormState::default());
        }
        Err(e @ FlowError::Unexpected(_)) => return Err(unexpected(e)),
    };
    let state = FormState { errors, values: values.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() };
    if plain_form_post() {
        let engine = engine()?;
        let sealed = engine.seal(&serde_json::to_string(&state).map_err(unexpected_json)?);
        let back = referer_path();
        let sep = if back.contains('?') { '&' } else { '?' };
        leptos_axum::redirect(&format!("{back}{sep}form={sealed}"));
    }
    Ok(state)
}

fn unexpected_json(e: serde_json::Error) -> ServerFnError {
    unexpected(anyhow::Error::from(e))
}

/// The form state sealed into a URL by [`finish`], if genuine and recent.
pub fn unseal_state(sealed: &str) -> Option<FormState> {
    let engine = engine().ok()?;
    serde_json::from_str(&engine.unseal(sealed)?).ok()
}

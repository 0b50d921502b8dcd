//! Cross-site request forgery guard for everything a cookie authenticates
//! (pages' forms, server functions, and API calls riding the session or JWT
//! cookies). Together with SameSite=Lax cookies: a state-changing request
//! that carries our cookies must come from our own origin. Requests
//! authenticated by an `Authorization` header are not affected.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

const AUTH_COOKIES: [&str; 3] = ["latchkey_session=", "latchkey-auth=", "latchkey-refresh="];

fn origin_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host_len = rest.find('/').unwrap_or(rest.len());
    &url[..url.len() - rest.len() + host_len]
}

fn carries_auth_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| AUTH_COOKIES.iter().any(|name| c.contains(name)))
}

/// Why the request is refused, if it is.
pub fn verdict(method: &Method, headers: &HeaderMap, public_url: &str) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE) || !carries_auth_cookie(headers)
    {
        return None;
    }
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if get(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return Some("CSRF Failed: cross-site request.".into());
    }
    let origin = get(header::ORIGIN)?;
    let same_host = get(header::HOST).is_some_and(|host| origin.split_once("://").map(|(_, h)| h) == Some(host));
    if origin == origin_of(public_url) || same_host {
        None
    } else {
        Some(format!("CSRF Failed: Origin checking failed - {origin} does not match any trusted origins."))
    }
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match verdict(req.method(), req.headers(), &state.settings.engine.public_url) {
        Some(reason) => {
            tracing::warn!(%reason, path = %req.uri().path(), "refused a cross-site request");
            (StatusCode::FORBIDDEN, Json(json!({ "detail": reason }))).into_response()
        }
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    const PUBLIC: &str = "https://id.example";

    #[test]
    fn cookie_writes_need_our_origin() {
        let cookie = ("cookie", "latchkey_session=abc");
        assert!(verdict(&Method::POST, &headers(&[cookie, ("origin", "https://evil.example")]), PUBLIC).is_some());
        assert!(verdict(&Method::POST, &headers(&[cookie, ("sec-fetch-site", "cross-site")]), PUBLIC).is_some());
        assert!(verdict(&Method::POST, &headers(&[cookie, ("origin", "https://id.example")]), PUBLIC).is_none());
        assert!(verdict(
            &Method::POST,
            &headers(&[cookie, ("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]),
            PUBLIC
        )
        .is_none());
        assert!(verdict(&Method::POST, &headers(&[cookie]), PUBLIC).is_none(), "non-browser clients send no Origin");
    }

    #[test]
    fn reads_and_header_auth_pass() {
        let evil = ("origin", "https://evil.example");
        assert!(verdict(&Method::GET, &headers(&[("cookie", "latchkey_session=abc"), evil]), PUBLIC).is_none());
        assert!(verdict(&Method::POST, &headers(&[evil]), PUBLIC).is_none(), "no cookie, nothing to forge");
    }
}

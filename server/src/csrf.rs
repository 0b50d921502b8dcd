//! Cross-site request forgery guard. A browser names where a request comes
//! from (`Origin`, and `Sec-Fetch-Site`); every state-changing request a
//! browser sends from another site is refused, whether or not it carries our
//! cookies yet, so a cross-site form can neither act as a signed-in user nor
//! sign the browser into an account of the attacker's (login CSRF: `/fn/login`,
//! `login/`, `registration/`, social login). Clients that are not browsers
//! send neither header and are not affected. Together with SameSite=Lax
//! cookies.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `scheme://host[:port]` of a URL, as browsers serialise an origin.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Why the request is refused, if it is. `trusted` are the origins allowed
/// to post (the public URL's, and any configured front-end's).
pub fn verdict(method: &Method, headers: &HeaderMap, trusted: &[String]) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE) {
        return None;
    }
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match get("origin") {
        Some(origin) => {
            let ours = trusted.iter().any(|t| t == origin);
            // a browser on the host it asked for (a local install reached by another name)
            let same_host = get("host").is_some_and(|host| {
                origin_of(origin).is_some_and(|o| o.split_once("://").map(|(_, h)| h) == Some(host))
            });
            if ours || same_host {
                None
            } else {
                Some(format!("CSRF Failed: Origin checking failed - {origin} does not match any trusted origins."))
            }
        }
        None => match get("sec-fetch-site") {
            Some("cross-site" | "same-site") => Some("CSRF Failed: cross-site request.".into()),
            _ => None,
        },
    }
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match verdict(req.method(), req.headers(), &state.settings.trusted_origins) {
        Some(reason) => {
            tracing::warn!(%reason, path = %req.uri().path(), "refused a cross-site request");
            let mut res = (StatusCode::FORBIDDEN, Json(json!({ "detail": reason }))).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            res
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

    fn trusted() -> Vec<String> {
        vec!["https://id.example".to_owned()]
    }

    #[test]
    fn browser_writes_need_our_origin_with_or_without_cookies() {
        let t = trusted();
        for extra in [None, Some(("cookie", "latchkey_session=abc"))] {
            let with = |pairs: &[(&'static str, &'static str)]| {
                let mut all = pairs.to_vec();
                all.extend(extra);
                headers(&all)
            };
            assert!(verdict(&Method::POST, &with(&[("origin", "https://evil.example")]), &t).is_some());
            assert!(verdict(&Method::POST, &with(&[("origin", "null")]), &t).is_some());
            assert!(verdict(&Method::POST, &with(&[("sec-fetch-site", "cross-site")]), &t).is_some());
            assert!(verdict(&Method::POST, &with(&[("sec-fetch-site", "same-site")]), &t).is_some());
            assert!(verdict(&Method::POST, &with(&[("origin", "https://id.example")]), &t).is_none());
            assert!(verdict(&Method::POST, &with(&[("origin", "https://id.example.evil.example")]), &t).is_some());
            assert!(verdict(
                &Method::POST,
                &with(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]),
                &t
            )
            .is_none());
            assert!(verdict(&Method::POST, &with(&[("sec-fetch-site", "same-origin")]), &t).is_none());
            assert!(verdict(&Method::POST, &with(&[]), &t).is_none(), "non-browser clients send neither header");
        }
    }

    #[test]
    fn reads_pass() {
        let evil = ("origin", "https://evil.example");
        assert!(verdict(&Method::GET, &headers(&[("cookie", "latchkey_session=abc"), evil]), &trusted()).is_none());
    }

    #[test]
    fn origins_are_serialised_as_browsers_do() {
        assert_eq!(origin_of("https://ID.example:443/path/").as_deref(), Some("https://id.example"));
        assert_eq!(origin_of("http://127.0.0.1:3000").as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(origin_of("not a url"), None);
    }
}

//! Security headers on every response. Pages set their own
//! Content-Security-Policy with a per-request nonce (see `app::ui::app`);
//! every other HTML answer (Swagger UI, the social-login failure page, error
//! pages) gets a fixed one here. Every answer that may carry credentials or
//! account data is `Cache-Control: no-store`: so is every answer that does
//! not set its own policy (only the static-file server and uploads do), so
//! no page is cached because its address looks like a file's.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// HTML that runs no script at all.
pub const STATIC_PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Swagger UI: its own scripts, and the inline styles it sets on elements.
const DOCS_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                        object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

fn set(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Adds the headers to everything `router` serves; HSTS when behind https.
pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, https: bool) -> Router<S> {
    let router = router
        .layer(axum::middleware::from_fn(per_response))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"));
    if https {
        router.layer(set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"))
    } else {
        router
    }
}

async fn per_response(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::REQUEST_TIMEOUT && !res.headers().contains_key(header::CONTENT_TYPE) {
        // the request timeout answers with a bare status: say what happened, as JSON
        let detail = axum::Json(serde_json::json!({ "detail": "The request took too long to arrive." }));
        res = (axum::http::StatusCode::REQUEST_TIMEOUT, detail).into_response();
    }
    let headers = res.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let html =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if path.starts_with("/api/docs") { DOCS_CSP } else { STATIC_PAGE_CSP };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    res
}

/// Uploaded files are never run as a document.
pub fn for_uploads() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    )
}

/// Uploaded pictures have random names: kept a day, by browsers only.
pub fn cache_uploads() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"))
}

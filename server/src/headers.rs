//! Security headers on every response. Pages set their own
//! Content-Security-Policy with a per-request nonce (see `app::ui::app`);
//! every other HTML answer (Swagger UI, the social-login failure page, error
//! pages) gets a fixed one here. Every answer that may carry credentials or
//! account data is `Cache-Control: no-store`; only static assets may be
//! cached.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
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

/// Files that hold no account data and may be cached: the wasm, JS and CSS
/// bundle, uploaded pictures (random names), Swagger UI's assets, icons.
pub(crate) fn is_static_asset(path: &str) -> bool {
    const EXTENSIONS: [&str; 10] = [".js", ".wasm", ".css", ".svg", ".png", ".ico", ".jpg", ".webp", ".gif", ".woff2"];
    path.starts_with("/pkg/") || path.starts_with("/media/") || EXTENSIONS.iter().any(|e| path.ends_with(e))
}

async fn per_response(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::REQUEST_TIMEOUT && !res.headers().contains_key(header::CONTENT_TYPE) {
        // the request timeout answers with a bare status: say what happened, as JSON
        let detail = axum::Json(serde_json::json!({ "detail": "The request took too long to arrive." }));
        res = (axum::http::StatusCode::REQUEST_TIMEOUT, detail).into_response();
    }
    // a static file may be cached; a page answering for one (its 404) may not
    let file = is_static_asset(&path) && (res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED);
    let headers = res.headers_mut();
    if !file && !headers.contains_key(header::CACHE_CONTROL) {
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

#[cfg(test)]
mod tests {
    #[test]
    fn only_assets_may_be_cached() {
        for asset in [
            "/pkg/latchkey.wasm",
            "/pkg/latchkey.js",
            "/favicon.svg",
            "/media/avatars/1-x.png",
            "/api/docs/swagger-ui.css",
        ] {
            assert!(super::is_static_asset(asset), "{asset}");
        }
        for page in ["/profile", "/api/auth/user/", "/fn/login", "/api/openapi.json", "/api/docs/", "/"] {
            assert!(!super::is_static_asset(page), "{page}");
        }
    }
}

//! Request ids: every response carries `X-Request-Id` (the proxy's, when it
//! sent a sane one, else a new UUID), every log line of the request names
//! it, and a 500's JSON body repeats it, so a user's report finds the log.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Whether a client's id may be kept: short, and only characters that
/// cannot forge a log line.
fn sane(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b.len() <= 64 && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Drops an incoming id that is not [`sane`] (a new one is made instead).
pub async fn sanitize(mut req: Request, next: Next) -> Response {
    if req.headers().get(&HEADER).is_some_and(|v| !sane(v)) {
        req.headers_mut().remove(&HEADER);
    }
    next.run(req).await
}

/// Adds `"request_id"` to the JSON body of a 500.
pub async fn into_errors(req: Request, next: Next) -> Response {
    let id = req.headers().get(&HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let res = next.run(req).await;
    let json = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let (Some(id), true, true) = (id, res.status() == StatusCode::INTERNAL_SERVER_ERROR, json) else { return res };
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::from("{\"detail\":\"A server error occurred.\"}"));
    };
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(obj) = value.as_object_mut() {
        obj.insert("request_id".into(), serde_json::Value::String(id));
    }
    let body = serde_json::to_vec(&value).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// The span every request's log lines belong to (no path: it can hold a
/// link's key).
pub fn span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req.headers().get(&HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), request_id = %id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_kept() {
        assert!(sane(&HeaderValue::from_static("3f2a-9c_1.b")));
        assert!(!sane(&HeaderValue::from_static("a b")));
        assert!(!sane(&HeaderValue::from_static("x\"y")));
        assert!(!sane(&HeaderValue::from_str(&"a".repeat(65)).expect("value")));
    }
}

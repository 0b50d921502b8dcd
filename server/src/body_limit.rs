//! Bodies of page server functions (`/fn/...`) are read whole before the
//! function runs, up to [`LIMIT`]: a larger body is a clear 413 (JSON for a
//! script, a short page for a plain form post) instead of an error deep in
//! the server-function machinery, and a body that stops arriving ends with
//! the body timeout.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Largest body a page form may send.
pub const LIMIT: usize = 64 * 1024;

const TOO_LARGE: &str = "Request body is too large.";

fn too_large(wants_html: bool) -> Response {
    if wants_html {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too large · Latchkey</title>\
             <link rel=\"stylesheet\" href=\"/pkg/latchkey.css\"></head><body><main class=\"container\">\
             <section class=\"card\"><h1>That was too much</h1><p class=\"errors\">{TOO_LARGE} Go back and shorten what you typed.</p>\
             </section></main></body></html>"
        );
        (StatusCode::PAYLOAD_TOO_LARGE, Html(page)).into_response()
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, Json(json!({ "detail": TOO_LARGE }))).into_response()
    }
}

/// Bodies up to this size are read to their end even when refused, so the
/// client, still sending, gets to read the 413 instead of a reset connection.
const DRAIN_MAX: usize = 1024 * 1024;

enum Read {
    Whole(Vec<u8>),
    TooLarge,
    Broken,
}

/// Reads up to [`LIMIT`] bytes; past it, reads on (discarding) up to
/// [`DRAIN_MAX`] so the answer can be delivered.
async fn read_limited(body: Body) -> Read {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return if seen > LIMIT { Read::TooLarge } else { Read::Broken } };
        let Ok(data) = frame.into_data() else { continue };
        seen += data.len();
        if seen <= LIMIT {
            kept.extend_from_slice(&data);
        } else if seen > DRAIN_MAX {
            return Read::TooLarge;
        }
    }
    if seen > LIMIT {
        Read::TooLarge
    } else {
        Read::Whole(kept)
    }
}

/// A form whose fields do not fit the function's arguments (a tampered
/// post: `profile=x` where `profile[...]` fields belong) is the client's
/// mistake: 400, not the 500 the server-function machinery answers.
async fn arguments_refused(res: Response) -> Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    use http_body_util::BodyExt;
    let (parts, body) = res.into_parts();
    let Ok(collected) = http_body_util::Limited::new(body, 64 * 1024).collect().await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "detail": "Something went wrong." }))).into_response();
    };
    let bytes = collected.to_bytes();
    if bytes.starts_with(b"Args|") {
        return (StatusCode::BAD_REQUEST, Json(json!({ "detail": "The form's fields could not be read." })))
            .into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

pub async fn server_functions(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with(app::api::PREFIX) {
        return next.run(req).await;
    }
    let wants_html =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_MAX) {
        return too_large(wants_html);
    }
    let (parts, body) = req.into_parts();
    match read_limited(body).await {
        Read::Whole(bytes) => arguments_refused(next.run(Request::from_parts(parts, Body::from(bytes))).await).await,
        Read::TooLarge => too_large(wants_html),
        Read::Broken => {
            (StatusCode::BAD_REQUEST, Json(json!({ "detail": "The request body could not be read." }))).into_response()
        }
    }
}

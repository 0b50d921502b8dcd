//! The engine's errors (and the transport's) rendered as DRF renders them,
//! in dj-rest-auth's words (`app::dialects::dj_rest_auth`).

use app::core::FlowError;
use app::dialects::dj_rest_auth;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    Flow(FlowError),
    /// `{"detail": "..."}` with any status.
    Detail(StatusCode, String),
    /// simplejwt's 401 `{"detail": "...", "code": "token_not_valid"}`.
    TokenNotValid(&'static str),
}

impl ApiError {
    pub fn detail(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Detail(status, message.into())
    }

    pub fn not_authenticated() -> Self {
        Self::detail(StatusCode::UNAUTHORIZED, "Authentication credentials were not provided.")
    }

    pub fn invalid_token() -> Self {
        Self::detail(StatusCode::UNAUTHORIZED, "Invalid token.")
    }
}

impl From<FlowError> for ApiError {
    fn from(e: FlowError) -> Self {
        ApiError::Flow(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Flow(FlowError::Unexpected(e))
    }
}

fn detail(status: StatusCode, message: &str) -> Response {
    let mut res = (status, Json(json!({ "detail": message }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    }
    res
}

fn token_not_valid(message: &str) -> Response {
    let mut res =
        (StatusCode::UNAUTHORIZED, Json(json!({ "detail": message, "code": "token_not_valid" }))).into_response();
    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"api\""));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Detail(status, message) => detail(status, &message),
            ApiError::Flow(FlowError::Invalid(problems)) => {
                (StatusCode::BAD_REQUEST, Json(dj_rest_auth::render(&problems))).into_response()
            }
            ApiError::Flow(FlowError::NotFound) => detail(StatusCode::NOT_FOUND, "Not found."),
            ApiError::Flow(FlowError::Forbidden(code)) => {
                let mut res = (
                    StatusCode::FORBIDDEN,
                    Json(json!({
                        "detail": dj_rest_auth::words(app::shared::errors::NON_FIELD, &code),
                        "code": code.id(),
                    })),
                )
                    .into_response();
                res.headers_mut().remove(header::WWW_AUTHENTICATE);
                res
            }
            ApiError::Flow(FlowError::Refused(code)) => {
                detail(StatusCode::BAD_REQUEST, &dj_rest_auth::words(app::shared::errors::NON_FIELD, &code))
            }
            ApiError::Flow(FlowError::Unauthenticated) => ApiError::not_authenticated().into_response(),
            ApiError::Flow(FlowError::TokenInvalid) => token_not_valid("Token is invalid or expired"),
            ApiError::TokenNotValid(message) => token_not_valid(message),
            ApiError::Flow(FlowError::Unavailable(_)) => {
                let mut res =
                    detail(StatusCode::SERVICE_UNAVAILABLE, "Service temporarily unavailable, try again later.");
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                res
            }
            ApiError::Flow(FlowError::Throttled(secs)) => {
                let mut res = detail(StatusCode::TOO_MANY_REQUESTS, &dj_rest_auth::throttled(secs));
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                res
            }
            ApiError::Flow(FlowError::Unexpected(e)) => {
                tracing::error!(error = %format!("{e:#}"), "unexpected error");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred.")
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

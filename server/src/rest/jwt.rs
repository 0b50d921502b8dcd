//! `token/verify/` and `token/refresh/` (simplejwt's views, with rotation).

use super::error::{ApiError, ApiResult};
use super::jwt_cookies;
use super::payload::Payload;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn verify(State(state): State<AppState>, mut p: Payload) -> ApiResult<Json<serde_json::Value>> {
    let token = p.required("token");
    if token.is_empty() && !p.has_error("token") {
        p.error("token", app::core::codes::Code::Blank);
    }
    p.finish()?;
    state.engine.verify_jwt(&token).await?;
    Ok(Json(json!({})))
}

/// dj-rest-auth's refresh view (the same whether or not cookies are on):
/// `refresh` in the body is optional but, when sent, must not be blank;
/// without it the refresh cookie is used, and without that it is 401. With
/// the tokens in HttpOnly cookies the new refresh token goes only into its
/// cookie; otherwise the body carries it and its expiry.
pub async fn refresh(State(state): State<AppState>, headers: HeaderMap, mut p: Payload) -> ApiResult<Response> {
    let cookies = state.settings.jwt_cookies;
    let in_body = p.optional("refresh");
    if in_body.as_deref() == Some("") {
        p.error("refresh", app::core::codes::Code::Blank);
    }
    p.finish()?;
    let from_cookie = || if cookies { jwt_cookies::read(&headers, jwt_cookies::REFRESH) } else { None };
    let Some(token) = in_body.or_else(from_cookie) else {
        return Err(ApiError::TokenNotValid(NO_REFRESH_TOKEN));
    };
    let pair = state.engine.refresh_jwt(&token).await?;
    let mut body = json!({ "access": pair.access, "access_expiration": app::core::rfc3339(pair.access_expiration) });
    if !cookies {
        body["refresh"] = json!(pair.refresh);
        body["refresh_expiration"] = json!(app::core::rfc3339(pair.refresh_expiration));
    }
    let mut res = Json(body).into_response();
    if cookies {
        jwt_cookies::set(res.headers_mut(), &pair, state.settings.secure_cookies(), state.engine.now());
    }
    Ok(res)
}

/// dj-rest-auth's words when neither the body nor a cookie has a refresh token.
const NO_REFRESH_TOKEN: &str = "No valid refresh token found.";

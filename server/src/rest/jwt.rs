//! `token/verify/` and `token/refresh/` (simplejwt's views, with rotation).

use super::error::{ApiError, ApiResult};
use super::jwt_cookies;
use super::payload::Payload;
use crate::state::AppState;
use app::core::FlowError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn verify(State(state): State<AppState>, mut p: Payload) -> ApiResult<Json<serde_json::Value>> {
    let token = p.required("token");
    p.finish()?;
    state.engine.verify_jwt(&token).await?;
    Ok(Json(json!({})))
}

pub async fn refresh(State(state): State<AppState>, headers: HeaderMap, mut p: Payload) -> ApiResult<Response> {
    let from_cookie = if state.settings.jwt_cookies { jwt_cookies::read(&headers, jwt_cookies::REFRESH) } else { None };
    let token = match from_cookie {
        Some(t) if !p.has("refresh") => t,
        _ => {
            let t = p.required("refresh");
            p.finish()?;
            t
        }
    };
    if token.trim().is_empty() {
        return Err(ApiError::Flow(FlowError::field("refresh", app::core::messages::BLANK)));
    }
    let pair = state.engine.refresh_jwt(&token).await?;
    let expiry = app::core::rfc3339(pair.access_expiration);
    let mut res =
        Json(json!({ "access": pair.access, "refresh": pair.refresh, "access_expiration": expiry })).into_response();
    if state.settings.jwt_cookies {
        jwt_cookies::set(res.headers_mut(), &pair, state.settings.secure_cookies(), state.engine.now());
    }
    Ok(res)
}

//! Social login for API clients (dj-rest-auth's `SocialLoginView` and
//! `SocialConnectView`) and the connected-accounts endpoints.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::{ApiError, ApiResult};
use super::login::sign_in_response;
use super::payload::Payload;
use crate::state::AppState;
use app::core::codes::Code;
use app::core::oauth::Identity;
use app::core::FlowError;
use app::shared::user::SocialAccountView;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use tower_sessions::Session;

/// The identity behind `access_token`, or behind `code` (exchanged with the
/// optional `code_verifier` and `callback_url`).
async fn identity(state: &AppState, provider: &str, mut p: Payload) -> ApiResult<Identity> {
    let providers = state.engine.providers();
    if !providers.exists(provider) {
        return Err(FlowError::NotFound.into());
    }
    let access_token = p.optional("access_token").filter(|s| !s.trim().is_empty());
    let code = p.optional("code").filter(|s| !s.trim().is_empty());
    let verifier = p.optional("code_verifier");
    let callback = p.optional("callback_url");
    p.finish()?;
    let found = match (access_token, code) {
        (Some(token), _) => providers.identity_for_token(provider, token.trim()).await,
        (None, Some(code)) => {
            let redirect = callback.unwrap_or_else(|| state.engine.config().social_callback_url(provider));
            providers.exchange(provider, code.trim(), &redirect, verifier.as_deref(), None).await
        }
        (None, None) => return Err(FlowError::non_field(Code::SocialInputMissing).into()),
    };
    found.map_err(|e| ApiError::Flow(e.into()))
}

pub async fn login(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    ClientOf(client): ClientOf,
    session: Session,
    p: Payload,
) -> ApiResult<Response> {
    let identity = identity(&state, &provider, p).await?;
    let sign_in = state.engine.social_login(&provider, identity, &client).await?;
    sign_in_response(&state, &session, &client, sign_in, StatusCode::OK).await
}

pub async fn connect(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    ClientOf(client): ClientOf,
    authed: Authed,
    p: Payload,
) -> ApiResult<Json<SocialAccountView>> {
    let identity = identity(&state, &provider, p).await?;
    Ok(Json(state.engine.social_connect(&authed.user, &provider, identity, &client).await?))
}

pub async fn list(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Vec<SocialAccountView>>> {
    Ok(Json(state.engine.social_accounts(authed.user.id).await?))
}

pub async fn disconnect(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientOf(client): ClientOf,
    authed: Authed,
) -> ApiResult<Json<SocialAccountView>> {
    let id: i32 = id.parse().map_err(|_| ApiError::Flow(FlowError::NotFound))?;
    Ok(Json(state.engine.social_disconnect(&authed.user, id, Some(&client)).await?))
}

//! `ClientOf`: the caller's address for rate limits (peer, or the forwarded
//! client behind a trusted proxy).

use crate::state::AppState;
use app::core::flows::throttle::Client;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

pub struct ClientOf(pub Client);

impl FromRequestParts<AppState> for ClientOf {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Self(app::api::client::client(peer, &parts.headers, &state.engine.config().trusted_proxies)))
    }
}

//! `user/`: read (GET), replace (PUT) and update (PATCH) the caller's details.
//! `pk` and `email` are read-only here.

use super::auth::Authed;
use super::error::ApiResult;
use super::payload::Payload;
use crate::state::AppState;
use app::core::flows::profile::{self, ProfileInput};
use app::shared::user::UserView;
use axum::extract::State;
use axum::Json;

pub async fn get(authed: Authed) -> Json<UserView> {
    Json(profile::view(&authed.user))
}

async fn update(state: AppState, authed: Authed, mut p: Payload, partial: bool) -> ApiResult<Json<UserView>> {
    let input = ProfileInput {
        username: if partial { p.optional("username") } else { Some(p.required("username")) },
        first_name: p.optional("first_name"),
        last_name: p.optional("last_name"),
        ..Default::default()
    };
    p.finish()?;
    let user = state.engine.update_profile(authed.user, input).await?;
    Ok(Json(profile::view(&user)))
}

pub async fn put(State(state): State<AppState>, authed: Authed, p: Payload) -> ApiResult<Json<UserView>> {
    update(state, authed, p, false).await
}

pub async fn patch(State(state): State<AppState>, authed: Authed, p: Payload) -> ApiResult<Json<UserView>> {
    update(state, authed, p, true).await
}

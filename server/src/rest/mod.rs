//! The JSON API at `/api/auth/`, following dj-rest-auth's contract. Each
//! path answers with and without its trailing slash.

mod activity;
pub mod admin;
mod auth;
pub(crate) mod client;
mod devices;
mod directory;
pub mod djoser;
mod email;
pub mod error;
mod jwt;
mod jwt_cookies;
mod login;
mod mfa;
pub mod openapi;
mod openapi_operations;
mod openapi_profile;
mod passkeys;
mod password;
mod payload;
mod profile_fields;
mod registration;
pub mod rest_registration;
mod social;
mod user;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::routing::{get, post, put, MethodRouter};
use axum::Router;
use error::ApiError;

/// Largest JSON body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

fn both(router: Router<AppState>, path: &str, route: MethodRouter<AppState>) -> Router<AppState> {
    router.route(&format!("{path}/"), route.clone()).route(path, route)
}

/// DRF's 404, for any path under `/api/` that no door serves (a door
/// turned off or moved answers as an unknown path does, in JSON).
pub async fn not_found() -> ApiError {
    ApiError::detail(StatusCode::NOT_FOUND, "Not found.")
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::detail(StatusCode::METHOD_NOT_ALLOWED, format!("Method \"{method}\" not allowed."))
}

/// DRF authenticates before it looks at the method, so a wrong method on an
/// endpoint that needs a signed-in caller is 401 for anyone else.
async fn signed_in_method_not_allowed(_: auth::Authed, method: Method) -> ApiError {
    method_not_allowed(method).await
}

/// A route that needs a signed-in caller.
fn signed_in(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(signed_in_method_not_allowed)
}

/// Routes under `/api/auth`; uploads may be up to `upload_limit` bytes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 36] = [
        ("/registration", post(registration::register)),
        ("/registration/verify-email", post(registration::verify_email)),
        ("/registration/resend-email", post(registration::resend_email)),
        ("/login", post(login::login)),
        ("/activity", signed_in(get(activity::list))),
        ("/sessions", signed_in(get(devices::list))),
        ("/sessions/others", signed_in(axum::routing::delete(devices::end_others))),
        ("/sessions/{id}", signed_in(axum::routing::delete(devices::end_one))),
        ("/logout", post(login::logout)),
        (
            "/user",
            signed_in(
                get(user::get)
                    .put(user::put)
                    .patch(user::patch)
                    .delete(user::delete)
                    .layer(DefaultBodyLimit::max(upload_limit)),
            ),
        ),
        ("/profiles", get(directory::list)),
        ("/profiles/{username}", get(directory::detail)),
        ("/user/avatar", signed_in(put(user::avatar).post(user::avatar).layer(DefaultBodyLimit::max(upload_limit)))),
        ("/email/change", signed_in(post(email::change))),
        ("/email/change/confirm", post(email::confirm)),
        ("/socialaccounts", signed_in(get(social::list))),
        ("/socialaccounts/{id}/disconnect", signed_in(post(social::disconnect))),
        ("/{provider}", post(social::login)),
        ("/{provider}/connect", signed_in(post(social::connect))),
        ("/password/change", signed_in(post(password::change))),
        ("/password/reset", post(password::reset)),
        ("/password/reset/confirm", post(password::reset_confirm)),
        ("/token/verify", post(jwt::verify)),
        ("/token/refresh", post(jwt::refresh)),
        ("/mfa/verify", post(mfa::verify)),
        ("/mfa/totp/activate", signed_in(get(mfa::activate_begin).post(mfa::activate_confirm))),
        ("/mfa/totp/deactivate", signed_in(post(mfa::deactivate))),
        ("/mfa/status", signed_in(get(mfa::status))),
        ("/mfa/recovery-codes", signed_in(post(mfa::recovery_codes))),
        ("/mfa/recovery-codes/regenerate", signed_in(post(mfa::regenerate))),
        ("/passkeys/register/begin", signed_in(post(passkeys::register_begin))),
        ("/passkeys/register/complete", signed_in(post(passkeys::register_complete))),
        ("/passkeys/login/begin", post(passkeys::login_begin)),
        ("/passkeys/login/complete", post(passkeys::login_complete)),
        ("/passkeys", signed_in(get(passkeys::list))),
        (
            "/passkeys/{id}",
            signed_in(get(passkeys::detail).put(passkeys::replace).patch(passkeys::update).delete(passkeys::delete)),
        ),
    ];
    let mut r = Router::new();
    for (path, route) in routes {
        r = both(r, path, route);
    }
    r.fallback(not_found).method_not_allowed_fallback(method_not_allowed).layer(DefaultBodyLimit::max(BODY_LIMIT))
}

//! The JSON API at `/api/auth/`, following dj-rest-auth's contract. Each
//! path answers with and without its trailing slash.

mod auth;
pub(crate) mod client;
mod email;
pub mod error;
mod jwt;
mod jwt_cookies;
mod login;
mod mfa;
pub mod openapi;
mod password;
mod payload;
mod registration;
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

async fn not_found() -> ApiError {
    ApiError::detail(StatusCode::NOT_FOUND, "Not found.")
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::detail(StatusCode::METHOD_NOT_ALLOWED, format!("Method \"{method}\" not allowed."))
}

/// Routes under `/api/auth`; uploads may be up to `upload_limit` bytes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 24] = [
        ("/registration", post(registration::register)),
        ("/registration/verify-email", post(registration::verify_email)),
        ("/registration/resend-email", post(registration::resend_email)),
        ("/login", post(login::login)),
        ("/logout", post(login::logout)),
        ("/user", get(user::get).put(user::put).patch(user::patch).delete(user::delete)),
        ("/user/avatar", put(user::avatar).post(user::avatar).layer(DefaultBodyLimit::max(upload_limit))),
        ("/email/change", post(email::change)),
        ("/email/change/confirm", post(email::confirm)),
        ("/socialaccounts", get(social::list)),
        ("/socialaccounts/{id}/disconnect", post(social::disconnect)),
        ("/{provider}", post(social::login)),
        ("/{provider}/connect", post(social::connect)),
        ("/password/change", post(password::change)),
        ("/password/reset", post(password::reset)),
        ("/password/reset/confirm", post(password::reset_confirm)),
        ("/token/verify", post(jwt::verify)),
        ("/token/refresh", post(jwt::refresh)),
        ("/mfa/verify", post(mfa::verify)),
        ("/mfa/totp/activate", get(mfa::activate_begin).post(mfa::activate_confirm)),
        ("/mfa/totp/deactivate", post(mfa::deactivate)),
        ("/mfa/status", get(mfa::status)),
        ("/mfa/recovery-codes", post(mfa::recovery_codes)),
        ("/mfa/recovery-codes/regenerate", post(mfa::regenerate)),
    ];
    let mut r = Router::new();
    for (path, route) in routes {
        r = both(r, path, route);
    }
    r.fallback(not_found).method_not_allowed_fallback(method_not_allowed).layer(DefaultBodyLimit::max(BODY_LIMIT))
}

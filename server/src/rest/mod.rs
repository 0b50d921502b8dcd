//! The JSON API at `/api/auth/`, following dj-rest-auth's contract. Each
//! path answers with and without its trailing slash.

mod auth;
pub mod error;
mod jwt;
mod jwt_cookies;
mod login;
mod password;
mod payload;
mod registration;
mod user;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::routing::{get, post, MethodRouter};
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

/// Routes under `/api/auth`.
pub fn router() -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 11] = [
        ("/registration", post(registration::register)),
        ("/registration/verify-email", post(registration::verify_email)),
        ("/registration/resend-email", post(registration::resend_email)),
        ("/login", post(login::login)),
        ("/logout", post(login::logout)),
        ("/user", get(user::get).put(user::put).patch(user::patch)),
        ("/password/change", post(password::change)),
        ("/password/reset", post(password::reset)),
        ("/password/reset/confirm", post(password::reset_confirm)),
        ("/token/verify", post(jwt::verify)),
        ("/token/refresh", post(jwt::refresh)),
    ];
    let mut r = Router::new();
    for (path, route) in routes {
        r = both(r, path, route);
    }
    r.fallback(not_found).method_not_allowed_fallback(method_not_allowed).layer(DefaultBodyLimit::max(BODY_LIMIT))
}

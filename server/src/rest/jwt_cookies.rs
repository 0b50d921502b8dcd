//! Optional HttpOnly cookies carrying the JWTs (`LATCHKEY_JWT_COOKIES=true`),
//! for browser SPAs that should never touch the tokens.

use app::core::flows::auth::JwtPair;
use axum::http::{header, HeaderMap, HeaderValue};

pub const ACCESS: &str = "latchkey-auth";
pub const REFRESH: &str = "latchkey-refresh";

/// The value of cookie `name`, if the request has it.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")).ok()
}

/// `now` is the engine's clock, which the expirations were computed with.
pub fn set(headers: &mut HeaderMap, pair: &JwtPair, secure: bool, now: i64) {
    for (name, value, exp) in
        [(ACCESS, &pair.access, pair.access_expiration), (REFRESH, &pair.refresh, pair.refresh_expiration)]
    {
        if let Some(v) = cookie(name, value, (exp - now).max(0), secure) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

pub fn clear(headers: &mut HeaderMap, secure: bool) {
    for name in [ACCESS, REFRESH] {
        if let Some(v) = cookie(name, "", 0, secure) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

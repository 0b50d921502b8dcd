//! Files the pages offer for download: the recovery codes just made, as a
//! `.txt` (never cached; see `headers`).

use crate::state::AppState;
use app::api::session;
use app::shared::routes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

pub async fn recovery_codes(State(state): State<AppState>, session: Session) -> Response {
    let engine = &state.engine;
    let user = match session::signed_in_user(engine, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to(&format!("{}?next={}", routes::LOGIN, routes::RECOVERY_CODES)).into_response(),
        Err(_) => {
            return (StatusCode::SERVICE_UNAVAILABLE, "Service temporarily unavailable, try again later.")
                .into_response()
        }
    };
    // only the codes just made, in this browser (they are shown once)
    let sealed: Option<String> = session.get(app::api::mfa::FRESH_CODES_KEY).await.ok().flatten();
    let Some(codes) = sealed.and_then(|s| engine.open_fresh_codes(user.id, &s)) else {
        return Redirect::to(routes::RECOVERY_CODES).into_response();
    };
    let body = format!(
        "{} recovery codes for {}\nEach code works once. Keep them somewhere safe.\n\n{}\n",
        engine.config().email.site_name,
        engine.public_name(&user),
        codes.join("\n")
    );
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"latchkey-recovery-codes.txt\""),
    );
    res
}

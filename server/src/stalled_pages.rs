//! A page whose server-side render has not finished within a budget is
//! rendered once more, so a visitor gets the page late instead of a 408
//! two minutes later.
//!
//! Why: Leptos 0.8's `<Suspense>` has had lost-wakeup races that leave a
//! render pending forever, rarely and only under load (leptos-rs/leptos
//! #4851, #4673, #4698; the fixes in leptos 0.8.23 did not end it: the
//! integration suite still saw an anonymous `/login` hang once in several
//! full runs). Pages are reads: opening one changes nothing (emailed links
//! act on a button press, a form post), so a second render is safe. Only
//! GET and HEAD of page routes are retried; the JSON API, server functions,
//! social login (which starts and finishes flows), files and probes never.

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// How long a page render may take before it is started again.
pub const BUDGET: Duration = Duration::from_secs(10);

fn is_page(method: &Method, path: &str) -> bool {
    const NOT_PAGES: [&str; 9] = [
        "/api/",
        "/fn/",
        "/accounts/",
        "/media/",
        "/pkg/",
        "/metrics",
        "/health",
        "/ready",
        app::shared::routes::RECOVERY_CODES_TXT,
    ];
    matches!(*method, Method::GET | Method::HEAD) && !NOT_PAGES.iter().any(|p| path.starts_with(p))
}

/// Middleware: see the module text; `budget` is [`BUDGET`] outside tests.
pub async fn retry(budget: Duration, req: Request, next: Next) -> Response {
    if !is_page(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let first = Request::from_parts(parts.clone(), Body::empty());
    match tokio::time::timeout(budget, next.clone().run(first)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(path = %parts.uri.path(), "a page render stalled; rendering it again");
            next.run(Request::from_parts(parts, body)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tower::ServiceExt;

    /// A handler that hangs on its first call and answers on the second.
    fn app(calls: Arc<AtomicUsize>) -> Router {
        let handler = move || {
            let calls = calls.clone();
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::future::pending::<()>().await;
                }
                "page"
            }
        };
        Router::new()
            .route("/login", get(handler.clone()))
            .route("/api/auth/user/", get(handler))
            .layer(axum::middleware::from_fn(|req, next| retry(Duration::from_millis(50), req, next)))
    }

    #[tokio::test]
    async fn a_stalled_page_is_rendered_again() -> anyhow::Result<()> {
        let calls = Arc::new(AtomicUsize::new(0));
        let res = app(calls.clone()).oneshot(Request::get("/login").body(Body::empty())?).await?;
        assert_eq!(res.status(), 200);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        Ok(())
    }

    #[tokio::test]
    async fn the_api_is_never_retried() -> anyhow::Result<()> {
        let calls = Arc::new(AtomicUsize::new(0));
        let req = Request::get("/api/auth/user/").body(Body::empty())?;
        let answered = tokio::time::timeout(Duration::from_millis(300), app(calls.clone()).oneshot(req)).await;
        assert!(answered.is_err(), "still pending: not retried");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    }

    #[test]
    fn only_page_reads_are_pages() {
        assert!(is_page(&Method::GET, "/login"));
        assert!(is_page(&Method::HEAD, "/verify-email/abc"));
        assert!(!is_page(&Method::POST, "/login"));
        for path in ["/api/auth/user/", "/fn/login", "/accounts/github/login/callback/", "/pkg/x.js", "/health"] {
            assert!(!is_page(&Method::GET, path), "{path}");
        }
    }
}

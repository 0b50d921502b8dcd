//! What operators and returning visitors see: `/health` and `/ready`, and
//! a signed-in visitor opening the log-in or sign-up page is sent to their
//! profile. (`/ready` while the database is down: `outage.rs`.)

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::redirect::Policy;
use serde_json::{json, Value};

cases!(health_and_ready, signed_in_visitors_skip_log_in_and_sign_up);

async fn health_and_ready(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    for (path, status) in [("/health", "ok"), ("/ready", "ready")] {
        let r = app.http.get(format!("{}{path}", app.base)).send().await.expect(path);
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(r.json::<Value>().await.expect("json"), json!({"status": status}));
    }
}

/// A page as a browser asks for it (a server-side redirect is a 302 only
/// for a request that accepts HTML).
async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    browser.get(format!("{}{path}", app.base)).header("Accept", "text/html").send().await.expect(path)
}

async fn signed_in_visitors_skip_log_in_and_sign_up(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let browser = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
    // nobody signed in: the forms
    for path in ["/login", "/signup"] {
        assert_eq!(page(&browser, &app, path).await.status().as_u16(), 200, "{path}");
    }
    let r = app
        .call_with(
            &browser,
            reqwest::Method::POST,
            "/login/",
            Some(json!({"username": "ada", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    for path in ["/login", "/signup", "/login?next=/sessions"] {
        let r = page(&browser, &app, path).await;
        assert_eq!(r.status().as_u16(), 302, "{path}");
        assert_eq!(r.headers()["location"], "/profile", "{path}");
    }
}

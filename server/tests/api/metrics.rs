//! `/metrics`: off unless asked for, behind its token when one is set,
//! counting requests by route template (never a key from a path), sign-ins
//! by result, and the outbox's depth.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};

cases!(metrics_are_opt_in_and_count_what_operators_watch);

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.http.get(format!("{}/metrics", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("scrape");
    (res.status().as_u16(), res.text().await.expect("body"))
}

async fn metrics_are_opt_in_and_count_what_operators_watch(b: Backend) {
    let off = TestApp::spawn(Opts::new(&b)).await;
    assert_eq!(scrape(&off, None).await.0, 404);

    let app =
        TestApp::spawn(Opts::new(&b).env("LATCHKEY_METRICS", "true").env("LATCHKEY_METRICS_TOKEN", "scrape-me")).await;
    app.signup_verified("ada", "ada@example.com").await;
    assert_eq!(app.login("ada", "Wrong-pass-12").await.status, 400);
    assert_eq!(app.login("ada", PASSWORD).await.status, 200);
    let secret_key = "k3y-that-must-not-be-a-label";
    let page = app.http.get(format!("{}/verify-email/{secret_key}", app.base)).send().await.expect("page");
    assert!(page.status().is_success());

    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("wrong")).await.0, 401);
    let (status, body) = scrape(&app, Some("scrape-me")).await;
    assert_eq!(status, 200, "{body}");
    for line in [
        r#"latchkey_sign_ins_total{result="ok"} 1"#,
        r#"latchkey_sign_ins_total{result="failed"} 1"#,
        r#"latchkey_http_requests_total{route="/api/auth/login/",method="POST",status="400"} 1"#,
        r#"latchkey_http_requests_total{route="/api/auth/registration/",method="POST",status="201"} 1"#,
        "latchkey_outbox_pending ",
        "latchkey_webhook_failures_total 0",
    ] {
        assert!(body.contains(line), "no {line:?} in\n{body}");
    }
    assert!(!body.contains(secret_key), "a path's key became a label:\n{body}");
}

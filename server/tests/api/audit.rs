//! The audit trail: security events are written with the change (never
//! for a change that failed), carry the address and browser, hold no
//! secret, are shown to their owner alone at `activity/`, and are purged
//! after the retention period.

use crate::helpers::{Auth, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

cases!(activity_lists_own_events_with_device, failed_changes_leave_no_event, events_hold_no_secrets_and_expire);

const CHROME: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

fn kinds(body: &Value) -> Vec<String> {
    body["results"].as_array().expect("results").iter().map(|e| e["kind"].as_str().expect("kind").to_owned()).collect()
}

async fn activity(app: &TestApp, auth: &Auth) -> Value {
    let r = app.call(Method::GET, "/activity/", None, auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn activity_lists_own_events_with_device(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.signup_verified("bob", "bob@example.com").await;
    let chrome = reqwest::Client::builder().user_agent(CHROME).build().expect("client");
    let login = |password: &'static str| json!({"username": "ada", "password": password});
    let r = app.call_with(&chrome, Method::POST, "/login/", Some(login("Wrong-guess-1")), &Auth::None).await;
    assert_eq!(r.status, 400);
    let r = app.call_with(&chrome, Method::POST, "/login/", Some(login(PASSWORD)), &Auth::None).await;
    assert_eq!(r.status, 200);
    let ada = app.auth_from(&r);
    // an unknown account's failure is recorded for staff, and shown to nobody
    assert_eq!(app.login("nobody", PASSWORD).await.status, 400);

    let body = activity(&app, &ada).await;
    assert_eq!(
        kinds(&body),
        ["sign_in.succeeded", "sign_in.failed", "email.verified", "user.created"],
        "newest first: {body}"
    );
    let newest = &body["results"][0];
    assert_eq!(newest["device"], "Chrome on Linux", "{newest}");
    assert_eq!(newest["ip_address"], "127.0.0.1");
    assert_eq!(newest["detail"], json!({"method": "password"}));
    assert_eq!(body["results"][1]["detail"], json!({"method": "password", "reason": "wrong_password"}));
    assert_eq!(body["next_cursor"], Value::Null);

    // bob sees only his own
    let bob = app.login_auth("bob", PASSWORD).await;
    assert_eq!(kinds(&activity(&app, &bob).await), ["sign_in.succeeded", "email.verified", "user.created"]);
    assert_eq!(app.call(Method::GET, "/activity/", None, &Auth::None).await.status, 401);

    // changes and sign-out are recorded; pages of two walk the whole list once
    let change = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", change, &ada).await.status, 200);
    assert_eq!(app.post_auth("/logout/", json!({}), &ada).await.status, 200);
    let ada = app.login_auth("ada", NEW_PASSWORD).await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app.call(Method::GET, &format!("/activity/?page_size=2&cursor={cursor}"), None, &ada).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        seen.extend(kinds(&r.body));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "sign_in.succeeded",
            "sign_out",
            "password.changed",
            "sign_in.succeeded",
            "sign_in.failed",
            "email.verified",
            "user.created"
        ]
    );
    let r = app.call(Method::GET, "/activity/?page_size=0", None, &ada).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = app.call(Method::GET, "/activity/?cursor=abc", None, &ada).await;
    assert_eq!((r.status, r.body), (400, json!({"cursor": ["A valid integer is required."]})));
}

async fn failed_changes_leave_no_event(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let ada = app.login_auth("ada", PASSWORD).await;
    let before = kinds(&activity(&app, &ada).await);
    let wrong = json!({"old_password": "Not-it-42", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", wrong, &ada).await.status, 400);
    let weak = json!({"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"});
    assert_eq!(app.post_auth("/password/change/", weak, &ada).await.status, 400);
    assert_eq!(kinds(&activity(&app, &ada).await), before, "a refused change is not an event");
}

async fn events_hold_no_secrets_and_expire(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_AUDIT_RETENTION", "3600")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let ada = app.login_auth("ada", PASSWORD).await;
    let Auth::Token(key) = &ada else { panic!("token mode") };
    let change = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", change, &ada).await.status, 200);
    assert_eq!(app.login("ada", "typo-Password-9").await.status, 400);

    let db = sea_orm::Database::connect(&app.database_url()).await.expect("db");
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT kind, COALESCE(ip, '') AS ip, COALESCE(user_agent, '') AS ua, detail FROM audit_events".to_owned(),
        ))
        .await
        .expect("query");
    assert!(rows.len() >= 5, "{} events", rows.len());
    for row in &rows {
        let text: Vec<String> =
            ["kind", "ip", "ua", "detail"].iter().map(|c| row.try_get("", c).expect("col")).collect();
        let text = text.join(" ");
        for secret in [PASSWORD, NEW_PASSWORD, "typo-Password-9", key.as_str()] {
            assert!(!text.contains(secret), "a secret in the audit trail: {text}");
        }
    }

    app.clock.advance(2 * 3600);
    let report = app.engine.purge_once().await.expect("purge");
    assert_eq!(report.audit_events as usize, rows.len());
    let left = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_events".to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(left.try_get::<i64>("", "n").expect("n"), 0);
}

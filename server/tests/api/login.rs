//! `login/` and `logout/`, by token, JWT and browser session.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;

cases!(
    wrong_password_and_unknown_user_look_the_same,
    login_by_username_or_email_as_configured,
    login_starts_a_browser_session_that_logout_ends,
    token_logout_deletes_the_token,
    inactive_tokens_and_headers_are_refused,
);

async fn wrong_password_and_unknown_user_look_the_same(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let wrong = app.login("ada", "Wrong-Pass-77").await;
    let unknown = app.login("nobody", "Wrong-Pass-77").await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body, json!({"non_field_errors": ["Unable to log in with provided credentials."]}));
    assert_eq!((unknown.status, unknown.body), (wrong.status, wrong.body));
}

async fn login_by_username_or_email_as_configured(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    for body in [
        json!({"username": "ADA", "password": PASSWORD}),
        json!({"email": "Ada@Example.com", "password": PASSWORD}),
        json!({"username": "ada@example.com", "password": PASSWORD}),
        json!({"username": "", "email": "ada@example.com", "password": PASSWORD}),
    ] {
        let r = app.post("/login/", body.clone()).await;
        assert_eq!(r.status, 200, "{body} -> {:?}", r.body);
    }
    let r = app.post("/login/", json!({"password": PASSWORD})).await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Must include either \"username\" or \"email\" and \"password\"."]})
    );
    let r = app.post("/login/", json!({"username": "ada"})).await;
    assert_eq!((r.status, r.body), (400, json!({"password": ["This field is required."]})));

    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_LOGIN_METHOD", "email")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.post("/login/", json!({"username": "ada", "password": PASSWORD})).await;
    assert_eq!(r.body, json!({"non_field_errors": ["Must include \"email\" and \"password\"."]}));
    assert_eq!(app.post("/login/", json!({"email": "ada@example.com", "password": PASSWORD})).await.status, 200);

    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_LOGIN_METHOD", "username")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.post("/login/", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(r.body, json!({"non_field_errors": ["Must include \"username\" and \"password\"."]}));
}

async fn login_starts_a_browser_session_that_logout_ends(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let browser = app.browser();
    let r = app
        .call_with(
            &browser,
            Method::POST,
            "/login/",
            Some(json!({"username": "ada", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    let cookie = r.headers.get("set-cookie").expect("session cookie").to_str().unwrap_or_default().to_owned();
    assert!(cookie.starts_with("latchkey_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let me = app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await;
    assert_eq!((me.status, me.body["username"].clone()), (200, json!("ada")));
    // a write from a foreign origin with the cookie is refused (CSRF)
    let url = format!("{}/api/auth/user/", app.base);
    let evil = browser
        .patch(&url)
        .header("Origin", "https://evil.example")
        .json(&json!({"first_name": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(evil.status().as_u16(), 403);
    let ok = browser
        .patch(&url)
        .header("Origin", "http://latchkey.test")
        .json(&json!({"first_name": "Ada"}))
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status().as_u16(), 200);

    let r = app.call_with(&browser, Method::POST, "/logout/", None, &Auth::None).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Successfully logged out."})));
    let me = app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await;
    assert_eq!(me.status, 401);
}

async fn token_logout_deletes_the_token(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let first = app.login_auth("ada", PASSWORD).await;
    let second = app.login_auth("ada", PASSWORD).await;
    let r = app.post_auth("/logout/", json!({}), &first).await;
    assert_eq!(r.status, 200);
    let r = app.get_user(&first).await;
    assert_eq!((r.status, r.body), (401, json!({"detail": "Invalid token."})));
    assert_eq!(app.get_user(&second).await.status, 200, "other devices stay signed in");
    // logging out with no credentials is harmless
    assert_eq!(app.post("/logout/", json!({})).await.status, 200);
}

async fn inactive_tokens_and_headers_are_refused(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let r = app.get_user(&Auth::None).await;
    assert_eq!((r.status, r.body), (401, json!({"detail": "Authentication credentials were not provided."})));
    assert!(r.headers.get("www-authenticate").is_some());
    assert_eq!(app.get_user(&Auth::Token("nope".into())).await.status, 401);
    assert_eq!(app.get_user(&Auth::Bearer("not.a.jwt".into())).await.status, 401);
    let r = app
        .http
        .get(format!("{}/api/auth/user/", app.base))
        .header("Authorization", "Token")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
}

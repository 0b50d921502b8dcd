//! JWT mode: login pair, `token/verify/`, `token/refresh/` with rotation and
//! reuse detection, logout revocation, expiry.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use serde_json::json;

cases!(
    jwt_login_verify_and_refresh,
    refresh_tokens_rotate_and_reuse_revokes,
    jwt_logout_revokes_the_family,
    access_tokens_expire,
    jwt_cookies_work
);

async fn jwt_app(opts: Opts) -> TestApp {
    let app = TestApp::spawn(opts.mode("jwt")).await;
    app.signup_verified("ada", "ada@example.com").await;
    app
}

async fn jwt_login_verify_and_refresh(b: Backend) {
    let app = jwt_app(Opts::new(&b)).await;
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.status, 200);
    for k in ["access", "refresh", "access_expiration", "refresh_expiration"] {
        assert!(r.body[k].is_string(), "{k} in {:?}", r.body);
    }
    assert_eq!(r.body["user"]["username"], "ada");
    let (access, refresh) = (r.str("access"), r.str("refresh"));

    for token in [&access, &refresh] {
        let v = app.post("/token/verify/", json!({ "token": token })).await;
        assert_eq!((v.status, v.body), (200, json!({})));
    }
    let v = app.post("/token/verify/", json!({"token": "garbage"})).await;
    assert_eq!((v.status, v.body), (401, json!({"detail": "Token is invalid or expired", "code": "token_not_valid"})));
    let v = app.post("/token/verify/", json!({})).await;
    assert_eq!((v.status, v.body), (400, json!({"token": ["This field is required."]})));

    let n = app.post("/token/refresh/", json!({ "refresh": refresh })).await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    let new_access = n.str("access");
    assert_ne!(n.str("refresh"), refresh, "rotation hands out a new refresh token");
    assert_eq!(app.get_user(&Auth::Bearer(new_access)).await.status, 200);
    let r = app.post("/token/refresh/", json!({ "refresh": access })).await;
    assert_eq!(r.status, 401, "an access token is not a refresh token");
}

async fn refresh_tokens_rotate_and_reuse_revokes(b: Backend) {
    let app = jwt_app(Opts::new(&b)).await;
    let r = app.login("ada", PASSWORD).await;
    let (access, r1) = (r.str("access"), r.str("refresh"));
    let r2 = app.post("/token/refresh/", json!({ "refresh": r1 })).await.str("refresh");
    // replaying the used token: refused, and the whole family is revoked
    let replay = app.post("/token/refresh/", json!({ "refresh": r1 })).await;
    assert_eq!((replay.status, replay.body["code"].clone()), (401, json!("token_not_valid")));
    assert_eq!(app.post("/token/refresh/", json!({ "refresh": r2 })).await.status, 401);
    assert_eq!(app.get_user(&Auth::Bearer(access)).await.status, 401);
    // another device is untouched
    let other = app.login_auth("ada", PASSWORD).await;
    assert_eq!(app.get_user(&other).await.status, 200);
}

async fn jwt_logout_revokes_the_family(b: Backend) {
    let app = jwt_app(Opts::new(&b)).await;
    let r = app.login("ada", PASSWORD).await;
    let (access, refresh) = (Auth::Bearer(r.str("access")), r.str("refresh"));
    let out = app.post_auth("/logout/", json!({ "refresh": refresh }), &access).await;
    assert_eq!((out.status, out.body), (200, json!({"detail": "Successfully logged out."})));
    assert_eq!(app.get_user(&access).await.status, 401);
    assert_eq!(app.post("/token/refresh/", json!({ "refresh": refresh })).await.status, 401);
    assert_eq!(app.post("/token/verify/", json!({ "token": refresh })).await.status, 401);
    // logout with only the refresh token in the body also works
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(app.post("/logout/", json!({ "refresh": r.str("refresh") })).await.status, 200);
    assert_eq!(app.get_user(&Auth::Bearer(r.str("access"))).await.status, 401);
}

async fn access_tokens_expire(b: Backend) {
    let app = jwt_app(Opts::new(&b).env("LATCHKEY_ACCESS_TOKEN_TTL", "300")).await;
    let r = app.login("ada", PASSWORD).await;
    let access = Auth::Bearer(r.str("access"));
    assert_eq!(app.get_user(&access).await.status, 200);
    app.clock.advance(290); // the test's own seconds count too: some slack
    assert_eq!(app.get_user(&access).await.status, 200, "valid until it expires");
    app.clock.advance(10);
    let me = app.get_user(&access).await;
    assert_eq!((me.status, me.body["code"].clone()), (401, json!("token_not_valid")));
    let n = app.post("/token/refresh/", json!({ "refresh": r.str("refresh") })).await;
    assert_eq!(n.status, 200, "the refresh token outlives the access token");
    assert_eq!(app.get_user(&Auth::Bearer(n.str("access"))).await.status, 200);
}

async fn jwt_cookies_work(b: Backend) {
    let app = jwt_app(Opts::new(&b).env("LATCHKEY_JWT_COOKIES", "true")).await;
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let url = |p: &str| format!("{}/api/auth{p}", app.base);
    let r = client
        .post(url("/login/"))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let cookies: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or("").to_owned()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("latchkey-auth=") && c.contains("HttpOnly")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("latchkey-refresh=")), "{cookies:?}");
    let r = client
        .post(url("/token/refresh/"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("refresh");
    assert_eq!(r.status().as_u16(), 200, "refresh from the cookie");
    let r = client.post(url("/logout/")).send().await.expect("logout");
    assert_eq!(r.status().as_u16(), 200);
    let r = client.get(url("/user/")).send().await.expect("user");
    assert_eq!(r.status().as_u16(), 401, "cookies cleared and family revoked");
}

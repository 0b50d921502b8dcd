//! Reads may answer from the in-process credential cache (opaque tokens and
//! JWT families alike); these check that no
//! change is ever hidden by it: on the replica that made the change at once,
//! on another replica at once on PostgreSQL (NOTIFY) and within the cache's
//! lifetime on a shared SQLite file.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

cases!(reads_see_every_change_at_once, other_replicas_see_changes);

/// GETs `user/` until `done` holds for (status, body), for at most `limit`.
async fn eventually(app: &TestApp, auth: &Auth, limit: Duration, done: impl Fn(u16, &serde_json::Value) -> bool) {
    let start = Instant::now();
    loop {
        let r = app.get_user(auth).await;
        if done(r.status, &r.body) {
            return;
        }
        assert!(start.elapsed() < limit, "still {} {:?} after {limit:?}", r.status, r.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn reads_see_every_change_at_once(b: Backend) {
    for mode in ["token", "jwt"] {
        every_change_at_once(&b, mode).await;
    }
}

async fn every_change_at_once(b: &Backend, mode: &'static str) {
    // a long cache lifetime: only invalidation can make these pass
    let app = TestApp::spawn(Opts::new(b).mode(mode).env("LATCHKEY_AUTH_CACHE_TTL", "3600")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let phone = app.login_auth("ada", PASSWORD).await;
    let laptop = app.login_auth("ada", PASSWORD).await;
    for a in [&auth, &phone, &laptop] {
        assert_eq!(app.get_user(a).await.status, 200);
    }

    let r =
        app.call(Method::PATCH, "/user/", Some(json!({"first_name": "Ada", "profile": {"bio": "maths"}})), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    for a in [&auth, &phone] {
        let me = app.get_user(a).await.body;
        assert_eq!((me["first_name"].clone(), me["profile"]["bio"].clone()), (json!("Ada"), json!("maths")));
    }

    let r = app.post_auth("/logout/", json!({}), &laptop).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.get_user(&laptop).await.status, 401, "a logged-out token stops working at once");

    if mode == "jwt" {
        // replaying a used refresh token revokes its family, and its access tokens at once
        let r = app.login("ada", PASSWORD).await;
        let (access, refresh) = (Auth::Bearer(r.str("access")), r.str("refresh"));
        assert_eq!(app.get_user(&access).await.status, 200);
        assert_eq!(app.post("/token/refresh/", json!({ "refresh": refresh })).await.status, 200);
        assert_eq!(app.post("/token/refresh/", json!({ "refresh": refresh })).await.status, 401);
        assert_eq!(app.get_user(&access).await.status, 401, "a revoked family's access token stops working at once");
    }

    let r = app
        .post_auth(
            "/password/change/",
            json!({"old_password": PASSWORD, "new_password1": "Newer-Latch-88", "new_password2": "Newer-Latch-88"}),
            &auth,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.get_user(&phone).await.status, 401, "a password change revokes other tokens at once");
    assert_eq!(app.get_user(&auth).await.status, 200);

    let r = app.call(Method::DELETE, "/user/", Some(json!({"password": "Newer-Latch-88"})), &auth).await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get_user(&auth).await.status, 401, "a deleted account's token stops working at once");
}

async fn other_replicas_see_changes(b: Backend) {
    for mode in ["token", "jwt"] {
        replicas_see_changes(&b, mode).await;
    }
}

async fn replicas_see_changes(b: &Backend, mode: &'static str) {
    let postgres = matches!(b, Backend::Postgres(_));
    let first = TestApp::spawn(Opts::new(b).mode(mode)).await;
    // PostgreSQL: a lifetime far beyond the test, so only the notification
    // explains a change showing up; SQLite: the lifetime is the bound
    let ttl = if postgres { "3600" } else { "1" };
    let second = TestApp::spawn(
        Opts::new(b).mode(mode).env("DATABASE_URL", first.database_url()).env("LATCHKEY_AUTH_CACHE_TTL", ttl),
    )
    .await;
    first.signup_verified("ada", "ada@example.com").await;
    let auth = first.login_auth("ada", PASSWORD).await;
    assert_eq!(second.get_user(&auth).await.body["last_name"], "");

    let r = first.call(Method::PATCH, "/user/", Some(json!({"last_name": "Lovelace"})), &auth).await;
    assert_eq!(r.status, 200);
    let limit = Duration::from_secs(5);
    eventually(&second, &auth, limit, |s, body| s == 200 && body["last_name"] == "Lovelace").await;

    assert_eq!(first.post_auth("/logout/", json!({}), &auth).await.status, 200);
    eventually(&second, &auth, limit, |s, _| s == 401).await;
}

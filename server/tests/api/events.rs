//! Every kind of security event, walked through the real flows: each is in
//! the audit trail exactly when its change happened, and the subscribed
//! webhooks arrive at a real receiver, signed.

use crate::authenticator::SoftAuthenticator;
use crate::helpers::{uid_token, Auth, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser};
use crate::totp;
use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

cases!(every_event_is_recorded_and_sent);

async fn receiver() -> (u16, Arc<Mutex<Vec<Value>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/all",
        axum::routing::post(move |_: HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                keep.lock().expect("lock").push(serde_json::from_str(&body).expect("json"));
                StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, got)
}

async fn kinds(app: &TestApp, staff: &Auth, user_id: i64) -> BTreeSet<String> {
    let r = app
        .request(&app.http, Method::GET, &format!("/api/admin/audit/?user={user_id}&page_size=100"), None, staff)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

async fn every_event_is_recorded_and_sent(b: Backend) {
    let stub = ProviderStub::start().await;
    let (port, hooks) = receiver().await;
    let config =
        json!([{"url": format!("http://127.0.0.1:{port}/all"), "secret": "a-long-enough-secret", "events": ["*"]}]);
    let app = TestApp::spawn(Opts::new(&b).provider(&stub).env("LATCHKEY_WEBHOOKS", config.to_string())).await;
    app.engine
        .create_staff("root", "root@example.com", secrecy::SecretString::from("Staff-Latch-77!".to_owned()))
        .await
        .expect("staff");
    let root = app.login_auth("root", "Staff-Latch-77!").await;

    app.signup_verified("ada", "ada@example.com").await;
    assert_eq!(app.login("ada", "Wrong-guess-12").await.status, 400);
    let ada = app.login_auth("ada", PASSWORD).await;
    let id = app.get_user(&ada).await.body["pk"].as_i64().expect("pk");

    // a new address, confirmed
    let r = app.post_auth("/email/change/", json!({"new_email": "ada@new.example", "password": PASSWORD}), &ada).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let key = app.smtp.wait_for("ada@new.example", 1).await.link().rsplit('/').next().expect("key").to_owned();
    assert_eq!(app.post("/email/change/confirm/", json!({ "key": key })).await.status, 200);

    // a social account, connected and disconnected
    let gh = stub.mint_token(StubUser::new("gh-ada", "elsewhere@example.com", true));
    assert_eq!(app.post_auth("/github/connect/", json!({ "access_token": gh }), &ada).await.status, 200);
    let link = app.call(Method::GET, "/socialaccounts/", None, &ada).await.body[0]["id"].as_i64().expect("id");
    assert_eq!(app.post_auth(&format!("/socialaccounts/{link}/disconnect/"), json!({}), &ada).await.status, 200);

    // a passkey, added and removed
    let mut soft = SoftAuthenticator::new("http://latchkey.test");
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), &ada).await;
    let credential = soft.create(&begin.body);
    let r =
        app.post_auth("/passkeys/register/complete/", json!({"credential": credential, "name": "Laptop"}), &ada).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let pk = r.body["id"].as_i64().expect("id");
    assert_eq!(app.call(Method::DELETE, &format!("/passkeys/{pk}/"), None, &ada).await.status, 204);

    // two-factor on, a recovery code used, new codes, two-factor off
    let (secret, codes) = crate::two_factor::activate(&app, &ada).await;
    let r = app.login("ada", PASSWORD).await;
    let token = r.str("ephemeral_token");
    assert_eq!(app.post("/mfa/verify/", json!({"ephemeral_token": token, "code": codes[0]})).await.status, 200);
    assert_eq!(app.post_auth("/mfa/recovery-codes/regenerate/", json!({}), &ada).await.status, 200);
    app.clock.advance(30);
    let code = totp::code(&secret, app.clock.now());
    assert_eq!(app.post_auth("/mfa/totp/deactivate/", json!({ "code": code }), &ada).await.status, 200);

    // sign out, other sessions out, a password change, a reset by email
    let other = app.login_auth("ada", PASSWORD).await;
    assert_eq!(app.post_auth("/logout/", json!({}), &other).await.status, 200);
    assert_eq!(app.call(Method::DELETE, "/sessions/others/", None, &ada).await.status, 204);
    let change = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", change, &ada).await.status, 200);
    assert_eq!(app.post("/password/reset/", json!({"email": "ada@new.example"})).await.status, 200);
    let (uid, token) = uid_token(&app.reset_email("ada@new.example", 1).await.link());
    let confirm = json!({"uid": uid, "token": token, "new_password1": PASSWORD, "new_password2": PASSWORD});
    assert_eq!(app.post("/password/reset/confirm/", confirm).await.status, 200);

    let seen = kinds(&app, &root, id).await;
    for kind in [
        "user.created",
        "email.verified",
        "sign_in.failed",
        "sign_in.succeeded",
        "email.changed",
        "social.linked",
        "social.unlinked",
        "passkey.added",
        "passkey.removed",
        "mfa.enabled",
        "recovery_code.used",
        "recovery_codes.regenerated",
        "mfa.disabled",
        "sign_out",
        "sessions.revoked",
        "password.changed",
        "password.reset",
    ] {
        assert!(seen.contains(kind), "no {kind} in {seen:?}");
    }

    // deleting the account: the event outlives it
    let ada = app.login_auth("ada", PASSWORD).await;
    assert_eq!(app.call(Method::DELETE, "/user/", Some(json!({"password": PASSWORD})), &ada).await.status, 204);
    assert!(kinds(&app, &root, id).await.contains("account.deleted"));

    // the webhooks, each at least once
    let wanted = [
        "user.created",
        "user.verified",
        "user.signed_in",
        "email.changed",
        "passkey.added",
        "mfa.enabled",
        "mfa.disabled",
        "session.revoked",
        "password.changed",
        "user.deleted",
    ];
    for _ in 0..400 {
        let got: BTreeSet<String> =
            hooks.lock().expect("lock").iter().filter_map(|e| e["type"].as_str().map(str::to_owned)).collect();
        if wanted.iter().all(|w| got.contains(*w)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let got: Vec<Value> = hooks.lock().expect("lock").clone();
    panic!("missing webhooks; got {:?}", got.iter().map(|e| e["type"].clone()).collect::<Vec<_>>());
}

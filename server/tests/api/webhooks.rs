//! Webhooks against a real receiver on loopback: each event once per
//! subscribed endpoint, signed (Standard Webhooks, checked here with its own
//! HMAC), retried while the receiver is down, and delivered after a restart
//! of Latchkey in between; a refused change sends nothing.

use crate::helpers::{Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Mutex};

cases!(
    events_are_signed_and_delivered_once,
    deliveries_survive_a_receiver_outage_and_a_restart,
    email_only_accounts_send_no_username
);

const SECRET: &str = "whsec_c2VjcmV0LWZvci13ZWJob29rLXRlc3Rz";

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, String)>>>);

impl Received {
    fn events(&self) -> Vec<Value> {
        let got = self.0.lock().expect("lock");
        got.iter().map(|(_, b)| serde_json::from_str(b).expect("json")).collect()
    }
}

/// A receiver on `listener` that answers `status` and records what came.
fn receiver(listener: tokio::net::TcpListener, status: StatusCode) -> (Received, tokio::task::JoinHandle<()>) {
    let got = Received::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                keep.0.lock().expect("lock").push((headers, body));
                status
            }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (got, task)
}

fn config(port: u16, events: &[&str]) -> String {
    json!([{"url": format!("http://127.0.0.1:{port}/hook"), "secret": SECRET, "events": events}]).to_string()
}

/// Checks the signature as a receiver would.
fn verify(headers: &HeaderMap, body: &str) {
    let id = headers["webhook-id"].to_str().expect("id");
    let ts = headers["webhook-timestamp"].to_str().expect("ts");
    let key = base64::engine::general_purpose::STANDARD.decode(&SECRET["whsec_".len()..]).expect("key");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("mac");
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(headers["webhook-signature"].to_str().expect("sig"), expected);
}

async fn wait_for(got: &Received, n: usize) -> Vec<Value> {
    for _ in 0..400 {
        if got.events().len() >= n {
            return got.events();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{} webhooks, expected {n}: {:?}", got.events().len(), got.events());
}

async fn events_are_signed_and_delivered_once(b: Backend) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (got, _task) = receiver(listener, StatusCode::NO_CONTENT);
    let events = ["user.created", "user.verified", "password.changed", "user.updated", "session.revoked"];
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_WEBHOOKS", config(port, &events))).await;
    app.signup_verified("ada", "ada@example.com").await;
    let ada = app.login_auth("ada", PASSWORD).await;
    // refused changes queue nothing
    let wrong = json!({"old_password": "Nope-nope-42", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", wrong, &ada).await.status, 400);
    let change = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", change, &ada).await.status, 200);
    // an empty PATCH changes nothing and is no event
    assert_eq!(app.call(Method::PATCH, "/user/", Some(json!({})), &ada).await.status, 200);
    let r = app.call(Method::PATCH, "/user/", Some(json!({"first_name": "Ada"})), &ada).await;
    assert_eq!(r.status, 200);

    let seen = wait_for(&got, 4).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let seen_again = got.events();
    assert_eq!(seen.len(), seen_again.len(), "nothing more arrives: {seen_again:?}");
    let types: Vec<&str> = seen_again.iter().map(|e| e["type"].as_str().expect("type")).collect();
    assert_eq!(types, ["user.created", "user.verified", "password.changed", "user.updated"]);
    let created = &seen_again[0];
    assert_eq!(created["data"]["user"]["username"], "ada");
    assert_eq!(created["data"]["user"]["email"], "ada@example.com");
    assert!(created["id"].as_str().is_some_and(|id| id.starts_with("evt_")));
    assert_eq!(seen_again[3]["data"]["user"]["first_name"], "Ada", "the state after the change");
    for (headers, body) in got.0.lock().expect("lock").iter() {
        verify(headers, body);
        assert_eq!(
            headers["webhook-id"].to_str().ok(),
            serde_json::from_str::<Value>(body).expect("json")["id"].as_str()
        );
        for secret in [PASSWORD, NEW_PASSWORD] {
            assert!(!body.contains(secret), "a password in a webhook: {body}");
        }
    }
}

async fn deliveries_survive_a_receiver_outage_and_a_restart(b: Backend) {
    // a port nothing listens on yet
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = probe.local_addr().expect("addr").port();
    drop(probe);
    let hooks = config(port, &["*"]);
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_WEBHOOKS", hooks.clone())).await;
    let r = app.register("ada", "ada@example.com", PASSWORD).await;
    assert_eq!(r.status, 201);
    // the receiver is down: the first attempts fail and are counted
    for _ in 0..200 {
        if app.engine.webhook_failures() >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(app.engine.webhook_failures() >= 1, "an attempt was made while the receiver was down");
    let url = app.database_url();
    app.stop().await;

    // the receiver comes up, and so does a new Latchkey process on the same database
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("rebind");
    let (got, _task) = receiver(listener, StatusCode::OK);
    let again = TestApp::spawn(Opts::new(&b).env("DATABASE_URL", url).env("LATCHKEY_WEBHOOKS", hooks)).await;
    let seen = wait_for(&got, 1).await;
    assert_eq!(seen[0]["type"], "user.created");
    assert_eq!(seen[0]["data"]["user"]["username"], "ada");
    let first_id = seen[0]["id"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let all = got.events();
    assert!(all.iter().all(|e| e["id"] == first_id || e["type"] != "user.created"), "one event id: {all:?}");
    assert_eq!(all.iter().filter(|e| e["type"] == "user.created").count(), 1, "delivered once: {all:?}");
    again.stop().await;
}

/// Email-only accounts (`LATCHKEY_USERNAME=none`): their made-up username
/// reaches no receiver, not even in a deletion's detail.
async fn email_only_accounts_send_no_username(b: Backend) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (got, _task) = receiver(listener, StatusCode::NO_CONTENT);
    let app = TestApp::spawn(
        Opts::new(&b)
            .verification("none")
            .env("LATCHKEY_USERNAME", "none")
            .env("LATCHKEY_WEBHOOKS", config(port, &["user.created", "user.deleted"])),
    )
    .await;
    let r = app
        .post("/registration/", json!({"email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ada = app.auth_from(&r);
    let hidden =
        app::core::repo::users::by_email(app.engine.db(), "ada@example.com").await.expect("db").expect("user").username;
    let r = app.call(Method::DELETE, "/user/", Some(json!({"password": PASSWORD})), &ada).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let seen = wait_for(&got, 2).await;
    for event in &seen {
        let text = event.to_string();
        assert!(!text.contains("\"username\"") && !text.contains(&hidden), "{text}");
    }
}

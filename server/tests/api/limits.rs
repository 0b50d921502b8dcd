//! Rate limits: 429 with Retry-After, per client address (not fooled by a
//! forged X-Forwarded-For) and per account; failed logins slow an account
//! down for a while, not forever.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use serde_json::json;

cases!(
    login_attempts_per_ip,
    failed_logins_slow_the_account_for_a_while,
    emails_per_account_and_signups_per_ip,
    forwarded_for_only_from_trusted_proxies,
    an_ipv6_network_counts_as_one_client
);

async fn login_attempts_per_ip(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_RATE_LOGIN_IP", "3/60")).await;
    app.signup_verified("ada", "ada@example.com").await;
    for _ in 0..3 {
        assert_eq!(app.login("ada", "Wrong-Pass-1").await.status, 400);
    }
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.status, 429);
    let retry: i64 =
        r.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        r.body["detail"],
        format!(
            "Request was throttled. Expected available in {retry} {}.",
            if retry == 1 { "second" } else { "seconds" }
        )
    );
}

async fn failed_logins_slow_the_account_for_a_while(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_RATE_LOGIN_FAILURES", "3/900")).await;
    app.signup_verified("ada", "ada@example.com").await;
    for _ in 0..3 {
        assert_eq!(app.login("ada", "Wrong-Pass-1").await.status, 400);
    }
    assert_eq!(app.login("ada", PASSWORD).await.status, 429, "even the right password waits");
    // by address, the account's spent budget answers like a wrong password
    // (a 429 here would tell that "ada" and this address are one account)
    let r = app.post("/login/", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["Unable to log in with provided credentials."]})));
    app.clock.advance(880); // the test's own seconds count too: some slack
    assert_eq!(app.login("ada", PASSWORD).await.status, 429, "not before the window ends");
    app.clock.advance(20);
    assert_eq!(app.login("ada", PASSWORD).await.status, 200, "the owner gets back in");
    // a success gives its own check back; failures stay counted
    for _ in 0..2 {
        app.login("ada", "Wrong-Pass-1").await;
    }
    assert_eq!(app.login("ada", PASSWORD).await.status, 200);
    assert_eq!(app.login("ada", "Wrong-Pass-1").await.status, 400);
    assert_eq!(app.login("ada", PASSWORD).await.status, 429);
}

async fn emails_per_account_and_signups_per_ip(b: Backend) {
    let app =
        TestApp::spawn(Opts::new(&b).env("LATCHKEY_RATE_EMAIL_ACCOUNT", "2/60").env("LATCHKEY_RATE_SIGNUP_IP", "2/60"))
            .await;
    app.signup_verified("ada", "ada@example.com").await;
    for _ in 0..2 {
        assert_eq!(app.post("/password/reset/", json!({"email": "ada@example.com"})).await.status, 200);
    }
    let r = app.post("/password/reset/", json!({"email": "ADA@example.com"})).await;
    assert_eq!(r.status, 429);
    assert_eq!(app.post("/registration/resend-email/", json!({"email": "ada@example.com"})).await.status, 429);
    assert_eq!(
        app.post("/password/reset/", json!({"email": "bob@example.com"})).await.status,
        200,
        "other addresses unaffected"
    );
    assert_eq!(app.register("bob", "bob@example.com", PASSWORD).await.status, 201);
    let r = app.register("carol", "carol@example.com", PASSWORD).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert_eq!(app.emails_to("ada@example.com").await, 3, "verification + two resets");
}

async fn forwarded_for_only_from_trusted_proxies(b: Backend) {
    let spoof = |app: &TestApp, ip: &str| {
        app.http
            .post(format!("{}/api/auth/login/", app.base))
            .header("X-Forwarded-For", ip.to_owned())
            .json(&json!({"username": "nobody", "password": "Wrong-Pass-1"}))
            .send()
    };
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_RATE_LOGIN_IP", "2/60")).await;
    let mut codes = Vec::new();
    for i in 0..3 {
        codes.push(spoof(&app, &format!("203.0.113.{i}")).await.expect("send").status().as_u16());
    }
    assert_eq!(codes, [400, 400, 429], "a forged header does not dodge the limit");

    let app = TestApp::spawn(
        Opts::new(&b).env("LATCHKEY_RATE_LOGIN_IP", "2/60").env("LATCHKEY_TRUSTED_PROXIES", "127.0.0.1, ::1"),
    )
    .await;
    let mut codes = Vec::new();
    for i in 0..3 {
        codes.push(spoof(&app, &format!("203.0.113.{i}")).await.expect("send").status().as_u16());
    }
    assert_eq!(codes, [400, 400, 400], "behind a trusted proxy each client counts alone");
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(spoof(&app, "198.51.100.7").await.expect("send").status().as_u16());
    }
    assert_eq!(codes, [400, 400, 429]);
}

/// One IPv6 subscriber holds a whole /64 (2^64 addresses): counting each
/// address alone would make per-address limits meaningless.
async fn an_ipv6_network_counts_as_one_client(b: Backend) {
    let app = TestApp::spawn(
        Opts::new(&b).env("LATCHKEY_RATE_LOGIN_IP", "2/60").env("LATCHKEY_TRUSTED_PROXIES", "127.0.0.1, ::1"),
    )
    .await;
    let from = |ip: &str| {
        app.http
            .post(format!("{}/api/auth/login/", app.base))
            .header("X-Forwarded-For", ip.to_owned())
            .json(&json!({"username": "nobody", "password": "Wrong-Pass-1"}))
            .send()
    };
    let mut codes = Vec::new();
    for ip in ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2:abcd:ef01:2345:6789"] {
        codes.push(from(ip).await.expect("send").status().as_u16());
    }
    assert_eq!(codes, [400, 400, 429], "addresses of one /64 share a budget");
    assert_eq!(from("2001:db8:1:3::1").await.expect("send").status().as_u16(), 400, "the next /64 is another client");
    // an IPv4 address, written as IPv4-mapped IPv6 or not, is one client
    let mut codes = Vec::new();
    for ip in ["198.51.100.7", "::ffff:198.51.100.7", "198.51.100.7"] {
        codes.push(from(ip).await.expect("send").status().as_u16());
    }
    assert_eq!(codes, [400, 400, 429]);
    assert_eq!(from("198.51.100.8").await.expect("send").status().as_u16(), 400);
}

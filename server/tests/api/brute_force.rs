//! Password guessing. Checks are reserved atomically before hashing, so a
//! burst from many addresses checks at most N passwords per account; every
//! endpoint that re-checks a password draws on the same budget; unknown
//! users cost a real (dummy) hash; and the counters never reveal that a
//! username and an address belong to one account.

use crate::helpers::{Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

cases!(
    a_concurrent_burst_checks_at_most_the_budget,
    signed_in_password_checks_share_the_budget,
    the_budget_does_not_link_a_username_to_its_address,
    unknown_users_cost_a_hash,
    identifiers_of_any_length_are_a_clean_400
);

/// Posts a login as if from client address `ip` (behind a trusted proxy).
async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str) -> u16 {
    app.http
        .post(format!("{}/api/auth/login/", app.base))
        .header("X-Forwarded-For", ip)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login")
        .status()
        .as_u16()
}

fn guarded(b: &Backend) -> Opts {
    Opts::new(b).env("LATCHKEY_RATE_LOGIN_FAILURES", "5/900").env("LATCHKEY_TRUSTED_PROXIES", "127.0.0.1, ::1")
}

async fn a_concurrent_burst_checks_at_most_the_budget(b: Backend) {
    let app = TestApp::spawn(guarded(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let before = app.engine.password_checks();
    // 60 guesses at once from 60 addresses; the right password is among them
    let guesses = (0..60).map(|i| {
        let password = if i == 59 { PASSWORD.to_owned() } else { format!("Wrong-Guess-{i}") };
        let ip = format!("203.0.113.{i}");
        let app = &app;
        async move { login_from(app, &ip, "ada", &password).await }
    });
    let codes = join_all(guesses).await;
    let checked = codes.iter().filter(|c| **c != 429).count();
    let checks = app.engine.password_checks() - before;
    assert!(checked <= 5, "{checked} of 60 were answered after a check: {codes:?}");
    assert!(checks <= 5, "{checks} passwords were hashed");
    assert!(codes.iter().all(|c| [200, 400, 429].contains(c)), "{codes:?}");
    // later bursts, by username or by address, are refused without a hash
    let more = (0..30).map(|i| {
        let app = &app;
        async move {
            let who = if i % 2 == 0 { "ada" } else { "ada@example.com" };
            login_from(app, &format!("198.51.100.{i}"), who, &format!("Wrong-Again-{i}")).await
        }
    });
    let more = join_all(more).await;
    assert!(app.engine.password_checks() - before <= 5, "{more:?}");
}

async fn signed_in_password_checks_share_the_budget(b: Backend) {
    let app = TestApp::spawn(guarded(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let before = app.engine.password_checks();
    // a thief with the token guesses through every endpoint that checks the password
    let attempts = (0..45).map(|i| {
        let (app, auth) = (&app, &auth);
        async move {
            let guess = format!("Wrong-Guess-{i}");
            match i % 3 {
                0 => {
                    let body =
                        json!({"old_password": guess, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
                    app.post_auth("/password/change/", body, auth).await.status
                }
                1 => {
                    app.post_auth("/email/change/", json!({"new_email": "x@example.com", "password": guess}), auth)
                        .await
                        .status
                }
                _ => app.call(Method::DELETE, "/user/", Some(json!({ "password": guess })), auth).await.status,
            }
        }
    });
    let codes = join_all(attempts).await;
    assert!(app.engine.password_checks() - before <= 5, "{codes:?}");
    assert!(codes.iter().filter(|c| **c == 429).count() >= 40, "{codes:?}");
    // and so is the login form: even the right password is not checked now
    // (answered as a wrong one, so the answer links no name to the account)
    assert_eq!(login_from(&app, "203.0.113.7", "ada", PASSWORD).await, 400);
    assert!(app.engine.password_checks() - before <= 5);
    assert_eq!(app.get_user(&auth).await.status, 200, "nothing was changed or deleted");
}

async fn the_budget_does_not_link_a_username_to_its_address(b: Backend) {
    let app = TestApp::spawn(guarded(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.signup_verified("bob", "bob@example.com").await;
    for i in 0..5 {
        assert_eq!(login_from(&app, &format!("203.0.113.{i}"), "ada", "Wrong-Pass-1").await, 400);
    }
    assert_eq!(login_from(&app, "203.0.113.9", "ada", "Wrong-Pass-1").await, 429, "the username is spent");
    // ada's address answers exactly as another account's and an unknown one
    let probe = |who: &'static str| {
        let app = &app;
        async move {
            let r = app
                .http
                .post(format!("{}/api/auth/login/", app.base))
                .header("X-Forwarded-For", "198.51.100.1")
                .json(&json!({"email": who, "password": "Wrong-Pass-1"}))
                .send()
                .await
                .expect("login");
            (r.status().as_u16(), r.text().await.expect("body"))
        }
    };
    let ada = probe("ada@example.com").await;
    assert_eq!(ada, probe("bob@example.com").await);
    assert_eq!(ada, probe("nobody@example.com").await);
    assert_eq!(ada.0, 400);
}

async fn unknown_users_cost_a_hash(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    for (who, known) in [("nobody", false), ("nobody@example.com", false), ("ada", true)] {
        let (real, dummy) = (app.engine.password_checks(), app.engine.dummy_password_checks());
        assert_eq!(app.login(who, "Wrong-Pass-1").await.status, 400);
        let (real, dummy) = (app.engine.password_checks() - real, app.engine.dummy_password_checks() - dummy);
        assert_eq!((real, dummy), if known { (1, 0) } else { (0, 1) }, "{who}: one hash either way");
    }
}

async fn identifiers_of_any_length_are_a_clean_400(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    for len in [150, 200, 1000, 10_000] {
        let name = "a".repeat(len);
        let r = app.login(&name, "Wrong-Pass-1").await;
        assert_eq!(r.status, 400, "{len}: {:?}", r.body);
        let r = app.post("/login/", json!({"email": format!("{name}@example.com"), "password": "x"})).await;
        assert_eq!(r.status, 400, "{len}: {:?}", r.body);
        let r = app.post("/password/reset/", json!({ "email": format!("{name}@example.com") })).await;
        assert!(r.status == 400 || r.status == 200, "{len}: {:?}", r.body);
    }
    let r = app.login("ａｄａ", "Wrong-Pass-1").await;
    assert_eq!(r.status, 400);
}

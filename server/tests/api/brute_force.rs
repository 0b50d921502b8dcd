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
    identifiers_of_any_length_are_a_clean_400,
    email_change_cannot_probe_addresses
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
    // 60 guesses at once from 60 addresses, half by username and half by
    // address (each name has a budget of its own: only the account's
    // reservation, made atomically, holds the total to 5)
    let guesses = (0..60).map(|i| {
        let password = if i == 59 { PASSWORD.to_owned() } else { format!("Wrong-Guess-{i}") };
        let who = if i % 2 == 0 { "ada" } else { "ada@example.com" };
        let ip = format!("203.0.113.{i}");
        let app = &app;
        async move { login_from(app, &ip, who, &password).await }
    });
    let codes = join_all(guesses).await;
    let checks = app.engine.password_checks() - before;
    assert!(checks <= 5, "{checks} passwords were checked: {codes:?}");
    assert!(codes.iter().filter(|c| **c == 429).count() >= 50, "{codes:?}");
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
    // same answer, after the same work: one hash each (a dummy one where the
    // budget is spent or nobody has the address)
    let mut answers = Vec::new();
    for who in ["ada@example.com", "bob@example.com", "nobody@example.com"] {
        let hashes = app.engine.password_checks() + app.engine.dummy_password_checks();
        answers.push(probe(who).await);
        let after = app.engine.password_checks() + app.engine.dummy_password_checks();
        assert_eq!(after - hashes, 1, "{who}");
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    assert_eq!(answers[0].0, 400);
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

/// Identifiers that overflow a column on PostgreSQL but not SQLite: long
/// ones, and ones that grow when lowercased (`İ` is two characters then).
async fn identifiers_of_any_length_are_a_clean_400(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    for name in ["a".repeat(150), "a".repeat(200), "a".repeat(10_000), "\u{130}".repeat(150)] {
        let len = name.chars().count();
        let r = app.login(&name, "Wrong-Pass-1").await;
        assert_eq!(r.status, 400, "{len}: {:?}", r.body);
        let r = app.post("/login/", json!({"email": format!("{name}@example.com"), "password": "x"})).await;
        assert_eq!(r.status, 400, "{len}: {:?}", r.body);
        if name.chars().count() > 150 || !name.is_ascii() {
            let r = app.register(&name, "long@example.com", PASSWORD).await;
            assert_eq!(r.status, 400, "{len}: {:?}", r.body);
        }
    }
    let domain = vec!["\u{130}".repeat(30); 7].join(".");
    let long_once_lowercased = format!("a@{domain}.co");
    let r = app.register("ada", &long_once_lowercased, PASSWORD).await;
    assert_eq!(
        (r.status, r.body["email"].clone()),
        (400, json!(["Ensure this field has no more than 254 characters."]))
    );
    let r = app.post("/password/reset/", json!({ "email": long_once_lowercased })).await;
    assert_eq!(r.status, 400);
    let r = app.post("/password/reset/", json!({ "email": format!("{}@example.com", "a".repeat(300)) })).await;
    assert_eq!(r.status, 400);
}

/// `email/change/` says "taken" only after the password, and only a few
/// times an hour: an account cannot be used to list who has one.
async fn email_change_cannot_probe_addresses(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.signup_verified("bob", "bob@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let r = app
        .post_auth(
            "/email/change/",
            serde_json::json!({"new_email": "bob@example.com", "password": "Wrong-Pass-1"}),
            &auth,
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.get("new_email").is_none(), "nothing said about the address before the password: {:?}", r.body);
    let mut codes = Vec::new();
    for i in 0..8 {
        let probe = if i % 2 == 0 { "bob@example.com".to_owned() } else { format!("probe{i}@example.com") };
        let body = serde_json::json!({"new_email": probe, "password": PASSWORD});
        codes.push(app.post_auth("/email/change/", body, &auth).await.status);
    }
    assert_eq!(&codes[5..], &[429, 429, 429], "{codes:?}");
}

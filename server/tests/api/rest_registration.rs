//! The django-rest-registration door at `/api/v1/accounts/`: every endpoint
//! and its errors as a client written for the package sends and reads them,
//! its signed links (single use here), and the rules every door shares.

use crate::helpers::{Auth, Backend, Opts, Resp, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;

cases!(
    account_lifecycle,
    register_errors,
    reset_password_by_login,
    signed_links_expire_and_die,
    a_link_is_used_once_however_many_race,
    register_email,
    register_email_password_setting,
    logout_and_tokens,
    one_account_every_door,
    second_factor_is_never_skipped,
    the_door_moves_and_turns_off
);

const LOGIN_INVALID: &str = "Login or password invalid.";
const INVALID_SIGNATURE: &str = "Invalid signature";

async fn rr(app: &TestApp, method: Method, path: &str, body: Option<Value>, auth: &Auth) -> Resp {
    app.request(&app.http, method, &format!("/api/v1/accounts{path}"), body, auth).await
}

async fn post(app: &TestApp, path: &str, body: Value) -> Resp {
    rr(app, Method::POST, path, Some(body), &Auth::None).await
}

async fn post_auth(app: &TestApp, path: &str, body: Value, auth: &Auth) -> Resp {
    rr(app, Method::POST, path, Some(body), auth).await
}

fn rr_app(b: &Backend) -> Opts {
    Opts::new(b)
        .env("LATCHKEY_REST_REGISTRATION_REGISTER_VERIFICATION_URL", "https://front.test/verify-user/")
        .env("LATCHKEY_REST_REGISTRATION_RESET_PASSWORD_VERIFICATION_URL", "https://front.test/reset-password/")
        .env("LATCHKEY_REST_REGISTRATION_REGISTER_EMAIL_VERIFICATION_URL", "https://front.test/verify-email/")
}

/// The query of a signed link, after checking where it points.
fn query(link: &str, base: &str) -> HashMap<String, String> {
    assert!(link.starts_with(&format!("{base}?")), "{link}");
    let url = url::Url::parse(link).expect("URL");
    url.query_pairs().into_owned().collect()
}

/// The signed parts of `q` as a client posts them back.
fn signed(q: &HashMap<String, String>) -> Value {
    let mut v = json!({"user_id": q["user_id"], "timestamp": q["timestamp"], "signature": q["signature"]});
    if let Some(e) = q.get("email") {
        v["email"] = json!(e);
    }
    v
}

async fn register(app: &TestApp, username: &str, email: &str) -> Resp {
    let body = json!({"username": username, "email": email, "password": PASSWORD, "password_confirm": PASSWORD});
    post(app, "/register/", body).await
}

/// Registers through this door and follows the verification link.
async fn registered(app: &TestApp, username: &str, email: &str) {
    let r = register(app, username, email).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let mail = app.smtp.wait_for_subject(email, "Confirm your email address", 1).await;
    let q = query(&mail.link(), "https://front.test/verify-user/");
    let r = post(app, "/verify-registration/", signed(&q)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn login(app: &TestApp, login: &str, password: &str) -> Resp {
    post(app, "/login/", json!({"login": login, "password": password})).await
}

async fn token(app: &TestApp, user: &str, password: &str) -> Auth {
    let r = login(app, user, password).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    Auth::Token(r.str("token"))
}

async fn account_lifecycle(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    let body = json!({
        "username": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD,
    });
    let r = post(&app, "/register/", body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].clone();
    let user =
        json!({"id": id, "username": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"});
    assert_eq!(r.body, user);
    let r = login(&app, "ada", PASSWORD).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": LOGIN_INVALID})), "not verified yet");

    // the link is the package's: REGISTER_VERIFICATION_URL?user_id=..&timestamp=..&signature=..
    let mail = app.smtp.wait_for_subject("ada@example.com", "Confirm your email address", 1).await;
    let q = query(&mail.link(), "https://front.test/verify-user/");
    assert_eq!(q["user_id"], id.to_string());
    let ts: i64 = q["timestamp"].parse().expect("timestamp");
    assert!((ts - app.clock.now()).abs() < 5, "{ts}");

    // the fields' shapes first, as DRF checks them
    let r = post(&app, "/verify-registration/", json!({"user_id": q["user_id"], "signature": q["signature"]})).await;
    assert_eq!((r.status, r.body), (400, json!({"timestamp": ["This field is required."]})));
    let bad = json!({"user_id": q["user_id"], "timestamp": "soon", "signature": q["signature"]});
    let r = post(&app, "/verify-registration/", bad).await;
    assert_eq!((r.status, r.body), (400, json!({"timestamp": ["A valid integer is required."]})));
    // every part must be the one issued; an altered timestamp is a bad signature, not an expired one
    for (key, value) in [("timestamp", json!(ts - 86_400 * 30)), ("user_id", json!("999")), ("signature", json!("x"))] {
        let mut body = signed(&q);
        body[key] = value;
        let r = post(&app, "/verify-registration/", body).await;
        assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})), "{key}");
    }
    // user_id and timestamp as JSON numbers are accepted
    let body = json!({"user_id": id, "timestamp": ts, "signature": q["signature"]});
    let r = post(&app, "/verify-registration/", body.clone()).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "User verified successfully"})));
    // single use
    let r = post(&app, "/verify-registration/", body).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})));

    let r = login(&app, "ada", "wrong-password").await;
    assert_eq!((r.status, r.body), (400, json!({"detail": LOGIN_INVALID})));
    let r = post(&app, "/login/", json!({"login": "", "password": PASSWORD})).await;
    assert_eq!((r.status, r.body), (400, json!({"login": ["This field may not be blank."]})));
    let r = login(&app, "ada", PASSWORD).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["detail"], "Login successful");
    let auth = Auth::Token(r.str("token"));

    // profile/: id and email are read-only; PUT needs the username, PATCH nothing
    let r = rr(&app, Method::GET, "/profile/", None, &auth).await;
    assert_eq!((r.status, r.body), (200, user.clone()));
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &Auth::None).await.status, 401);
    let patch = json!({"first_name": "Augusta", "email": "eve@example.com", "id": 999});
    let r = rr(&app, Method::PATCH, "/profile/", Some(patch), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["first_name"], &r.body["email"], &r.body["id"]),
        (&json!("Augusta"), &json!("ada@example.com"), &id)
    );
    let r = rr(&app, Method::PUT, "/profile/", Some(json!({"last_name": "King"})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["This field is required."]})));
    let r = rr(&app, Method::PUT, "/profile/", Some(json!({"username": "ada_l", "last_name": "King"})), &auth).await;
    assert_eq!((r.status, &r.body["username"], &r.body["last_name"]), (200, &json!("ada_l"), &json!("King")));
    let r = rr(&app, Method::PATCH, "/profile/", Some(json!({"last_name": "x".repeat(151)})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"last_name": ["Ensure this field has no more than 150 characters."]})));

    // change-password/
    let change =
        |old: &str, new: &str, again: &str| json!({"old_password": old, "password": new, "password_confirm": again});
    let r = post_auth(&app, "/change-password/", change("wrong-one", "Fresh-Latch-42", "Fresh-Latch-42"), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"old_password": ["Old password is not correct"]})));
    let r = post_auth(&app, "/change-password/", change(PASSWORD, "Fresh-Latch-42", "Fresh-Latch-43"), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"password_confirm": ["Passwords don't match"]})));
    let r = post_auth(&app, "/change-password/", change(PASSWORD, "12345678", "12345678"), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"password": ["This password is too common.", "This password is entirely numeric."]}))
    );
    let r =
        post_auth(&app, "/change-password/", json!({"old_password": PASSWORD, "password": "Fresh-Latch-42"}), &auth)
            .await;
    assert_eq!((r.status, r.body), (400, json!({"password_confirm": ["This field is required."]})));
    let r = post_auth(&app, "/change-password/", change(PASSWORD, "Fresh-Latch-42", "Fresh-Latch-42"), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Password changed successfully"})));
    // the token that asked goes on; the old password is gone
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &auth).await.status, 200);
    assert_eq!(login(&app, "ada_l", PASSWORD).await.status, 400);
    assert_eq!(login(&app, "ada_l", "Fresh-Latch-42").await.status, 200);
}

async fn register_errors(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    let r = post(&app, "/register/", json!({})).await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            json!({"username": ["This field is required."], "password": ["This field is required."],
                   "password_confirm": ["This field is required."]})
        )
    );
    // password validators run once the fields are valid, with an empty non_field_errors beside
    let body =
        |u: &str, e: &str, p: &str, c: &str| json!({"username": u, "email": e, "password": p, "password_confirm": c});
    let r = post(&app, "/register/", body("ada", "ada@example.com", "short", "short")).await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            json!({"password": ["This password is too short. It must contain at least 8 characters."],
                   "non_field_errors": []})
        )
    );
    let r = post(&app, "/register/", body("ada", "ada@example.com", PASSWORD, "Other-Latch-42")).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"password_confirm": ["Passwords don't match"], "non_field_errors": []}))
    );
    let r = post(&app, "/register/", body("ada", "ada@example.com", "ada@example.com", "ada@example.com")).await;
    assert_eq!(r.status, 400);
    assert!(r.body["password"][0].as_str().unwrap_or("").contains("too similar"), "{:?}", r.body);
    let r = post(&app, "/register/", body("ada", "", PASSWORD, PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "User without email cannot be verified"})));
    let r = post(&app, "/register/", body("ada", "not-an-email", PASSWORD, PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));

    registered(&app, "ada", "ada@example.com").await;
    // a taken name with a weak password: the field first, as DRF stops there
    let r = post(&app, "/register/", body("ADA", "other@example.com", "short", "short")).await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["A user with that username already exists."]})));
    let r = post(&app, "/register/", body("grace", "ADA@example.com", PASSWORD, PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "This email is already registered."})));

    // without the confirm setting there is no second field
    let app =
        TestApp::spawn(rr_app(&b).env("LATCHKEY_REST_REGISTRATION_REGISTER_SERIALIZER_PASSWORD_CONFIRM", "false"))
            .await;
    let r =
        post(&app, "/register/", json!({"username": "ada", "email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

async fn reset_password_by_login(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    registered(&app, "ada", "ada@example.com").await;
    let old = token(&app, "ada", PASSWORD).await;
    let sent = json!({"detail": "Reset link sent if the user exists in database"});
    let r = post(&app, "/send-reset-password-link/", json!({})).await;
    assert_eq!((r.status, r.body), (400, json!({"login": ["This field is required."]})));
    // an unknown login answers the same, and nothing is sent anywhere
    let before = app.smtp.all().len();
    let r = post(&app, "/send-reset-password-link/", json!({"login": "nobody"})).await;
    assert_eq!((r.status, &r.body), (200, &sent));
    let r = post(&app, "/send-reset-password-link/", json!({"login": "ada"})).await;
    assert_eq!((r.status, &r.body), (200, &sent));
    let mail = app.reset_email("ada@example.com", 1).await;
    app.settled().await;
    assert_eq!(app.smtp.all().len(), before + 1, "only ada's link");
    let q = query(&mail.link(), "https://front.test/reset-password/");

    let mut body = signed(&q);
    body["password"] = json!("short");
    let r = post(&app, "/reset-password/", body.clone()).await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            json!({"password": ["This password is too short. It must contain at least 8 characters."],
                   "non_field_errors": []})
        )
    );
    body["password"] = json!("Fresh-Latch-42");
    body["timestamp"] = json!(q["timestamp"].parse::<i64>().expect("ts") + 1);
    let r = post(&app, "/reset-password/", body.clone()).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})));
    body["timestamp"] = json!(q["timestamp"]);
    let r = post(&app, "/reset-password/", body.clone()).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Reset password successful"})));
    let r = post(&app, "/reset-password/", body).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})), "single use");
    // everything the account had set up ends with a reset
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &old).await.status, 401);
    assert_eq!(login(&app, "ada", "Fresh-Latch-42").await.status, 200);

    // the package's email setting reads `email` instead
    let app = TestApp::spawn(
        rr_app(&b).env("LATCHKEY_REST_REGISTRATION_SEND_RESET_PASSWORD_LINK_SERIALIZER_USE_EMAIL", "true"),
    )
    .await;
    registered(&app, "ada", "ada@example.com").await;
    let r = post(&app, "/send-reset-password-link/", json!({"email": "ada@example.com"})).await;
    assert_eq!((r.status, &r.body), (200, &sent));
    let mail = app.reset_email("ada@example.com", 1).await;
    let q = query(&mail.link(), "https://front.test/reset-password/");
    let mut body = signed(&q);
    body["password"] = json!("Fresh-Latch-42");
    assert_eq!(post(&app, "/reset-password/", body).await.status, 200);
}

async fn signed_links_expire_and_die(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    registered(&app, "ada", "ada@example.com").await;
    for n in 1..=2 {
        let r = post(&app, "/send-reset-password-link/", json!({"login": "ada"})).await;
        assert_eq!(r.status, 200);
        app.reset_email("ada@example.com", n).await;
    }
    let first = query(&app.reset_email("ada@example.com", 1).await.link(), "https://front.test/reset-password/");
    let second = query(&app.reset_email("ada@example.com", 2).await.link(), "https://front.test/reset-password/");
    let with_password = |q: &HashMap<String, String>| {
        let mut v = signed(q);
        v["password"] = json!("Fresh-Latch-42");
        v
    };
    // a genuine link past its period is expired (and only then)
    app.clock.advance(25 * 3600);
    let r = post(&app, "/reset-password/", with_password(&first)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "Signature expired"})));
    app.clock.advance(-25 * 3600);
    // a reset ends the account's other links
    assert_eq!(post(&app, "/reset-password/", with_password(&first)).await.status, 200);
    let r = post(&app, "/reset-password/", with_password(&second)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})));
    // another kind's link is no use here
    let r = post(&app, "/send-reset-password-link/", json!({"login": "ada"})).await;
    assert_eq!(r.status, 200);
    let third = query(&app.reset_email("ada@example.com", 3).await.link(), "https://front.test/reset-password/");
    let r = post(&app, "/verify-registration/", signed(&third)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})));
}

/// Twenty uses of one link at once: one wins, the rest are told the link
/// is no good (never a 5xx, never two passwords set or two addresses moved).
async fn a_link_is_used_once_however_many_race(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    registered(&app, "ada", "ada@example.com").await;
    assert_eq!(post(&app, "/send-reset-password-link/", json!({"login": "ada"})).await.status, 200);
    let q = query(&app.reset_email("ada@example.com", 1).await.link(), "https://front.test/reset-password/");
    let tries = (0..20).map(|i| {
        let mut v = signed(&q);
        v["password"] = json!(format!("Fresh-Latch-{i:02}"));
        post(&app, "/reset-password/", v)
    });
    let answers = futures::future::join_all(tries).await;
    let won: Vec<usize> = (0..20).filter(|i| answers[*i].status == 200).collect();
    assert_eq!(won.len(), 1, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_eq!((r.status, &r.body), (400, &json!({"detail": INVALID_SIGNATURE})));
    }
    // the password is the winner's
    let winner = format!("Fresh-Latch-{:02}", won[0]);
    assert_eq!(login(&app, "ada", &winner).await.status, 200);

    let auth = token(&app, "ada", &winner).await;
    let r = post_auth(&app, "/register-email/", json!({"email": "new@example.com"}), &auth).await;
    assert_eq!(r.status, 200);
    let mail = app.smtp.wait_for_subject("new@example.com", "Confirm your new email address", 1).await;
    let q = query(&mail.link(), "https://front.test/verify-email/");
    let answers = futures::future::join_all((0..20).map(|_| post(&app, "/verify-email/", signed(&q)))).await;
    assert_eq!(answers.iter().filter(|r| r.status == 200).count(), 1);
    assert!(answers.iter().all(|r| r.status == 200 || r.status == 400), "never a 5xx");
}

async fn register_email(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    registered(&app, "ada", "ada@example.com").await;
    registered(&app, "grace", "grace@example.com").await;
    let auth = token(&app, "ada", PASSWORD).await;
    let r = post(&app, "/register-email/", json!({"email": "new@example.com"})).await;
    assert_eq!(r.status, 401);
    let r = post_auth(&app, "/register-email/", json!({"email": "nope"}), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));
    let sent = json!({"detail": "Register email link email sent"});
    let r = post_auth(&app, "/register-email/", json!({"email": "new@example.com"}), &auth).await;
    assert_eq!((r.status, &r.body), (200, &sent));
    // an address someone has: the same answer; its owner is told, no link
    let r = post_auth(&app, "/register-email/", json!({"email": "Grace@example.com"}), &auth).await;
    assert_eq!((r.status, &r.body), (200, &sent));
    let notice = app.smtp.wait_for_subject("grace@example.com", "already in use", 1).await;
    assert!(!notice.text.contains("http"), "{}", notice.text);
    // a wrong password, when one is given, is refused
    let r = post_auth(&app, "/register-email/", json!({"email": "x@example.com", "password": "wrong"}), &auth).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(r.body["password"].is_array(), "{:?}", r.body);

    let mail = app.smtp.wait_for_subject("new@example.com", "Confirm your new email address", 1).await;
    let q = query(&mail.link(), "https://front.test/verify-email/");
    assert_eq!(q["email"], "new@example.com");
    let mut forged = signed(&q);
    forged["email"] = json!("eve@example.com");
    let r = post(&app, "/verify-email/", forged).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})));
    let r = post(&app, "/verify-email/", signed(&q)).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Email verified successfully"})));
    let r = rr(&app, Method::GET, "/profile/", None, &auth).await;
    assert_eq!(r.body["email"], "new@example.com");
    app.smtp.wait_for_subject("ada@example.com", "email address was changed", 1).await;
    let r = post(&app, "/verify-email/", signed(&q)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": INVALID_SIGNATURE})), "single use");

    // taken meanwhile: the package's words
    let r = post_auth(&app, "/register-email/", json!({"email": "late@example.com"}), &auth).await;
    assert_eq!(r.status, 200);
    let mail = app.smtp.wait_for_subject("late@example.com", "Confirm your new email address", 1).await;
    let q = query(&mail.link(), "https://front.test/verify-email/");
    let grace = token(&app, "grace", PASSWORD).await;
    let r =
        app.post_auth("/email/change/", json!({"new_email": "late@example.com", "password": PASSWORD}), &grace).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let key = app.smtp.wait_for_subject("late@example.com", "Confirm your new email address", 2).await.link();
    let key = key.rsplit('/').next().expect("key").to_owned();
    assert_eq!(app.post("/email/change/confirm/", json!({"key": key})).await.status, 200);
    let r = post(&app, "/verify-email/", signed(&q)).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "This email is already registered."})));
}

async fn register_email_password_setting(b: Backend) {
    let app =
        TestApp::spawn(rr_app(&b).env("LATCHKEY_REST_REGISTRATION_REGISTER_EMAIL_PASSWORD_REQUIRED", "true")).await;
    registered(&app, "ada", "ada@example.com").await;
    let auth = token(&app, "ada", PASSWORD).await;
    let r = post_auth(&app, "/register-email/", json!({"email": "new@example.com"}), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"password": ["This field is required."]})));
    let r = post_auth(&app, "/register-email/", json!({"email": "new@example.com", "password": PASSWORD}), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn logout_and_tokens(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    registered(&app, "ada", "ada@example.com").await;
    // a token per sign-in
    let (one, two) = (token(&app, "ada", PASSWORD).await, token(&app, "ada", PASSWORD).await);
    assert_eq!(post(&app, "/logout/", json!({})).await.status, 401);
    let r = post_auth(&app, "/logout/", json!({"revoke_token": "maybe"}), &one).await;
    assert_eq!((r.status, r.body), (400, json!({"revoke_token": ["Must be a valid boolean."]})));
    // without revoke_token the token stays, as in the package
    let r = post_auth(&app, "/logout/", json!({}), &one).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Logout successful"})));
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &one).await.status, 200);
    let r = post_auth(&app, "/logout/", json!({"revoke_token": true}), &one).await;
    assert_eq!(r.status, 200);
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &one).await.status, 401);
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &two).await.status, 200, "only the token that asked");

    // a browser: login/ also starts a session; logout ends it, revoke_token the account's tokens
    let browser = app.browser();
    let base = "/api/v1/accounts";
    let r = app
        .request(
            &browser,
            Method::POST,
            &format!("{base}/login/"),
            Some(json!({"login": "ada", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(app.request(&browser, Method::GET, &format!("{base}/profile/"), None, &Auth::None).await.status, 200);
    let r = app
        .request(&browser, Method::POST, &format!("{base}/logout/"), Some(json!({"revoke_token": "true"})), &Auth::None)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.request(&browser, Method::GET, &format!("{base}/profile/"), None, &Auth::None).await.status, 401);
    assert_eq!(rr(&app, Method::GET, "/profile/", None, &two).await.status, 401);
    // none left to revoke: the package's words
    let r = app
        .request(
            &browser,
            Method::POST,
            &format!("{base}/login/"),
            Some(json!({"login": "ada", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    let key = Auth::Token(r.str("token"));
    let r = post_auth(&app, "/logout/", json!({"revoke_token": true}), &key).await;
    assert_eq!(r.status, 200);
    let r = app
        .request(&browser, Method::POST, &format!("{base}/logout/"), Some(json!({"revoke_token": true})), &Auth::None)
        .await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "Authentication token not found"})));
}

async fn one_account_every_door(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    registered(&app, "ada", "ada@example.com").await;
    // made here, signed in at dj-rest-auth's and djoser's doors
    let dj = app.login_auth("ada", PASSWORD).await;
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/token/login/",
            Some(json!({"username": "ada", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // a token from another door works here, and this door's there
    let r = rr(&app, Method::GET, "/profile/", None, &dj).await;
    assert_eq!((r.status, &r.body["username"]), (200, &json!("ada")));
    let here = token(&app, "ada", PASSWORD).await;
    assert_eq!(app.get_user(&here).await.status, 200);
    // an account made at dj-rest-auth's door signs in here
    app.signup_verified("grace", "grace@example.com").await;
    assert_eq!(login(&app, "grace", PASSWORD).await.status, 200);
    // the same password budget on every door
    for _ in 0..12 {
        login(&app, "grace", "wrong-password").await;
    }
    let r = app.login("grace", PASSWORD).await;
    assert_ne!(r.status, 200, "the budget spent here holds at /api/auth/login/ too: {:?}", r.body);
}

async fn second_factor_is_never_skipped(b: Backend) {
    let app = TestApp::spawn(rr_app(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    crate::two_factor::activate(&app, &auth).await;
    let r = login(&app, "ada", PASSWORD).await;
    assert_eq!(r.status, 400);
    assert!(r.body["detail"].as_str().unwrap_or("").contains("/api/auth/mfa/verify/"), "{:?}", r.body);
    assert!(r.body.get("token").is_none());
}

async fn the_door_moves_and_turns_off(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_REST_REGISTRATION_PREFIX", "/rr/")).await;
    let r = app
        .request(&app.http, Method::POST, "/rr/login/", Some(json!({"login": "x", "password": "y"})), &Auth::None)
        .await;
    assert_eq!((r.status, r.body), (400, json!({"detail": LOGIN_INVALID})));
    // a path under /api/ that no door serves is DRF's JSON 404
    let r = post(&app, "/login/", json!({})).await;
    assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})));
    // and an unknown page is "Page not found", never "cannot reach its database"
    let page = app.http.get(format!("{}/no-such-page", app.base)).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 404);
    let html = page.text().await.expect("html");
    assert!(html.contains("Page not found") && !html.contains("data-testid=\"unavailable\""), "{html}");
    // by default the links lead to Latchkey's own pages, the signed query appended
    let r = app.request(&app.http, Method::POST, "/rr/register/", Some(json!({"username": "ada", "email": "ada@example.com", "password": PASSWORD, "password_confirm": PASSWORD})), &Auth::None).await;
    assert_eq!(r.status, 201);
    let link = app.smtp.wait_for_subject("ada@example.com", "Confirm your email address", 1).await.link();
    assert!(link.starts_with("http://latchkey.test/verify-email/"), "{link}");
    assert!(link.contains("?user_id="), "{link}");
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_REST_REGISTRATION_PREFIX", "off")).await;
    let r = post(&app, "/login/", json!({})).await;
    assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})));
}

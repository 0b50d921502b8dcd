//! `password/reset/` and `password/reset/confirm/`.

use crate::helpers::{uid_token, Auth, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use serde_json::json;

cases!(
    reset_by_email_link_sets_a_new_password,
    reset_tokens_are_single_use_and_die_with_the_password,
    reset_tokens_expire,
    reset_for_an_unknown_address_reveals_nothing,
    reset_confirm_validates_input,
);

fn confirm(uid: &str, token: &str, n1: &str, n2: &str) -> serde_json::Value {
    json!({"uid": uid, "token": token, "new_password1": n1, "new_password2": n2})
}

async fn reset_by_email_link_sets_a_new_password(b: Backend) {
    let app =
        TestApp::spawn(Opts::new(&b).env("LATCHKEY_RESET_URL_TEMPLATE", "https://app.example/reset/{uid}/{token}"))
            .await;
    app.register("ada", "ada@example.com", PASSWORD).await; // never verified
    let before = app.login_auth_or_none("ada").await;
    let r = app.post("/password/reset/", json!({"email": "ADA@example.com"})).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Password reset e-mail has been sent."})));
    let mail = app.reset_email("ada@example.com", 1).await;
    assert!(mail.link().starts_with("https://app.example/reset/"), "{}", mail.link());
    let (uid, token) = uid_token(&mail.link());
    let r = app.post("/password/reset/confirm/", confirm(&uid, &token, NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Password has been reset with the new password."})));
    assert_eq!(app.login("ada", PASSWORD).await.status, 400);
    assert_eq!(app.login("ada", NEW_PASSWORD).await.status, 200, "the reset also proves the address");
    assert!(before.is_none());
}

async fn reset_tokens_are_single_use_and_die_with_the_password(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let session = app.login_auth("ada", PASSWORD).await;
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    let (uid1, token1) = uid_token(&app.reset_email("ada@example.com", 1).await.link());
    let (uid2, token2) = uid_token(&app.reset_email("ada@example.com", 2).await.link());

    assert_eq!(
        app.post("/password/reset/confirm/", confirm(&uid1, &token1, NEW_PASSWORD, NEW_PASSWORD)).await.status,
        200
    );
    assert_eq!(app.get_user(&session).await.status, 401, "a reset ends every session");
    let r = app.post("/password/reset/confirm/", confirm(&uid1, &token1, "Another-Pass-42", "Another-Pass-42")).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid value"]})), "used once");
    let r = app.post("/password/reset/confirm/", confirm(&uid2, &token2, "Another-Pass-42", "Another-Pass-42")).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid value"]})), "older links die with the password");

    // a link requested before a password change dies with the change
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    let (uid3, token3) = uid_token(&app.reset_email("ada@example.com", 3).await.link());
    let auth = app.login_auth("ada", NEW_PASSWORD).await;
    let body =
        json!({"old_password": NEW_PASSWORD, "new_password1": "Third-Pass-303", "new_password2": "Third-Pass-303"});
    assert_eq!(app.post_auth("/password/change/", body, &auth).await.status, 200);
    let r = app.post("/password/reset/confirm/", confirm(&uid3, &token3, "Another-Pass-42", "Another-Pass-42")).await;
    assert_eq!(r.status, 400);
    assert_eq!(app.login("ada", "Third-Pass-303").await.status, 200);
}

async fn reset_tokens_expire(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_PASSWORD_RESET_TTL", "3600")).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    let (uid, token) = uid_token(&app.reset_email("ada@example.com", 1).await.link());
    app.clock.advance(3600);
    let r = app.post("/password/reset/confirm/", confirm(&uid, &token, NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid value"]})));
    assert_eq!(app.login("ada", PASSWORD).await.status, 200);
}

async fn reset_for_an_unknown_address_reveals_nothing(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let known = app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    let unknown = app.post("/password/reset/", json!({"email": "ghost@example.com"})).await;
    assert_eq!((known.status, known.body), (unknown.status, unknown.body));
    let mail = app.smtp.wait_for("ghost@example.com", 1).await;
    assert!(mail.text.contains("no account uses this address"), "{}", mail.text);
    let r = app.post("/password/reset/", json!({"email": "nope"})).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));
}

async fn reset_confirm_validates_input(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    let (uid, token) = uid_token(&app.reset_email("ada@example.com", 1).await.link());
    let r = app.post("/password/reset/confirm/", confirm("!!", &token, NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"uid": ["Invalid value"]})));
    let r = app.post("/password/reset/confirm/", confirm("OTk5OQ", &token, NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"uid": ["Invalid value"]})), "an unknown user");
    let r = app.post("/password/reset/confirm/", confirm(&uid, "forged", NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid value"]})));
    let r = app.post("/password/reset/confirm/", confirm(&uid, &token, NEW_PASSWORD, "Other-Pass-11")).await;
    assert_eq!((r.status, r.body), (400, json!({"new_password2": ["The two password fields didn’t match."]})));
    let r = app.post("/password/reset/confirm/", confirm(&uid, &token, "12345678", "12345678")).await;
    assert_eq!(r.status, 400);
    assert!(r.body["new_password2"]
        .as_array()
        .is_some_and(|a| a.contains(&json!("This password is entirely numeric."))));
    let r = app.post("/password/reset/confirm/", json!({"uid": uid})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["token"], json!(["This field is required."]));
    // after all those failures the link still works
    assert_eq!(
        app.post("/password/reset/confirm/", confirm(&uid, &token, NEW_PASSWORD, NEW_PASSWORD)).await.status,
        200
    );
}

impl TestApp {
    /// A login attempt that is expected to fail (unverified account).
    async fn login_auth_or_none(&self, username: &str) -> Option<Auth> {
        let r = self.login(username, PASSWORD).await;
        (r.status == 200).then(|| self.auth_from(&r))
    }
}

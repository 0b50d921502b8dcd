//! `registration/`, `registration/verify-email/`, `registration/resend-email/`.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use serde_json::json;

cases!(
    mandatory_signup_sends_a_working_verification_link,
    duplicates_are_refused_case_insensitively,
    password_rules_are_djangos,
    optional_and_none_modes_log_in_at_once,
    verification_keys_are_single_use_and_expire,
    resend_is_silent_and_only_mails_unverified_accounts,
    verification_links_follow_the_url_template,
);

async fn mandatory_signup_sends_a_working_verification_link(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let r = app.register("ada", "Ada@Example.com", PASSWORD).await;
    assert_eq!((r.status, r.body.clone()), (201, json!({"detail": "Verification e-mail sent."})));

    let mail = app.smtp.wait_for("Ada@example.com", 1).await;
    assert!(mail.html.contains(&mail.link()), "HTML part carries the link too");
    assert!(mail.link().starts_with("http://latchkey.test/verify-email/"), "{}", mail.link());

    let r = app.login("ada", PASSWORD).await;
    assert_eq!((r.status, r.body.clone()), (400, json!({"non_field_errors": ["E-mail is not verified."]})));

    let key = app.verification_key("ada@example.com", 1).await;
    let r = app.post("/registration/verify-email/", json!({ "key": key })).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "ok"})));

    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.str("key").len(), 43);
}

async fn duplicates_are_refused_case_insensitively(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    assert_eq!(app.register("ada", "ada@example.com", PASSWORD).await.status, 201);
    let r = app.register("ADA", "other@example.com", PASSWORD).await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["A user with that username already exists."]})));
    let r = app.register("bob", "ADA@EXAMPLE.COM", PASSWORD).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["User is already registered with this e-mail address."]})));
    // racing duplicates: exactly one wins, the other gets a 400, never a 500
    let (a, c) = tokio::join!(
        app.register("twin", "twin1@example.com", PASSWORD),
        app.register("Twin", "twin2@example.com", PASSWORD)
    );
    let mut statuses = [a.status, c.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 400], "{:?} {:?}", a.body, c.body);
}

async fn password_rules_are_djangos(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let r = app.register("ada", "ada@example.com", "1234").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"password1": [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric."
        ]})
    );
    let r = app.register("ada", "ada@example.com", "password").await;
    assert_eq!(r.body, json!({"password1": ["This password is too common."]}));
    // dj-rest-auth checks similarity when saving the new user: a form-wide error
    let r = app.register("mariaelena", "m@example.com", "MariaElena1").await;
    assert_eq!(r.body, json!({"non_field_errors": ["The password is too similar to the username."]}));
    let r = app
        .post(
            "/registration/",
            json!({"username": "ada", "email": "ada@example.com", "password1": PASSWORD, "password2": "other-Pass-99"}),
        )
        .await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["The two password fields didn't match."]})));
    let r =
        app.post("/registration/", json!({"username": "", "email": "nope", "password1": "", "password2": ""})).await;
    assert_eq!(
        r.body,
        json!({
            "username": ["This field may not be blank."],
            "email": ["Enter a valid email address."],
            "password1": ["This field may not be blank."],
            "password2": ["This field may not be blank."]
        })
    );
    assert_eq!(app.emails_to("ada@example.com").await, 0, "no account, no email");
}

async fn optional_and_none_modes_log_in_at_once(b: Backend) {
    for (verification, mails) in [("optional", 1), ("none", 0)] {
        for mode in ["token", "jwt"] {
            let app = TestApp::spawn(Opts::new(&b).verification(verification).mode(mode)).await;
            let r = app.register("ada", "ada@example.com", PASSWORD).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            let auth = app.auth_from(&r);
            if mode == "jwt" {
                assert_eq!(r.body["user"]["username"], "ada");
                assert!(r.body["refresh"].is_string());
            }
            let me = app.get_user(&auth).await;
            assert_eq!((me.status, me.body["email"].clone()), (200, json!("ada@example.com")));
            assert_eq!(app.emails_to("ada@example.com").await, mails, "{verification}");
            assert_eq!(app.login("ada", PASSWORD).await.status, 200);
        }
    }
}

async fn verification_keys_are_single_use_and_expire(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let key = app.verification_key("ada@example.com", 1).await;
    let r = app.post("/registration/verify-email/", json!({ "key": key })).await;
    assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})), "a used key is dead");
    let r = app.post("/registration/verify-email/", json!({ "key": "made-up" })).await;
    assert_eq!(r.status, 404);
    let r = app.post("/registration/verify-email/", json!({})).await;
    assert_eq!((r.status, r.body), (400, json!({"key": ["This field is required."]})));

    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_VERIFICATION_TTL", "259200")).await;
    app.register("bob", "bob@example.com", PASSWORD).await;
    let key = app.verification_key("bob@example.com", 1).await;
    app.clock.advance(259_200);
    let r = app.post("/registration/verify-email/", json!({ "key": key })).await;
    assert_eq!(r.status, 404, "an expired key is dead");
    assert_eq!(app.login("bob", PASSWORD).await.status, 400);
}

async fn resend_is_silent_and_only_mails_unverified_accounts(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.register("ada", "ada@example.com", PASSWORD).await;
    app.signup_verified("bob", "bob@example.com").await;
    for email in ["ada@example.com", "bob@example.com", "nobody@example.com"] {
        let r = app.post("/registration/resend-email/", json!({ "email": email })).await;
        assert_eq!((r.status, r.body), (200, json!({"detail": "ok"})), "{email}");
    }
    assert_eq!(app.emails_to("ada@example.com").await, 2);
    assert_eq!(app.emails_to("bob@example.com").await, 1);
    assert_eq!(app.emails_to("nobody@example.com").await, 0);
    // the second key works
    let key = app.verification_key("ada@example.com", 2).await;
    assert_eq!(app.post("/registration/verify-email/", json!({ "key": key })).await.status, 200);
    let r = app.post("/registration/resend-email/", json!({ "email": "not-an-email" })).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));
}

async fn verification_links_follow_the_url_template(b: Backend) {
    let app =
        TestApp::spawn(Opts::new(&b).env("LATCHKEY_VERIFY_URL_TEMPLATE", "https://app.example/verify/{key}")).await;
    app.register("ada", "ada@example.com", PASSWORD).await;
    let mail = app.smtp.wait_for("ada@example.com", 1).await;
    assert!(mail.link().starts_with("https://app.example/verify/"), "{}", mail.link());
}

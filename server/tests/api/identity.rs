//! Identity confusion: names that look alike are one name, and nobody can
//! take another person's address as a username (which would hijack their
//! "username or email" login).

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;

cases!(look_alike_usernames_are_taken, an_address_as_username_must_be_ones_own, an_address_logs_in_its_owner);

async fn look_alike_usernames_are_taken(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    for twin in ["ａｄａ", "ＡＤＡ", "Ada"] {
        let r = app.register(twin, "twin@example.com", PASSWORD).await;
        assert_eq!(
            (r.status, r.body["username"].clone()),
            (400, json!(["A user with that username already exists."])),
            "{twin}"
        );
    }
    // Latin with a Cyrillic "а" in it
    let r = app.register("\u{430}da", "twin@example.com", PASSWORD).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["username"],
        json!(["Enter a valid username. Letters from different alphabets cannot be mixed in one username."])
    );
    // the full-width form is stored as Django stores it, and logs in
    let r = app.register("ｂｏｂ", "bob@example.com", PASSWORD).await;
    assert_eq!(r.status, 201);
    let key = app.verification_key("bob@example.com", 1).await;
    app.post("/registration/verify-email/", json!({ "key": key })).await;
    let auth = app.login_auth("bob", PASSWORD).await;
    assert_eq!(app.get_user(&auth).await.body["username"], "bob");
    assert_eq!(app.login("ＢＯＢ", PASSWORD).await.status, 200);
}

async fn an_address_as_username_must_be_ones_own(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let theirs = json!(["A username that is an e-mail address must be your own e-mail address."]);
    let r = app.register("victim@example.com", "mallory@example.com", PASSWORD).await;
    assert_eq!((r.status, r.body["username"].clone()), (400, theirs.clone()));
    let r = app.register("Ada@Example.com", "ada@example.com", PASSWORD).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    app.signup_verified("mallory", "mallory@example.com").await;
    let auth = app.login_auth("mallory", PASSWORD).await;
    let r = app.call(Method::PATCH, "/user/", Some(json!({"username": "victim@example.com"})), &auth).await;
    assert_eq!((r.status, r.body["username"].clone()), (400, theirs));
    let r = app.call(Method::PATCH, "/user/", Some(json!({"username": "mallory@example.com"})), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // a name that only overflows once lowercased is refused, not a 500 on PostgreSQL
    let r = app.call(Method::PATCH, "/user/", Some(json!({"username": "\u{130}".repeat(100)})), &auth).await;
    assert_eq!(
        (r.status, r.body["username"].clone()),
        (400, json!(["Ensure this field has no more than 150 characters."]))
    );
}

async fn an_address_logs_in_its_owner(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    // ada's username is her address; later she moves to another address
    app.signup_verified("ada@example.com", "ada@example.com").await;
    let ada = app.login_auth("ada@example.com", PASSWORD).await;
    let r = app.post_auth("/email/change/", json!({"new_email": "ada@new.example", "password": PASSWORD}), &ada).await;
    assert_eq!(r.status, 200);
    let key = app.smtp.wait_for("ada@new.example", 1).await.link().rsplit('/').next().expect("key").to_owned();
    assert_eq!(app.post("/email/change/confirm/", json!({ "key": key })).await.status, 200);
    // the old address now belongs to someone else, who logs in with it
    assert_eq!(app.register("carol", "ada@example.com", PASSWORD).await.status, 201);
    let key = app.verification_key("ada@example.com", 2).await; // after ada's own
    assert_eq!(app.post("/registration/verify-email/", json!({ "key": key })).await.status, 200);
    let carol = app.login_auth("ada@example.com", PASSWORD).await;
    assert_eq!(app.get_user(&carol).await.body["username"], "carol");
    assert_eq!(app.get_user(&app.login_auth("ada@new.example", PASSWORD).await).await.body["email"], "ada@new.example");
}

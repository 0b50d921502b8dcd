//! `password/change/`: checks the old password, validates the new one, and
//! revokes every other session and token.

use crate::helpers::{Auth, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use reqwest::Method;
use serde_json::json;

cases!(change_password_validates_input, change_password_revokes_other_credentials);

async fn change_password_validates_input(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let change = |old: &str, n1: &str, n2: &str| json!({"old_password": old, "new_password1": n1, "new_password2": n2});

    let r = app.post_auth("/password/change/", change("Wrong-Old-1", NEW_PASSWORD, NEW_PASSWORD), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"old_password": ["Your old password was entered incorrectly. Please enter it again."]}))
    );
    let r = app.post_auth("/password/change/", change(PASSWORD, NEW_PASSWORD, "different-Pass-1"), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"new_password2": ["The two password fields didn’t match."]})));
    let r = app.post_auth("/password/change/", change(PASSWORD, "ada12", "ada12"), &auth).await;
    assert_eq!(r.status, 400);
    assert!(r.body["new_password2"].as_array().is_some_and(|a| a.len() >= 2), "{:?}", r.body);
    let r = app
        .post_auth("/password/change/", json!({"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}), &auth)
        .await;
    assert_eq!((r.status, r.body), (400, json!({"old_password": ["This field is required."]})));
    let r = app.post_auth("/password/change/", change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD), &Auth::None).await;
    assert_eq!(r.status, 401);
    assert_eq!(app.login("ada", NEW_PASSWORD).await.status, 400, "nothing changed yet");

    let r = app.post_auth("/password/change/", change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "New password has been saved."})));
    assert_eq!(app.login("ada", PASSWORD).await.status, 400);
    assert_eq!(app.login("ada", NEW_PASSWORD).await.status, 200);
}

async fn change_password_revokes_other_credentials(b: Backend) {
    for mode in ["token", "jwt"] {
        let app = TestApp::spawn(Opts::new(&b).mode(mode)).await;
        app.signup_verified("ada", "ada@example.com").await;
        let current = app.login_auth("ada", PASSWORD).await;
        let other = app.login_auth("ada", PASSWORD).await;
        let other_refresh = app.login("ada", PASSWORD).await.body["refresh"].clone();
        let browser = app.browser();
        let r = app
            .call_with(
                &browser,
                Method::POST,
                "/login/",
                Some(json!({"username": "ada", "password": PASSWORD})),
                &Auth::None,
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await.status, 200);

        let body = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
        assert_eq!(app.post_auth("/password/change/", body, &current).await.status, 200);

        assert_eq!(app.get_user(&current).await.status, 200, "{mode}: the credential used stays valid");
        assert_eq!(app.get_user(&other).await.status, 401, "{mode}: other tokens are revoked");
        assert_eq!(
            app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await.status,
            401,
            "{mode}: other sessions end"
        );
        if mode == "jwt" {
            let r = app.post("/token/refresh/", json!({ "refresh": other_refresh })).await;
            assert_eq!(r.status, 401, "other refresh tokens are revoked");
        }
    }
}

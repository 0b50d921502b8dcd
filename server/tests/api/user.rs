//! `user/`: GET, PUT, PATCH.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;

cases!(read_and_update_own_details, username_changes_are_validated);

async fn read_and_update_own_details(b: Backend) {
    for mode in ["token", "jwt"] {
        let app = TestApp::spawn(Opts::new(&b).mode(mode)).await;
        app.signup_verified("ada", "ada@example.com").await;
        let auth = app.login_auth("ada", PASSWORD).await;
        let me = app.get_user(&auth).await;
        assert_eq!(me.status, 200);
        let pk = me.body["pk"].clone();
        let empty = json!({"company_name": "", "phone_number": "", "bio": "", "avatar": null});
        let expected = json!({"pk": pk, "username": "ada", "email": "ada@example.com", "first_name": "", "last_name": "", "profile": empty});
        assert_eq!(me.body, expected);

        let r = app
            .call(
                Method::PATCH,
                "/user/",
                Some(json!({"first_name": " Ada ", "email": "evil@example.com", "pk": 999})),
                &auth,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            r.body,
            json!({"pk": pk, "username": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": "", "profile": empty})
        );

        let r = app
            .call(Method::PUT, "/user/", Some(json!({"username": "lovelace", "last_name": "Lovelace"})), &auth)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["username"], "lovelace");
        assert_eq!(r.body["first_name"], "Ada", "PUT leaves fields it does not name");
        let r = app.call(Method::PUT, "/user/", Some(json!({"first_name": "A"})), &auth).await;
        assert_eq!((r.status, r.body), (400, json!({"username": ["This field is required."]})));
        assert_eq!(app.get_user(&auth).await.body["username"], "lovelace");
        assert_eq!(app.login("lovelace", PASSWORD).await.status, 200);
    }
}

async fn username_changes_are_validated(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.signup_verified("bob", "bob@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let r = app.call(Method::PATCH, "/user/", Some(json!({"username": "BOB"})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["A user with that username already exists."]})));
    let r = app.call(Method::PATCH, "/user/", Some(json!({"username": "ADA"})), &auth).await;
    assert_eq!(
        (r.status, r.body["username"].clone()),
        (200, json!("ADA")),
        "changing only the case of one's own name is fine"
    );
    let r =
        app.call(Method::PATCH, "/user/", Some(json!({"username": "a b", "first_name": "x".repeat(151)})), &auth).await;
    assert_eq!(r.status, 400);
    assert!(r.body["username"].is_array() && r.body["first_name"].is_array(), "{:?}", r.body);
}

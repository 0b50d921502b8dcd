//! Where dj-rest-auth 7.2 (with DRF 3.16 and simplejwt 5.5) answers
//! differently from what Latchkey used to: each case is what a client
//! written for the package sends and expects.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::{multipart, Method};
use serde_json::{json, Value};

cases!(
    jwt_login_user_has_the_nested_profile,
    phone_number_is_free_text_up_to_20,
    multipart_patch_uploads_profile_avatar,
    passwords_are_trimmed_as_drf_trims_them,
    refresh_answers_as_dj_rest_auth,
    refresh_in_cookie_mode,
    wording_and_keys
);

const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
];

async fn jwt_login_user_has_the_nested_profile(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).mode("jwt")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let patch = json!({"profile": {"company_name": "Engines", "bio": "Hi"}});
    assert_eq!(app.call(Method::PATCH, "/user/", Some(patch), &auth).await.status, 200);
    let me = app.get_user(&auth).await.body;
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["user"], me, "the login response's user is GET user/'s");
    assert_eq!(r.body["user"]["profile"]["company_name"], "Engines");
}

async fn phone_number_is_free_text_up_to_20(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let r =
        app.call(Method::PATCH, "/user/", Some(json!({"profile": {"phone_number": "ext. 12 (ask Ann)"}})), &auth).await;
    assert_eq!((r.status, r.body["profile"]["phone_number"].clone()), (200, json!("ext. 12 (ask Ann)")));
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": {"phone_number": "1".repeat(21)}})), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"profile": {"phone_number": ["Ensure this field has no more than 20 characters."]}}))
    );
    // 20 characters that lowercase or normalise longer still fit the column on PostgreSQL
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": {"phone_number": "İ".repeat(20)}})), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn multipart_patch_uploads_profile_avatar(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let Auth::Token(key) = &auth else { unreachable!() };
    let url = format!("{}/api/auth/user/", app.base);
    let send = |image: Vec<u8>, bio: &'static str| {
        let form = multipart::Form::new().text("first_name", "Ada").text("profile.bio", bio).part(
            "profile.avatar",
            multipart::Part::bytes(image).file_name("me.png").mime_str("image/png").expect("mime"),
        );
        app.http.patch(&url).header("Authorization", format!("Token {key}")).multipart(form).send()
    };
    let r = send(PNG.to_vec(), "Analyst").await.expect("patch");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!((body["first_name"].clone(), body["profile"]["bio"].clone()), (json!("Ada"), json!("Analyst")));
    let avatar = body["profile"]["avatar"].as_str().expect("an avatar URL").to_owned();
    assert!(avatar.ends_with(".png"), "{avatar}");
    let served = app.http.get(avatar.replace("http://latchkey.test", &app.base)).send().await.expect("get");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PNG);

    // a bad image refuses the whole request: nothing else is written
    let r = send(b"<?php echo 1; ?>".to_vec(), "Changed").await.expect("patch");
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.expect("json");
    assert!(body["profile"]["avatar"][0].as_str().unwrap_or("").starts_with("Upload a valid image"), "{body}");
    let me = app.get_user(&auth).await.body;
    assert_eq!((me["profile"]["bio"].clone(), me["profile"]["avatar"].clone()), (json!("Analyst"), json!(avatar)));

    // the other fields of a multipart form are read as DRF reads them
    let form = multipart::Form::new().text("profile.company_name", "x".repeat(101));
    let r =
        app.http.put(&url).header("Authorization", format!("Token {key}")).multipart(form).send().await.expect("put");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body, json!({"username": ["This field is required."]}));
    let form = multipart::Form::new().text("username", "ada").text("profile.company_name", "x".repeat(101));
    let r =
        app.http.put(&url).header("Authorization", format!("Token {key}")).multipart(form).send().await.expect("put");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body, json!({"profile": {"company_name": ["Ensure this field has no more than 100 characters."]}}));
    // a JSON body on the upload-sized route is still held to the API's limit
    let big = json!({"first_name": "x".repeat(100 * 1024)}).to_string();
    let r = app
        .http
        .patch(&url)
        .header("Authorization", format!("Token {key}"))
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status().as_u16(), 413);
}

async fn passwords_are_trimmed_as_drf_trims_them(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).verification("none")).await;
    let padded = format!("  {PASSWORD}\t");
    let r = app.register("ada", "ada@example.com", &padded).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // stored trimmed: the bare password and any padding of it sign in
    assert_eq!(app.login("ada", PASSWORD).await.status, 200);
    let auth = app.login_auth("ada", &format!("\u{a0}{PASSWORD} ")).await;
    let r = app.login("ada", "   ").await;
    assert_eq!((r.status, r.body), (400, json!({"password": ["This field may not be blank."]})));

    let r = app
        .post_auth(
            "/password/change/",
            json!({"old_password": format!(" {PASSWORD} "), "new_password1": " Fresh-Latch-42 ", "new_password2": "Fresh-Latch-42"}),
            &auth,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.login("ada", "Fresh-Latch-42").await.status, 200);
    let r = app
        .post_auth("/password/change/", json!({"old_password": " ", "new_password1": "a", "new_password2": "a"}), &auth)
        .await;
    assert_eq!((r.status, r.body["old_password"].clone()), (400, json!(["This field may not be blank."])));
    // `CharField(max_length=128)` on every field of the change form
    let long = "Aa1-".repeat(33);
    let r = app
        .post_auth(
            "/password/change/",
            json!({"old_password": long, "new_password1": long, "new_password2": long}),
            &auth,
        )
        .await;
    let too_long = json!(["Ensure this field has no more than 128 characters."]);
    assert_eq!(
        (r.status, r.body),
        (400, json!({"old_password": too_long, "new_password1": too_long, "new_password2": too_long}))
    );
}

async fn refresh_answers_as_dj_rest_auth(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).mode("jwt")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.login("ada", PASSWORD).await;
    let n = app.post("/token/refresh/", json!({"refresh": r.str("refresh")})).await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    for k in ["access", "refresh", "access_expiration", "refresh_expiration"] {
        assert!(n.body[k].is_string(), "{k} in {:?}", n.body);
    }
    let r = app.post("/token/refresh/", json!({})).await;
    assert_eq!(
        (r.status, r.body),
        (401, json!({"detail": "No valid refresh token found.", "code": "token_not_valid"}))
    );
    let r = app.post("/token/refresh/", json!({"refresh": ""})).await;
    assert_eq!((r.status, r.body), (400, json!({"refresh": ["This field may not be blank."]})));
    let r = app.post("/token/refresh/", json!({"refresh": null})).await;
    assert_eq!((r.status, r.body), (400, json!({"refresh": ["This field may not be null."]})), "said once");
    let r = app.post("/token/verify/", json!({"token": ""})).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["This field may not be blank."]})));
    let r = app.post("/registration/verify-email/", json!({"key": ""})).await;
    assert_eq!((r.status, r.body), (400, json!({"key": ["This field may not be blank."]})));
    let r = app.raw(Method::POST, "/login/", Some("application/json"), b"null".to_vec()).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["No data provided"]})));
    let r = app.call(Method::GET, "/user/", None, &Auth::Token("a b".into())).await;
    assert_eq!(r.body, json!({"detail": "Invalid token header. Token string should not contain spaces."}));
}

async fn refresh_in_cookie_mode(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).mode("jwt").env("LATCHKEY_JWT_COOKIES", "true")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let url = |p: &str| format!("{}/api/auth{p}", app.base);
    let json_of = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.expect("json"))
    };
    // no cookie and no token in the body
    let fresh = reqwest::Client::new();
    let r = fresh.post(url("/token/refresh/")).json(&json!({})).send().await.expect("refresh");
    assert_eq!(json_of(r).await, (401, json!({"detail": "No valid refresh token found.", "code": "token_not_valid"})));

    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let r = client.post(url("/login/")).json(&json!({"username": "ada", "password": PASSWORD})).send().await;
    let (status, body) = json_of(r.expect("login")).await;
    assert_eq!((status, body["refresh"].clone()), (200, json!("")), "the refresh token is only in its cookie");
    assert!(body["access"].is_string());
    // without `refresh` in the body the cookie is used
    for body in [json!({}), json!({"other": 1})] {
        let (status, body) =
            json_of(client.post(url("/token/refresh/")).json(&body).send().await.expect("refresh")).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["access"].is_string() && body["access_expiration"].is_string(), "{body}");
        assert!(body.get("refresh").is_none() && body.get("refresh_expiration").is_none(), "{body}");
    }
    let r = client.post(url("/token/refresh/")).json(&json!({"refresh": ""})).send().await.expect("refresh");
    assert_eq!(json_of(r).await, (400, json!({"refresh": ["This field may not be blank."]})));
}

async fn wording_and_keys(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.post("/login/", json!({"email": "not-an-address", "password": PASSWORD})).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));
    let r = app.post("/login/", json!({"email": "", "username": "ada", "password": PASSWORD})).await;
    assert_eq!(r.status, 200, "a blank email is allowed: {:?}", r.body);

    let auth = app.login_auth("ada", PASSWORD).await;
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": "nope"})), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"profile": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}}))
    );
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": [1]})), &auth).await;
    assert_eq!(
        r.body,
        json!({"profile": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}})
    );
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": null})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"profile": ["This field may not be null."]})));

    // similarity is checked once the rest passes, as a form-wide error
    let r = app.register("mariaelena", "m@example.com", "MariaElena1").await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"non_field_errors": ["The password is too similar to the username."]}))
    );
    let r = app.register("carol", "c@example.com", "carol123").await;
    assert_eq!(r.body, json!({"password1": ["This password is too common."]}));
}

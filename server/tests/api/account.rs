//! The user's profile in the API (nested `profile`, avatar upload), email
//! change by API, and account deletion.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::{multipart, Method};
use serde_json::json;

cases!(
    nested_profile_reads_and_writes,
    avatar_upload_checks_type_and_size,
    email_change_confirms_the_new_address,
    account_deletion_removes_everything
);

const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
];

async fn signed_in(app: &TestApp) -> Auth {
    app.signup_verified("ada", "ada@example.com").await;
    app.login_auth("ada", PASSWORD).await
}

async fn nested_profile_reads_and_writes(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = signed_in(&app).await;
    let me = app.get_user(&auth).await;
    assert_eq!(me.body["profile"], json!({"company_name": "", "phone_number": "", "bio": "", "avatar": null}));
    let r = app
        .call(Method::PATCH, "/user/", Some(json!({"first_name": "Ada", "profile": {"company_name": "Engines", "phone_number": "+44 20 7946 0958", "bio": "Hi"}})), &auth)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["first_name"], "Ada");
    assert_eq!(r.body["profile"]["company_name"], "Engines");
    let r = app
        .call(
            Method::PATCH,
            "/user/",
            Some(json!({"profile": {"phone_number": "1".repeat(21), "bio": "x".repeat(1001)}})),
            &auth,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["profile"]["phone_number"], json!(["Ensure this field has no more than 20 characters."]));
    assert_eq!(r.body["profile"]["bio"], json!(["Ensure this field has no more than 1000 characters."]));
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": "nope"})), &auth).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        app.get_user(&auth).await.body["profile"]["phone_number"],
        "+44 20 7946 0958",
        "nothing stored was lost"
    );
}

async fn avatar_upload_checks_type_and_size(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_AVATAR_MAX_BYTES", "1024")).await;
    let auth = signed_in(&app).await;
    let Auth::Token(key) = &auth else { unreachable!() };
    let url = format!("{}/api/auth/user/avatar/", app.base);
    let send = |bytes: Vec<u8>, name: &'static str| {
        let form = multipart::Form::new().part("avatar", multipart::Part::bytes(bytes).file_name(name));
        app.http.put(&url).header("Authorization", format!("Token {key}")).multipart(form).send()
    };
    let r = send(PNG.to_vec(), "me.png").await.expect("upload");
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    let avatar = body["avatar"].as_str().expect("url").to_owned();
    assert!(avatar.starts_with("http://latchkey.test/media/avatars/") && avatar.ends_with(".png"), "{avatar}");
    let served = app.http.get(avatar.replace("http://latchkey.test", &app.base)).send().await.expect("get");
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), PNG);
    assert_eq!(app.get_user(&auth).await.body["profile"]["avatar"], json!(avatar));

    let r = send(b"<svg onload=alert(1)>".to_vec(), "x.png").await.expect("upload");
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(body["avatar"][0].as_str().unwrap_or("").starts_with("Upload a valid image"), "{body}");
    let mut big = PNG.to_vec();
    big.resize(5000, 0);
    let r = send(big, "big.png").await.expect("upload");
    assert_eq!(r.status().as_u16(), 400);
    let r = app
        .http
        .put(&url)
        .header("Authorization", format!("Token {key}"))
        .json(&json!({"avatar": "x"}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status().as_u16(), 415);
    assert_eq!(app.get_user(&auth).await.body["profile"]["avatar"], json!(avatar), "the old picture stays");
}

async fn email_change_confirms_the_new_address(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = signed_in(&app).await;
    app.signup_verified("bob", "bob@example.com").await;
    let r = app.post_auth("/email/change/", json!({"new_email": "BOB@example.com", "password": PASSWORD}), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"new_email": ["A user is already registered with this e-mail address."]}))
    );
    let r = app
        .post_auth("/email/change/", json!({"new_email": "ada@new.example", "password": "wrong-Pass-1"}), &auth)
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["password"].is_array());
    let r = app.post_auth("/email/change/", json!({"new_email": "ada@new.example", "password": PASSWORD}), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "Confirmation e-mail sent to the new address."})));
    assert_eq!(app.get_user(&auth).await.body["email"], "ada@example.com", "not before confirmation");
    let mail = app.smtp.wait_for("ada@new.example", 1).await;
    let key = mail.link().rsplit('/').next().expect("key").to_owned();
    let r = app.post("/email/change/confirm/", json!({ "key": key })).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "ok"})));
    assert_eq!(app.get_user(&auth).await.body["email"], "ada@new.example");
    let notice = app.smtp.wait_for("ada@example.com", 2).await;
    assert!(notice.text.contains("ada@new.example"), "the old address is told: {}", notice.text);
    assert_eq!(app.post("/email/change/confirm/", json!({ "key": key })).await.status, 404, "single use");
    assert_eq!(app.post("/login/", json!({"email": "ada@new.example", "password": PASSWORD})).await.status, 200);
}

async fn account_deletion_removes_everything(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = signed_in(&app).await;
    let other_device = app.login_auth("ada", PASSWORD).await;
    let r = app.call(Method::DELETE, "/user/", Some(json!({"password": "wrong-Pass-1"})), &auth).await;
    assert_eq!(r.status, 400);
    let r = app.call(Method::DELETE, "/user/", Some(json!({})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"password": ["This field is required."]})));
    let r = app.call(Method::DELETE, "/user/", Some(json!({"password": PASSWORD})), &auth).await;
    assert_eq!((r.status, r.body), (204, serde_json::Value::Null));
    assert_eq!(app.get_user(&auth).await.status, 401);
    assert_eq!(app.get_user(&other_device).await.status, 401);
    assert_eq!(app.login("ada", PASSWORD).await.status, 400);
    let r = app.register("ada", "ada@example.com", PASSWORD).await;
    assert_eq!(r.status, 201, "the name and address are free again");
}

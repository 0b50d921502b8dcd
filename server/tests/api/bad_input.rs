//! Hostile and malformed requests: always a 4xx with a JSON body, the server
//! keeps answering, and nothing already stored is lost.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;

cases!(malformed_bodies_get_json_4xx, hostile_field_values_are_refused_cleanly);

async fn malformed_bodies_get_json_4xx(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let json_ct = Some("application/json");
    let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        ("/login/", json_ct, b"{not json".to_vec(), 400),
        ("/login/", json_ct, b"[1,2,3]".to_vec(), 400),
        ("/login/", json_ct, b"\"str\"".to_vec(), 400),
        ("/login/", json_ct, vec![0xff, 0xfe, 0x00], 400),
        ("/login/", Some("text/plain"), b"username=ada".to_vec(), 415),
        ("/login/", Some("application/xml"), b"<a/>".to_vec(), 415),
        ("/login/", None, b"{\"username\":\"ada\"}".to_vec(), 415),
        ("/registration/", json_ct, format!("{{\"username\":\"{}\"}}", "a".repeat(200_000)).into_bytes(), 413),
        ("/registration/", json_ct, b"{}".to_vec(), 400),
        ("/password/reset/", json_ct, b"{\"email\": null}".to_vec(), 400),
        ("/password/reset/", json_ct, b"{\"email\": [\"a@b.co\"]}".to_vec(), 400),
        ("/password/reset/", json_ct, b"{\"email\": {\"$ne\": 1}}".to_vec(), 400),
        ("/registration/verify-email/", json_ct, b"{\"key\": true}".to_vec(), 400),
        ("/nope/", json_ct, b"{}".to_vec(), 404),
    ];
    for (path, ct, body, want) in cases {
        let r = app.raw(Method::POST, path, ct, body).await;
        assert_eq!(r.status, want, "{path} {ct:?} -> {:?}", r.body);
        assert!(r.body.is_object(), "{:?}", r.body);
    }
    let r = app.raw(Method::GET, "/login/", None, Vec::new()).await;
    assert_eq!((r.status, r.body), (405, json!({"detail": "Method \"GET\" not allowed."})));
    // DRF authenticates before it looks at the method: an anonymous wrong
    // method on a signed-in endpoint is 401, a signed-in one 405
    let auth = app.login_auth("ada", PASSWORD).await;
    for path in ["/password/change/", "/mfa/recovery-codes/", "/mfa/status/", "/socialaccounts/", "/github/connect/"] {
        let r = app.raw(Method::PUT, path, None, Vec::new()).await;
        assert_eq!(
            (r.status, r.body),
            (401, json!({"detail": "Authentication credentials were not provided."})),
            "{path}"
        );
        let r = app.call(Method::PUT, path, None, &auth).await;
        assert_eq!((r.status, r.body), (405, json!({"detail": "Method \"PUT\" not allowed."})), "{path}");
    }
    // form-encoded bodies work like JSON (DRF's parsers accept both)
    let r = app
        .raw(
            Method::POST,
            "/login/",
            Some("application/x-www-form-urlencoded"),
            format!("username=ada&password={PASSWORD}").into_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.login("ada", PASSWORD).await.status, 200, "still serving, account intact");
}

async fn hostile_field_values_are_refused_cleanly(b: Backend) {
    let opts = Opts::new(&b).env("LATCHKEY_RATE_LOGIN_IP", "off").env("LATCHKEY_RATE_LOGIN_FAILURES", "off");
    let app = TestApp::spawn(opts).await;
    app.signup_verified("ada", "ada@example.com").await;
    let nul = app
        .post(
            "/registration/",
            json!({"username": "eve\u{0}", "email": "eve@example.com", "password1": PASSWORD, "password2": PASSWORD}),
        )
        .await;
    assert_eq!((nul.status, nul.body["username"].clone()), (400, json!(["Null characters are not allowed."])));
    let nul = app.post("/login/", json!({"username": "ada", "password": "x\u{0}y"})).await;
    assert_eq!(nul.status, 400);
    for (sqlish, reset_status) in
        [("ada' OR '1'='1", 400), ("ada\"; DROP TABLE users; --", 400), ("%", 200), ("_", 200)]
    {
        let r = app.post("/login/", json!({"username": sqlish, "password": PASSWORD})).await;
        assert_eq!(
            (r.status, r.body.clone()),
            (400, json!({"non_field_errors": ["Unable to log in with provided credentials."]})),
            "{sqlish}"
        );
        let r = app.post("/password/reset/", json!({"email": format!("{sqlish}@example.com")})).await;
        assert_eq!(r.status, reset_status, "{sqlish}: {:?}", r.body);
    }
    let long = app.post("/registration/", json!({"username": "a".repeat(151), "email": format!("{}@example.com", "b".repeat(250)), "password1": "x".repeat(5000), "password2": "x".repeat(5000)})).await;
    assert_eq!(long.status, 400);
    assert_eq!(long.body["username"], json!(["Ensure this field has no more than 150 characters."]));
    assert_eq!(long.body["email"], json!(["Ensure this field has no more than 254 characters."]));
    assert_eq!(long.body["password1"], json!(["Ensure this field has no more than 4096 characters."]));
    let numbers = app
        .post(
            "/registration/",
            json!({"username": 12345, "email": "n@example.com", "password1": PASSWORD, "password2": PASSWORD}),
        )
        .await;
    assert_eq!(numbers.status, 201, "numbers are text, as in DRF: {:?}", numbers.body);
    let unicode = app
        .post(
            "/registration/",
            json!({"username": "zoë", "email": "zoë@exämple.com", "password1": PASSWORD, "password2": PASSWORD}),
        )
        .await;
    assert_eq!(unicode.status, 201, "{:?}", unicode.body);
    // a flood of bad logins leaves the server answering and the account intact
    let bad = (0..20).map(|i| app.post("/login/", json!({"username": "ada", "password": format!("bad-{i}")})));
    for r in futures::future::join_all(bad).await {
        assert_eq!(r.status, 400);
    }
    let ok = app.login_auth("ada", PASSWORD).await;
    assert_eq!(app.get_user(&ok).await.body["email"], "ada@example.com");
}

//! The djoser door at `/auth/`: every endpoint and its errors as a client
//! written for djoser 2.3 sends and reads them, and the rules every door
//! shares (one account, one password budget, no second factor skipped).

use crate::helpers::{Auth, Backend, Opts, Resp, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

cases!(
    account_lifecycle,
    create_errors_and_retype,
    reset_and_resend,
    jwt_endpoints,
    one_account_every_door,
    second_factor_is_never_skipped,
    djoser_checks_what_djoser_checks,
    users_by_id_and_usernames,
    username_reset,
    the_door_can_be_turned_off
);

const INVALID_CREDENTIALS: &str = "Unable to log in with provided credentials.";

/// A request to the djoser door.
async fn dj(app: &TestApp, method: Method, path: &str, body: Option<Value>, auth: &Auth) -> Resp {
    app.request(&app.http, method, &format!("/auth{path}"), body, auth).await
}

async fn post(app: &TestApp, path: &str, body: Value) -> Resp {
    dj(app, Method::POST, path, Some(body), &Auth::None).await
}

fn djoser_app(b: &Backend) -> Opts {
    Opts::new(b)
        .env("LATCHKEY_DJOSER_ACTIVATION_URL", "#/activate/{uid}/{token}")
        .env("LATCHKEY_DJOSER_PASSWORD_RESET_CONFIRM_URL", "#/password/reset/confirm/{uid}/{token}")
}

/// `(uid, token)` from a djoser link `.../{uid}/{token}`.
fn uid_token(link: &str) -> (String, String) {
    let mut parts = link.rsplit('/');
    let token = parts.next().expect("token").to_owned();
    let uid = parts.next().expect("uid").to_owned();
    (uid, token)
}

async fn token_login(app: &TestApp, username: &str, password: &str) -> Resp {
    post(app, "/token/login/", json!({"username": username, "password": password})).await
}

async fn account_lifecycle(b: Backend) {
    let app = TestApp::spawn(djoser_app(&b)).await;
    let r = post(&app, "/users/", json!({"username": "ada", "email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].clone();
    assert_eq!(r.body, json!({"email": "ada@example.com", "username": "ada", "id": id}));
    let r = token_login(&app, "ada", PASSWORD).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": [INVALID_CREDENTIALS]})), "not activated yet");

    // the activation link follows LATCHKEY_DJOSER_ACTIVATION_URL
    let mail = app.smtp.wait_for_subject("ada@example.com", "Confirm your email address", 1).await;
    let link = mail.link();
    assert!(link.starts_with("http://latchkey.test/#/activate/"), "{link}");
    let (uid, token) = uid_token(&link);
    let r = post(&app, "/users/activation/", json!({"uid": "not base64!", "token": token})).await;
    assert_eq!((r.status, r.body), (400, json!({"uid": ["Invalid user id or user doesn't exist."]})));
    // an id that exists and one that does not answer alike: the token decides
    for other in ["MQ", "OTk5"] {
        let r = post(&app, "/users/activation/", json!({"uid": other, "token": "x"})).await;
        assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})), "{other}");
    }
    let r = post(&app, "/users/activation/", json!({"uid": "OTk5", "token": token})).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})), "someone else's uid");
    let r = post(&app, "/users/activation/", json!({"uid": uid, "token": "x"})).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})));
    let r = post(&app, "/users/activation/", json!({"uid": uid})).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["This field is required."]})));
    let r = post(&app, "/users/activation/", json!({"uid": uid, "token": token})).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    // used: as unknown as a forged token (nothing tells whether an account is activated)
    let r = post(&app, "/users/activation/", json!({"uid": uid, "token": token})).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})));

    let r = token_login(&app, "ada", PASSWORD).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let auth = Auth::Token(r.str("auth_token"));
    let me = dj(&app, Method::GET, "/users/me/", None, &auth).await;
    assert_eq!((me.status, me.body), (200, json!({"email": "ada@example.com", "id": id, "username": "ada"})));
    assert_eq!(dj(&app, Method::GET, "/users/me/", None, &Auth::None).await.status, 401);

    // the username is read-only; the address changes only where it is confirmed first
    let r = dj(&app, Method::PATCH, "/users/me/", Some(json!({"username": "eve", "email": "ADA@example.com"})), &auth)
        .await;
    assert_eq!((r.status, r.body["username"].clone()), (200, json!("ada")));
    let r = dj(&app, Method::PATCH, "/users/me/", Some(json!({"email": "eve@example.com"})), &auth).await;
    assert_eq!(r.status, 400);
    assert!(r.body["email"][0].as_str().unwrap_or("").contains("/api/auth/email/change/"), "{:?}", r.body);

    // set_password
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let r = dj(&app, Method::POST, "/users/set_password/", Some(change("wrong-one", "Fresh-Latch-42")), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"current_password": ["Invalid password."]})));
    let r = dj(&app, Method::POST, "/users/set_password/", Some(change(PASSWORD, "12345678")), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"new_password": ["This password is too common.", "This password is entirely numeric."]}))
    );
    let r = dj(&app, Method::POST, "/users/set_password/", Some(change(PASSWORD, "Fresh-Latch-42")), &auth).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    assert_eq!(token_login(&app, "ada", "Fresh-Latch-42").await.status, 200);
    assert_eq!(dj(&app, Method::GET, "/users/me/", None, &auth).await.status, 200, "the caller's token stays");

    // logout ends the token it came with
    let r = dj(&app, Method::POST, "/token/logout/", None, &auth).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    assert_eq!(dj(&app, Method::GET, "/users/me/", None, &auth).await.status, 401);

    // delete
    let auth = Auth::Token(token_login(&app, "ada", "Fresh-Latch-42").await.str("auth_token"));
    let r = dj(&app, Method::DELETE, "/users/me/", Some(json!({"current_password": "nope"})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"current_password": ["Invalid password."]})));
    let r = dj(&app, Method::DELETE, "/users/me/", Some(json!({})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"current_password": ["This field is required."]})));
    let r = dj(&app, Method::DELETE, "/users/me/", Some(json!({"current_password": "Fresh-Latch-42"})), &auth).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    let r = token_login(&app, "ada", "Fresh-Latch-42").await;
    assert!(matches!(r.status, 400 | 429) && r.body.get("auth_token").is_none(), "{} {:?}", r.status, r.body);
}

async fn create_errors_and_retype(b: Backend) {
    let app = TestApp::spawn(
        djoser_app(&b)
            .env("LATCHKEY_DJOSER_USER_CREATE_PASSWORD_RETYPE", "true")
            .env("LATCHKEY_DJOSER_SET_PASSWORD_RETYPE", "true"),
    )
    .await;
    let user = |pw: &str, again: &str| json!({"username": "ada", "email": "ada@example.com", "password": pw, "re_password": again});
    let r = post(&app, "/users/", user(PASSWORD, "other-Pass-99")).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["The two password fields didn't match."]})));
    let r = post(&app, "/users/", json!({"username": "ada", "email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!((r.status, r.body), (400, json!({"re_password": ["This field is required."]})));
    let r = post(&app, "/users/", user("password", "password")).await;
    assert_eq!((r.status, r.body), (400, json!({"password": ["This password is too common."]})));
    let r = post(&app, "/users/", json!({"username": "mariaelena", "email": "m@example.com", "password": "MariaElena1", "re_password": "MariaElena1"})).await;
    assert_eq!((r.status, r.body), (400, json!({"password": ["The password is too similar to the username."]})));
    assert_eq!(post(&app, "/users/", user(PASSWORD, PASSWORD)).await.status, 201);
    let r = post(
        &app,
        "/users/",
        json!({"username": "ADA", "email": "other@example.com", "password": PASSWORD, "re_password": PASSWORD}),
    )
    .await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["A user with that username already exists."]})));
    let r = post(
        &app,
        "/users/",
        json!({"username": "bob", "email": "Ada@Example.com", "password": PASSWORD, "re_password": PASSWORD}),
    )
    .await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["user with this email address already exists."]})));
    // DRF's router needs the trailing slash on users/ routes
    let r = dj(&app, Method::POST, "/users", Some(user(PASSWORD, PASSWORD)), &Auth::None).await;
    assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})));
    let r = dj(&app, Method::GET, "/users/activation/", None, &Auth::None).await;
    assert_eq!((r.status, r.body), (405, json!({"detail": "Method \"GET\" not allowed."})));

    // set_password with its retype field
    let key = app.verification_key("ada@example.com", 1).await;
    assert_eq!(app.post("/registration/verify-email/", json!({"key": key})).await.status, 200);
    let auth = Auth::Token(token_login(&app, "ada", PASSWORD).await.str("auth_token"));
    let body =
        json!({"current_password": PASSWORD, "new_password": "Fresh-Latch-42", "re_new_password": "Fresh-Latch-43"});
    let r = dj(&app, Method::POST, "/users/set_password/", Some(body), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["The two password fields didn't match."]})));
}

async fn reset_and_resend(b: Backend) {
    let app = TestApp::spawn(djoser_app(&b).env("LATCHKEY_DJOSER_PASSWORD_RESET_CONFIRM_RETYPE", "true")).await;
    app.signup_verified("ada", "ada@example.com").await;
    for email in ["ada@example.com", "nobody@example.com"] {
        let r = post(&app, "/users/reset_password/", json!({"email": email})).await;
        assert_eq!((r.status, r.body), (204, Value::Null), "the same answer for {email}");
    }
    let r = post(&app, "/users/reset_password/", json!({"email": "not-an-address"})).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));
    let mail = app.reset_email("ada@example.com", 1).await;
    let link = mail.link();
    assert!(link.starts_with("http://latchkey.test/#/password/reset/confirm/"), "{link}");
    let (uid, token) = uid_token(&link);
    let confirm =
        |token: &str, a: &str, b: &str| json!({"uid": uid, "token": token, "new_password": a, "re_new_password": b});
    let r = post(&app, "/users/reset_password_confirm/", confirm("bad", "Fresh-Latch-42", "Fresh-Latch-42")).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})));
    let r = post(&app, "/users/reset_password_confirm/", confirm(&token, "Fresh-Latch-42", "Fresh-Latch-4")).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["The two password fields didn't match."]})));
    let r = post(&app, "/users/reset_password_confirm/", confirm(&token, "Fresh-Latch-42", "Fresh-Latch-42")).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    let r = post(&app, "/users/reset_password_confirm/", confirm(&token, "Other-Latch-42", "Other-Latch-42")).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})), "single use");
    assert_eq!(token_login(&app, "ada", "Fresh-Latch-42").await.status, 200);

    // resend: the same answer for everyone; the unverified get a djoser link
    let r = post(&app, "/users/", json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, 201);
    for email in ["bob@example.com", "ada@example.com", "nobody@example.com"] {
        let r = post(&app, "/users/resend_activation/", json!({"email": email})).await;
        assert_eq!((r.status, r.body), (204, Value::Null), "{email}");
    }
    let again = app.smtp.wait_for_subject("bob@example.com", "Confirm your email address", 2).await;
    let (uid, token) = uid_token(&again.link());
    assert_eq!(post(&app, "/users/activation/", json!({"uid": uid, "token": token})).await.status, 204);
}

async fn jwt_endpoints(b: Backend) {
    let app = TestApp::spawn(djoser_app(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = post(&app, "/jwt/create/", json!({"username": "ada", "password": "wrong-one"})).await;
    assert_eq!((r.status, r.body), (401, json!({"detail": "No active account found with the given credentials"})));
    let r = post(&app, "/jwt/create/", json!({"password": PASSWORD})).await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["This field is required."]})));
    let r = post(&app, "/jwt/create", json!({"username": "ada", "password": PASSWORD})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let keys: Vec<&String> = r.body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["access", "refresh"]);
    let (access, refresh) = (r.str("access"), r.str("refresh"));
    let me = dj(&app, Method::GET, "/users/me/", None, &Auth::Bearer(access.clone())).await;
    assert_eq!((me.status, me.body["username"].clone()), (200, json!("ada")));
    let r = post(&app, "/jwt/verify/", json!({"token": access})).await;
    assert_eq!((r.status, r.body), (200, json!({})));
    let r = post(&app, "/jwt/verify", json!({"token": "garbage"})).await;
    assert_eq!((r.status, r.body), (401, json!({"detail": "Token is invalid or expired", "code": "token_not_valid"})));
    let r = post(&app, "/jwt/refresh/", json!({"refresh": refresh})).await;
    assert_eq!(r.status, 200);
    assert!(r.body["access"].is_string() && r.body["refresh"].is_string(), "{:?}", r.body);
    let r = post(&app, "/jwt/refresh/", json!({"refresh": refresh})).await;
    assert_eq!(r.status, 401, "a used refresh token is refused (and its family revoked)");
    let r = post(&app, "/jwt/refresh/", json!({})).await;
    assert_eq!((r.status, r.body), (400, json!({"refresh": ["This field is required."]})));
}

async fn one_account_every_door(b: Backend) {
    let app = TestApp::spawn(djoser_app(&b).env("LATCHKEY_RATE_LOGIN_FAILURES", "5/900")).await;
    // made through dj-rest-auth, signed in through djoser, and the other way round
    app.signup_verified("ada", "ada@example.com").await;
    let key = token_login(&app, "ada", PASSWORD).await.str("auth_token");
    let me = app.get_user(&Auth::Token(key.clone())).await;
    assert_eq!((me.status, me.body["username"].clone()), (200, json!("ada")), "a djoser token works on dj-rest-auth");
    let dj_key = app.login_auth("ada", PASSWORD).await;
    assert_eq!(dj(&app, Method::GET, "/users/me/", None, &dj_key).await.status, 200);
    // a password change through one door ends the other doors' credentials
    let r = app
        .post_auth(
            "/password/change/",
            json!({"old_password": PASSWORD, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"}),
            &dj_key,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(dj(&app, Method::GET, "/users/me/", None, &Auth::Token(key)).await.status, 401);

    // one failed-attempt budget: wrong passwords on djoser's doors spend it for every door
    let guesses = (0..6).map(|i| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                token_login(app, "ada", "wrong-guess").await.status
            } else {
                post(app, "/jwt/create/", json!({"username": "ada", "password": "wrong-guess"})).await.status
            }
        }
    });
    futures::future::join_all(guesses).await;
    // by address: a name of its own, so only the account's budget can refuse it
    let r = app.post("/login/", json!({"email": "ada@example.com", "password": "Fresh-Latch-42"})).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"non_field_errors": [INVALID_CREDENTIALS]})),
        "the account's budget is spent for dj-rest-auth too"
    );
    let r = token_login(&app, "ada", "Fresh-Latch-42").await;
    assert!(matches!(r.status, 400 | 429) && r.body.get("auth_token").is_none(), "{} {:?}", r.status, r.body);
}

async fn second_factor_is_never_skipped(b: Backend) {
    let app = TestApp::spawn(djoser_app(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    crate::two_factor::activate(&app, &auth).await;
    let r = token_login(&app, "ada", PASSWORD).await;
    assert_eq!(r.status, 400);
    assert!(r.body["non_field_errors"][0].as_str().unwrap_or("").contains("/api/auth/login/"), "{:?}", r.body);
    assert!(r.body.get("auth_token").is_none());
    let r = post(&app, "/jwt/create/", json!({"username": "ada", "password": PASSWORD})).await;
    assert_eq!(r.status, 401);
    assert!(r.body.get("access").is_none(), "{:?}", r.body);
    // a wrong password still says only "unable to log in"
    let r = token_login(&app, "ada", "wrong-one").await;
    assert_eq!(r.body, json!({"non_field_errors": [INVALID_CREDENTIALS]}));
}

/// Found by review: the djoser door must not be weaker than djoser.
async fn djoser_checks_what_djoser_checks(b: Backend) {
    // dj-rest-auth's OLD_PASSWORD_FIELD_ENABLED=False has no djoser equivalent
    let app = TestApp::spawn(djoser_app(&b).env("LATCHKEY_OLD_PASSWORD_REQUIRED", "false")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = Auth::Token(token_login(&app, "ada", PASSWORD).await.str("auth_token"));
    let body = json!({"current_password": "anything", "new_password": "N3w-Passphrase-99"});
    let r = dj(&app, Method::POST, "/users/set_password/", Some(body), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"current_password": ["Invalid password."]})));
    assert_eq!(token_login(&app, "ada", PASSWORD).await.status, 200, "the password did not change");

    // token/logout with a browser session ends the session
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
    let url = |p: &str| format!("{}/auth{p}", app.base);
    assert_eq!(browser.get(url("/users/me/")).send().await.expect("me").status().as_u16(), 200);
    assert_eq!(browser.post(url("/token/logout/")).send().await.expect("logout").status().as_u16(), 204);
    assert_eq!(browser.get(url("/users/me/")).send().await.expect("me").status().as_u16(), 401);
}

async fn users_by_id_and_usernames(b: Backend) {
    let app = TestApp::spawn(djoser_app(&b).env("LATCHKEY_DJOSER_SET_USERNAME_RETYPE", "true")).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.signup_verified("bob", "bob@example.com").await;
    let auth = Auth::Token(token_login(&app, "ada", PASSWORD).await.str("auth_token"));
    let me = dj(&app, Method::GET, "/users/me/", None, &auth).await.body;
    let id = me["id"].as_i64().expect("id");
    // HIDE_USERS: the list holds only the caller
    let r = dj(&app, Method::GET, "/users/", None, &auth).await;
    assert_eq!((r.status, r.body), (200, json!([me])));
    assert_eq!(dj(&app, Method::GET, "/users/", None, &Auth::None).await.status, 401);
    let r = dj(&app, Method::GET, &format!("/users/{id}/"), None, &auth).await;
    assert_eq!((r.status, r.body), (200, me.clone()));
    // another user's id and an id nobody has answer alike, for every method
    for other in [id + 1, 999_999] {
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            let body = Some(json!({"current_password": PASSWORD}));
            let r = dj(&app, method.clone(), &format!("/users/{other}/"), body, &auth).await;
            assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})), "{method} {other}");
        }
    }
    assert_eq!(app.login("bob", PASSWORD).await.status, 200, "bob is still there");

    // set_username
    let set = |current: &str, new: &str, again: &str| json!({"current_password": current, "new_username": new, "re_new_username": again});
    let r = dj(&app, Method::POST, "/users/set_username/", Some(set(PASSWORD, "lovelace", "lovelac3")), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["The two username fields didn't match."]})));
    let r = dj(&app, Method::POST, "/users/set_username/", Some(set("wrong-one", "lovelace", "lovelace")), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"current_password": ["Invalid password."]})));
    let r = dj(&app, Method::POST, "/users/set_username/", Some(set(PASSWORD, "BOB", "BOB")), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"new_username": ["A user with that username already exists."]})));
    let r = dj(&app, Method::POST, "/users/set_username/", Some(set(PASSWORD, "a b", "a b")), &auth).await;
    assert_eq!(r.status, 400);
    assert!(r.body["new_username"][0].as_str().unwrap_or("").starts_with("Enter a valid username."), "{:?}", r.body);
    let r = dj(&app, Method::POST, "/users/set_username/", Some(set(PASSWORD, "lovelace", "lovelace")), &auth).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    assert_eq!(token_login(&app, "lovelace", PASSWORD).await.status, 200);
    assert_eq!(token_login(&app, "ada", PASSWORD).await.status, 400);
}

async fn username_reset(b: Backend) {
    // off until its link is configured, as djoser needs USERNAME_RESET_CONFIRM_URL
    let app = TestApp::spawn(djoser_app(&b)).await;
    let r = post(&app, "/users/reset_username/", json!({"email": "ada@example.com"})).await;
    assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})));

    let app = TestApp::spawn(
        djoser_app(&b).env("LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL", "#/username/reset/confirm/{uid}/{token}"),
    )
    .await;
    app.signup_verified("ada", "ada@example.com").await;
    app.signup_verified("bob", "bob@example.com").await;
    for email in ["ada@example.com", "nobody@example.com"] {
        let r = post(&app, "/users/reset_username/", json!({"email": email})).await;
        assert_eq!((r.status, r.body), (204, Value::Null), "{email}");
    }
    let mail = app.smtp.wait_for_subject("ada@example.com", "Choose a new Latchkey username", 1).await;
    let link = mail.link();
    assert!(link.starts_with("http://latchkey.test/#/username/reset/confirm/"), "{link}");
    let (uid, token) = uid_token(&link);
    let confirm = |token: &str, name: &str| json!({"uid": uid, "token": token, "new_username": name});
    let r = post(&app, "/users/reset_username_confirm/", confirm("bad", "lovelace")).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})));
    let r = post(&app, "/users/reset_username_confirm/", confirm(&token, "Bob")).await;
    assert_eq!((r.status, r.body), (400, json!({"new_username": ["A user with that username already exists."]})));
    let r = post(&app, "/users/reset_username_confirm/", confirm(&token, "lovelace")).await;
    assert_eq!((r.status, r.body), (204, Value::Null), "a refused name left the link usable");
    let r = post(&app, "/users/reset_username_confirm/", confirm(&token, "ada2")).await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})), "single use");
    assert_eq!(token_login(&app, "lovelace", PASSWORD).await.status, 200);

    // a link asked for before a password change dies with it
    let r = post(&app, "/users/reset_username/", json!({"email": "bob@example.com"})).await;
    assert_eq!(r.status, 204);
    let (bob_uid, bob_token) =
        uid_token(&app.smtp.wait_for_subject("bob@example.com", "Choose a new Latchkey username", 1).await.link());
    let auth = app.login_auth("bob", PASSWORD).await;
    let change =
        json!({"old_password": PASSWORD, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"});
    assert_eq!(app.post_auth("/password/change/", change, &auth).await.status, 200);
    let r = post(
        &app,
        "/users/reset_username_confirm/",
        json!({"uid": bob_uid, "token": bob_token, "new_username": "robert"}),
    )
    .await;
    assert_eq!((r.status, r.body), (400, json!({"token": ["Invalid token for given user."]})));
}

async fn the_door_can_be_turned_off(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_DJOSER_PREFIX", "off")).await;
    let r = app.http.post(format!("{}/auth/users/", app.base)).json(&json!({})).send().await.expect("post");
    assert_ne!(r.status().as_u16(), 201);
    assert_ne!(r.status().as_u16(), 400, "nothing reads the body");
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_DJOSER_PREFIX", "/accounts-v2/")).await;
    let r = app.http.post(format!("{}/accounts-v2/users/", app.base)).json(&json!({})).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400, "mounted where the setting says");
    // the same cross-site rule as every other door: another site's page cannot sign a browser in
    let r = app
        .http
        .post(format!("{}/accounts-v2/token/login/", app.base))
        .header("Origin", "http://evil.test")
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403);
}

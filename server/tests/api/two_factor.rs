//! Two-factor authentication in dj-rest-auth 7.2's contract: activation,
//! sign-in with a TOTP or recovery code, replay, expiry, attempt limits,
//! social sign-in, recovery codes, deactivation, notices, and secrets at
//! rest. Codes are computed here from the secret the server hands out.

use crate::helpers::{Auth, Backend, Opts, Resp, TestApp, NEW_PASSWORD, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser};
use crate::totp;
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

cases!(
    turning_totp_on_and_signing_in_with_it,
    codes_are_single_use_and_pending_sign_ins_die,
    recovery_codes_and_turning_it_off,
    social_sign_in_asks_for_the_second_factor_too,
    secrets_stay_sealed_and_owners_are_told,
    code_attempts_draw_on_the_password_budget,
    field_shapes_expiry_and_disabled_accounts
);

async fn db_i64(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    let row =
        db.query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect(sql);
    row.and_then(|r| r.try_get::<i64>("", "n").ok()).expect("n")
}

pub async fn activate(app: &TestApp, auth: &Auth) -> (String, Vec<String>) {
    let begin = app.call(Method::GET, "/mfa/totp/activate/", None, auth).await;
    assert_eq!(begin.status, 200, "{:?}", begin.body);
    let secret = begin.str("secret");
    let token = begin.str("activation_token");
    let code = totp::code(&secret, app.clock.now());
    let r = app.post_auth("/mfa/totp/activate/", json!({"activation_token": token, "code": code}), auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let codes: Vec<String> = serde_json::from_value(r.body["recovery_codes"].clone()).expect("codes");
    (secret, codes)
}

/// Moves to the next 30-second step (a code is accepted once per step).
fn next_step(app: &TestApp) {
    app.clock.advance(30);
}

async fn pending(app: &TestApp, username: &str) -> String {
    let r = app.login(username, PASSWORD).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["mfa_required"], json!(true), "{:?}", r.body);
    assert!(r.body.get("key").is_none() && r.body.get("access").is_none());
    r.str("ephemeral_token")
}

async fn verify(app: &TestApp, token: &str, code: &str) -> Resp {
    app.post("/mfa/verify/", json!({"ephemeral_token": token, "code": code})).await
}

async fn turning_totp_on_and_signing_in_with_it(b: Backend) {
    for mode in ["token", "jwt"] {
        let app = TestApp::spawn(Opts::new(&b).mode(mode)).await;
        app.signup_verified("ada", "ada@example.com").await;
        app.signup_verified("bob", "bob@example.com").await;
        let auth = app.login_auth("ada", PASSWORD).await;
        let bob = app.login_auth("bob", PASSWORD).await;
        let other_device = app.login_auth("ada", PASSWORD).await;
        let status = app.call(Method::GET, "/mfa/status/", None, &auth).await;
        assert_eq!(status.body, json!({"mfa_enabled": false, "created_at": null, "last_used_at": null}));

        let begin = app.call(Method::GET, "/mfa/totp/activate/", None, &auth).await;
        assert_eq!(begin.status, 200);
        let (secret, token) = (begin.str("secret"), begin.str("activation_token"));
        assert!(begin.str("totp_url").starts_with("otpauth://totp/"), "{}", begin.str("totp_url"));
        assert!(begin.str("totp_url").contains(&format!("secret={secret}")));
        assert!(begin.str("qr_code_data_uri").starts_with("data:image/svg+xml;base64,"));
        let wrong =
            app.post_auth("/mfa/totp/activate/", json!({"activation_token": token, "code": "000000"}), &auth).await;
        let expected = json!({"code": ["Invalid code. Please check your authenticator app and try again."]});
        if totp::code(&secret, app.clock.now()) != "000000" {
            assert_eq!((wrong.status, wrong.body), (400, expected));
        }
        let code = totp::code(&secret, app.clock.now());
        let r = app.post_auth("/mfa/totp/activate/", json!({"activation_token": "forged", "code": code}), &auth).await;
        assert_eq!((r.status, r.body), (400, json!({"activation_token": ["Invalid or expired activation token."]})));
        let r = app.post_auth("/mfa/totp/activate/", json!({"activation_token": token, "code": code}), &bob).await;
        assert_eq!((r.status, r.body), (400, json!({"activation_token": ["Invalid activation token for this user."]})));
        let r = app.post_auth("/mfa/totp/activate/", json!({"activation_token": token, "code": code}), &auth).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let codes = r.body["recovery_codes"].as_array().expect("codes").clone();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.as_str().is_some_and(|c| c.len() == 9 && &c[4..5] == "-")), "{codes:?}");
        let r = app.post_auth("/mfa/totp/activate/", json!({"activation_token": token, "code": code}), &auth).await;
        let already = json!({"detail": "MFA is already enabled. Deactivate it before activating again."});
        assert_eq!((r.status, r.body), (400, already));
        assert_eq!(app.call(Method::GET, "/mfa/totp/activate/", None, &auth).await.status, 200, "GET still answers");
        let status = app.call(Method::GET, "/mfa/status/", None, &auth).await.body;
        assert_eq!(status["mfa_enabled"], json!(true));
        assert!(status["created_at"].is_string());
        assert_eq!(status["last_used_at"], json!(null), "turning it on is not a use");
        // credentials from before now need the second factor: they end (not the one that turned it on)
        assert_eq!(app.get_user(&auth).await.status, 200);
        assert_eq!(app.get_user(&other_device).await.status, 401);

        // sign in: the password alone gives an ephemeral token, not credentials
        let ephemeral = pending(&app, "ada").await;
        let r = verify(&app, &ephemeral, &code).await;
        assert_eq!((r.status, r.body), (400, json!({"code": ["Invalid code."]})), "the activation code was used");
        next_step(&app);
        let r = verify(&app, &ephemeral, &totp::code(&secret, app.clock.now())).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let signed_in = app.auth_from(&r);
        assert_eq!(app.get_user(&signed_in).await.body["username"], "ada");
        if mode == "jwt" {
            assert_eq!(r.body["user"]["username"], "ada");
            assert!(r.body["refresh"].is_string());
        }
        let status = app.call(Method::GET, "/mfa/status/", None, &auth).await.body;
        assert!(status["last_used_at"].is_string(), "{status}");
        // the ephemeral token was used up
        let again = verify(&app, &ephemeral, &totp::code(&secret, app.clock.now())).await;
        assert_eq!((again.status, again.body), (400, json!({"ephemeral_token": ["Invalid or expired token."]})));
    }
}

async fn codes_are_single_use_and_pending_sign_ins_die(b: Backend) {
    let app = TestApp::spawn(
        Opts::new(&b).env("LATCHKEY_RATE_LOGIN_FAILURES", "50/900").env("LATCHKEY_RATE_LOGIN_IP", "100/60"),
    )
    .await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let (secret, _) = activate(&app, &auth).await;
    next_step(&app);
    // a code works once: a second sign-in in the same step cannot reuse it
    let code = totp::code(&secret, app.clock.now());
    assert_eq!(verify(&app, &pending(&app, "ada").await, &code).await.status, 200);
    let r = verify(&app, &pending(&app, "ada").await, &code).await;
    assert_eq!((r.status, r.body), (400, json!({"code": ["Invalid code."]})), "replayed");
    // nor the previous step's code once a later one was accepted
    next_step(&app);
    let now = totp::code(&secret, app.clock.now());
    assert_eq!(verify(&app, &pending(&app, "ada").await, &now).await.status, 200);
    let before = totp::code(&secret, app.clock.now() - 30);
    assert_eq!(verify(&app, &pending(&app, "ada").await, &before).await.status, 400);

    // field errors as DRF words them
    let r = app.post("/mfa/verify/", json!({})).await;
    let required = json!(["This field is required."]);
    assert_eq!((r.status, r.body), (400, json!({"ephemeral_token": required, "code": required})));
    let r = app.post("/mfa/verify/", json!({"ephemeral_token": "x", "code": "1234567890"})).await;
    assert_eq!((r.status, r.body), (400, json!({"code": ["Ensure this field has no more than 9 characters."]})));
    let r = verify(&app, "made-up", "123456").await;
    assert_eq!((r.status, r.body), (400, json!({"ephemeral_token": ["Invalid or expired token."]})));

    // a pending sign-in expires
    let ephemeral = pending(&app, "ada").await;
    app.clock.advance(301);
    let r = verify(&app, &ephemeral, &totp::code(&secret, app.clock.now())).await;
    assert_eq!(r.body, json!({"ephemeral_token": ["Invalid or expired token."]}));

    // and dies after five wrong codes, even to the right one, even when they race
    next_step(&app);
    let ephemeral = pending(&app, "ada").await;
    let wrong = (0..20).map(|i| {
        let (app, ephemeral) = (&app, &ephemeral);
        async move { verify(app, ephemeral, &format!("{:06}", 100_000 + i)).await.status }
    });
    let codes = join_all(wrong).await;
    assert!(codes.iter().all(|c| *c == 400), "{codes:?}");
    let attempts =
        db_i64(&app, "SELECT CAST(MAX(attempts) AS BIGINT) AS n FROM mfa_pending WHERE used_at IS NULL").await;
    assert_eq!(attempts, 5, "five counted, however many raced");
    let r = verify(&app, &ephemeral, &totp::code(&secret, app.clock.now())).await;
    assert_eq!(r.body, json!({"ephemeral_token": ["Invalid or expired token."]}), "out of attempts");
    // a new sign-in still works
    let r = verify(&app, &pending(&app, "ada").await, &totp::code(&secret, app.clock.now())).await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // a password change kills pending sign-ins of before
    next_step(&app);
    let ephemeral = pending(&app, "ada").await;
    let body = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", body, &auth).await.status, 200);
    let r = verify(&app, &ephemeral, &totp::code(&secret, app.clock.now())).await;
    assert_eq!(r.body, json!({"ephemeral_token": ["Invalid or expired token."]}));
}

async fn recovery_codes_and_turning_it_off(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let (secret, codes) = activate(&app, &auth).await;
    // a recovery code signs in, once (typed in capitals, too)
    let r = verify(&app, &pending(&app, "ada").await, &codes[0].to_uppercase()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = verify(&app, &pending(&app, "ada").await, &codes[0]).await;
    assert_eq!((r.status, r.body), (400, json!({"code": ["Invalid code."]})));
    let unused = app.post_auth("/mfa/recovery-codes/", json!({}), &auth).await;
    assert_eq!(unused.status, 200);
    assert_eq!(unused.body["codes"], json!(codes[1..]));
    let r = app.call(Method::GET, "/mfa/recovery-codes/", None, &auth).await;
    assert_eq!((r.status, r.body), (405, json!({"detail": "Method \"GET\" not allowed."})));
    // regenerating replaces every code
    let fresh = app.post_auth("/mfa/recovery-codes/regenerate/", json!({}), &auth).await;
    assert_eq!(fresh.status, 200);
    let fresh: Vec<String> = serde_json::from_value(fresh.body["codes"].clone()).expect("codes");
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !codes.contains(c)));
    assert_eq!(verify(&app, &pending(&app, "ada").await, &codes[1]).await.status, 400, "old codes died");
    // turning it off takes a TOTP code: not a recovery code, not a wrong one
    let r = app.post_auth("/mfa/totp/deactivate/", json!({"code": fresh[0]}), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"code": ["Invalid code."]})));
    next_step(&app);
    let r = app.post_auth("/mfa/totp/deactivate/", json!({"code": totp::code(&secret, app.clock.now())}), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"detail": "TOTP has been deactivated."})));
    let not_on = json!({"detail": "MFA is not enabled."});
    let r = app.post_auth("/mfa/totp/deactivate/", json!({"code": "123456"}), &auth).await;
    assert_eq!((r.status, r.body), (400, not_on.clone()));
    let r = app.post_auth("/mfa/recovery-codes/regenerate/", json!({}), &auth).await;
    assert_eq!((r.status, r.body), (400, not_on));
    assert_eq!(app.post_auth("/mfa/recovery-codes/", json!({}), &auth).await.body, json!({"codes": []}));
    let r = app.login("ada", PASSWORD).await;
    assert!(r.body["key"].is_string(), "the password alone signs in again: {:?}", r.body);
    for path in ["/mfa/status/", "/mfa/totp/activate/"] {
        assert_eq!(app.call(Method::GET, path, None, &Auth::None).await.status, 401, "{path}");
    }
}

async fn social_sign_in_asks_for_the_second_factor_too(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = TestApp::spawn(Opts::new(&b).provider(&stub)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let token = stub.mint_token(StubUser::new("gh-ada", "ada@example.com", true));
    assert_eq!(app.post_auth("/github/connect/", json!({ "access_token": token }), &auth).await.status, 200);
    let (secret, _) = activate(&app, &auth).await;
    next_step(&app);
    // the API
    let token = stub.mint_token(StubUser::new("gh-ada", "ada@example.com", true));
    let r = app.post("/github/", json!({ "access_token": token })).await;
    assert_eq!((r.status, r.body["mfa_required"].clone()), (200, json!(true)), "{:?}", r.body);
    let done = verify(&app, &r.str("ephemeral_token"), &totp::code(&secret, app.clock.now())).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    // the browser: back from the provider, on to the code page
    next_step(&app);
    stub.sign_in_as(StubUser::new("oidc-ada", "ada@example.com", true));
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let oidc = stub.mint_token(StubUser::new("oidc-ada", "ada@example.com", true));
    assert_eq!(app.post_auth("/oidc/connect/", json!({ "access_token": oidc }), &auth).await.status, 200);
    let start = browser.get(format!("{}/accounts/oidc/login?next=/sessions", app.base)).send().await.expect("start");
    let to_provider = start.headers()["location"].to_str().expect("location").to_owned();
    let back =
        browser.get(to_provider).send().await.expect("authorize").headers()["location"].to_str().expect("l").to_owned();
    let done = browser.get(back.replace("http://latchkey.test", &app.base)).send().await.expect("callback");
    assert_eq!((done.status().as_u16(), done.headers()["location"].to_str().expect("l")), (303, "/login/verify"));
    assert_eq!(app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await.status, 401, "not yet");
    let body = format!("code={}", totp::code(&secret, app.clock.now()));
    let r = browser
        .post(format!("{}/fn/verify_sign_in", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "text/html")
        .body(body)
        .send()
        .await
        .expect("verify");
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()["location"].to_str().expect("l"), "/sessions", "back to next=");
    assert_eq!(app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await.body["username"], "ada");
}

async fn secrets_stay_sealed_and_owners_are_told(b: Backend) {
    use sea_orm::ConnectionTrait;
    let stub = ProviderStub::start().await;
    let app = TestApp::spawn(Opts::new(&b).provider(&stub)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let (secret, codes) = activate(&app, &auth).await;
    let ephemeral = pending(&app, "ada").await;
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    let dump = |sql: &'static str| {
        let db = &db;
        async move {
            let rows = db
                .query_all(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned()))
                .await
                .expect(sql);
            rows.iter().map(|r| r.try_get::<String>("", "v").unwrap_or_default()).collect::<Vec<_>>().join("|")
        }
    };
    let sealed = dump("SELECT secret_sealed AS v FROM mfa_totp").await;
    assert!(sealed.len() > 40, "there is a sealed secret to look at");
    let at_rest = [
        dump("SELECT secret_sealed AS v FROM mfa_totp").await,
        dump("SELECT code_hash || code_sealed AS v FROM mfa_recovery_codes").await,
        dump("SELECT token_hash || first_factor AS v FROM mfa_pending").await,
    ]
    .join("|");
    assert!(!at_rest.contains(&secret), "the TOTP secret is sealed");
    assert!(codes.iter().all(|c| !at_rest.contains(c.as_str())), "recovery codes are sealed");
    assert!(!at_rest.contains(&ephemeral), "the ephemeral token is stored only as an HMAC");
    // the owner is told of every change to what guards the account
    assert!(verify(&app, &ephemeral, &codes[0]).await.status == 200);
    app.post_auth("/mfa/recovery-codes/regenerate/", json!({}), &auth).await;
    let gh = stub.mint_token(StubUser::new("gh-ada", "ada@example.com", true));
    app.post_auth("/github/connect/", json!({ "access_token": gh }), &auth).await;
    let body = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", body, &auth).await.status, 200);
    next_step(&app);
    let r = app.post_auth("/mfa/totp/deactivate/", json!({"code": totp::code(&secret, app.clock.now())}), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    app.settled().await;
    let subjects: Vec<String> =
        app.smtp.all().iter().filter(|e| e.to == "ada@example.com").map(|e| e.subject.clone()).collect();
    for expected in [
        "Two-factor authentication is on",
        "A recovery code was used",
        "New recovery codes",
        "A sign-in provider was connected",
        "The password of your Latchkey account was changed",
        "Two-factor authentication is off",
    ] {
        assert!(subjects.iter().any(|s| s.contains(expected)), "{expected}: {subjects:?}");
    }
    let notice =
        app.smtp.all().into_iter().find(|e| e.subject.contains("Two-factor authentication is on")).expect("notice");
    assert!(notice.text.contains("When: ") && notice.text.contains("From: 127.0.0.1"), "{}", notice.text);
    assert!(notice.text.contains("reset your password"), "{}", notice.text);
}

/// Every code typed draws on the account's password-check budget: codes
/// cannot be guessed faster than passwords.
async fn code_attempts_draw_on_the_password_budget(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_RATE_LOGIN_FAILURES", "3/900")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let (secret, _) = activate(&app, &auth).await;
    let ephemeral = pending(&app, "ada").await;
    let wrong = if totp::code(&secret, app.clock.now()) == "111111" { "222222" } else { "111111" };
    for _ in 0..3 {
        assert_eq!(verify(&app, &ephemeral, wrong).await.status, 400);
    }
    let r = verify(&app, &ephemeral, wrong).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.status, 400, "the password is not checked either now: {:?}", r.body);
}

async fn field_shapes_expiry_and_disabled_accounts(b: Backend) {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let r = app.post("/mfa/verify/", json!({"ephemeral_token": null, "code": ""})).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"ephemeral_token": ["This field may not be null."], "code": ["This field may not be blank."]}))
    );
    let r = app.post("/mfa/verify", json!({"ephemeral_token": "x", "code": "123456"})).await;
    assert_eq!(r.status, 400, "without the trailing slash too");
    // an activation token lives as long as a pending sign-in
    let begin = app.call(Method::GET, "/mfa/totp/activate/", None, &auth).await;
    app.clock.advance(301);
    let code = totp::code(&begin.str("secret"), app.clock.now());
    let r = app
        .post_auth(
            "/mfa/totp/activate/",
            json!({"activation_token": begin.str("activation_token"), "code": code}),
            &auth,
        )
        .await;
    assert_eq!((r.status, r.body), (400, json!({"activation_token": ["Invalid or expired activation token."]})));
    // an account disabled while its sign-in waits
    activate(&app, &auth).await;
    let ephemeral = pending(&app, "ada").await;
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    db.execute_unprepared("UPDATE users SET is_active = false").await.expect("disable");
    let r = verify(&app, &ephemeral, "123456").await;
    assert_eq!((r.status, r.body), (400, json!({"detail": ["User account is disabled."]})));
}

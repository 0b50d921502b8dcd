//! Revocation beats any request in flight. A thief holding a copy of the
//! session cookie keeps a request open that will save the session (a social
//! login callback waiting on a slow provider) while the owner changes the
//! password, resets it, logs out other sessions or deletes the account. When
//! the thief's request finishes, the session must stay dead.

use crate::helpers::{uid_token, Auth, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser, CLIENT_ID, CLIENT_SECRET};
use reqwest::{redirect::Policy, Client};
use serde_json::json;
use std::sync::Arc;

cases!(
    a_stolen_session_stays_dead_after_every_revocation,
    credentials_issued_by_a_sign_in_in_flight_die,
    a_refresh_in_flight_does_not_revive_a_family,
    a_password_change_moves_the_browser_to_a_new_session,
    a_session_of_an_earlier_generation_is_refused,
    writes_authenticated_before_a_reset_cannot_undo_it,
    purging_never_revives_a_revoked_family,
    logging_out_other_sessions_ends_every_doors_credentials
);

#[derive(Clone, Copy, Debug)]
enum Revocation {
    PasswordChange,
    PasswordReset,
    LogoutOtherSessions,
    AccountDeletion,
}

fn no_redirects() -> Client {
    Client::builder().redirect(Policy::none()).build().expect("client")
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The session cookie a response sets, as `name=value`.
fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("latchkey_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// Logs in through the API (which also starts a browser session): the
/// session cookie and the API token.
async fn login_with_session(app: &TestApp) -> (String, String) {
    let r = no_redirects()
        .post(format!("{}/api/auth/login/", app.base))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 200);
    let cookie = session_cookie(&r);
    let body: serde_json::Value = r.json().await.expect("json");
    (cookie, body["key"].as_str().expect("key").to_owned())
}

async fn as_cookie(app: &TestApp, cookie: &str) -> u16 {
    no_redirects()
        .get(format!("{}/api/auth/user/", app.base))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("user")
        .status()
        .as_u16()
}

async fn a_stolen_session_stays_dead_after_every_revocation(b: Backend) {
    for revocation in [
        Revocation::PasswordChange,
        Revocation::PasswordReset,
        Revocation::LogoutOtherSessions,
        Revocation::AccountDeletion,
    ] {
        let stub = ProviderStub::start().await;
        let app = TestApp::spawn(
            Opts::new(&b)
                .env("LATCHKEY_OIDC_ISSUER", stub.issuer.clone())
                .env("LATCHKEY_OIDC_CLIENT_ID", CLIENT_ID)
                .env("LATCHKEY_OIDC_CLIENT_SECRET", CLIENT_SECRET),
        )
        .await;
        app.signup_verified("ada", "ada@example.com").await;
        let (stolen, token) = login_with_session(&app).await;
        assert_eq!(as_cookie(&app, &stolen).await, 200);

        // the thief starts a social login on the stolen session...
        let thief = no_redirects();
        let start = thief
            .get(format!("{}/accounts/oidc/login", app.base))
            .header("Cookie", &stolen)
            .send()
            .await
            .expect("start");
        assert_eq!(start.status().as_u16(), 303);
        stub.sign_in_as(StubUser::new("eve", "eve@example.com", true));
        let back = location(&thief.get(location(&start)).send().await.expect("authorize"));
        let callback = back.replace("http://latchkey.test", &app.base);
        // ...whose callback waits on a slow provider, holding the session
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        stub.stall_token_endpoint(release.clone());
        let in_flight = {
            let stolen = stolen.clone();
            tokio::spawn(async move {
                no_redirects().get(callback).header("Cookie", stolen).send().await.expect("callback").status().as_u16()
            })
        };
        while stub.stalled_requests() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }

        // meanwhile the owner revokes it
        let owner = crate::helpers::Auth::Token(token);
        match revocation {
            Revocation::PasswordChange => {
                let body =
                    json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
                assert_eq!(app.post_auth("/password/change/", body, &owner).await.status, 200);
            }
            Revocation::PasswordReset => {
                app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
                let (uid, t) = uid_token(&app.reset_email("ada@example.com", 1).await.link());
                let body =
                    json!({"uid": uid, "token": t, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
                assert_eq!(app.post("/password/reset/confirm/", body).await.status, 200);
            }
            Revocation::LogoutOtherSessions => {
                let (mine, _) = login_with_session(&app).await;
                let r = no_redirects()
                    .post(format!("{}/fn/logout_others", app.base))
                    .header("Cookie", &mine)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body("")
                    .send()
                    .await
                    .expect("logout others");
                assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
                assert_eq!(as_cookie(&app, &mine).await, 200, "the owner's own session stays");
            }
            Revocation::AccountDeletion => {
                let r = app.call(reqwest::Method::DELETE, "/user/", Some(json!({"password": PASSWORD})), &owner).await;
                assert_eq!(r.status, 204);
            }
        }
        assert_eq!(as_cookie(&app, &stolen).await, 401, "{revocation:?}: revoked at once");

        // the thief's request now finishes and saves the session it loaded
        release.add_permits(1);
        assert_eq!(in_flight.await.expect("task"), 400, "the provider refused");
        assert_eq!(as_cookie(&app, &stolen).await, 401, "{revocation:?}: the stolen session stays dead");
        // and no row of it came back (a deleted user's session would answer 401 anyway)
        let kept = match revocation {
            Revocation::LogoutOtherSessions => 1,
            _ => 0,
        };
        assert_eq!(session_rows(&app).await, kept, "{revocation:?}");
    }
}

async fn session_rows(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    let sql = "SELECT COUNT(*) AS n FROM sessions WHERE user_id IS NOT NULL";
    let row =
        db.query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect("q");
    row.and_then(|r| r.try_get("", "n").ok()).expect("n")
}

/// A sign-in that read the account before a password change and finishes
/// after it issues its credentials then: they must not authenticate. (The
/// in-flight sign-in is staged directly on the engine with the account as
/// it read it; the race itself is a matter of microseconds.)
async fn credentials_issued_by_a_sign_in_in_flight_die(b: Backend) {
    for mode in ["token", "jwt"] {
        let app = TestApp::spawn(Opts::new(&b).mode(mode)).await;
        app.signup_verified("ada", "ada@example.com").await;
        let owner = app.login_auth("ada", PASSWORD).await;
        let pk = app.get_user(&owner).await.body["pk"].as_i64().expect("pk") as i32;
        let read_before = app.engine.active_user(pk).await.expect("db").expect("user");
        let body = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
        assert_eq!(app.post_auth("/password/change/", body, &owner).await.status, 200);
        assert_eq!(app.get_user(&owner).await.status, 200, "the credential that made the change stays");
        // what the sign-in in flight now issues
        let key = app.engine.issue_token(&read_before, &Default::default()).await.expect("token");
        assert_eq!(app.get_user(&Auth::Token(key)).await.status, 401);
        let pair = app.engine.issue_jwt(&read_before, &Default::default()).await.expect("jwt");
        assert_eq!(app.get_user(&Auth::Bearer(pair.access)).await.status, 401);
        assert_eq!(app.post("/token/refresh/", json!({ "refresh": pair.refresh })).await.status, 401);
        // control: the same, issued for the account as it is now, works
        let now = app.engine.active_user(pk).await.expect("db").expect("user");
        let key = app.engine.issue_token(&now, &Default::default()).await.expect("token");
        assert_eq!(app.get_user(&Auth::Token(key)).await.status, 200);
    }
}

/// A refresh that marked its token used before a revocation (a logout) and
/// stores the next one after it must not bring the family back.
async fn a_refresh_in_flight_does_not_revive_a_family(b: Backend) {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn(Opts::new(&b).mode("jwt")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.login("ada", PASSWORD).await;
    let access = Auth::Bearer(r.str("access"));
    let other = app.login_auth("ada", PASSWORD).await;
    assert_eq!(app.post_auth("/logout/", json!({ "refresh": r.str("refresh") }), &access).await.status, 200);
    assert_eq!(app.get_user(&access).await.status, 401);
    // the refresh in flight stores its new token now: unrevoked, current generation
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    let late =
        "INSERT INTO refresh_tokens (jti, family, user_id, expires_at, used_at, revoked_at, created_at, auth_epoch) \
                SELECT 'late-jti', family, user_id, expires_at, NULL, NULL, created_at, auth_epoch FROM refresh_tokens \
                WHERE revoked_at IS NOT NULL ORDER BY id LIMIT 1";
    assert_eq!(db.execute_unprepared(late).await.expect("insert").rows_affected(), 1);
    assert_eq!(app.get_user(&access).await.status, 401, "a revoked family stays dead");
    assert_eq!(app.post("/token/verify/", json!({ "token": r.str("access") })).await.status, 401);
    assert_eq!(app.get_user(&other).await.status, 200, "other families are untouched");
}

/// The browser that changes the password stays signed in, under a new
/// session id: a copy of its old cookie is worth nothing.
async fn a_password_change_moves_the_browser_to_a_new_session(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let (old_cookie, _) = login_with_session(&app).await;
    let body = serde_urlencoded::to_string([
        ("old_password", PASSWORD),
        ("new_password1", NEW_PASSWORD),
        ("new_password2", NEW_PASSWORD),
    ])
    .expect("form");
    let r = no_redirects()
        .post(format!("{}/fn/change_password", app.base))
        .header("Cookie", &old_cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("change");
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let new_cookie = session_cookie(&r);
    assert_ne!(new_cookie, old_cookie);
    assert_eq!(as_cookie(&app, &new_cookie).await, 200, "still signed in");
    assert_eq!(as_cookie(&app, &old_cookie).await, 401, "the old id is dead");
}

async fn pk_of(app: &TestApp, auth: &Auth) -> i32 {
    i32::try_from(app.get_user(auth).await.body["pk"].as_i64().expect("pk")).expect("i32")
}

/// A browser session stamped with an earlier credential generation (what a
/// sign-in racing with a password change leaves) does not authenticate.
async fn a_session_of_an_earlier_generation_is_refused(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let owner = app.login_auth("ada", PASSWORD).await;
    let pk = pk_of(&app, &owner).await;
    let body = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", body, &owner).await.status, 200);
    let current = app.engine.active_user(pk).await.expect("db").expect("user").auth_epoch;
    let expires = app.clock.now() + 3600;
    for (epoch, expected) in [(current - 1, 401), (current, 200)] {
        let id = tower_sessions::session::Id::default().to_string();
        let data = json!({"_auth_user_id": pk, "_auth_epoch": epoch}).to_string();
        assert!(app.engine.session_create(&id, Some(pk), (None, None), data, expires).await.expect("store"));
        assert_eq!(as_cookie(&app, &format!("latchkey_session={id}")).await, expected, "generation {epoch}");
    }
}

/// A password change, an email change or a connected identity, each
/// authenticated (and its password checked) against the account as it was
/// before a reset, lands after it: none may undo the reset.
async fn writes_authenticated_before_a_reset_cannot_undo_it(b: Backend) {
    use app::core::flows::{email_change::EmailChangeInput, password_change::PasswordChangeInput, Credential};
    use secrecy::SecretString;
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let thief = app.login_auth("ada", PASSWORD).await;
    let pk = pk_of(&app, &thief).await;
    let before = app.engine.active_user(pk).await.expect("db").expect("user");
    // the owner resets the password
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    let (uid, t) = uid_token(&app.reset_email("ada@example.com", 1).await.link());
    let body = json!({"uid": uid, "token": t, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post("/password/reset/confirm/", body).await.status, 200);
    // the thief's requests, authenticated before it, finish now
    let secret = |s: &str| SecretString::from(s.to_owned());
    let change = PasswordChangeInput {
        old_password: Some(secret(PASSWORD)),
        new_password1: secret("Thief-Pass-77"),
        new_password2: secret("Thief-Pass-77"),
        always_check_old: true,
    };
    let r = app.engine.change_password(&before, change, &Credential::None, &Default::default()).await;
    assert!(matches!(r, Err(app::core::FlowError::Unauthenticated)), "{r:?}");
    assert_eq!(app.login("ada", "Thief-Pass-77").await.status, 400);
    let identity = app::core::oauth::Identity {
        uid: "gh-thief".into(),
        email: Some("thief@evil.example".into()),
        email_verified: true,
        username: None,
        name: None,
    };
    assert!(app.engine.social_connect(&before, "github", identity, &Default::default()).await.is_err());
    let change =
        EmailChangeInput { new_email: "thief@evil.example".into(), password: Some(secret(PASSWORD)), links: None };
    let asked = app.engine.request_email_change(&before, change, Default::default()).await;
    if asked.is_ok() {
        let key = app.smtp.wait_for("thief@evil.example", 1).await.link().rsplit('/').next().expect("key").to_owned();
        assert_eq!(app.post("/email/change/confirm/", json!({ "key": key })).await.status, 404);
    }
    // the owner has the account, alone
    let owner = app.login_auth("ada", NEW_PASSWORD).await;
    assert_eq!(app.get_user(&owner).await.body["email"], "ada@example.com");
    assert_eq!(app.call(reqwest::Method::GET, "/socialaccounts/", None, &owner).await.body, json!([]));
}

/// Housekeeping removes a refresh family only whole: its revoked tokens
/// stay while a later one of it is unexpired, so the family stays dead.
async fn purging_never_revives_a_revoked_family(b: Backend) {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn(Opts::new(&b).mode("jwt").env("LATCHKEY_HOUSEKEEPING_INTERVAL", "0")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.login("ada", PASSWORD).await;
    let access = Auth::Bearer(r.str("access"));
    assert_eq!(app.post_auth("/logout/", json!({ "refresh": r.str("refresh") }), &access).await.status, 200);
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    // a refresh in flight stored a later token, expiring after the revoked one
    let late =
        "INSERT INTO refresh_tokens (jti, family, user_id, expires_at, used_at, revoked_at, created_at, auth_epoch) \
                SELECT 'late-jti', family, user_id, expires_at + 172800, NULL, NULL, created_at, auth_epoch \
                FROM refresh_tokens WHERE revoked_at IS NOT NULL ORDER BY id LIMIT 1";
    db.execute_unprepared(late).await.expect("insert");
    app.clock.advance(2 * 24 * 3600);
    app.engine.purge_once().await.expect("pass");
    let sql = "SELECT COUNT(*) AS n FROM refresh_tokens WHERE revoked_at IS NOT NULL";
    let row =
        db.query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect("q");
    let revoked: i64 = row.and_then(|r| r.try_get("", "n").ok()).expect("n");
    assert_eq!(revoked, 1, "the revoked token stays beside its family's live one");
    app.clock.advance(3 * 24 * 3600);
    app.engine.purge_once().await.expect("pass");
    let sql = "SELECT COUNT(*) AS n FROM refresh_tokens";
    let row =
        db.query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect("q");
    assert_eq!(row.and_then(|r| r.try_get::<i64>("", "n").ok()), Some(0), "then the whole family goes");
}

/// "Log out other sessions" is logging out everywhere else: API tokens and
/// JWT families of every door end too, not only browser sessions.
async fn logging_out_other_sessions_ends_every_doors_credentials(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let (mine, _) = login_with_session(&app).await;
    let (other, _) = login_with_session(&app).await;
    let token = app.login_auth("ada", PASSWORD).await;
    let at = |p: &str| format!("{}{p}", app.base);
    let dj = |path: &'static str, body: serde_json::Value| no_redirects().post(at(path)).json(&body).send();
    let djoser: serde_json::Value = dj("/auth/token/login/", json!({"username": "ada", "password": PASSWORD}))
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let jwt: serde_json::Value = dj("/auth/jwt/create/", json!({"username": "ada", "password": PASSWORD}))
        .await
        .expect("jwt")
        .json()
        .await
        .expect("json");
    let djoser = crate::helpers::Auth::Token(djoser["auth_token"].as_str().expect("token").to_owned());
    let access = crate::helpers::Auth::Bearer(jwt["access"].as_str().expect("access").to_owned());
    for a in [&token, &djoser, &access] {
        assert_eq!(app.get_user(a).await.status, 200);
    }
    let r = no_redirects()
        .post(at("/fn/logout_others"))
        .header("Cookie", &mine)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("logout others");
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    assert_eq!(as_cookie(&app, &mine).await, 200, "this session stays");
    assert_eq!(as_cookie(&app, &other).await, 401);
    for a in [&token, &djoser, &access] {
        assert_eq!(app.get_user(a).await.status, 401, "{a:?} ended too");
    }
    let r = dj("/auth/jwt/refresh/", json!({"refresh": jwt["refresh"]})).await.expect("refresh");
    assert_eq!(r.status().as_u16(), 401, "the refresh family is revoked");
}

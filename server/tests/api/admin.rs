//! `/api/admin/`: staff only, changes only after a recent sign-in, every
//! change in the audit trail with the acting staff member; deactivation
//! ends every credential at once. And `latchkey create-admin`.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

cases!(
    admin_api_is_for_staff_only,
    admin_changes_need_a_recent_sign_in,
    deactivation_ends_every_credential,
    users_search_filter_and_page,
    admin_actions_on_one_account,
    create_admin_command_makes_staff
);

const STAFF_PASSWORD: &str = "Staff-Latch-77!";

async fn admin(app: &TestApp, method: Method, path: &str, body: Option<Value>, auth: &Auth) -> crate::helpers::Resp {
    app.request(&app.http, method, &format!("/api/admin{path}"), body, auth).await
}

/// A staff account `root`, signed in, without re-entering the password yet.
async fn staff_signed_in(app: &TestApp) -> Auth {
    app.engine
        .create_staff("root", "root@example.com", secrecy::SecretString::from(STAFF_PASSWORD.to_owned()))
        .await
        .expect("staff");
    app.login_auth("root", STAFF_PASSWORD).await
}

/// A staff account `root` that just confirmed its password (admin changes allowed).
async fn staff(app: &TestApp) -> Auth {
    let root = staff_signed_in(app).await;
    let r = admin(app, Method::POST, "/reauthenticate/", Some(json!({"password": STAFF_PASSWORD})), &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    root
}

async fn user_id(app: &TestApp, auth: &Auth) -> i64 {
    app.get_user(auth).await.body["pk"].as_i64().expect("pk")
}

async fn admin_api_is_for_staff_only(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let ada = app.login_auth("ada", PASSWORD).await;
    let r = admin(&app, Method::GET, "/users/", None, &Auth::None).await;
    assert_eq!((r.status, r.body), (401, json!({"detail": "Authentication credentials were not provided."})));
    let denied = json!({"detail": "You do not have permission to perform this action.", "code": "permission_denied"});
    for (method, path) in [(Method::GET, "/users/"), (Method::GET, "/audit/"), (Method::POST, "/users/1/deactivate/")] {
        let r = admin(&app, method, path, Some(json!({})), &ada).await;
        assert_eq!((r.status, &r.body), (403, &denied), "{path}");
    }
    // staff status is never writable through the user API, by any spelling
    for body in [json!({"is_staff": true}), json!({"is_staff": "true", "is_superuser": true})] {
        let r = app.call(Method::PATCH, "/user/", Some(body), &ada).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert!(r.body.get("is_staff").is_none(), "{:?}", r.body);
    }
    assert_eq!(admin(&app, Method::GET, "/users/", None, &ada).await.status, 403);
    let root = staff(&app).await;
    let r = admin(&app, Method::GET, "/users/", None, &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(admin(&app, Method::GET, "/users/99999/", None, &root).await.status, 404);
    assert_eq!(admin(&app, Method::GET, "/users/abc/", None, &root).await.status, 404);
    assert_eq!(admin(&app, Method::GET, "/nothing/", None, &root).await.status, 404);
}

async fn admin_changes_need_a_recent_sign_in(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let ada = app.login_auth("ada", PASSWORD).await;
    let ada_id = user_id(&app, &ada).await;
    let root = staff_signed_in(&app).await;
    let path = format!("/users/{ada_id}/");
    // signing in is not enough: a stolen session could have signed in with a passkey it added
    let r = admin(&app, Method::PATCH, &path, Some(json!({"last_name": "Lovelace"})), &root).await;
    assert_eq!((r.status, &r.body["code"]), (403, &json!("recent_sign_in_required")), "{:?}", r.body);
    // reads stay open to staff
    assert_eq!(admin(&app, Method::GET, &path, None, &root).await.status, 200);

    let r = admin(&app, Method::POST, "/reauthenticate/", Some(json!({"password": "wrong-Pass-1"})), &root).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"password": ["Your password was entered incorrectly. Please enter it again."]}))
    );
    for body in [json!({}), json!({"code": "123456"})] {
        // a TOTP code alone never does (one could have been set up with the stolen session)
        let r = admin(&app, Method::POST, "/reauthenticate/", Some(body), &root).await;
        assert_eq!((r.status, r.body), (400, json!({"password": ["This field is required."]})));
    }
    // a non-staff caller cannot use it to probe their own password either
    let r = admin(&app, Method::POST, "/reauthenticate/", Some(json!({"password": PASSWORD})), &ada).await;
    assert_eq!(r.status, 403);
    let r = admin(&app, Method::POST, "/reauthenticate/", Some(json!({"password": STAFF_PASSWORD})), &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = admin(&app, Method::PATCH, &path, Some(json!({"last_name": "Lovelace"})), &root).await;
    assert_eq!((r.status, &r.body["last_name"]), (200, &json!("Lovelace")), "{:?}", r.body);

    // a re-authentication lasts the window, no longer
    app.clock.advance(11 * 60);
    let r = admin(&app, Method::PATCH, &path, Some(json!({"last_name": "L."})), &root).await;
    assert_eq!(r.status, 403);

    // the trail names the actor, and the target's own list shows the change
    let r = admin(&app, Method::GET, &format!("/audit/?user={ada_id}&kind=admin.user_updated"), None, &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let events = r.body["results"].as_array().expect("results");
    assert_eq!(events.len(), 1, "{events:?}");
    let root_id = user_id(&app, &root).await;
    assert_eq!(events[0]["actor_id"], json!(root_id));
    assert_eq!(events[0]["detail"], json!({"fields": "last_name"}));
    let r = admin(&app, Method::GET, &format!("/audit/?actor={root_id}&kind=reauthenticated"), None, &root).await;
    assert_eq!(
        r.body["results"].as_array().map(Vec::len),
        Some(0),
        "re-authentication is the staff member's own event"
    );
    let r = admin(&app, Method::GET, &format!("/audit/?user={root_id}&kind=reauthenticated"), None, &root).await;
    assert_eq!(r.body["results"].as_array().map(Vec::len), Some(1));
    // the owner sees what staff did, not who or from where
    let r = app.call(Method::GET, "/activity/", None, &ada).await;
    let first = &r.body["results"][0];
    assert_eq!(
        (&first["kind"], &first["actor_id"], &first["ip_address"]),
        (&json!("admin.user_updated"), &json!(null), &json!(null))
    );
    let r = admin(&app, Method::GET, "/audit/?kind=nope", None, &root).await;
    assert_eq!((r.status, r.body), (400, json!({"kind": ["Select a valid choice."]})));
}

async fn deactivation_ends_every_credential(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let token = app.login_auth("ada", PASSWORD).await;
    let ada_id = user_id(&app, &token).await;
    let browser = app.browser();
    let body = json!({"username": "ada", "password": PASSWORD});
    assert_eq!(app.call_with(&browser, Method::POST, "/login/", Some(body), &Auth::None).await.status, 200);
    let jwt_app_refresh = app.post("/login/", json!({"username": "ada", "password": PASSWORD})).await;
    assert_eq!(jwt_app_refresh.status, 200);
    // warm the read cache, as a busy client would
    assert_eq!(app.get_user(&token).await.status, 200);
    let root = staff(&app).await;

    let r = admin(&app, Method::POST, &format!("/users/{ada_id}/deactivate/"), None, &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.get_user(&token).await.status, 401, "the token ends at once");
    assert_eq!(app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await.status, 401);
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let detail = admin(&app, Method::GET, &format!("/users/{ada_id}/"), None, &root).await;
    assert_eq!((detail.body["is_active"].clone(), detail.body["devices"].clone()), (json!(false), json!([])));

    let r = admin(&app, Method::POST, &format!("/users/{ada_id}/reactivate/"), None, &root).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.get_user(&token).await.status, 401, "old credentials stay dead");
    assert_eq!(app.login("ada", PASSWORD).await.status, 200);
    let root_id = user_id(&app, &root).await;
    let r = admin(&app, Method::POST, &format!("/users/{root_id}/deactivate/"), None, &root).await;
    assert_eq!(r.status, 400, "staff cannot lock themselves out: {:?}", r.body);
    let r = admin(&app, Method::PATCH, &format!("/users/{root_id}/"), Some(json!({"is_staff": false})), &root).await;
    assert_eq!(r.status, 400);
}

async fn users_search_filter_and_page(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).verification("optional")).await;
    for (name, email) in [
        ("ada", "ada@example.com"),
        ("adam", "adam@example.org"),
        ("bob", "bob@example.com"),
        ("carol_x", "carol@example.com"),
        ("dan", "dan%@example.net"),
    ] {
        let r = app.register(name, email, PASSWORD).await;
        assert!(r.status == 201 || r.status == 400, "{name}: {:?}", r.body);
    }
    app.signup_verified("eve", "eve@example.com").await;
    let root = staff(&app).await;
    let names = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|u| u["username"].as_str().expect("u").to_owned())
            .collect()
    };
    let r = admin(&app, Method::GET, "/users/?search=AD&ordering=username", None, &root).await;
    assert_eq!(names(&r.body), ["ada", "adam"], "{:?}", r.body);
    let r = admin(&app, Method::GET, "/users/?search=example.org", None, &root).await;
    assert_eq!(names(&r.body), ["adam"]);
    // LIKE's wildcards are taken literally
    let r = admin(&app, Method::GET, "/users/?search=_", None, &root).await;
    assert_eq!(names(&r.body), ["carol_x"]);
    let r = admin(&app, Method::GET, "/users/?is_staff=true", None, &root).await;
    assert_eq!(names(&r.body), ["root"]);
    let r =
        admin(&app, Method::GET, "/users/?email_verified=true&is_staff=false&ordering=-username", None, &root).await;
    assert_eq!(names(&r.body), ["eve"]);
    let r = admin(&app, Method::GET, "/users/?has_2fa=true", None, &root).await;
    assert_eq!(names(&r.body), Vec::<String>::new());

    for ordering in ["id", "-id", "username", "-username", "date_joined", "-date_joined"] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        for _ in 0..10 {
            let r = admin(
                &app,
                Method::GET,
                &format!("/users/?page_size=2&ordering={ordering}&cursor={cursor}"),
                None,
                &root,
            )
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            seen.extend(names(&r.body));
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), seen.len(), "{ordering}: no account twice: {seen:?}");
        assert_eq!(seen.len(), 7, "{ordering}: every account once (root too): {seen:?}");
    }
    for (query, field) in [
        ("is_active=maybe", "is_active"),
        ("ordering=password_hash", "ordering"),
        ("cursor=%%%", "cursor"),
        ("joined_after=yesterday", "joined_after"),
        ("page_size=1000", "page_size"),
        ("search=a%00b", "search"),
    ] {
        let r = admin(&app, Method::GET, &format!("/users/?{query}"), None, &root).await;
        assert_eq!(r.status, 400, "{query}: {:?}", r.body);
        assert!(r.body.get(field).is_some(), "{query}: {:?}", r.body);
    }
    let r = admin(&app, Method::GET, &format!("/users/?search={}", "x".repeat(101)), None, &root).await;
    assert_eq!(r.status, 400);
    let r = admin(&app, Method::GET, "/users/?joined_after=2000-01-01&joined_before=2999-01-01T00:00:00Z", None, &root)
        .await;
    assert_eq!(names(&r.body).len(), 7);
}

async fn admin_actions_on_one_account(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).verification("optional")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let ada = app.login_auth("ada", PASSWORD).await;
    let ada_id = user_id(&app, &ada).await;
    let r = app.register("bob", "bob@example.com", PASSWORD).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let bob_id = app.login("bob", PASSWORD).await;
    let bob_id = user_id(&app, &app.auth_from(&bob_id)).await;
    let root = staff(&app).await;
    let path = |id: i64, action: &str| format!("/users/{id}/{action}");

    let detail = admin(&app, Method::GET, &path(ada_id, ""), None, &root).await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["emails"], json!([{"email": "ada@example.com", "verified": true, "primary": true}]));
    assert_eq!(detail.body["mfa_enabled"], json!(false));
    // an API login starts a browser session too (as dj-rest-auth's does) and hands out a token
    let kinds_of: Vec<&str> =
        detail.body["devices"].as_array().expect("devices").iter().filter_map(|d| d["kind"].as_str()).collect();
    assert!(kinds_of.contains(&"token") && kinds_of.contains(&"session"), "{kinds_of:?}");
    assert!(detail.body.get("password_hash").is_none() && !detail.body.to_string().contains("argon2"));
    let kinds: Vec<&str> =
        detail.body["recent_events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"sign_in.succeeded"));

    let r = admin(&app, Method::POST, &path(ada_id, "send-password-reset/"), None, &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    app.reset_email("ada@example.com", 1).await;
    let r = admin(&app, Method::POST, &path(ada_id, "resend-verification/"), None, &root).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "This email address is verified already."})));
    let r = admin(&app, Method::POST, &path(bob_id, "resend-verification/"), None, &root).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    app.verification_key("bob@example.com", 2).await;
    let r = admin(&app, Method::POST, &path(ada_id, "reset-2fa/"), None, &root).await;
    assert_eq!((r.status, r.body), (400, json!({"detail": "MFA is not enabled."})));

    let r = admin(&app, Method::POST, &path(ada_id, "revoke-sessions/"), None, &root).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.get_user(&ada).await.status, 401);
    assert_eq!(app.login("ada", PASSWORD).await.status, 200, "the account itself stays usable");

    let r = admin(&app, Method::PATCH, &path(ada_id, ""), Some(json!({"first_name": "x".repeat(151)})), &root).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"first_name": ["Ensure this field has no more than 150 characters."]}))
    );
    let r = admin(&app, Method::PATCH, &path(ada_id, ""), Some(json!({"is_staff": "yes please"})), &root).await;
    assert_eq!((r.status, r.body), (400, json!({"is_staff": ["Must be a valid boolean."]})));

    let r = admin(&app, Method::DELETE, &path(ada_id, ""), None, &root).await;
    assert_eq!(r.status, 204);
    assert_eq!(admin(&app, Method::GET, &path(ada_id, ""), None, &root).await.status, 404);
    assert_eq!(app.login("ada", PASSWORD).await.status, 400);
    let r = admin(&app, Method::GET, &format!("/audit/?user={ada_id}&kind=admin.user_deleted"), None, &root).await;
    assert_eq!(r.body["results"][0]["detail"], json!({"username": "ada"}), "the deletion outlives the account");
}

async fn create_admin_command_makes_staff(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let dir = tempfile::tempdir().expect("dir");
    let run = |username: &str, password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_latchkey"))
            .args(["create-admin", "--username", username, "--email=boss@example.com", "--no-input"])
            .env("DATABASE_URL", app.database_url())
            .env("LATCHKEY_DATA_DIR", dir.path())
            .env("LATCHKEY_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
            .env("LATCHKEY_ADMIN_PASSWORD", password)
            .env_remove("LATCHKEY_ADMIN_USERNAME")
            .output()
            .expect("run latchkey")
    };
    let out = run("boss", "password");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("This password is too common."), "{err}");
    let out = run("boss", STAFF_PASSWORD);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let boss = app.login_auth("boss", STAFF_PASSWORD).await;
    assert_eq!(admin(&app, Method::GET, "/users/?is_staff=true", None, &boss).await.status, 200);
    let out = run("BOSS", STAFF_PASSWORD);
    assert!(!out.status.success(), "a taken name is refused");
}

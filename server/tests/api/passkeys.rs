//! `passkeys/` (dj-rest-auth master's contract) driven by a software
//! authenticator: register, list, rename, sign in, delete; and the attacks:
//! a replayed assertion, a challenge used twice or raced, an expired one, a
//! cloned authenticator's stale counter, another user's handle, another
//! origin, another user's passkey ids, a disabled account.

use crate::authenticator::SoftAuthenticator;
use crate::helpers::{Auth, Backend, Opts, Resp, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

cases!(
    register_list_rename_sign_in_delete,
    replays_reuse_and_clones_are_refused,
    challenges_expire_and_race,
    bad_input_and_other_peoples_passkeys,
    a_passkey_is_two_factors_and_works_in_jwt_mode,
    disabled_accounts_and_resets
);

const ORIGIN: &str = "http://latchkey.test";
const EXPIRED: &str = "Authentication challenge has expired. Please start over.";
const FAILED: &str = "Authentication verification failed.";

fn refused(message: &str) -> Value {
    json!({"non_field_errors": [message]})
}

/// Registers a new passkey named `name` for `auth`; the 201 body.
async fn add(app: &TestApp, soft: &mut SoftAuthenticator, auth: &Auth, name: &str) -> Value {
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), auth).await;
    assert_eq!(begin.status, 200, "{:?}", begin.body);
    let credential = soft.create(&begin.body);
    let r = app.post_auth("/passkeys/register/complete/", json!({"credential": credential, "name": name}), auth).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

async fn begin_login(app: &TestApp) -> Value {
    let r = app.post("/passkeys/login/begin/", json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn complete_login(app: &TestApp, options: &Value, credential: &Value) -> Resp {
    let body = json!({"session_id": options["session_id"], "credential": credential});
    app.post("/passkeys/login/complete/", body).await
}

/// Signs in with credential `i`; the response.
async fn sign_in(app: &TestApp, soft: &mut SoftAuthenticator, i: usize) -> Resp {
    let options = begin_login(app).await;
    let credential = soft.get(&options, i);
    complete_login(app, &options, &credential).await
}

async fn ada(app: &TestApp) -> Auth {
    app.signup_verified("ada", "ada@example.com").await;
    app.login_auth("ada", PASSWORD).await
}

async fn register_list_rename_sign_in_delete(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = ada(&app).await;
    let mut soft = SoftAuthenticator::new(ORIGIN);
    assert_eq!(app.call(Method::GET, "/passkeys/", None, &auth).await.body, json!([]));

    let begin = app.post_auth("/passkeys/register/begin/", json!({"name": "ignored"}), &auth).await;
    assert_eq!(begin.status, 200, "{:?}", begin.body);
    let o = &begin.body;
    assert_eq!((o["rp"]["id"].as_str(), o["rp"]["name"].as_str()), (Some("latchkey.test"), Some("Latchkey")));
    assert_eq!(o["user"]["name"], "ada");
    assert_eq!(o["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(o["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(o["timeout"], 300_000);
    assert!(o["challenge"].as_str().is_some_and(|c| c.len() >= 43), "{o}");
    let credential = soft.create(o);
    let r = app.post_auth("/passkeys/register/complete/", json!({"credential": credential}), &auth).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let first = r.body;
    assert_eq!(first["name"], "Passkey", "an unnamed passkey");
    assert_eq!(first["credential_id"], credential["id"]);
    assert_eq!((first["discoverable"].clone(), first["last_used_at"].clone()), (json!(true), Value::Null));
    assert_eq!(first["transports"], json!(["internal", "hybrid"]));
    assert!(first["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let notice = app.smtp.wait_for_subject("ada@example.com", "A passkey was added", 1).await;
    assert!(notice.text.contains("\"Passkey\""), "{}", notice.text);

    // a second one, named; the list is newest first
    app.clock.advance(5);
    let second = add(&app, &mut soft, &auth, "Laptop").await;
    let list = app.call(Method::GET, "/passkeys/", None, &auth).await.body;
    assert_eq!(
        list.as_array().map(|l| l.iter().map(|p| p["name"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("Laptop"), json!("Passkey")])
    );
    // the second begin excluded the first credential
    let again = app.post_auth("/passkeys/register/begin/", json!({}), &auth).await.body;
    let excluded: Vec<&str> =
        again["excludeCredentials"].as_array().expect("list").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(excluded.len(), 2, "{again}");

    let path = format!("/passkeys/{}/", second["id"]);
    let r = app.call(Method::GET, &path, None, &auth).await;
    assert_eq!((r.status, r.body["name"].clone()), (200, json!("Laptop")));
    let r = app.call(Method::PATCH, &path, Some(json!({"name": "  Work laptop "})), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"name": "Work laptop"})));
    let r = app.call(Method::PUT, &path, Some(json!({"name": "Old laptop"})), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"name": "Old laptop"})));

    // sign in with no password: the normal token response
    let options = begin_login(&app).await;
    let session_id = options["session_id"].as_str().expect("session_id");
    assert!(session_id.len() == 32 && session_id.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(options["allowCredentials"], json!([]), "the same for everyone");
    assert_eq!(options["userVerification"], "required");
    let r = complete_login(&app, &options, &soft.get(&options, 1)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let key = Auth::Token(r.str("key"));
    assert_eq!(app.get_user(&key).await.body["username"], "ada");
    let used = app.call(Method::GET, &path, None, &auth).await.body;
    assert!(used["last_used_at"].is_string(), "{used}");

    // delete: gone from the list, told, and no longer signs in
    let r = app.call(Method::DELETE, &path, None, &auth).await;
    assert_eq!(r.status, 204);
    assert_eq!(app.call(Method::GET, &path, None, &auth).await.status, 404);
    app.smtp.wait_for_subject("ada@example.com", "A passkey was removed", 1).await;
    let r = sign_in(&app, &mut soft, 1).await;
    assert_eq!((r.status, r.body), (400, refused("Credential not found.")));
    assert_eq!(sign_in(&app, &mut soft, 0).await.status, 200, "the other one still works");
    // a credential registered again is refused: by its owner (it was excluded)...
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), &auth).await;
    let r =
        app.post_auth("/passkeys/register/complete/", json!({"credential": soft.attest(0, &begin.body)}), &auth).await;
    assert_eq!((r.status, r.body), (400, refused("Registration verification failed.")));
    // ...and by anyone else
    app.signup_verified("grace", "grace@example.com").await;
    let grace = app.login_auth("grace", PASSWORD).await;
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), &grace).await;
    let r =
        app.post_auth("/passkeys/register/complete/", json!({"credential": soft.attest(0, &begin.body)}), &grace).await;
    assert_eq!((r.status, r.body), (400, refused("This credential is already registered.")));
    assert!(sign_in(&app, &mut soft, 0).await.body["key"].is_string(), "still ada's");
}

async fn replays_reuse_and_clones_are_refused(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = ada(&app).await;
    let mut soft = SoftAuthenticator::new(ORIGIN);
    add(&app, &mut soft, &auth, "Phone").await;
    let options = begin_login(&app).await;
    let assertion = soft.get(&options, 0);
    assert_eq!(complete_login(&app, &options, &assertion).await.status, 200);
    // the same session again: the challenge is gone
    let r = complete_login(&app, &options, &assertion).await;
    assert_eq!((r.status, r.body), (400, refused(EXPIRED)));
    // the old assertion under a new challenge
    let fresh = begin_login(&app).await;
    let r = complete_login(&app, &fresh, &assertion).await;
    assert_eq!((r.status, r.body), (400, refused(FAILED)));
    // a clone: a good signature over the new challenge, with the old counter
    let fresh = begin_login(&app).await;
    let r = complete_login(&app, &fresh, &soft.assert_with(&fresh, 0, 1, None)).await;
    assert_eq!((r.status, r.body), (400, refused(FAILED)));
    // another user's handle with this key
    let fresh = begin_login(&app).await;
    let r = complete_login(&app, &fresh, &soft.assert_with(&fresh, 0, 50, Some(&[7u8; 16]))).await;
    assert_eq!((r.status, r.body), (400, refused(FAILED)));
    // a page on another origin that relayed the challenge
    let evil =
        SoftAuthenticator { origin: "http://evil.test".into(), credentials: std::mem::take(&mut soft.credentials) };
    let fresh = begin_login(&app).await;
    let r = complete_login(&app, &fresh, &evil.assert_with(&fresh, 0, 60, None)).await;
    assert_eq!((r.status, r.body), (400, refused(FAILED)));
    soft.credentials = evil.credentials;
    // the real authenticator, counter moved on, still works
    let fresh = begin_login(&app).await;
    assert_eq!(complete_login(&app, &fresh, &soft.assert_with(&fresh, 0, 70, None)).await.status, 200);
}

async fn challenges_expire_and_race(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = ada(&app).await;
    let mut soft = SoftAuthenticator::new(ORIGIN);
    // a registration past its 300 s
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), &auth).await;
    let credential = soft.create(&begin.body);
    app.clock.advance(301);
    let r = app.post_auth("/passkeys/register/complete/", json!({"credential": credential}), &auth).await;
    assert_eq!((r.status, r.body), (400, refused("Registration challenge has expired. Please start over.")));
    // a credential the authenticator did not keep (not discoverable) could never sign in
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), &auth).await;
    let mut credential = soft.create(&begin.body);
    credential["clientExtensionResults"] = json!({"credProps": {"rk": false}});
    let r = app.post_auth("/passkeys/register/complete/", json!({"credential": credential}), &auth).await;
    assert_eq!((r.status, r.body), (400, refused("Registration verification failed.")));
    // a failed registration uses its ceremony up
    let begin = app.post_auth("/passkeys/register/begin/", json!({}), &auth).await;
    let mut credential = soft.create(&begin.body);
    credential["response"]["clientDataJSON"] = json!("e30");
    let r = app.post_auth("/passkeys/register/complete/", json!({"credential": credential}), &auth).await;
    assert_eq!((r.status, r.body), (400, refused("Registration verification failed.")));
    let credential = soft.attest(soft.credentials.len() - 1, &begin.body);
    let r = app.post_auth("/passkeys/register/complete/", json!({"credential": credential}), &auth).await;
    assert_eq!((r.status, r.body), (400, refused("Registration challenge has expired. Please start over.")));
    add(&app, &mut soft, &auth, "Key").await;
    let i = soft.credentials.len() - 1;
    // a sign-in past its 300 s
    let options = begin_login(&app).await;
    let assertion = soft.get(&options, i);
    app.clock.advance(301);
    assert_eq!(complete_login(&app, &options, &assertion).await.body, refused(EXPIRED));
    // twenty uses of one challenge at once: one signs in
    let options = begin_login(&app).await;
    let assertion = soft.get(&options, i);
    let answers = futures::future::join_all((0..20).map(|_| complete_login(&app, &options, &assertion))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(answers.iter().filter(|r| r.status != 200).all(|r| r.body == refused(EXPIRED)));
    // two challenges answered with one counter value at once (a clone racing the original): one wins
    let (o1, o2) = (begin_login(&app).await, begin_login(&app).await);
    let n = soft.credentials[i].counter + 1;
    let (a1, a2) = (soft.assert_with(&o1, i, n, None), soft.assert_with(&o2, i, n, None));
    let (r1, r2) = tokio::join!(complete_login(&app, &o1, &a1), complete_login(&app, &o2, &a2));
    assert_eq!([r1.status, r2.status].iter().filter(|s| **s == 200).count(), 1, "{:?} {:?}", r1.body, r2.body);
}

async fn bad_input_and_other_peoples_passkeys(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = ada(&app).await;
    let mut soft = SoftAuthenticator::new(ORIGIN);
    let mine = add(&app, &mut soft, &auth, "Mine").await;
    app.signup_verified("grace", "grace@example.com").await;
    let grace = app.login_auth("grace", PASSWORD).await;
    let path = format!("/passkeys/{}/", mine["id"]);
    // another user's passkey is not found, whatever the method
    for (m, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"name": "x"}))), (Method::DELETE, None)] {
        let r = app.call(m.clone(), &path, body, &grace).await;
        assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})), "{m}");
    }
    assert_eq!(app.call(Method::GET, "/passkeys/", None, &grace).await.body, json!([]));
    for bad in ["/passkeys/abc/", "/passkeys/0/", "/passkeys/99999999999/"] {
        assert_eq!(app.call(Method::GET, bad, None, &auth).await.status, 404, "{bad}");
    }
    // signed in only
    for p in ["/passkeys/register/begin/", "/passkeys/register/complete/"] {
        assert_eq!(app.post(p, json!({})).await.status, 401, "{p}");
    }
    assert_eq!(app.call(Method::GET, "/passkeys/", None, &Auth::None).await.status, 401);
    // names
    let r = app.call(Method::PATCH, &path, Some(json!({"name": ""})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"name": ["This field may not be blank."]})));
    let r = app.call(Method::PATCH, &path, Some(json!({"name": "n".repeat(256)})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"name": ["Ensure this field has no more than 255 characters."]})));
    let r = app.call(Method::PATCH, &path, Some(json!({"name": ["x"]})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"name": ["Not a valid string."]})));
    let r = app.post_auth("/passkeys/register/begin/", json!({"name": ""}), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"name": ["This field may not be blank."]})));
    let r = app.call(Method::PUT, &path, Some(json!({})), &auth).await;
    assert_eq!((r.status, r.body), (400, json!({"name": ["This field is required."]})));
    // line breaks (in a security email) become spaces; a NUL (the pages' door) is refused, on PostgreSQL too
    let r = app.call(Method::PATCH, &path, Some(json!({"name": "Work\n\rphone\t"})), &auth).await;
    assert_eq!((r.status, r.body), (200, json!({"name": "Work  phone"})));
    let id = i32::try_from(mine["id"].as_i64().expect("id")).expect("i32");
    let owner = app.get_user(&auth).await.body["pk"].as_i64().map(|n| i32::try_from(n).expect("i32")).expect("pk");
    match app.engine.rename_passkey(owner, id, "a\0b").await {
        Err(app::core::FlowError::Invalid(p)) => assert!(p.has("name")),
        other => panic!("a NUL in a name: {:?}", other.map(|p| p.name)),
    }
    // two tabs starting a registration at once: both answer (the later challenge stands)
    let begins =
        futures::future::join_all((0..8).map(|_| app.post_auth("/passkeys/register/begin/", json!({}), &auth))).await;
    assert!(begins.iter().all(|r| r.status == 200), "{:?}", begins.iter().map(|r| r.status).collect::<Vec<_>>());
    // sign-in fields
    let r = app.post("/passkeys/login/complete/", json!({})).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"credential": ["This field is required."], "session_id": ["This field is required."]}))
    );
    let r = app.post("/passkeys/login/complete/", json!({"session_id": "XYZ", "credential": {}})).await;
    assert_eq!((r.status, r.body), (400, json!({"session_id": ["This value does not match the required pattern."]})));
    let options = begin_login(&app).await;
    for credential in [json!("abc"), json!([1, 2]), json!(7)] {
        let options = begin_login(&app).await;
        let r = complete_login(&app, &options, &credential).await;
        assert_eq!((r.status, r.body), (400, refused("Invalid credential format.")), "{credential}");
    }
    let mut broken = soft.get(&options, 0);
    broken["rawId"] = json!("%%% not base64 %%%");
    let r = complete_login(&app, &options, &broken).await;
    assert_eq!((r.status, r.body), (400, refused("Invalid credential format.")));
    let options = begin_login(&app).await;
    let mut unknown = soft.get(&options, 0);
    unknown["rawId"] = json!("AAAA");
    unknown["id"] = json!("AAAA");
    let r = complete_login(&app, &options, &unknown).await;
    assert_eq!((r.status, r.body), (400, refused("Credential not found.")));
    let r = app.post("/passkeys/login/complete/", json!({"session_id": "0".repeat(32), "credential": {}})).await;
    assert_eq!((r.status, r.body), (400, refused(EXPIRED)));
    // no `rawId`: `id` stands in, as the package reads it
    let options = begin_login(&app).await;
    let mut by_id = soft.get(&options, 0);
    by_id.as_object_mut().expect("object").remove("rawId");
    assert_eq!(complete_login(&app, &options, &by_id).await.status, 200);
    // begin says the same whoever is named; a malformed address is a field error
    let a = app.post("/passkeys/login/begin/", json!({"username": "ada"})).await;
    let n = app.post("/passkeys/login/begin/", json!({"username": "nobody"})).await;
    assert_eq!((a.status, n.status), (200, 200));
    assert_eq!((a.body["allowCredentials"].clone(), n.body["allowCredentials"].clone()), (json!([]), json!([])));
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&a.body), keys(&n.body));
    let r = app.post("/passkeys/login/begin/", json!({"email": "not-an-address"})).await;
    assert_eq!((r.status, r.body), (400, json!({"email": ["Enter a valid email address."]})));
    let r = app.post("/passkeys/login/begin/", json!({"email": "ada@example.com"})).await;
    assert_eq!(r.status, 200);
}

async fn a_passkey_is_two_factors_and_works_in_jwt_mode(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).mode("jwt")).await;
    let auth = ada(&app).await;
    let mut soft = SoftAuthenticator::new(ORIGIN);
    add(&app, &mut soft, &auth, "Phone").await;
    let (_, _) = crate::two_factor::activate(&app, &auth).await;
    // a password alone now needs the second step; a passkey does not
    let r = app.login("ada", PASSWORD).await;
    assert_eq!(r.body["mfa_required"], json!(true), "{:?}", r.body);
    let r = sign_in(&app, &mut soft, 0).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body.get("ephemeral_token").is_none());
    assert!(r.body["access"].is_string() && r.body["refresh"].is_string(), "{:?}", r.body);
    assert_eq!(r.body["user"]["username"], "ada");
    let bearer = Auth::Bearer(r.str("access"));
    assert_eq!(app.get_user(&bearer).await.status, 200);
}

async fn disabled_accounts_and_resets(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let auth = ada(&app).await;
    let mut soft = SoftAuthenticator::new(ORIGIN);
    add(&app, &mut soft, &auth, "Phone").await;
    let db = sea_orm::Database::connect(app.database_url()).await.expect("db");
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("UPDATE users SET is_active = false").await.expect("disable");
    let r = sign_in(&app, &mut soft, 0).await;
    assert_eq!((r.status, r.body), (400, refused("User account is disabled.")));
    db.execute_unprepared("UPDATE users SET is_active = true").await.expect("enable");
    assert_eq!(sign_in(&app, &mut soft, 0).await.status, 200);
    // unverified (verification became mandatory after it was added): as a password sign-in
    db.execute_unprepared("UPDATE users SET email_verified = false").await.expect("unverify");
    let r = sign_in(&app, &mut soft, 0).await;
    assert_eq!((r.status, r.body), (400, refused("E-mail is not verified.")));
    db.execute_unprepared("UPDATE users SET email_verified = true").await.expect("verify");
    // whoever proves the address takes the account: a reset removes every passkey
    assert_eq!(app.post("/password/reset/", json!({"email": "ada@example.com"})).await.status, 200);
    let (uid, token) = crate::helpers::uid_token(&app.reset_email("ada@example.com", 1).await.link());
    let body =
        json!({"uid": uid, "token": token, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"});
    let r = app.post("/password/reset/confirm/", body).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = sign_in(&app, &mut soft, 0).await;
    assert_eq!((r.status, r.body), (400, refused("Credential not found.")));
}

//! Account pre-hijacking. An attacker gets an account onto the victim's
//! address (signs up with it, or changes their own account's address to it
//! and waits for a mail scanner to open the confirmation link) and may add a
//! password, a linked identity of their own, a pending email change. A
//! provider's word that the victim owns the address must never hand the
//! victim that account with the attacker still inside; the victim claims it
//! by proving the address (a reset link), which drops everything the
//! attacker set up.

use crate::helpers::{uid_token, Auth, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser};
use reqwest::{redirect::Policy, Client, Method};
use serde_json::json;

cases!(
    a_provider_does_not_merge_into_an_unconfirmed_account,
    the_browser_flow_refuses_the_merge_too,
    claiming_by_reset_drops_what_the_creator_set_up,
    a_scanned_link_confirms_nothing_and_a_reset_still_claims,
    a_password_change_cancels_a_pending_email_change
);

const TAKEN: &str = "User is already registered with this e-mail address.";

async fn a_provider_does_not_merge_into_an_unconfirmed_account(b: Backend) {
    let stub = ProviderStub::start().await;
    for mode in ["token", "jwt"] {
        let app = TestApp::spawn(Opts::new(&b).mode(mode).provider(&stub)).await;
        // the attacker registers the victim's address and never verifies it
        assert_eq!(app.register("mallory", "victim@example.com", PASSWORD).await.status, 201);
        // the victim signs in with a provider that vouches for the address
        for provider in ["oidc", "github"] {
            let token = stub.mint_token(StubUser::new(&format!("{provider}-victim"), "Victim@Example.com", true));
            let r = app.post(&format!("/{provider}/"), json!({ "access_token": token })).await;
            assert_eq!((r.status, r.body), (400, json!({ "non_field_errors": [TAKEN] })), "{provider}");
        }
        // nothing changed: the account is still unverified, the attacker still locked out
        let r = app.login("mallory", PASSWORD).await;
        assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["E-mail is not verified."]})));
    }
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn the_browser_flow_refuses_the_merge_too(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = TestApp::spawn(Opts::new(&b).provider(&stub)).await;
    assert_eq!(app.register("mallory", "victim@example.com", PASSWORD).await.status, 201);
    stub.sign_in_as(StubUser::new("oidc-victim", "victim@example.com", true));
    let browser = Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
    let start = browser.get(format!("{}/accounts/oidc/login", app.base)).send().await.expect("start");
    let back = location(&browser.get(location(&start)).send().await.expect("authorize"));
    let done = browser.get(back.replace("http://latchkey.test", &app.base)).send().await.expect("callback");
    assert_eq!(done.status().as_u16(), 400);
    let csp =
        done.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let page = done.text().await.expect("page");
    assert!(page.contains(TAKEN) && page.contains("connect this provider from your profile"), "{page}");
    let me = app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await;
    assert_eq!(me.status, 401, "the browser is not signed in to the attacker's account");
}

async fn claiming_by_reset_drops_what_the_creator_set_up(b: Backend) {
    let stub = ProviderStub::start().await;
    // optional verification: the attacker is signed in at once and can set things up
    let app = TestApp::spawn(Opts::new(&b).verification("optional").provider(&stub)).await;
    let r = app.register("mallory", "victim@example.com", PASSWORD).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let mallory = app.auth_from(&r);
    let own = stub.mint_token(StubUser::new("gh-mallory", "mallory@evil.example", true));
    let r = app.post_auth("/github/connect/", json!({ "access_token": own }), &mallory).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .post_auth("/email/change/", json!({"new_email": "mallory2@evil.example", "password": PASSWORD}), &mallory)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let pending = app.smtp.wait_for("mallory2@evil.example", 1).await.link();
    let pending_key = pending.rsplit('/').next().expect("key").to_owned();

    // the victim claims the address with a reset link sent to it
    app.post("/password/reset/", json!({"email": "victim@example.com"})).await;
    let (uid, token) = uid_token(&app.reset_email("victim@example.com", 1).await.link());
    let body = json!({"uid": uid, "token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post("/password/reset/confirm/", body).await.status, 200);

    // the attacker keeps nothing: token, password, linked identity, email change
    assert_eq!(app.get_user(&mallory).await.status, 401);
    assert_eq!(app.login("mallory", PASSWORD).await.status, 400);
    let r = app.post("/email/change/confirm/", json!({ "key": pending_key })).await;
    assert_eq!(r.status, 404, "the pending email change died");
    let victim = app.login_auth("mallory", NEW_PASSWORD).await;
    let me = app.get_user(&victim).await.body;
    assert_eq!(me["email"], "victim@example.com");
    let links = app.call(Method::GET, "/socialaccounts/", None, &victim).await;
    assert_eq!(links.body, json!([]), "the attacker's identity was unlinked");
    let own = stub.mint_token(StubUser::new("gh-mallory", "mallory@evil.example", true));
    let r = app.post("/github/", json!({ "access_token": own })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_ne!(app.get_user(&app.auth_from(&r)).await.body["pk"], me["pk"], "it reaches an account of its own");

    // the victim connects their own identity from the account, then signs in with it
    let theirs = stub.mint_token(StubUser::new("oidc-victim", "victim@example.com", true));
    assert_eq!(app.post_auth("/oidc/connect/", json!({ "access_token": theirs }), &victim).await.status, 200);
    let theirs = stub.mint_token(StubUser::new("oidc-victim", "victim@example.com", true));
    let r = app.post("/oidc/", json!({ "access_token": theirs })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.get_user(&app.auth_from(&r)).await.body["pk"], me["pk"]);
}

async fn a_scanned_link_confirms_nothing_and_a_reset_still_claims(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = TestApp::spawn(Opts::new(&b).provider(&stub)).await;
    // mallory's own, verified account, with her own identity linked
    app.signup_verified("mallory", "mallory@evil.example").await;
    let mallory = app.login_auth("mallory", PASSWORD).await;
    let own = stub.mint_token(StubUser::new("gh-mallory", "mallory@evil.example", true));
    assert_eq!(app.post_auth("/github/connect/", json!({ "access_token": own }), &mallory).await.status, 200);
    // she asks to move it onto the victim's address; a mail scanner opens the link
    let r = app
        .post_auth("/email/change/", json!({"new_email": "victim@example.com", "password": PASSWORD}), &mallory)
        .await;
    assert_eq!(r.status, 200);
    let link = app.smtp.wait_for("victim@example.com", 1).await.link();
    let scanned = app.http.get(link.replace("http://latchkey.test", &app.base)).send().await.expect("GET");
    assert_eq!(scanned.status().as_u16(), 200);
    assert_eq!(app.get_user(&mallory).await.body["email"], "mallory@evil.example", "opening the link changed nothing");
    // had the victim confirmed it after all, a provider login would still not merge...
    let key = link.rsplit('/').next().expect("key").to_owned();
    assert_eq!(app.post("/email/change/confirm/", json!({ "key": key })).await.status, 200);
    let theirs = stub.mint_token(StubUser::new("oidc-victim", "victim@example.com", true));
    let r = app.post("/oidc/", json!({ "access_token": theirs })).await;
    assert_eq!((r.status, r.body), (400, json!({ "non_field_errors": [TAKEN] })));
    // ...and a reset of the (now verified) account leaves mallory nothing
    app.post("/password/reset/", json!({"email": "victim@example.com"})).await;
    let (uid, token) = uid_token(&app.reset_email("victim@example.com", 1).await.link());
    let body = json!({"uid": uid, "token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post("/password/reset/confirm/", body).await.status, 200);
    assert_eq!(app.get_user(&mallory).await.status, 401);
    let own = stub.mint_token(StubUser::new("gh-mallory", "mallory@evil.example", true));
    let r = app.post("/github/", json!({ "access_token": own })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let victim = app.login_auth("mallory", NEW_PASSWORD).await;
    let victim_pk = app.get_user(&victim).await.body["pk"].clone();
    assert_ne!(app.get_user(&app.auth_from(&r)).await.body["pk"], victim_pk, "her identity no longer reaches it");
}

async fn a_password_change_cancels_a_pending_email_change(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let thief = app.login_auth("ada", PASSWORD).await;
    let owner = app.login_auth("ada", PASSWORD).await;
    let r =
        app.post_auth("/email/change/", json!({"new_email": "thief@evil.example", "password": PASSWORD}), &thief).await;
    assert_eq!(r.status, 200);
    let key = app.smtp.wait_for("thief@evil.example", 1).await.link().rsplit('/').next().expect("key").to_owned();
    let body = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    assert_eq!(app.post_auth("/password/change/", body, &owner).await.status, 200);
    assert_eq!(app.post("/email/change/confirm/", json!({ "key": key })).await.status, 404);
    assert_eq!(app.get_user(&owner).await.body["email"], "ada@example.com");
}

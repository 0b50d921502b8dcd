//! Social login against a real OAuth2 / OIDC provider on loopback: the
//! browser flow (state, PKCE, nonce), the API flow (access_token or code),
//! linking rules, connected accounts, and every failure.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser, CLIENT_ID, CLIENT_SECRET};
use reqwest::{redirect::Policy, Client, Method};
use serde_json::json;

cases!(
    browser_flow_signs_up_then_logs_in,
    browser_flow_refuses_bad_state_and_replays,
    api_flow_with_access_token_or_code,
    linking_needs_a_verified_email,
    connect_list_and_disconnect,
    provider_down_is_a_clear_400,
);

async fn app_with(b: &Backend, stub: &ProviderStub, mode: &'static str) -> TestApp {
    TestApp::spawn(
        Opts::new(b)
            .mode(mode)
            .env("LATCHKEY_OIDC_ISSUER", stub.issuer.clone())
            .env("LATCHKEY_OIDC_CLIENT_ID", CLIENT_ID)
            .env("LATCHKEY_OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("LATCHKEY_GITHUB_CLIENT_ID", CLIENT_ID)
            .env("LATCHKEY_GITHUB_CLIENT_SECRET", CLIENT_SECRET)
            .env("LATCHKEY_GITHUB_AUTH_URL", format!("{}/authorize", stub.issuer))
            .env("LATCHKEY_GITHUB_TOKEN_URL", format!("{}/token", stub.issuer))
            .env("LATCHKEY_GITHUB_API_URL", stub.issuer.clone()),
    )
    .await
}

fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Our callback URL as the provider sends the browser to it, made absolute
/// on the test server (the public URL is a placeholder host).
fn local(app: &TestApp, url: &str) -> String {
    url.replace("http://latchkey.test", &app.base)
}

/// Runs start -> provider -> callback; returns the callback's response.
async fn browser_login(app: &TestApp, client: &Client, provider: &str, query: &str) -> reqwest::Response {
    let start = client.get(format!("{}/accounts/{provider}/login{query}", app.base)).send().await.expect("start");
    assert_eq!(start.status().as_u16(), 303, "start redirects to the provider");
    let to_provider = location(&start);
    assert!(
        to_provider.contains("code_challenge=") && to_provider.contains("code_challenge_method=S256"),
        "{to_provider}"
    );
    assert!(to_provider.contains("state="), "{to_provider}");
    let approved = client.get(&to_provider).send().await.expect("authorize");
    let back = location(&approved);
    assert!(back.starts_with("http://latchkey.test/accounts/"), "{back}");
    client.get(local(app, &back)).send().await.expect("callback")
}

async fn browser_flow_signs_up_then_logs_in(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = app_with(&b, &stub, "token").await;
    stub.sign_in_as(StubUser::new("oidc-ada", "ada@example.com", true));
    let client = browser();
    let done = browser_login(&app, &client, "oidc", "?next=/sessions").await;
    assert_eq!((done.status().as_u16(), location(&done)), (303, "/sessions".to_owned()));
    let me = app.call_with(&client, Method::GET, "/user/", None, &Auth::None).await;
    assert_eq!(
        (me.status, me.body["email"].clone(), me.body["username"].clone()),
        (200, json!("ada@example.com"), json!("oidc-ada"))
    );
    let links = app.call_with(&client, Method::GET, "/socialaccounts/", None, &Auth::None).await;
    assert_eq!(links.body.as_array().map(Vec::len), Some(1));
    assert_eq!(links.body[0]["provider"], "oidc");
    assert_eq!(links.body[0]["uid"], "oidc-ada");

    // a second login, from a fresh browser, reaches the same account
    let client2 = browser();
    let again = browser_login(&app, &client2, "oidc", "").await;
    assert_eq!(location(&again), "/profile");
    let me2 = app.call_with(&client2, Method::GET, "/user/", None, &Auth::None).await;
    assert_eq!(me2.body["pk"], me.body["pk"]);
    // the account has no password: password login is impossible, not an error
    assert_eq!(app.login("oidc-ada", PASSWORD).await.status, 400);
}

async fn browser_flow_refuses_bad_state_and_replays(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = app_with(&b, &stub, "token").await;
    stub.sign_in_as(StubUser::new("eve", "eve@example.com", true));
    let client = browser();
    let start = client.get(format!("{}/accounts/oidc/login", app.base)).send().await.expect("start");
    let approved = client.get(location(&start)).send().await.expect("authorize");
    let back = local(&app, &location(&approved));
    let tampered = back.replace("state=", "state=x");
    let r = client.get(&tampered).send().await.expect("callback");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap_or_default().contains("state mismatch"));
    // the pending login was used up by the failed attempt: replaying the real callback fails too
    let r = client.get(&back).send().await.expect("callback");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap_or_default().contains("expired"));
    // a callback with no login started at all
    let r = browser().get(&back).send().await.expect("callback");
    assert_eq!(r.status().as_u16(), 400);
    // provider-side refusal
    let r = browser()
        .get(format!("{}/accounts/oidc/login/callback/?error=access_denied", app.base))
        .send()
        .await
        .expect("cb");
    assert_eq!(r.status().as_u16(), 400);
    // unknown provider
    let r = browser().get(format!("{}/accounts/myspace/login", app.base)).send().await.expect("start");
    assert_eq!(r.status().as_u16(), 400);

    // replayed code in the API flow: the provider refuses the second exchange
    let cb = "http://latchkey.test/accounts/oidc/login/callback/";
    let code = stub.mint_code(StubUser::new("eve", "eve@example.com", true), cb);
    assert_eq!(app.post("/oidc/", json!({ "code": code })).await.status, 200);
    let r = app.post("/oidc/", json!({ "code": code })).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["Failed to exchange code for access token"]})));
    let r = app.post("/oidc/", json!({})).await;
    assert_eq!(r.status, 400);
    assert_eq!(app.post("/myspace/", json!({"access_token": "x"})).await.status, 404);
}

async fn api_flow_with_access_token_or_code(b: Backend) {
    let stub = ProviderStub::start().await;
    for mode in ["token", "jwt"] {
        let app = app_with(&b, &stub, mode).await;
        let token = stub.mint_token(StubUser::new("octo", "octo@example.com", true));
        let r = app.post("/github/", json!({ "access_token": token })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let auth = app.auth_from(&r);
        let me = app.get_user(&auth).await;
        assert_eq!((me.body["email"].clone(), me.body["username"].clone()), (json!("octo@example.com"), json!("octo")));
        let r = app.post("/github/", json!({ "access_token": "forged" })).await;
        assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["Incorrect value"]})));

        let cb = "https://app.example/callback";
        let code = stub.mint_code(StubUser::new("sub-42", "fourty@example.com", true), cb);
        let r = app.post("/oidc/", json!({ "code": code, "callback_url": cb })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let me = app.get_user(&app.auth_from(&r)).await;
        assert_eq!(me.body["email"], "fourty@example.com");
    }
}

async fn linking_needs_a_verified_email(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = app_with(&b, &stub, "token").await;
    app.signup_verified("ada", "ada@example.com").await;
    // an address that has an account is never joined on a provider's word,
    // verified or not: the owner logs in and connects instead
    let taken = json!({"non_field_errors": ["User is already registered with this e-mail address."]});
    for verified in [false, true] {
        let token = stub.mint_token(StubUser::new("x1", "ADA@example.com", verified));
        let r = app.post("/oidc/", json!({ "access_token": token })).await;
        assert_eq!((r.status, r.body), (400, taken.clone()), "verified by the provider: {verified}");
    }
    let auth = app.login_auth("ada", PASSWORD).await;
    let token = stub.mint_token(StubUser::new("x1", "ada@example.com", true));
    assert_eq!(app.post_auth("/oidc/connect/", json!({ "access_token": token }), &auth).await.status, 200);
    let token = stub.mint_token(StubUser::new("x1", "ada@example.com", true));
    let r = app.post("/oidc/", json!({ "access_token": token })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.get_user(&app.auth_from(&r)).await.body["username"], "ada");
    // a new identity without a verified address makes an account that must verify first
    let fresh = stub.mint_token(StubUser::new("x3", "new@example.com", false));
    let r = app.post("/oidc/", json!({ "access_token": fresh })).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["E-mail is not verified."]})));
    let key = app.verification_key("new@example.com", 1).await;
    assert_eq!(app.post("/registration/verify-email/", json!({ "key": key })).await.status, 200);
    let fresh = stub.mint_token(StubUser::new("x3", "new@example.com", false));
    assert_eq!(app.post("/oidc/", json!({ "access_token": fresh })).await.status, 200);
}

async fn connect_list_and_disconnect(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = app_with(&b, &stub, "token").await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let gh = stub.mint_token(StubUser::new("gh-ada", "elsewhere@example.com", true));
    let r = app.post_auth("/github/connect/", json!({ "access_token": gh }), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["provider"], "github");
    let list = app.call(Method::GET, "/socialaccounts/", None, &auth).await;
    let id = list.body[0]["id"].as_i64().expect("id");
    assert_eq!(app.call(Method::GET, "/socialaccounts/", None, &Auth::None).await.status, 401);

    // someone else cannot take that identity
    app.signup_verified("bob", "bob@example.com").await;
    let bob = app.login_auth("bob", PASSWORD).await;
    let gh_again = stub.mint_token(StubUser::new("gh-ada", "elsewhere@example.com", true));
    let r = app.post_auth("/github/connect/", json!({ "access_token": gh_again }), &bob).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"non_field_errors": ["The third-party account is already connected to a different account."]}))
    );
    let r = app.post_auth(&format!("/socialaccounts/{id}/disconnect/"), json!({}), &bob).await;
    assert_eq!(r.status, 404, "bob cannot disconnect ada's link");

    // ada has a password, so she may disconnect her only link
    let r = app.post_auth(&format!("/socialaccounts/{id}/disconnect/"), json!({}), &auth).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.call(Method::GET, "/socialaccounts/", None, &auth).await.body, json!([]));

    // a social-only account keeps its last link
    let only = stub.mint_token(StubUser::new("solo", "solo@example.com", true));
    let r = app.post("/oidc/", json!({ "access_token": only })).await;
    let solo = app.auth_from(&r);
    let links = app.call(Method::GET, "/socialaccounts/", None, &solo).await;
    let solo_id = links.body[0]["id"].as_i64().expect("id");
    let r = app.post_auth(&format!("/socialaccounts/{solo_id}/disconnect/"), json!({}), &solo).await;
    assert_eq!((r.status, r.body), (400, json!({"non_field_errors": ["Your account has no password set up."]})));
}

async fn provider_down_is_a_clear_400(b: Backend) {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let app = TestApp::spawn(
        Opts::new(&b)
            .env("LATCHKEY_OIDC_ISSUER", format!("http://127.0.0.1:{closed}"))
            .env("LATCHKEY_OIDC_CLIENT_ID", CLIENT_ID)
            .env("LATCHKEY_OIDC_CLIENT_SECRET", CLIENT_SECRET),
    )
    .await;
    let r = app.post("/oidc/", json!({ "access_token": "whatever" })).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"non_field_errors": ["The provider could not be reached. Please try again later."]}))
    );
    let r = browser().get(format!("{}/accounts/oidc/login", app.base)).send().await.expect("start");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap_or_default().contains("could not be reached"));
    assert_eq!(app.get_user(&Auth::None).await.status, 401, "still serving");
}

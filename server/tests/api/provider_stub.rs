//! A real OAuth2 / OpenID Connect provider on loopback (axum), standing in
//! for Google, a generic OIDC issuer and GitHub: discovery, authorize (it
//! approves at once, as the user set by the test), token (single-use codes,
//! PKCE S256, client secret), userinfo, and GitHub's `/user` and `/user/emails`.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "latchkey-client";
pub const CLIENT_SECRET: &str = "latchkey-secret";

#[derive(Clone, Debug)]
pub struct StubUser {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub username: String,
}

impl StubUser {
    pub fn new(sub: &str, email: &str, verified: bool) -> Self {
        Self { sub: sub.into(), email: email.into(), email_verified: verified, username: sub.into() }
    }
}

struct Grant {
    user: StubUser,
    redirect_uri: String,
    challenge: Option<String>,
    nonce: Option<String>,
}

#[derive(Default)]
struct Inner {
    next_user: Option<StubUser>,
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, StubUser>,
    counter: u64,
    /// While set, the token endpoint waits for it and then refuses.
    stall: Option<Arc<tokio::sync::Semaphore>>,
    /// Token requests seen while stalled.
    stalled_requests: u64,
}

#[derive(Clone)]
pub struct ProviderStub {
    pub issuer: String,
    inner: Arc<Mutex<Inner>>,
}

impl ProviderStub {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind stub");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let stub = Self { issuer, inner: Arc::default() };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/user", get(gh_user))
            .route("/user/emails", get(gh_emails))
            .with_state(stub.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        stub
    }

    /// The user the next authorization approves.
    pub fn sign_in_as(&self, user: StubUser) {
        self.inner.lock().expect("lock").next_user = Some(user);
    }

    /// An access token for `user`, as a mobile SDK would hold.
    pub fn mint_token(&self, user: StubUser) -> String {
        let mut inner = self.inner.lock().expect("lock");
        inner.counter += 1;
        let t = format!("at-{}-{}", inner.counter, user.sub);
        inner.tokens.insert(t.clone(), user);
        t
    }

    /// Makes the token endpoint hold each request until `release` gets a
    /// permit, then refuse it (`invalid_grant`): a slow provider that fails.
    pub fn stall_token_endpoint(&self, release: Arc<tokio::sync::Semaphore>) {
        self.inner.lock().expect("lock").stall = Some(release);
    }

    /// How many token requests are (or were) held by the stall.
    pub fn stalled_requests(&self) -> u64 {
        self.inner.lock().expect("lock").stalled_requests
    }

    /// A code issued for `redirect_uri` without PKCE (for API clients that
    /// exchange codes through Latchkey).
    pub fn mint_code(&self, user: StubUser, redirect_uri: &str) -> String {
        let mut inner = self.inner.lock().expect("lock");
        inner.counter += 1;
        let code = format!("code-{}", inner.counter);
        inner
            .codes
            .insert(code.clone(), Grant { user, redirect_uri: redirect_uri.into(), challenge: None, nonce: None });
        code
    }
}

async fn discovery(State(s): State<ProviderStub>) -> Json<serde_json::Value> {
    Json(json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/authorize", s.issuer),
        "token_endpoint": format!("{}/token", s.issuer),
        "userinfo_endpoint": format!("{}/userinfo", s.issuer),
        "jwks_uri": format!("{}/jwks", s.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
}

async fn authorize(State(s): State<ProviderStub>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.client_id != CLIENT_ID {
        return (StatusCode::BAD_REQUEST, "unknown client").into_response();
    }
    if q.code_challenge.is_some() && q.code_challenge_method.as_deref() != Some("S256") {
        return (StatusCode::BAD_REQUEST, "S256 only").into_response();
    }
    let mut inner = s.inner.lock().expect("lock");
    let Some(user) = inner.next_user.clone() else {
        return (StatusCode::BAD_REQUEST, "nobody signed in").into_response();
    };
    inner.counter += 1;
    let code = format!("code-{}", inner.counter);
    let grant = Grant { user, redirect_uri: q.redirect_uri.clone(), challenge: q.code_challenge, nonce: q.nonce };
    inner.codes.insert(code.clone(), grant);
    let sep = if q.redirect_uri.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{}{sep}code={code}&state={}", q.redirect_uri, q.state)).into_response()
}

fn client_ok(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let expected = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    basic.as_deref() == Some(expected.as_str())
        || (form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET))
}

fn id_token(issuer: &str, user: &StubUser, nonce: Option<&str>) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let claims = json!({"iss": issuer, "sub": user.sub, "aud": CLIENT_ID, "exp": now + 300, "iat": now, "nonce": nonce, "email": user.email});
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    format!("{header}.{}.c2lnbmF0dXJl", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

async fn token(
    State(s): State<ProviderStub>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let error = |e: &str| (StatusCode::BAD_REQUEST, Json(json!({"error": e}))).into_response();
    let stall = {
        let mut inner = s.inner.lock().expect("lock");
        let stall = inner.stall.clone();
        if stall.is_some() {
            inner.stalled_requests += 1;
        }
        stall
    };
    if let Some(release) = stall {
        if let Ok(permit) = release.acquire().await {
            permit.forget();
        }
        return error("invalid_grant");
    }
    if !client_ok(&headers, &form) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client"}))).into_response();
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return error("unsupported_grant_type");
    }
    let mut inner = s.inner.lock().expect("lock");
    let Some(grant) = form.get("code").and_then(|c| inner.codes.remove(c)) else { return error("invalid_grant") };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return error("invalid_grant");
    }
    if let Some(challenge) = &grant.challenge {
        let Some(verifier) = form.get("code_verifier") else { return error("invalid_grant") };
        if &URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
            return error("invalid_grant");
        }
    }
    inner.counter += 1;
    let access = format!("at-{}-{}", inner.counter, grant.user.sub);
    inner.tokens.insert(access.clone(), grant.user.clone());
    Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": 3600,
        "id_token": id_token(&s.issuer, &grant.user, grant.nonce.as_deref()),
    }))
    .into_response()
}

fn bearer_user(s: &ProviderStub, headers: &HeaderMap) -> Option<StubUser> {
    let token = headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")?.to_owned();
    s.inner.lock().expect("lock").tokens.get(&token).cloned()
}

async fn userinfo(State(s): State<ProviderStub>, headers: HeaderMap) -> Response {
    match bearer_user(&s, &headers) {
        Some(u) => Json(json!({"sub": u.sub, "email": u.email, "email_verified": u.email_verified, "preferred_username": u.username, "name": "Stub User"})).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn gh_user(State(s): State<ProviderStub>, headers: HeaderMap) -> Response {
    match bearer_user(&s, &headers) {
        Some(u) => Json(
            json!({"id": u.sub.bytes().map(u64::from).sum::<u64>() + 1000, "login": u.username, "name": "Stub User"}),
        )
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn gh_emails(State(s): State<ProviderStub>, headers: HeaderMap) -> Response {
    match bearer_user(&s, &headers) {
        Some(u) => Json(json!([
            {"email": format!("noreply-{}@users.example", u.sub), "primary": false, "verified": true},
            {"email": u.email, "primary": true, "verified": u.email_verified}
        ]))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

//! `TestApp`: a real Latchkey on a random port with its own database (a
//! SQLite file, or a fresh schema in the local PostgreSQL) and its own SMTP
//! sink, plus one helper per endpoint.

use crate::smtp_sink::{Email, SmtpSink};
use app::core::{Clock, Engine};
use reqwest::{Client, Method};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use server::settings::{Settings, Source};
use server::startup::Application;
use std::collections::HashMap;

pub const PASSWORD: &str = "Tr1cky-Latch-9";
pub const NEW_PASSWORD: &str = "N3w-Latch-pass!";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// Whether this run is CI's (`CI` set to anything but `false`/`0`), where
/// the PostgreSQL half of the suite is required, never skipped.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

impl Backend {
    /// The local PostgreSQL when `TEST_POSTGRES_URL` is set or under CI.
    pub fn postgres() -> Option<Backend> {
        if let Ok(url) = std::env::var("TEST_POSTGRES_URL") {
            return Some(Backend::Postgres(url));
        }
        under_ci().then(|| Backend::Postgres("postgres://postgres@127.0.0.1:5432/test".into()))
    }

    /// [`Backend::postgres`], or a skip outside CI: under CI a missing
    /// PostgreSQL fails the test.
    pub fn postgres_or_skip(what: &str) -> Option<Backend> {
        let found = Backend::postgres();
        if found.is_none() {
            assert!(!under_ci(), "CI needs PostgreSQL for {what}");
            eprintln!("PostgreSQL not configured (TEST_POSTGRES_URL or CI=true); {what} skipped");
        }
        found
    }
}

/// How to start the app.
pub struct Opts {
    pub backend: Backend,
    pub mode: &'static str,
    pub verification: &'static str,
    pub env: Vec<(&'static str, String)>,
}

impl Opts {
    pub fn new(backend: &Backend) -> Self {
        Self { backend: backend.clone(), mode: "token", verification: "mandatory", env: Vec::new() }
    }
    pub fn mode(mut self, mode: &'static str) -> Self {
        self.mode = mode;
        self
    }
    pub fn verification(mut self, v: &'static str) -> Self {
        self.verification = v;
        self
    }
    pub fn env(mut self, k: &'static str, v: impl Into<String>) -> Self {
        self.env.push((k, v.into()));
        self
    }
    /// OpenID Connect (`oidc`) and GitHub (`github`) login, both served by `stub`.
    pub fn provider(self, stub: &crate::provider_stub::ProviderStub) -> Self {
        use crate::provider_stub::{CLIENT_ID, CLIENT_SECRET};
        self.env("LATCHKEY_OIDC_ISSUER", stub.issuer.clone())
            .env("LATCHKEY_OIDC_CLIENT_ID", CLIENT_ID)
            .env("LATCHKEY_OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("LATCHKEY_GITHUB_CLIENT_ID", CLIENT_ID)
            .env("LATCHKEY_GITHUB_CLIENT_SECRET", CLIENT_SECRET)
            .env("LATCHKEY_GITHUB_AUTH_URL", format!("{}/authorize", stub.issuer))
            .env("LATCHKEY_GITHUB_TOKEN_URL", format!("{}/token", stub.issuer))
            .env("LATCHKEY_GITHUB_API_URL", stub.issuer.clone())
    }
}

#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Token(String),
    Bearer(String),
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn str(&self, key: &str) -> String {
        self.body[key].as_str().unwrap_or_else(|| panic!("no string {key} in {}", self.body)).to_owned()
    }
}

pub struct TestApp {
    pub base: String,
    pub smtp: SmtpSink,
    pub http: Client,
    pub mode: &'static str,
    /// The engine's clock: `advance` it instead of sleeping.
    pub clock: Clock,
    /// The engine behind the server (to run a housekeeping pass, count
    /// password checks).
    pub engine: Engine,
    db_url: String,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn postgres_schema(base: &str) -> String {
    let admin = sea_orm::Database::connect(base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base} is required for this test and unreachable: {e}"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    // best effort: drop schemas left by runs more than an hour old
    if let Ok(rows) = admin
        .query_all(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lk\\_%'".to_owned(),
        ))
        .await
    {
        for row in rows {
            let name: String = row.try_get("", "nspname").unwrap_or_default();
            let stamp: u64 = name.split('_').nth(1).and_then(|s| s.parse().ok()).unwrap_or(now);
            if stamp + 3600 < now {
                let _ = admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")).await;
            }
        }
    }
    let schema = format!("lk_{now}_{}", uuid::Uuid::new_v4().simple());
    admin.execute_unprepared(&format!("CREATE SCHEMA \"{schema}\"")).await.expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

impl TestApp {
    pub async fn spawn(opts: Opts) -> TestApp {
        Self::try_spawn(opts).await.unwrap_or_else(|e| panic!("build app: {e}"))
    }

    /// [`TestApp::spawn`], answering start-up's refusal instead of panicking.
    pub async fn try_spawn(opts: Opts) -> Result<TestApp, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let smtp = SmtpSink::start().await;
        let db_url = match &opts.backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("latchkey.db").display()),
            Backend::Postgres(base) => postgres_schema(base).await,
        };
        let mut env: HashMap<String, String> = [
            ("LATCHKEY_ADDR", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", db_url.clone()),
            ("LATCHKEY_DATA_DIR", dir.path().display().to_string()),
            ("LATCHKEY_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789".to_owned()),
            ("LATCHKEY_PUBLIC_URL", "http://latchkey.test".to_owned()),
            ("SMTP_URL", smtp.url()),
            ("LATCHKEY_AUTH_MODE", opts.mode.to_owned()),
            ("LATCHKEY_EMAIL_VERIFICATION", opts.verification.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (k, v) in opts.env {
            env.insert(k.to_owned(), v);
        }
        let db_url = env.get("DATABASE_URL").cloned().unwrap_or(db_url);
        let settings = Settings::from_source(&Source::from_maps(env, HashMap::new())).map_err(|e| format!("{e:#}"))?;
        let clock = Clock::system();
        let app = Application::build_with_clock(settings, clock.clone()).await.map_err(|e| format!("{e:#}"))?;
        let base = format!("http://{}", app.address());
        let engine = app.engine().clone();
        let server = tokio::spawn(app.run_until_stopped());
        Ok(TestApp { base, smtp, http: Client::new(), mode: opts.mode, clock, engine, db_url, server, _dir: dir })
    }

    /// Waits until the engine has nothing left to send: no background work
    /// running and every queued email delivered. Then the SMTP sink holds
    /// every email the requests so far caused (a positive signal, not a
    /// guess at how long delivery takes).
    pub async fn settled(&self) {
        let db = sea_orm::Database::connect(&self.db_url).await.expect("db");
        let sql = "SELECT COUNT(*) AS n FROM email_outbox WHERE sent_at IS NULL";
        for _ in 0..400 {
            if self.engine.background_tasks() == 0 {
                let row = db
                    .query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned()))
                    .await
                    .expect("query");
                let unsent: i64 = row.and_then(|r| r.try_get("", "n").ok()).unwrap_or(-1);
                if unsent == 0 && self.engine.background_tasks() == 0 {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("emails still pending after 10 s");
    }

    /// Waits until no background work runs and every queued email has been
    /// tried at least once (for tests where the mail server is down).
    pub async fn settled_except_smtp(&self) {
        let db = sea_orm::Database::connect(&self.db_url).await.expect("db");
        let sql = "SELECT COUNT(*) AS n FROM email_outbox WHERE sent_at IS NULL AND attempts = 0";
        for _ in 0..400 {
            if self.engine.background_tasks() == 0 {
                let row = db
                    .query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned()))
                    .await
                    .expect("query");
                if row.and_then(|r| r.try_get::<i64>("", "n").ok()) == Some(0) {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("emails still untried after 10 s");
    }

    /// How many emails went to `to`, once everything queued was delivered.
    pub async fn emails_to(&self, to: &str) -> usize {
        self.settled().await;
        self.smtp.all().iter().filter(|e| e.to.eq_ignore_ascii_case(to)).count()
    }

    /// Stops the server and its background work, as a process exit would.
    pub async fn stop(&self) {
        self.server.abort();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    /// Where uploads are stored.
    pub fn media_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("media")
    }

    /// The database this app runs on (to start another process on it).
    pub fn database_url(&self) -> String {
        self.db_url.clone()
    }

    /// A client that keeps cookies, like a browser.
    pub fn browser(&self) -> Client {
        Client::builder().cookie_store(true).build().expect("client")
    }

    pub async fn call_with(
        &self,
        client: &Client,
        method: Method,
        path: &str,
        body: Option<Value>,
        auth: &Auth,
    ) -> Resp {
        self.request(client, method, &format!("/api/auth{path}"), body, auth).await
    }

    /// A JSON request to any path of the site (a door's prefix included).
    pub async fn request(&self, client: &Client, method: Method, path: &str, body: Option<Value>, auth: &Auth) -> Resp {
        let url = format!("{}{}", self.base, path);
        let mut req = client.request(method, url);
        req = match auth {
            Auth::None => req,
            Auth::Token(k) => req.header("Authorization", format!("Token {k}")),
            Auth::Bearer(k) => req.header("Authorization", format!("Bearer {k}")),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON body ({status}): {text:?}"))
        };
        Resp { status, body, headers }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>, auth: &Auth) -> Resp {
        self.call_with(&self.http, method, path, body, auth).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body), &Auth::None).await
    }

    pub async fn post_auth(&self, path: &str, body: Value, auth: &Auth) -> Resp {
        self.call(Method::POST, path, Some(body), auth).await
    }

    pub async fn get_user(&self, auth: &Auth) -> Resp {
        self.call(Method::GET, "/user/", None, auth).await
    }

    pub async fn register(&self, username: &str, email: &str, password: &str) -> Resp {
        self.post(
            "/registration/",
            json!({"username": username, "email": email, "password1": password, "password2": password}),
        )
        .await
    }

    /// The verification key from the `n`-th verification email to `email`.
    pub async fn verification_key(&self, email: &str, n: usize) -> String {
        let mail = self.smtp.wait_for_subject(email, "Confirm your email address", n).await;
        mail.link().rsplit('/').next().expect("key").to_owned()
    }

    /// Registers and verifies an account.
    pub async fn signup_verified(&self, username: &str, email: &str) {
        let r = self.register(username, email, PASSWORD).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let key = self.verification_key(email, 1).await;
        let r = self.post("/registration/verify-email/", json!({ "key": key })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        self.post("/login/", json!({"username": username, "password": password})).await
    }

    /// Logs in and returns the credential the mode hands out.
    pub async fn login_auth(&self, username: &str, password: &str) -> Auth {
        let r = self.login(username, password).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.auth_from(&r)
    }

    pub fn auth_from(&self, r: &Resp) -> Auth {
        match self.mode {
            "jwt" => Auth::Bearer(r.str("access")),
            _ => Auth::Token(r.str("key")),
        }
    }

    /// The `n`-th password reset email to `email`.
    pub async fn reset_email(&self, email: &str, n: usize) -> Email {
        self.smtp.wait_for_subject(email, "Reset your Latchkey password", n).await
    }

    /// Sends a raw request (for malformed bodies).
    pub async fn raw(&self, method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Resp {
        let mut req = self.http.request(method, format!("{}/api/auth{}", self.base, path)).body(body);
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON body ({status}): {text:?}"));
        Resp { status, body, headers }
    }
}

/// `(uid, token)` from a reset link `.../password-reset/{uid}/{token}`.
pub fn uid_token(link: &str) -> (String, String) {
    let mut parts = link.rsplit('/');
    let token = parts.next().expect("token").to_owned();
    let uid = parts.next().expect("uid").to_owned();
    (uid, token)
}

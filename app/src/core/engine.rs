//! `Engine`: the database, configuration, hashers and mailer every flow
//! needs, cheap to clone and shared by both front doors.

use crate::core::auth_cache::AuthCache;
use crate::core::clock::Clock;
use crate::core::config::EngineConfig;
use crate::core::credentials::PasswordHasher;
use crate::core::email::sealed::{Content, ContentSealer};
use crate::core::email::{templates, Mailer};
use crate::core::jwt::JwtCodec;
use crate::core::oauth::Providers;
use crate::core::secrets::{Sealer, TokenHasher};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Database connections per replica (`server` opens the pool with these).
pub const SQLITE_POOL: u32 = 8;
pub const POSTGRES_POOL: u32 = 20;

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    cfg: EngineConfig,
    hasher: PasswordHasher,
    login_gate: crate::core::login_gate::LoginGate,
    tokens: TokenHasher,
    sessions: TokenHasher,
    limits: TokenHasher,
    jwt: JwtCodec,
    sealer: Sealer,
    content_sealer: ContentSealer,
    providers: Providers,
    mailer: Arc<dyn Mailer>,
    outbox_wakeup: tokio::sync::Notify,
    auth_cache: AuthCache,
    /// Email templates, the operator's overrides checked at start.
    templates: templates::Templates,
    clock: Clock,
    background: std::sync::atomic::AtomicUsize,
    /// The passkey relying party (`None`: passkeys are off).
    webauthn: Option<webauthn_rs::Webauthn>,
    /// Posts webhooks (no redirects followed).
    webhook_http: reqwest::Client,
    webhook_failures: std::sync::atomic::AtomicU64,
    sign_ins_ok: std::sync::atomic::AtomicU64,
    sign_ins_failed: std::sync::atomic::AtomicU64,
}

/// How much waits to be sent (for metrics).
#[derive(Clone, Copy, Debug, Default)]
pub struct QueueDepths {
    pub outbox_pending: u64,
    /// Seconds since the oldest undelivered email was queued (0: none).
    pub outbox_oldest_age: i64,
    pub webhooks_pending: u64,
    pub webhooks_oldest_age: i64,
}

impl Engine {
    /// `hash_concurrency` bounds how many argon2 hashes run at once; `clock`
    /// is where every flow reads the time (tests move it).
    ///
    /// # Errors
    /// The HTTP client for social providers cannot start, or an email
    /// template override is broken (the message names the file).
    pub fn new(
        db: DatabaseConnection,
        cfg: EngineConfig,
        mailer: Arc<dyn Mailer>,
        hash_concurrency: usize,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let providers = Providers::new(cfg.providers.clone())?;
        let tokens = TokenHasher::new(&cfg.secret_key, "token");
        let sessions = TokenHasher::new(&cfg.secret_key, "session");
        let limits = TokenHasher::new(&cfg.secret_key, "rate-limit");
        let jwt = JwtCodec::new(&cfg.secret_key);
        let sealer = Sealer::new(&cfg.secret_key);
        let content_sealer = ContentSealer::new(&cfg.secret_key);
        let webauthn = crate::core::factors::passkey::relying_party(&cfg.passkeys, false)?;
        let webhook_http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        let pool = match sea_orm::ConnectionTrait::get_database_backend(&db) {
            sea_orm::DatabaseBackend::Postgres => POSTGRES_POOL,
            _ => SQLITE_POOL,
        };
        let login_gate = crate::core::login_gate::LoginGate::new(crate::core::login_gate::NAMES, pool as usize / 2);
        let templates = templates::Templates::load(cfg.email.templates_dir.as_deref(), cfg.mail_branding())?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                hasher: PasswordHasher::new(
                    hash_concurrency,
                    cfg.hash_queue_limit.unwrap_or(32 * hash_concurrency.max(1)),
                ),
                login_gate,
                tokens,
                sessions,
                limits,
                jwt,
                sealer,
                content_sealer,
                providers,
                mailer,
                outbox_wakeup: tokio::sync::Notify::new(),
                auth_cache: AuthCache::new(std::time::Duration::from_secs(cfg.auth_cache_ttl_secs)),
                templates,
                clock,
                background: std::sync::atomic::AtomicUsize::new(0),
                webauthn,
                webhook_http,
                webhook_failures: std::sync::atomic::AtomicU64::new(0),
                sign_ins_ok: std::sync::atomic::AtomicU64::new(0),
                sign_ins_failed: std::sync::atomic::AtomicU64::new(0),
                cfg,
            }),
        })
    }

    /// Now, by the engine's clock (seconds since the Unix epoch).
    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    /// The engine's clock (tests move it).
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Work started by [`Engine::in_background`] and not finished yet.
    pub fn background_tasks(&self) -> usize {
        self.inner.background.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn background_counter(&self) -> &std::sync::atomic::AtomicUsize {
        &self.inner.background
    }

    pub(crate) fn webhook_http(&self) -> &reqwest::Client {
        &self.inner.webhook_http
    }

    pub(crate) fn count_webhook_failure(&self) {
        self.inner.webhook_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn count_sign_in(&self, ok: bool) {
        let c = if ok { &self.inner.sign_ins_ok } else { &self.inner.sign_ins_failed };
        c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sign-ins that succeeded and failed since start (for metrics).
    pub fn sign_in_counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.inner.sign_ins_ok.load(Relaxed), self.inner.sign_ins_failed.load(Relaxed))
    }

    /// Undelivered emails and webhooks, and how old the oldest of each is.
    ///
    /// # Errors
    /// Database failures.
    pub async fn queue_depths(&self) -> Result<QueueDepths, crate::core::FlowError> {
        let (outbox_pending, outbox_oldest) = crate::core::repo::outbox::pending(self.db()).await?;
        let (webhooks_pending, webhooks_oldest) = crate::core::repo::webhooks::pending(self.db()).await?;
        let age = |t: Option<i64>| t.map_or(0, |t| (self.now() - t).max(0));
        Ok(QueueDepths {
            outbox_pending,
            outbox_oldest_age: age(outbox_oldest),
            webhooks_pending,
            webhooks_oldest_age: age(webhooks_oldest),
        })
    }

    /// Failed webhook attempts since start (for metrics).
    pub fn webhook_failures(&self) -> u64 {
        self.inner.webhook_failures.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The social login providers.
    pub fn providers(&self) -> &Providers {
        &self.inner.providers
    }

    /// The passkey relying party, when passkeys are on.
    pub(crate) fn relying_party(&self) -> Option<&webauthn_rs::Webauthn> {
        self.inner.webauthn.as_ref()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// Whether the database answers (for readiness probes).
    ///
    /// # Errors
    /// `Unavailable` (or `Unexpected`) when it does not.
    pub async fn ready(&self) -> Result<(), crate::core::FlowError> {
        Ok(self.inner.db.ping().await?)
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.cfg
    }

    /// The name a user is known by: the username, or the address for
    /// email-only accounts (their username is made up and hidden).
    pub fn public_name<'a>(&self, user: &'a crate::core::entities::user::Model) -> &'a str {
        if self.config().username == crate::core::config::UsernameMode::None {
            &user.email
        } else {
            &user.username
        }
    }

    /// How many passwords were checked against a stored hash so far.
    pub fn password_checks(&self) -> u64 {
        self.inner.hasher.checks()
    }

    /// How many dummy checks ran (unknown users, spent budgets).
    pub fn dummy_password_checks(&self) -> u64 {
        self.inner.hasher.dummy_checks()
    }

    pub(crate) fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }

    pub(crate) fn login_gate(&self) -> &crate::core::login_gate::LoginGate {
        &self.inner.login_gate
    }

    pub(crate) fn token_hasher(&self) -> &TokenHasher {
        &self.inner.tokens
    }

    pub(crate) fn limit_hasher(&self) -> &TokenHasher {
        &self.inner.limits
    }

    pub(crate) fn auth_cache(&self) -> &AuthCache {
        &self.inner.auth_cache
    }

    pub(crate) fn jwt(&self) -> &JwtCodec {
        &self.inner.jwt
    }

    /// Signs a payload that makes a round trip through the browser.
    pub fn seal(&self, payload: &str) -> String {
        self.inner.sealer.seal(payload, self.now())
    }

    /// A payload sealed by [`Engine::seal`] in the last ten minutes.
    pub fn unseal(&self, sealed: &str) -> Option<String> {
        self.inner.sealer.unseal(sealed, self.now(), 600)
    }

    /// The stored form of a session id.
    pub fn session_key(&self, session_id: &str) -> String {
        self.inner.sessions.hash(session_id)
    }

    /// Renders an email and writes it, sealed, to the outbox on `conn` (the
    /// flow's transaction, so the email exists exactly when the change does).
    /// The outbox worker delivers it; call [`Engine::wake_outbox`] after commit.
    pub(crate) async fn enqueue(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        kind: &'static str,
        to: &str,
        link: Option<&str>,
        vars: &[(&str, &str)],
    ) -> Result<(), crate::core::FlowError> {
        // an account without an address gets no email
        if to.is_empty() {
            return Ok(());
        }
        // email-only accounts: their made-up username means nothing to them
        let greeting: Vec<(&str, &str)>;
        let vars = if self.config().username == crate::core::config::UsernameMode::None {
            greeting = vars.iter().map(|(n, v)| if *n == "username" { (*n, to) } else { (*n, *v) }).collect();
            &greeting[..]
        } else {
            vars
        };
        let email = self.inner.templates.render(kind, to, link, vars)?;
        let content = Content { subject: email.subject, text: email.text, html: email.html, link: email.link };
        let sealed = self.inner.content_sealer.seal(&content, to)?;
        crate::core::repo::outbox::insert(conn, kind, to, sealed, self.now()).await?;
        Ok(())
    }

    pub(crate) fn content_sealer(&self) -> &ContentSealer {
        &self.inner.content_sealer
    }

    /// Tells the outbox worker there is mail to send.
    pub(crate) fn wake_outbox(&self) {
        self.inner.outbox_wakeup.notify_one();
    }

    pub(crate) fn mailer(&self) -> &Arc<dyn Mailer> {
        &self.inner.mailer
    }

    pub(crate) fn outbox_wakeup(&self) -> &tokio::sync::Notify {
        &self.inner.outbox_wakeup
    }
}

//! `Engine`: the database, configuration, hashers and mailer every flow
//! needs, cheap to clone and shared by both front doors.

use crate::core::auth_cache::AuthCache;
use crate::core::config::EngineConfig;
use crate::core::credentials::PasswordHasher;
use crate::core::email::{templates, Mailer};
use crate::core::jwt::JwtCodec;
use crate::core::oauth::Providers;
use crate::core::secrets::{Sealer, TokenHasher};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    cfg: EngineConfig,
    hasher: PasswordHasher,
    tokens: TokenHasher,
    sessions: TokenHasher,
    jwt: JwtCodec,
    sealer: Sealer,
    providers: Providers,
    mailer: Arc<dyn Mailer>,
    outbox_wakeup: tokio::sync::Notify,
    auth_cache: AuthCache,
}

impl Engine {
    /// `hash_concurrency` bounds how many argon2 hashes run at once.
    ///
    /// # Errors
    /// Only if the HTTP client for social providers cannot start.
    pub fn new(
        db: DatabaseConnection,
        cfg: EngineConfig,
        mailer: Arc<dyn Mailer>,
        hash_concurrency: usize,
    ) -> anyhow::Result<Self> {
        let providers = Providers::new(cfg.providers.clone())?;
        let tokens = TokenHasher::new(&cfg.secret_key, "token");
        let sessions = TokenHasher::new(&cfg.secret_key, "session");
        let jwt = JwtCodec::new(&cfg.secret_key);
        let sealer = Sealer::new(&cfg.secret_key);
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                hasher: PasswordHasher::new(hash_concurrency),
                tokens,
                sessions,
                jwt,
                sealer,
                providers,
                mailer,
                outbox_wakeup: tokio::sync::Notify::new(),
                auth_cache: AuthCache::new(std::time::Duration::from_secs(cfg.auth_cache_ttl_secs)),
                cfg,
            }),
        })
    }

    /// The social login providers.
    pub fn providers(&self) -> &Providers {
        &self.inner.providers
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.cfg
    }

    pub(crate) fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }

    pub(crate) fn token_hasher(&self) -> &TokenHasher {
        &self.inner.tokens
    }

    pub(crate) fn auth_cache(&self) -> &AuthCache {
        &self.inner.auth_cache
    }

    pub(crate) fn jwt(&self) -> &JwtCodec {
        &self.inner.jwt
    }

    /// Signs a payload that makes a round trip through the browser.
    pub fn seal(&self, payload: &str) -> String {
        self.inner.sealer.seal(payload, crate::core::now())
    }

    /// A payload sealed by [`Engine::seal`] in the last ten minutes.
    pub fn unseal(&self, sealed: &str) -> Option<String> {
        self.inner.sealer.unseal(sealed, crate::core::now(), 600)
    }

    /// The stored form of a session id.
    pub fn session_key(&self, session_id: &str) -> String {
        self.inner.sessions.hash(session_id)
    }

    /// Renders an email and writes it to the outbox on `conn` (the flow's
    /// transaction, so the email exists exactly when the change does). The
    /// outbox worker delivers it; call [`Engine::wake_outbox`] after commit.
    pub(crate) async fn enqueue(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        kind: &'static str,
        to: &str,
        link: Option<&str>,
        vars: &[(&str, &str)],
    ) -> Result<(), crate::core::FlowError> {
        let email = templates::render(kind, to, link, vars)?;
        crate::core::repo::outbox::insert(conn, &email, crate::core::now()).await?;
        Ok(())
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

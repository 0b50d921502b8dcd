//! Browser sessions: a tower-sessions store backed by the engine's `sessions`
//! table (SQLite or PostgreSQL, whichever the engine uses), and the helpers
//! that sign a session in and out.

use app::core::{entities::user::Model as User, Engine};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result as StoreResult};
use tower_sessions::{cookie::SameSite, Expiry, Session, SessionManagerLayer, SessionStore};

/// Session key holding the signed-in user's id.
pub const USER_KEY: &str = "_auth_user_id";
pub const COOKIE_NAME: &str = "latchkey_session";

#[derive(Clone)]
pub struct EngineStore {
    engine: Engine,
}

impl std::fmt::Debug for EngineStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EngineStore")
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for EngineStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        while self.engine.session_load(&record.id.to_string()).await.map_err(backend)?.is_some() {
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let user_id = record.data.get(USER_KEY).and_then(|v| v.as_i64()).and_then(|v| i32::try_from(v).ok());
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        self.engine
            .session_save(&record.id.to_string(), user_id, data, record.expiry_date.unix_timestamp())
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let Some(stored) = self.engine.session_load(&id.to_string()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&stored.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp(stored.expires_at).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        self.engine.session_delete(&id.to_string()).await.map_err(backend)
    }
}

/// The cookie session layer: HttpOnly, SameSite=Lax, Secure behind https,
/// expiring after `ttl_secs` of inactivity.
pub fn layer(engine: Engine, secure: bool, ttl_secs: i64) -> SessionManagerLayer<EngineStore> {
    SessionManagerLayer::new(EngineStore { engine })
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(ttl_secs)))
}

/// Signs `user` into the browser session under a fresh id (no fixation).
///
/// # Errors
/// Store failures.
pub async fn sign_in(session: &Session, user: &User) -> anyhow::Result<()> {
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    session.save().await?;
    Ok(())
}

/// The signed-in user's id, if any.
pub async fn user_id(session: &Session) -> Option<i32> {
    session.get::<i32>(USER_KEY).await.ok().flatten()
}

/// The stored key of this session, to spare it when revoking the others.
pub fn stored_key(engine: &Engine, session: &Session) -> Option<String> {
    session.id().map(|id| engine.session_key(&id.to_string()))
}

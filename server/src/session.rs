//! Browser sessions: a tower-sessions store backed by the engine's `sessions`
//! table (SQLite or PostgreSQL, whichever the engine uses), and the helpers
//! that sign a session in and out.

use app::core::Engine;
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result as StoreResult};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer, SessionStore};

use app::api::session::{AGENT_KEY, IP_KEY, USER_KEY};

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

/// What the `sessions` table keeps beside the data: the user, the agent
/// and the address it signed in from, and the data itself.
struct Fields {
    user_id: Option<i32>,
    agent: Option<String>,
    ip: Option<String>,
    data: String,
}

fn fields(record: &Record) -> StoreResult<Fields> {
    let user_id = record.data.get(USER_KEY).and_then(|v| v.as_i64()).and_then(|v| i32::try_from(v).ok());
    let agent = record.data.get(AGENT_KEY).and_then(|v| v.as_str()).map(str::to_owned);
    let ip = record.data.get(IP_KEY).and_then(|v| v.as_str()).map(|s| s.chars().take(64).collect());
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    Ok(Fields { user_id, agent, ip, data })
}

#[async_trait]
impl SessionStore for EngineStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        let Fields { user_id, agent, ip, data } = fields(record)?;
        let expires = record.expiry_date.unix_timestamp();
        while !self
            .engine
            .session_create(&record.id.to_string(), user_id, (agent.clone(), ip.clone()), data.clone(), expires)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    /// Updates only: a session deleted meanwhile (logout, password change,
    /// "log out other sessions", account deletion) is not brought back by a
    /// request that loaded it before.
    async fn save(&self, record: &Record) -> StoreResult<()> {
        let Fields { user_id, agent, ip, data } = fields(record)?;
        self.engine
            .session_save(&record.id.to_string(), user_id, (agent, ip), data, record.expiry_date.unix_timestamp())
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

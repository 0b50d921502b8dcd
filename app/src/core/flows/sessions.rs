//! Browser sessions as the engine stores them (the server's tower-sessions
//! store is a thin adapter over these).

use crate::core::error::FlowError;
use crate::core::repo::sessions;
use crate::core::{now, Engine};

/// A stored session: its serialised data and expiry.
pub struct StoredSession {
    pub data: String,
    pub expires_at: i64,
}

impl Engine {
    pub async fn session_load(&self, session_id: &str) -> Result<Option<StoredSession>, FlowError> {
        let row = sessions::load(self.db(), &self.session_key(session_id), now()).await?;
        Ok(row.map(|r| StoredSession { data: r.data, expires_at: r.expires_at }))
    }

    pub async fn session_save(
        &self,
        session_id: &str,
        user_id: Option<i32>,
        data: String,
        expires_at: i64,
    ) -> Result<(), FlowError> {
        Ok(sessions::upsert(self.db(), &self.session_key(session_id), user_id, data, expires_at, now()).await?)
    }

    pub async fn session_delete(&self, session_id: &str) -> Result<(), FlowError> {
        Ok(sessions::delete(self.db(), &self.session_key(session_id)).await?)
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64, FlowError> {
        Ok(sessions::purge_expired(self.db(), now()).await?)
    }
}

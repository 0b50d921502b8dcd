//! Browser sessions as the engine stores them (the server's tower-sessions
//! store is a thin adapter over these).

use super::throttle::Client;
use crate::core::audit::EventKind;
use crate::core::error::FlowError;
use crate::core::repo::sessions;
use crate::core::Engine;
use crate::shared::user::SessionView;
use sea_orm::TransactionTrait;

/// A stored session: its serialised data and expiry.
pub struct StoredSession {
    pub data: String,
    pub expires_at: i64,
}

impl Engine {
    pub async fn session_load(&self, session_id: &str) -> Result<Option<StoredSession>, FlowError> {
        let row = sessions::load(self.db(), &self.session_key(session_id), self.now()).await?;
        Ok(row.map(|r| StoredSession { data: r.data, expires_at: r.expires_at }))
    }

    /// Stores a new session; `false` when its id is taken (pick another).
    pub async fn session_create(
        &self,
        session_id: &str,
        user_id: Option<i32>,
        device: (Option<String>, Option<String>),
        data: String,
        expires_at: i64,
    ) -> Result<bool, FlowError> {
        let (user_agent, ip) = device;
        let ua = user_agent.map(|u| u.chars().take(255).collect());
        let key = self.session_key(session_id);
        Ok(sessions::insert_new(self.db(), &key, user_id, (ua, ip), data, expires_at, self.now()).await?)
    }

    /// Saves changes to a session that still exists; a revoked session is
    /// never written back.
    pub async fn session_save(
        &self,
        session_id: &str,
        user_id: Option<i32>,
        device: (Option<String>, Option<String>),
        data: String,
        expires_at: i64,
    ) -> Result<(), FlowError> {
        let (user_agent, ip) = device;
        let ua = user_agent.map(|u| u.chars().take(255).collect());
        let key = self.session_key(session_id);
        if !sessions::update_existing(self.db(), &key, user_id, (ua, ip), data, expires_at).await? {
            tracing::info!("a request on an ended session tried to save it; it stays ended");
        }
        Ok(())
    }

    /// The user's live browser sessions, newest first; `current_key` marks this one.
    pub async fn list_sessions(&self, user_id: i32, current_key: Option<&str>) -> Result<Vec<SessionView>, FlowError> {
        let rows = sessions::for_user(self.db(), user_id, self.now()).await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionView {
                current: Some(r.id_hash.as_str()) == current_key,
                created_at: r.created_at,
                device: crate::core::audit::device_name(r.user_agent.as_deref()),
                user_agent: r.user_agent.unwrap_or_default(),
            })
            .collect())
    }

    /// Logs the user out everywhere else: every browser session but
    /// `keep_key`, and every API token and JWT family, whichever door issued
    /// them.
    pub async fn logout_other_sessions(
        &self,
        user_id: i32,
        keep_key: &str,
        client: Option<&Client>,
    ) -> Result<(), FlowError> {
        let txn = self.db().begin().await?;
        sessions::delete_for_user(&txn, user_id, Some(keep_key)).await?;
        crate::core::repo::auth_tokens::delete_for_user(&txn, user_id, None).await?;
        crate::core::repo::refresh_tokens::revoke_for_user(&txn, user_id, None, self.now()).await?;
        self.audit(&txn, EventKind::SessionsRevoked, Some(user_id), client, &[]).await?;
        txn.commit().await?;
        self.account_changed(user_id).await;
        Ok(())
    }

    /// Records that `user_id` signed out (the door ended the credential).
    ///
    /// # Errors
    /// Database failures.
    pub async fn record_sign_out(&self, user_id: i32, client: &Client) -> Result<(), FlowError> {
        self.audit(self.db(), EventKind::SignedOut, Some(user_id), Some(client), &[]).await
    }

    pub async fn session_delete(&self, session_id: &str) -> Result<(), FlowError> {
        Ok(sessions::delete(self.db(), &self.session_key(session_id)).await?)
    }
}

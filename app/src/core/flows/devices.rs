//! The caller's devices: browser sessions, opaque API tokens and JWT refresh
//! families, listed together ("Chrome on Linux", since when, whether it is
//! the one asking), and ended one at a time or all but the current one.
//! Ids are opaque and name only the caller's own devices: a browser session
//! by its stored hash (never its cookie), a token by its row, a JWT family by
//! an HMAC of the family.

use super::throttle::Client;
use super::Credential;
use crate::core::audit::{device_name, EventKind};
use crate::core::entities::{auth_token, refresh_token};
use crate::core::error::FlowError;
use crate::core::repo::{auth_tokens, refresh_tokens, sessions};
use crate::core::Engine;
use crate::shared::admin::DeviceItem;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

/// A live JWT family: its first sign-in and its latest rotation.
struct Family {
    family: String,
    created: i64,
    last_seen: i64,
    user_agent: Option<String>,
    ip: Option<String>,
}

impl Engine {
    fn family_id(&self, family: &str) -> String {
        format!("j_{}", &self.token_hasher().hash(&format!("device:{family}"))[..32])
    }

    /// The live JWT families of `user`, oldest first.
    async fn live_families(&self, user: &crate::core::entities::user::Model) -> Result<Vec<Family>, FlowError> {
        let rows = refresh_token::Entity::find()
            .filter(refresh_token::Column::UserId.eq(user.id))
            .filter(refresh_token::Column::AuthEpoch.eq(user.auth_epoch))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .filter(refresh_token::Column::ExpiresAt.gt(self.now()))
            .order_by_asc(refresh_token::Column::Id)
            .all(self.db())
            .await?;
        let mut out: Vec<Family> = Vec::new();
        for r in rows {
            if let Some(f) = out.iter_mut().find(|f| f.family == r.family) {
                f.last_seen = f.last_seen.max(r.created_at);
                continue;
            }
            // the family's first row: when, from what and where the sign-in came
            let first = refresh_token::Entity::find()
                .filter(refresh_token::Column::Family.eq(r.family.as_str()))
                .order_by_asc(refresh_token::Column::Id)
                .one(self.db())
                .await?;
            let (created, user_agent, ip) = match first {
                Some(f) => (f.created_at, f.user_agent, f.ip),
                None => (r.created_at, r.user_agent.clone(), r.ip.clone()),
            };
            out.push(Family { family: r.family, created, last_seen: r.created_at, user_agent, ip });
        }
        Ok(out)
    }

    /// Every live device of `user`, newest first; `current` marks the
    /// credential this request came with.
    ///
    /// # Errors
    /// Database failures.
    pub async fn devices(
        &self,
        user: &crate::core::entities::user::Model,
        current: &Credential,
    ) -> Result<Vec<DeviceItem>, FlowError> {
        let db = self.db();
        let mut out: Vec<(i64, DeviceItem)> = Vec::new();
        let ttl = self.config().session_ttl_secs;
        for s in sessions::for_user(db, user.id, self.now()).await? {
            // a session's expiry moves on each time it is written (sign-in, a change of its data)
            let seen = (s.expires_at - ttl).max(s.created_at);
            out.push((
                s.created_at,
                DeviceItem {
                    kind: "session".into(),
                    current: matches!(current, Credential::Session(h) if *h == s.id_hash),
                    id: format!("s_{}", s.id_hash),
                    device: device_name(s.user_agent.as_deref()),
                    user_agent: s.user_agent.unwrap_or_default(),
                    ip_address: s.ip,
                    created: crate::core::rfc3339(s.created_at),
                    last_seen: Some(crate::core::rfc3339(seen)),
                },
            ));
        }
        let tokens = auth_token::Entity::find()
            .filter(auth_token::Column::UserId.eq(user.id))
            .filter(auth_token::Column::AuthEpoch.eq(user.auth_epoch))
            .all(db)
            .await?;
        for t in tokens {
            out.push((
                t.created_at,
                DeviceItem {
                    kind: "token".into(),
                    current: *current == Credential::Token(t.id),
                    id: format!("t_{}", t.id),
                    device: device_name(t.user_agent.as_deref()),
                    user_agent: t.user_agent.unwrap_or_default(),
                    ip_address: t.ip,
                    created: crate::core::rfc3339(t.created_at),
                    last_seen: t.last_used_at.map(crate::core::rfc3339),
                },
            ));
        }
        for f in self.live_families(user).await? {
            out.push((
                f.created,
                DeviceItem {
                    kind: "jwt".into(),
                    current: matches!(current, Credential::Jwt(c) if *c == f.family),
                    id: self.family_id(&f.family),
                    device: device_name(f.user_agent.as_deref()),
                    user_agent: f.user_agent.unwrap_or_default(),
                    ip_address: f.ip,
                    created: crate::core::rfc3339(f.created),
                    last_seen: Some(crate::core::rfc3339(f.last_seen)),
                },
            ));
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.0));
        Ok(out.into_iter().map(|(_, d)| d).collect())
    }

    /// Ends one of the user's devices by its id from [`Engine::devices`].
    ///
    /// # Errors
    /// `NotFound` for an id that names none of the user's live devices.
    pub async fn end_device(
        &self,
        user: &crate::core::entities::user::Model,
        id: &str,
        client: &Client,
    ) -> Result<(), FlowError> {
        let db = self.db();
        let txn = db.begin().await?;
        let ended = if let Some(hash) = id.strip_prefix("s_") {
            let mine = sessions::for_user(&txn, user.id, self.now()).await?.into_iter().any(|s| s.id_hash == hash);
            if mine {
                sessions::delete(&txn, hash).await?;
            }
            mine
        } else if let Some(n) = id.strip_prefix("t_").and_then(|n| n.parse::<i32>().ok()) {
            let found = auth_token::Entity::find_by_id(n).one(&txn).await?.filter(|t| t.user_id == user.id);
            if found.is_some() {
                auth_tokens::delete(&txn, n).await?;
            }
            found.is_some()
        } else if id.starts_with("j_") {
            let family =
                self.live_families(user).await?.into_iter().map(|f| f.family).find(|f| self.family_id(f) == id);
            if let Some(f) = &family {
                refresh_tokens::revoke_family(&txn, f, self.now()).await?;
            }
            family.is_some()
        } else {
            false
        };
        if !ended {
            return Err(FlowError::NotFound);
        }
        self.audit(
            &txn,
            EventKind::SessionsRevoked,
            Some(user.id),
            Some(client),
            &[("device", id.get(..2).unwrap_or(""))],
        )
        .await?;
        txn.commit().await?;
        self.account_changed(user.id).await;
        Ok(())
    }

    /// Ends every device of the user but the one asking.
    ///
    /// # Errors
    /// Database failures.
    pub async fn end_other_devices(&self, user_id: i32, keep: &Credential, client: &Client) -> Result<(), FlowError> {
        let (mut session, mut token, mut family) = (None, None, None);
        match keep {
            Credential::Session(h) => session = Some(h.as_str()),
            Credential::Token(id) => token = Some(*id),
            Credential::Jwt(f) => family = Some(f.as_str()),
            Credential::None => {}
        }
        let txn = self.db().begin().await?;
        sessions::delete_for_user(&txn, user_id, session).await?;
        auth_tokens::delete_for_user(&txn, user_id, token).await?;
        refresh_tokens::revoke_for_user(&txn, user_id, family, self.now()).await?;
        self.audit(&txn, EventKind::SessionsRevoked, Some(user_id), Some(client), &[("device", "others")]).await?;
        txn.commit().await?;
        self.account_changed(user_id).await;
        Ok(())
    }
}

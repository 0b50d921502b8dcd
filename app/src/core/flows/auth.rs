//! Credentials for API clients: opaque tokens and JWT pairs. Issue them,
//! authenticate requests with them, rotate and revoke them.
//!
//! Every credential carries the user's credential generation (`auth_epoch`)
//! as it was when the sign-in began; only credentials of the current
//! generation authenticate, so a revocation also kills whatever a sign-in
//! still in flight issues after it.

use super::throttle::Client;
use super::Credential;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::jwt::{Claims, ACCESS, REFRESH};
use crate::core::repo::{auth_tokens, one_time_tokens as otts, refresh_tokens, sessions, users};
use crate::core::{secrets, Engine};

/// What a JWT login or refresh hands out.
pub struct JwtPair {
    pub access: String,
    pub refresh: String,
    pub access_expiration: i64,
    pub refresh_expiration: i64,
}

impl Engine {
    /// An active user by id (sessions store only the id).
    pub async fn active_user(&self, id: i32) -> Result<Option<User>, FlowError> {
        Ok(users::by_id(self.db(), id).await?.filter(|u| u.is_active))
    }

    /// A new opaque token for `user`; only its hash is stored.
    ///
    /// # Errors
    /// Database failures only.
    pub async fn issue_token(&self, user: &User, client: &Client) -> Result<String, FlowError> {
        let key = secrets::random_token();
        let (hash, ua) =
            (self.token_hasher().hash(&key), client.user_agent.as_ref().map(|u| u.chars().take(255).collect()));
        let ip = client.ip.map(|ip| ip.to_string());
        auth_tokens::insert(self.db(), user.id, hash, self.now(), user.auth_epoch, ua, ip).await?;
        Ok(key)
    }

    /// The user behind `Authorization: Token <key>` and the token's id.
    ///
    /// # Errors
    /// `Unauthenticated` for an unknown key or an inactive user.
    pub async fn authenticate_token(&self, key: &str) -> Result<(User, i32), FlowError> {
        self.token_owner(&self.token_hasher().hash(key)).await
    }

    /// The active user behind a stored token hash, and the token's id.
    async fn token_owner(&self, hash: &str) -> Result<(User, i32), FlowError> {
        let (token, user) = auth_tokens::by_hash_with_user(self.db(), hash)
            .await?
            .filter(|(_, u)| u.is_active)
            .ok_or(FlowError::Unauthenticated)?;
        let t = self.now();
        if token.last_used_at.is_none_or(|at| at < t - 300) {
            auth_tokens::touch(self.db(), token.id, t, t - 300).await?;
        }
        Ok((user, token.id))
    }

    /// [`Engine::authenticate_token`] for reads: may answer from the
    /// in-process cache (see `core::auth_cache`), never for writes.
    ///
    /// # Errors
    /// `Unauthenticated` for an unknown key or an inactive user.
    pub async fn authenticate_token_for_read(&self, key: &str) -> Result<(User, i32), FlowError> {
        let hash = self.token_hasher().hash(key);
        if let Some(hit) = self.auth_cache().token(&hash) {
            return Ok(hit);
        }
        let since = self.auth_cache().epoch();
        let (user, token_id) = self.token_owner(&hash).await?;
        self.auth_cache().put_token(since, hash, user.clone(), token_id);
        Ok((user, token_id))
    }

    /// Deletes one token (logout) of `user_id`.
    ///
    /// # Errors
    /// Database failures only.
    pub async fn revoke_token(&self, user_id: i32, id: i32) -> Result<(), FlowError> {
        auth_tokens::delete(self.db(), id).await?;
        self.account_changed(user_id).await;
        Ok(())
    }

    /// Ends every opaque API token of the account (django-rest-registration's
    /// `logout/` with `revoke_token`, where an account has one token).
    ///
    /// # Errors
    /// `Refused(TokenNotFound)` when it had none.
    pub async fn revoke_all_tokens(&self, user_id: i32) -> Result<(), FlowError> {
        let ended = auth_tokens::delete_for_user(self.db(), user_id, None).await?;
        self.account_changed(user_id).await;
        if ended == 0 {
            return Err(FlowError::Refused(crate::core::codes::Code::TokenNotFound));
        }
        Ok(())
    }

    fn mint(&self, user_id: i32, family: &str) -> Result<(JwtPair, String), FlowError> {
        let t = self.now();
        let cfg = self.config();
        let claims = |kind: &str, ttl: i64| Claims {
            token_type: kind.to_owned(),
            exp: t + ttl,
            iat: t,
            jti: secrets::random_token(),
            user_id,
            sid: family.to_owned(),
        };
        let access = claims(ACCESS, cfg.access_ttl_secs);
        let refresh = claims(REFRESH, cfg.refresh_ttl_secs);
        let pair = JwtPair {
            access: self.jwt().encode(&access)?,
            refresh: self.jwt().encode(&refresh)?,
            access_expiration: access.exp,
            refresh_expiration: refresh.exp,
        };
        Ok((pair, refresh.jti))
    }

    async fn store_refresh(
        &self,
        pair: &JwtPair,
        jti: &str,
        family: &str,
        user: &User,
        device: (Option<String>, Option<String>),
    ) -> Result<(), FlowError> {
        let (db, exp) = (self.db(), pair.refresh_expiration);
        let (ua, ip) = device;
        refresh_tokens::insert(db, jti, family, user.id, exp, self.now(), user.auth_epoch, ua, ip).await?;
        Ok(())
    }

    /// A new access + refresh pair, starting a new refresh family.
    ///
    /// # Errors
    /// Database failures only.
    pub async fn issue_jwt(&self, user: &User, client: &Client) -> Result<JwtPair, FlowError> {
        let family = secrets::random_token();
        let (pair, jti) = self.mint(user.id, &family)?;
        let ua = client.user_agent.as_ref().map(|u| u.chars().take(255).collect());
        self.store_refresh(&pair, &jti, &family, user, (ua, client.ip.map(|ip| ip.to_string()))).await?;
        Ok(pair)
    }

    /// The user behind `Authorization: Bearer <access>` and its family.
    ///
    /// # Errors
    /// `TokenInvalid` for a bad, expired or revoked token.
    pub async fn authenticate_access(&self, token: &str) -> Result<(User, String), FlowError> {
        let claims = self.jwt().decode(token, Some(ACCESS), self.now())?;
        let user = self.access_owner(&claims).await?;
        Ok((user, claims.sid))
    }

    /// The active user of a decoded access token whose family is still live.
    async fn access_owner(&self, claims: &Claims) -> Result<User, FlowError> {
        let user = self.active_user(claims.user_id).await?.ok_or(FlowError::TokenInvalid)?;
        if !refresh_tokens::family_live(self.db(), &claims.sid, user.auth_epoch).await? {
            return Err(FlowError::TokenInvalid);
        }
        Ok(user)
    }

    /// [`Engine::authenticate_access`] for reads: the signature and expiry
    /// are always checked; whether the family is still live and who the user
    /// is may come from the in-process cache (see `core::auth_cache`).
    ///
    /// # Errors
    /// `TokenInvalid` for a bad, expired or revoked token.
    pub async fn authenticate_access_for_read(&self, token: &str) -> Result<(User, String), FlowError> {
        let claims = self.jwt().decode(token, Some(ACCESS), self.now())?;
        if let Some(user) = self.auth_cache().family(&claims.sid).filter(|u| u.id == claims.user_id) {
            return Ok((user, claims.sid));
        }
        let since = self.auth_cache().epoch();
        let user = self.access_owner(&claims).await?;
        self.auth_cache().put_family(since, claims.sid.clone(), user.clone());
        Ok((user, claims.sid))
    }

    /// `token/verify/`: any live token, access or refresh.
    ///
    /// # Errors
    /// `TokenInvalid`.
    pub async fn verify_jwt(&self, token: &str) -> Result<(), FlowError> {
        let claims = self.jwt().decode(token, None, self.now())?;
        let user = self.active_user(claims.user_id).await?.ok_or(FlowError::TokenInvalid)?;
        let unused = claims.token_type != REFRESH
            || refresh_tokens::by_jti(self.db(), &claims.jti).await?.is_some_and(|r| r.used_at.is_none());
        if unused && refresh_tokens::family_live(self.db(), &claims.sid, user.auth_epoch).await? {
            Ok(())
        } else {
            Err(FlowError::TokenInvalid)
        }
    }

    /// `token/refresh/` with rotation: the old refresh token is used up and a
    /// new pair of the same family comes back. Presenting a used refresh token
    /// again means it was stolen or replayed: the whole family is revoked.
    ///
    /// # Errors
    /// `TokenInvalid`.
    pub async fn refresh_jwt(&self, refresh: &str) -> Result<JwtPair, FlowError> {
        let claims = self.jwt().decode(refresh, Some(REFRESH), self.now())?;
        let row = refresh_tokens::by_jti(self.db(), &claims.jti).await?.ok_or(FlowError::TokenInvalid)?;
        let t = self.now();
        if !refresh_tokens::mark_used(self.db(), &row.jti, t).await? {
            if row.revoked_at.is_none() {
                tracing::warn!(user_id = row.user_id, "refresh token reused: revoking its family");
                refresh_tokens::revoke_family(self.db(), &row.family, t).await?;
                self.account_changed(row.user_id).await;
            }
            return Err(FlowError::TokenInvalid);
        }
        let user = self.active_user(row.user_id).await?.ok_or(FlowError::TokenInvalid)?;
        // the new token keeps the generation of the one it replaces: if that
        // one is no longer current, neither is the new one
        if row.auth_epoch != user.auth_epoch
            || !refresh_tokens::family_live(self.db(), &row.family, row.auth_epoch).await?
        {
            return Err(FlowError::TokenInvalid);
        }
        let (pair, jti) = self.mint(user.id, &row.family)?;
        let rotated = User { auth_epoch: row.auth_epoch, ..user };
        self.store_refresh(&pair, &jti, &row.family, &rotated, (row.user_agent, row.ip)).await?;
        Ok(pair)
    }

    /// The family a (signature-valid, even expired-access) refresh token
    /// belongs to, for logout.
    pub fn refresh_family(&self, refresh: &str) -> Option<String> {
        self.jwt().decode(refresh, Some(REFRESH), self.now()).ok().map(|c| c.sid)
    }

    /// Ends a refresh family, and with it every access token it issued.
    ///
    /// # Errors
    /// Database failures only.
    pub async fn revoke_family(&self, family: &str) -> Result<(), FlowError> {
        refresh_tokens::revoke_family(self.db(), family, self.now()).await?;
        if let Some(user_id) = refresh_tokens::family_user(self.db(), family).await? {
            self.account_changed(user_id).await;
        }
        Ok(())
    }

    /// After the generation moved on to `epoch` (a password change or reset):
    /// keeps `keep` valid and deletes or revokes every other session, token
    /// and refresh family, and pending reset links and email changes (whoever
    /// stole a credential loses what they started). A kept browser session
    /// must be stamped with `epoch` (see `api::session::restamp`).
    pub(crate) async fn end_credentials(&self, user_id: i32, keep: &Credential, epoch: i32) -> Result<(), FlowError> {
        let db = self.db();
        let (mut keep_session, mut keep_token, mut keep_family) = (None, None, None);
        match keep {
            Credential::Session(h) => keep_session = Some(h.as_str()),
            Credential::Token(id) => {
                auth_tokens::restamp(db, *id, epoch).await?;
                keep_token = Some(*id);
            }
            Credential::Jwt(f) => {
                refresh_tokens::restamp_family(db, f, epoch).await?;
                keep_family = Some(f.as_str());
            }
            Credential::None => {}
        }
        sessions::delete_for_user(db, user_id, keep_session).await?;
        auth_tokens::delete_for_user(db, user_id, keep_token).await?;
        refresh_tokens::revoke_for_user(db, user_id, keep_family, self.now()).await?;
        otts::delete_for_user(db, user_id, otts::PASSWORD_RESET).await?;
        otts::delete_for_user(db, user_id, otts::CHANGE_EMAIL).await?;
        self.account_changed(user_id).await;
        Ok(())
    }
}

//! Email verification: issue a key by email, confirm it, resend on request.

use super::throttle::Client;
use crate::core::audit::EventKind;
use crate::core::config::{Link, LinkTemplates};
use crate::core::domain::EmailAddress;
use crate::core::entities::one_time_token::Model as OneTimeToken;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::{one_time_tokens as otts, users};
use crate::core::{codes::Code, secrets, Engine};
use sea_orm::{ConnectionTrait, TransactionTrait};

impl Engine {
    /// Creates a verification key for the user's current address and emails it.
    pub(crate) async fn send_verification(
        &self,
        conn: &impl ConnectionTrait,
        user: &User,
        links: &LinkTemplates,
    ) -> Result<(), FlowError> {
        let key = secrets::random_token();
        let t = self.now();
        otts::insert(
            conn,
            otts::VERIFY_EMAIL,
            user.id,
            Some(user.email_lower.clone()),
            self.token_hasher().hash(&key),
            t + self.config().verification_ttl_secs,
            t,
            user.auth_epoch,
        )
        .await?;
        let link = Link { user_id: user.id, key: &key, issued_at: t, email: None };
        let link = self.config().link(links, &links.verify, &link);
        self.enqueue(conn, "verify_email", &user.email, Some(&link), &[("username", &user.username)]).await
    }

    /// The unused, unexpired one-time token of `kind` behind an emailed key,
    /// and its user.
    ///
    /// # Errors
    /// `NotFound` otherwise.
    pub(crate) async fn live_link(&self, kind: &str, key: &str, t: i64) -> Result<(OneTimeToken, User), FlowError> {
        let token = otts::find_valid(self.db(), kind, &self.token_hasher().hash(key.trim()), t)
            .await?
            .ok_or(FlowError::NotFound)?;
        let user = users::by_id(self.db(), token.user_id).await?.ok_or(FlowError::NotFound)?;
        // an email change asked for before the password last changed is dead
        if kind == otts::CHANGE_EMAIL && token.auth_epoch != user.auth_epoch {
            return Err(FlowError::NotFound);
        }
        Ok((token, user))
    }

    /// Confirms the address a key was sent to.
    ///
    /// # Errors
    /// `NotFound` for an unknown, used or expired key, or one for an address
    /// the account no longer has.
    #[tracing::instrument(skip_all)]
    pub async fn verify_email(&self, key: &str) -> Result<User, FlowError> {
        let t = self.now();
        let (token, user) = self.live_link(otts::VERIFY_EMAIL, key, t).await?;
        if token.email.as_deref() != Some(user.email_lower.as_str()) {
            return Err(FlowError::NotFound);
        }
        let txn = self.db().begin().await?;
        if !otts::consume(&txn, token.id, t).await? {
            return Err(FlowError::NotFound);
        }
        users::mark_email_verified(&txn, user.id).await?;
        otts::delete_for_user(&txn, user.id, otts::VERIFY_EMAIL).await?;
        self.audit(&txn, EventKind::EmailVerified, Some(user.id), None, &[]).await?;
        txn.commit().await?;
        self.account_changed(user.id).await;
        tracing::info!(user_id = user.id, "email verified");
        Ok(User { email_verified: true, ..user })
    }

    /// Verification from a `{uid}/{token}` link (djoser's activation): the
    /// key must belong to the active user `uid` names.
    ///
    /// A used key is as unknown as a forged one (used keys are not kept), so
    /// nothing here says whether an account is verified already.
    ///
    /// # Errors
    /// `Invalid` on `uid` (`InvalidUid`) or `token` (`InvalidToken`).
    pub async fn verify_email_for(&self, uid: &str, token: &str) -> Result<User, FlowError> {
        // only the uid's form is judged on its own: whether an id belongs
        // to anyone is never told, the token decides
        let id = secrets::decode_uid(uid.trim()).ok_or_else(|| FlowError::field("uid", Code::InvalidUid))?;
        let t = self.now();
        match self.live_link(otts::VERIFY_EMAIL, token, t).await {
            Ok((row, user)) if row.user_id == id && user.is_active => self.verify_email(token).await,
            _ => Err(FlowError::field("token", Code::InvalidToken)),
        }
        .map_err(|e| match e {
            FlowError::NotFound => FlowError::field("token", Code::InvalidToken),
            e => e,
        })
    }

    /// Sends a new key when the address belongs to an unverified account.
    /// Answers the same, in the same time, whatever the account's state: the
    /// look-up and the email happen after the answer (see
    /// [`Engine::in_background`]).
    ///
    /// # Errors
    /// `Invalid` only for a malformed address; `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn resend_verification(
        &self,
        email: &str,
        client: Client,
        links: Option<LinkTemplates>,
    ) -> Result<(), FlowError> {
        let email = EmailAddress::parse(email).map_err(|m| FlowError::field("email", m))?;
        let limits = self.config().rate_limits;
        self.throttle("email", &client, limits.email_per_ip, Some((&email.canonical(), limits.email_per_account)))
            .await?;
        let engine = self.clone();
        let links = links.unwrap_or_else(|| self.config().links.clone());
        self.in_background("resending a verification email", async move {
            if let Some(user) = users::by_email(engine.db(), &email.canonical()).await? {
                if user.is_active && !user.email_verified {
                    let txn = engine.db().begin().await?;
                    engine.send_verification(&txn, &user, &links).await?;
                    txn.commit().await?;
                    engine.wake_outbox();
                }
            }
            Ok(())
        });
        Ok(())
    }

    /// Runs `work` to its end even if the request that started it is dropped
    /// (the client hung up, the request timed out): a change half made and
    /// its clean-up skipped would be worse than either.
    ///
    /// # Errors
    /// What `work` returns; `Unexpected` if it panicked.
    pub(crate) async fn uncancellable<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, FlowError>> + Send + 'static,
    ) -> Result<T, FlowError> {
        tokio::spawn(work).await.map_err(|e| FlowError::Unexpected(anyhow::anyhow!("background work failed: {e}")))?
    }

    /// Runs `work` after the request has been answered, so how long the
    /// answer takes cannot depend on what the work finds (no enumeration by
    /// timing). Failures are logged.
    pub(crate) fn in_background(
        &self,
        what: &'static str,
        work: impl std::future::Future<Output = Result<(), FlowError>> + Send + 'static,
    ) {
        use std::sync::atomic::Ordering;
        self.background_counter().fetch_add(1, Ordering::AcqRel);
        let engine = self.clone();
        tokio::spawn(async move {
            if let Err(e) = work.await {
                tracing::warn!(error = %format!("{e:#}"), "{what} failed");
            }
            engine.background_counter().fetch_sub(1, Ordering::AcqRel);
        });
    }
}

//! Sign-in as a staged flow. A first factor (password, social login; a
//! passkey next) ends in either "signed in" or "second factor required":
//! a pending sign-in with a random ephemeral token (stored only as an
//! HMAC), expiring after `LATCHKEY_MFA_EPHEMERAL_TTL`, single use, bound to
//! the user, the first factor and the user's credential generation, and
//! dying after a bounded number of code attempts. Each code attempt also
//! draws on the account's password-check budget.
//!
//! Turning a finished sign-in into credentials (session, token, JWT pair)
//! is one function per door: `api::sign_in::finish_sign_in`.

use super::throttle::{account_budget, Client};
use crate::core::audit::EventKind;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::factors::Proof;
use crate::core::repo::{mfa, users};
use crate::core::{codes::Code, secrets, Engine};
use sea_orm::TransactionTrait;

/// What proved who the user is before the second factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirstFactor {
    Password,
    Social(String),
}

impl FirstFactor {
    fn label(&self) -> String {
        match self {
            FirstFactor::Password => "password".to_owned(),
            FirstFactor::Social(p) => format!("social:{p}"),
        }
    }
}

/// How a first factor ended.
pub enum SignIn {
    /// Signed in: issue credentials (see `api::sign_in`).
    Done(User),
    /// The account has a second factor: complete with `mfa/verify/`.
    SecondFactorRequired(PendingSignIn),
}

/// A sign-in waiting for its second factor. No `Debug`: the token is a secret.
pub struct PendingSignIn {
    /// Handed to the client once; only its HMAC is stored.
    pub ephemeral_token: String,
}

impl Engine {
    /// The stored form of an ephemeral token.
    pub fn pending_key(&self, ephemeral_token: &str) -> String {
        self.token_hasher().hash(&format!("mfa-pending:{}", ephemeral_token.trim()))
    }

    /// After a first factor succeeded: done, or a pending sign-in when the
    /// account has a second factor.
    pub(crate) async fn after_first_factor(&self, user: User, first: &FirstFactor) -> Result<SignIn, FlowError> {
        if !self.has_second_factor(user.id).await? {
            return Ok(SignIn::Done(user));
        }
        let token = secrets::random_token();
        let t = self.now();
        let expires = t + self.config().mfa.ephemeral_ttl_secs;
        mfa::insert_pending(self.db(), self.pending_key(&token), user.id, &first.label(), user.auth_epoch, expires, t)
            .await?;
        tracing::info!(user_id = user.id, first_factor = %first.label(), "second factor required");
        Ok(SignIn::SecondFactorRequired(PendingSignIn { ephemeral_token: token }))
    }

    /// Completes a pending sign-in (found by the stored form of its token)
    /// with a TOTP or recovery code.
    ///
    /// # Errors
    /// `Invalid` on `ephemeral_token` (unknown, used, expired, out of
    /// attempts, or the credentials changed meanwhile), on `code`, or on
    /// `detail` (account disabled); `Throttled` when the account's budget of
    /// checks is spent.
    #[tracing::instrument(skip_all)]
    pub async fn complete_sign_in(&self, pending_key: &str, code: &str, client: Client) -> Result<User, FlowError> {
        let cfg = &self.config().mfa;
        let bad_token = || FlowError::field("ephemeral_token", Code::MfaTokenInvalid);
        self.throttle("mfa-verify", &client, self.config().rate_limits.login_per_ip, None).await?;
        let pending =
            mfa::live_pending(self.db(), pending_key, cfg.max_attempts, self.now()).await?.ok_or_else(bad_token)?;
        let user = users::by_id(self.db(), pending.user_id).await?.ok_or_else(bad_token)?;
        if user.auth_epoch != pending.auth_epoch {
            return Err(bad_token());
        }
        if !user.is_active {
            return Err(FlowError::field("detail", Code::AccountDisabled));
        }
        // the attempt counts first (a dead or raced token spends no budget)
        if !mfa::count_attempt(self.db(), pending.id, cfg.max_attempts).await? {
            return Err(bad_token());
        }
        let reservation = self.reserve_check(&account_budget(user.id)).await?.map_err(FlowError::Throttled)?;
        // claim the sign-in and use the code together: a code is spent only
        // by the request that completes the sign-in
        let txn = self.db().begin().await?;
        if !mfa::finish_pending(&txn, pending.id, self.now()).await? {
            return Err(bad_token());
        }
        let Some(proof) = self.check_code(&txn, user.id, code).await? else {
            txn.rollback().await?;
            let detail = [("method", "second_factor"), ("reason", "wrong_code")];
            self.audit(self.db(), EventKind::SignInFailed, Some(user.id), Some(&client), &detail).await?;
            return Err(FlowError::field("code", Code::MfaCodeInvalid));
        };
        if proof == Proof::RecoveryCode {
            self.notify(&txn, &user, "recovery_code_used", &client).await?;
            self.audit(&txn, EventKind::RecoveryCodeUsed, Some(user.id), Some(&client), &[]).await?;
        }
        let method =
            format!("{}+{}", pending.first_factor, if proof == Proof::RecoveryCode { "recovery_code" } else { "totp" });
        self.audit(&txn, EventKind::SignInSucceeded, Some(user.id), Some(&client), &[("method", method.as_str())])
            .await?;
        txn.commit().await?;
        self.release(reservation).await?;
        if proof == Proof::RecoveryCode {
            self.wake_outbox();
        }
        if pending.first_factor == FirstFactor::Password.label() {
            self.remember_network(user.id, &client).await;
        }
        let t = self.now();
        users::touch_last_login(self.db(), user.id, t).await?;
        tracing::info!(user_id = user.id, ?proof, "signed in with a second factor");
        Ok(User { last_login: Some(t), ..user })
    }
}

//! Two-factor authentication on the account side (dj-rest-auth 7.2's
//! `mfa/` endpoints): start TOTP (a secret, its URL and QR code, and an
//! activation token that carries the secret back sealed), confirm it with a
//! code (recovery codes come back), turn it off with a code, see its state,
//! list and regenerate recovery codes. Every code typed here also draws on
//! the account's password-check budget.

use super::throttle::{account_budget, Client};
use super::Credential;
use crate::core::aead::Aead;
use crate::core::audit::EventKind;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::factors::totp::{new_secret, Enrollment};
use crate::core::repo::{mfa, users};
use crate::core::{codes::Code, Engine};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};

/// Whether two-factor is on, since when, and when a factor was last used.
pub struct MfaStatus {
    pub enabled: bool,
    pub created_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// What an activation token carries (sealed): whose, which secret, when.
#[derive(Serialize, Deserialize)]
struct Activation {
    uid: i32,
    secret: String,
    iat: i64,
}

impl Engine {
    fn activation_aead(&self) -> Aead {
        Aead::new(&self.config().secret_key, "mfa-activation")
    }

    /// A new TOTP secret for the user, with its URL, QR code and activation
    /// token. Nothing is stored until it is confirmed.
    ///
    /// # Errors
    /// Only internal failures.
    pub fn begin_totp(&self, user: &User) -> Result<Enrollment, FlowError> {
        let secret = new_secret();
        let claim = Activation { uid: user.id, secret: secret.clone(), iat: self.now() };
        let token =
            self.activation_aead().seal(&serde_json::to_vec(&claim).map_err(anyhow::Error::from)?, b"activation")?;
        let account = if user.email.is_empty() { user.username.clone() } else { user.email.clone() };
        self.totp_enrollment(secret, &account, token)
    }

    /// Reserves one code check on the user's budget.
    async fn reserve_code_check(&self, user: &User) -> Result<super::throttle::Reservation, FlowError> {
        self.reserve_check(&account_budget(user.id)).await?.map_err(FlowError::Throttled)
    }

    /// The secret an activation token of the user's carries, if it is live.
    pub(crate) fn activation_secret(&self, user_id: i32, activation_token: &str) -> Result<String, FlowError> {
        let claim: Activation = self
            .activation_aead()
            .open(activation_token.trim(), b"activation")
            .ok()
            .and_then(|plain| serde_json::from_slice(&plain).ok())
            .filter(|a: &Activation| self.now() - a.iat <= self.config().mfa.ephemeral_ttl_secs)
            .ok_or_else(|| FlowError::field("activation_token", Code::MfaActivationInvalid))?;
        if claim.uid != user_id {
            return Err(FlowError::field("activation_token", Code::MfaActivationOtherUser));
        }
        Ok(claim.secret)
    }

    /// Turns TOTP on: the activation token's secret, proven with a code from
    /// the authenticator. Every other session, token and JWT family of the
    /// account ends (`keep` stays): from now on a sign-in needs the second
    /// factor, including one that happened before. Returns the recovery
    /// codes and the new credential generation (a kept browser session must
    /// be stamped with it).
    ///
    /// # Errors
    /// `Refused` when it is on already; `Invalid` on `activation_token` or
    /// `code`; `Throttled`; `Unauthenticated` when the credentials changed
    /// since the request was authenticated.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn confirm_totp(
        &self,
        user: &User,
        activation_token: &str,
        code: &str,
        keep: &Credential,
        client: &Client,
    ) -> Result<(Vec<String>, i32), FlowError> {
        if self.totp_enabled(user.id).await? {
            return Err(FlowError::Refused(Code::MfaAlreadyEnabled));
        }
        let secret = self.activation_secret(user.id, activation_token)?;
        let reservation = self.reserve_code_check(user).await?;
        let Some(step) = self.totp_step(&secret, code)? else {
            return Err(FlowError::field("code", Code::MfaActivationCodeInvalid));
        };
        self.release(reservation).await?;
        let txn = self.db().begin().await?;
        let epoch = users::bump_generation(&txn, user.id, user.auth_epoch).await?.ok_or(FlowError::Unauthenticated)?;
        if !self.store_totp(&txn, user.id, &secret).await? {
            return Err(FlowError::Refused(Code::MfaAlreadyEnabled));
        }
        // the confirming code is spent: it cannot sign in afterwards
        mfa::accept_step(&txn, user.id, step, None).await?;
        let codes = self.new_recovery_codes(&txn, user.id).await?;
        self.notify(&txn, user, "mfa_enabled", client).await?;
        self.audit(&txn, EventKind::MfaEnabled, Some(user.id), Some(client), &[]).await?;
        txn.commit().await?;
        self.end_credentials(user.id, keep, epoch).await?;
        self.wake_outbox();
        tracing::info!(user_id = user.id, "two-factor turned on");
        Ok((codes, epoch))
    }

    /// Checks a TOTP code of the user's (on the password-check budget), for
    /// pages that ask for one before a sensitive change.
    ///
    /// # Errors
    /// `Invalid` on `code`; `Throttled`.
    pub async fn confirm_with_totp(&self, user: &User, code: &str) -> Result<(), FlowError> {
        let reservation = self.reserve_code_check(user).await?;
        if !self.check_totp(self.db(), user.id, code).await? {
            return Err(FlowError::field("code", Code::MfaCodeInvalid));
        }
        self.release(reservation).await
    }

    /// Turns TOTP off (and with it the recovery codes), proven with a TOTP
    /// code (a recovery code does not do).
    ///
    /// # Errors
    /// `Refused` when it is off; `Invalid` on `code`; `Throttled`.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn deactivate_totp(&self, user: &User, code: &str, client: &Client) -> Result<(), FlowError> {
        if !self.totp_enabled(user.id).await? {
            return Err(FlowError::Refused(Code::MfaNotEnabled));
        }
        let reservation = self.reserve_code_check(user).await?;
        if !self.check_totp(self.db(), user.id, code).await? {
            return Err(FlowError::field("code", Code::MfaCodeInvalid));
        }
        self.release(reservation).await?;
        let txn = self.db().begin().await?;
        if !mfa::delete_all(&txn, user.id).await? {
            return Err(FlowError::Refused(Code::MfaNotEnabled));
        }
        self.notify(&txn, user, "mfa_disabled", client).await?;
        self.audit(&txn, EventKind::MfaDisabled, Some(user.id), Some(client), &[]).await?;
        txn.commit().await?;
        self.wake_outbox();
        tracing::info!(user_id = user.id, "two-factor turned off");
        Ok(())
    }

    /// # Errors
    /// Database failures.
    pub async fn mfa_status(&self, user_id: i32) -> Result<MfaStatus, FlowError> {
        let Some(totp) = mfa::totp(self.db(), user_id).await? else {
            return Ok(MfaStatus { enabled: false, created_at: None, last_used_at: None });
        };
        let codes = mfa::last_code_use(self.db(), user_id).await?;
        let last_used_at = match (totp.last_used_at, codes) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(MfaStatus { enabled: true, created_at: Some(totp.created_at), last_used_at })
    }

    /// New recovery codes in place of the old ones.
    ///
    /// # Errors
    /// `Refused` when two-factor is off.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn regenerate_recovery_codes(&self, user: &User, client: &Client) -> Result<Vec<String>, FlowError> {
        if !self.totp_enabled(user.id).await? {
            return Err(FlowError::Refused(Code::MfaNotEnabled));
        }
        let txn = self.db().begin().await?;
        // one regeneration at a time, and none after a deactivation
        if !mfa::lock_totp(&txn, user.id).await? {
            return Err(FlowError::Refused(Code::MfaNotEnabled));
        }
        let codes = self.new_recovery_codes(&txn, user.id).await?;
        self.notify(&txn, user, "recovery_codes_regenerated", client).await?;
        self.audit(&txn, EventKind::RecoveryCodesRegenerated, Some(user.id), Some(client), &[]).await?;
        txn.commit().await?;
        self.wake_outbox();
        Ok(codes)
    }
}

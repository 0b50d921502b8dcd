//! Password reset by email: request a link (no enumeration: an unknown
//! address gets an "unknown account" email), then confirm with uid + token.

use super::throttle::Client;
use super::{check_new_password, require_secret, Credential};
use crate::core::domain::EmailAddress;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::{one_time_tokens as otts, social_accounts, users};
use crate::core::{messages, secrets, Engine};
use crate::shared::errors::FieldErrors;
use sea_orm::TransactionTrait;
use secrecy::SecretString;

pub struct ResetConfirmInput {
    pub uid: String,
    pub token: String,
    pub new_password1: SecretString,
    pub new_password2: SecretString,
}

impl Engine {
    /// Emails a reset link, or an "unknown account" notice for an address
    /// with no active account. The answer is the same, in the same time,
    /// either way: the look-up and the email happen after it.
    ///
    /// # Errors
    /// `Invalid` only for a malformed address; `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset(&self, email: &str, client: Client) -> Result<(), FlowError> {
        let email = EmailAddress::parse(email).map_err(|m| FlowError::field("email", m))?;
        let limits = self.config().rate_limits;
        self.throttle("email", client, limits.email_per_ip, Some((&email.canonical(), limits.email_per_account)))
            .await?;
        let engine = self.clone();
        self.in_background("sending a password reset email", async move { engine.send_reset(email).await });
        Ok(())
    }

    async fn send_reset(&self, email: EmailAddress) -> Result<(), FlowError> {
        // read first: on SQLite a transaction that starts with a write takes
        // the write lock at once instead of failing to upgrade later
        let found = users::by_email(self.db(), &email.canonical()).await?;
        let txn = self.db().begin().await?;
        match found {
            Some(user) if user.is_active => {
                let token = secrets::random_token();
                let t = self.now();
                otts::insert(
                    &txn,
                    otts::PASSWORD_RESET,
                    user.id,
                    None,
                    self.token_hasher().hash(&token),
                    t + self.config().reset_ttl_secs,
                    t,
                )
                .await?;
                let link = self.config().reset_url(&secrets::encode_uid(user.id), &token);
                self.enqueue(&txn, "password_reset", &user.email, Some(&link), &[("username", &user.username)]).await?;
            }
            _ => self.enqueue(&txn, "unknown_account", email.as_str(), None, &[]).await?,
        }
        txn.commit().await?;
        self.wake_outbox();
        Ok(())
    }

    /// Checks a reset link without using it up (the page shows the form only
    /// for a live link).
    ///
    /// # Errors
    /// `Invalid` on `uid` or `token`.
    pub async fn check_reset_link(&self, uid: &str, token: &str) -> Result<(User, i32), FlowError> {
        let user_id =
            secrets::decode_uid(uid.trim()).ok_or_else(|| FlowError::field("uid", messages::INVALID_VALUE))?;
        let user = users::by_id(self.db(), user_id)
            .await?
            .filter(|u| u.is_active)
            .ok_or_else(|| FlowError::field("uid", messages::INVALID_VALUE))?;
        let row =
            otts::find_valid(self.db(), otts::PASSWORD_RESET, &self.token_hasher().hash(token.trim()), self.now())
                .await?
                .filter(|r| r.user_id == user.id)
                .ok_or_else(|| FlowError::field("token", messages::INVALID_VALUE))?;
        Ok((user, row.id))
    }

    /// Sets the new password; the link is used up, every session, token,
    /// JWT family and pending email change of the account revoked, every
    /// linked social identity unlinked, and the address counts as verified.
    /// Whoever proves the address takes the account, and nothing anyone else
    /// set up on it stays (see `flows::social`).
    ///
    /// # Errors
    /// `Invalid` on `uid`, `token` or `new_password2`.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_password_reset(&self, input: ResetConfirmInput) -> Result<(), FlowError> {
        let mut errors = FieldErrors::new();
        for (field, value) in [("uid", &input.uid), ("token", &input.token)] {
            if value.trim().is_empty() {
                errors.add(field, messages::BLANK);
            }
        }
        require_secret(&mut errors, "new_password1", &input.new_password1);
        require_secret(&mut errors, "new_password2", &input.new_password2);
        errors.into_result()?;
        let (user, token_id) = self.check_reset_link(&input.uid, &input.token).await?;
        check_new_password(&input.new_password1, &input.new_password2, "new_password2", &user)?;
        if !otts::consume(self.db(), token_id, self.now()).await? {
            return Err(FlowError::field("token", messages::INVALID_VALUE));
        }
        let hash = self.hasher().hash(input.new_password1).await?;
        // One transaction: identities linked before go, the password changes
        // and the credential generation moves on together. A sign-in racing
        // with it either saw the old generation (and its credentials are
        // dead) or no longer finds the identity.
        let txn = self.db().begin().await?;
        let unlinked = social_accounts::delete_all_for_user(&txn, user.id).await?;
        let epoch = users::set_password(&txn, user.id, &hash).await?;
        users::mark_email_verified(&txn, user.id).await?;
        txn.commit().await?;
        self.end_credentials(user.id, &Credential::None, epoch).await?;
        if unlinked > 0 {
            tracing::warn!(user_id = user.id, unlinked, "a password reset unlinked social identities");
        }
        tracing::info!(user_id = user.id, "password reset");
        Ok(())
    }
}

//! Password change for a signed-in user: other sessions and tokens die.

use super::throttle::Client;
use super::{check_new_password, require_bounded_secret, Credential};
use crate::core::audit::EventKind;
use crate::core::codes::Problems;
use crate::core::domain::clean_password;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::users;
use crate::core::{codes::Code, Engine};
use sea_orm::TransactionTrait;
use secrecy::SecretString;

pub struct PasswordChangeInput {
    /// Required unless the deployment turned `old_password_required` off.
    pub old_password: Option<SecretString>,
    pub new_password1: SecretString,
    pub new_password2: SecretString,
    /// The door always asks for the old password, whatever the setting
    /// (djoser's `set_password/`, the pages).
    pub always_check_old: bool,
}

impl Engine {
    /// Returns the new credential generation (a browser session that made
    /// the change must be stamped with it), or `None` when the deployment
    /// signs out the credential that made the change too (a browser session
    /// must then be flushed, never saved again).
    ///
    /// # Errors
    /// `Invalid` on `old_password` (wrong) or `new_password2` (mismatch,
    /// weak); `Throttled` when the account's password checks are spent;
    /// `Unauthenticated` when the credentials changed since the request was
    /// authenticated.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn change_password(
        &self,
        user: &User,
        input: PasswordChangeInput,
        keep: &Credential,
        client: &Client,
    ) -> Result<Option<i32>, FlowError> {
        let check_old = input.always_check_old || self.config().old_password_required;
        let input = PasswordChangeInput {
            old_password: input.old_password.as_ref().map(clean_password),
            new_password1: clean_password(&input.new_password1),
            new_password2: clean_password(&input.new_password2),
            always_check_old: input.always_check_old,
        };
        let mut errors = Problems::new();
        if check_old {
            match &input.old_password {
                None => errors.add("old_password", Code::Required),
                Some(old) => require_bounded_secret(&mut errors, "old_password", old),
            }
        }
        require_bounded_secret(&mut errors, "new_password1", &input.new_password1);
        require_bounded_secret(&mut errors, "new_password2", &input.new_password2);
        errors.into_result()?;
        if check_old {
            let old = input.old_password.clone().unwrap_or_else(|| SecretString::from(String::new()));
            if !self.check_current_password(user, old).await? {
                return Err(FlowError::field("old_password", Code::OldPasswordWrong));
            }
        }
        check_new_password(&input.new_password1, &input.new_password2, "new_password2", user)?;
        let hash = self.hasher().hash(input.new_password1).await?;
        let sign_out = self.config().logout_on_password_change;
        let keep = if sign_out { Credential::None } else { keep.clone() };
        let (engine, user_id, seen) = (self.clone(), user.id, user.auth_epoch);
        let (owner, client) = (user.clone(), client.clone());
        self.uncancellable(async move {
            // only if nothing changed the credentials since this request was
            // authenticated (a reset, or another change, wins)
            let txn = engine.db().begin().await?;
            let epoch = users::set_password(&txn, user_id, &hash, seen).await?.ok_or(FlowError::Unauthenticated)?;
            engine.notify(&txn, &owner, "password_changed", &client).await?;
            engine.audit(&txn, EventKind::PasswordChanged, Some(user_id), Some(&client), &[]).await?;
            txn.commit().await?;
            engine.end_credentials(user_id, &keep, epoch).await?;
            engine.wake_outbox();
            tracing::info!(user_id, "password changed");
            Ok((!sign_out).then_some(epoch))
        })
        .await
    }
}

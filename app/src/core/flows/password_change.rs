//! Password change for a signed-in user: other sessions and tokens die.

use super::{check_new_password, require_secret, Credential};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::users;
use crate::core::{messages, Engine};
use crate::shared::errors::FieldErrors;
use secrecy::SecretString;

pub struct PasswordChangeInput {
    /// Required unless the deployment turned `old_password_required` off.
    pub old_password: Option<SecretString>,
    pub new_password1: SecretString,
    pub new_password2: SecretString,
}

impl Engine {
    /// # Errors
    /// `Invalid` on `old_password` (wrong) or `new_password2` (mismatch,
    /// weak); `Throttled` when the account's password checks are spent.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn change_password(
        &self,
        user: &User,
        input: PasswordChangeInput,
        keep: &Credential,
    ) -> Result<(), FlowError> {
        let mut errors = FieldErrors::new();
        if self.config().old_password_required {
            match &input.old_password {
                None => errors.add("old_password", messages::REQUIRED),
                Some(old) => require_secret(&mut errors, "old_password", old),
            }
        }
        require_secret(&mut errors, "new_password1", &input.new_password1);
        require_secret(&mut errors, "new_password2", &input.new_password2);
        errors.into_result()?;
        if self.config().old_password_required {
            let old = input.old_password.clone().unwrap_or_else(|| SecretString::from(String::new()));
            if !self.check_current_password(user, old).await? {
                return Err(FlowError::field("old_password", messages::OLD_PASSWORD_WRONG));
            }
        }
        check_new_password(&input.new_password1, &input.new_password2, "new_password2", user)?;
        self.set_password(user, input.new_password1, keep).await
    }

    /// Stores a new hash and revokes everything but `keep`.
    pub(crate) async fn set_password(
        &self,
        user: &User,
        password: SecretString,
        keep: &Credential,
    ) -> Result<(), FlowError> {
        let hash = self.hasher().hash(password).await?;
        users::set_password(self.db(), user.id, &hash).await?;
        self.revoke_all_except(user.id, keep).await?;
        tracing::info!(user_id = user.id, "password changed");
        Ok(())
    }
}

//! Deleting one's own account: tokens, sessions, social links, profile and
//! avatar go with it.

use crate::core::entities::user::{Entity as Users, Model as User};
use crate::core::error::FlowError;
use crate::core::repo::{profiles, sessions};
use crate::core::{messages, Engine};
use sea_orm::EntityTrait;
use secrecy::SecretString;

impl Engine {
    /// # Errors
    /// `Invalid` on `password` when it is missing or wrong (accounts without a
    /// password, made by social login, need none).
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn delete_account(&self, user: &User, password: Option<SecretString>) -> Result<(), FlowError> {
        if user.password_hash.is_some() {
            let Some(password) = password else { return Err(FlowError::field("password", messages::REQUIRED)) };
            if !self.hasher().verify(password, user.password_hash.clone()).await? {
                return Err(FlowError::field("password", messages::PASSWORD_WRONG));
            }
        }
        let avatar = profiles::get(self.db(), user.id).await?.avatar;
        sessions::delete_for_user(self.db(), user.id, None).await?;
        Users::delete_by_id(user.id).exec(self.db()).await?;
        self.account_changed(user.id).await;
        if let Some(path) = avatar.filter(|p| p.starts_with("avatars/") && !p.contains("..")) {
            let _ = tokio::fs::remove_file(self.config().media_dir.join(path)).await;
        }
        tracing::info!(user_id = user.id, "account deleted");
        Ok(())
    }
}

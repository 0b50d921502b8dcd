//! Deleting one's own account: tokens, sessions, social links, profile and
//! avatar go with it.

use crate::core::audit::EventKind;
use crate::core::entities::user::{Entity as Users, Model as User};
use crate::core::error::FlowError;
use crate::core::repo::sessions;
use crate::core::{codes::Code, Engine};
use sea_orm::{EntityTrait, TransactionTrait};
use secrecy::SecretString;

impl Engine {
    /// # Errors
    /// `Invalid` on `password` when it is missing or wrong (accounts without a
    /// password, made by social login, need none).
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn delete_account(&self, user: &User, password: Option<SecretString>) -> Result<(), FlowError> {
        if user.password_hash.is_some() {
            let Some(password) = password else { return Err(FlowError::field("password", Code::Required)) };
            if !self.check_current_password(user, password).await? {
                return Err(FlowError::field("password", Code::PasswordWrong));
            }
        }
        let txn = self.db().begin().await?;
        sessions::delete_for_user(&txn, user.id, None).await?;
        Users::delete_by_id(user.id).exec(&txn).await?;
        self.audit(&txn, EventKind::AccountDeleted, Some(user.id), None, &[("username", user.username.as_str())])
            .await?;
        txn.commit().await?;
        self.account_changed(user.id).await;
        self.remove_user_media(user.id).await;
        tracing::info!(user_id = user.id, "account deleted");
        Ok(())
    }
}

//! Checking the password of someone already signed in (to change the
//! password or the email, or to delete the account). Each check draws on the
//! same per-account budget as logging in, so a stolen session or token
//! cannot be used to guess the password faster than the login form allows.

use super::throttle::account_budget;
use crate::core::domain::clean_password;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::Engine;
use secrecy::SecretString;

impl Engine {
    /// Whether `password` is the user's.
    ///
    /// # Errors
    /// `Throttled` when the account's budget of password checks is spent.
    pub(crate) async fn check_current_password(&self, user: &User, password: SecretString) -> Result<bool, FlowError> {
        let reservation = self.reserve_check(&account_budget(user.id)).await?.map_err(FlowError::Throttled)?;
        match self.hasher().verify(clean_password(&password), user.password_hash.clone()).await {
            Ok(true) => {
                self.release(reservation).await?;
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => {
                // nothing was checked (the hash queue is full): give the check back
                self.release(reservation).await?;
                Err(e.into())
            }
        }
    }
}

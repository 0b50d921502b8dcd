//! Username reset (djoser's `reset_username/`): a link to the account's
//! address, then a new username with it. The request answers before anything
//! is looked up, as a password reset does; the link is single use, expires
//! with the reset TTL and dies when the password changes.

use super::throttle::Client;
use crate::core::codes::{Code, Problems};
use crate::core::domain::{EmailAddress, Username};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::flows::profile::ProfileInput;
use crate::core::repo::{one_time_tokens as otts, users};
use crate::core::{secrets, Engine};

impl Engine {
    /// Emails a username-reset link (built from `link_template`, with
    /// `{public_url}`, `{uid}` and `{token}`) to the active account with
    /// this address, if any.
    ///
    /// # Errors
    /// `Invalid` only for a malformed address; `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn request_username_reset(
        &self,
        email: &str,
        client: Client,
        link_template: String,
    ) -> Result<(), FlowError> {
        let email = EmailAddress::parse(email).map_err(|m| FlowError::field("email", m))?;
        let limits = self.config().rate_limits;
        self.throttle("email", &client, limits.email_per_ip, Some((&email.canonical(), limits.email_per_account)))
            .await?;
        let engine = self.clone();
        self.in_background("sending a username reset email", async move {
            let Some(user) = users::by_email(engine.db(), &email.canonical()).await?.filter(|u| u.is_active) else {
                return Ok(());
            };
            let token = secrets::random_token();
            let t = engine.now();
            let ttl = engine.config().reset_ttl_secs;
            let hash = engine.token_hasher().hash(&token);
            let txn = sea_orm::TransactionTrait::begin(engine.db()).await?;
            otts::insert(&txn, otts::USERNAME_RESET, user.id, None, hash, t + ttl, t, user.auth_epoch).await?;
            let link = link_template
                .replace("{public_url}", &engine.config().public_url)
                .replace("{uid}", &secrets::encode_uid(user.id))
                .replace("{token}", &token);
            engine.enqueue(&txn, "username_reset", &user.email, Some(&link), &[("username", &user.username)]).await?;
            txn.commit().await?;
            engine.wake_outbox();
            Ok(())
        });
        Ok(())
    }

    /// Sets a new username with a username-reset link; the link is used up.
    ///
    /// # Errors
    /// `Invalid` on `uid`, `token` or `username`.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_username_reset(&self, uid: &str, token: &str, username: String) -> Result<User, FlowError> {
        let mut errors = Problems::new();
        for (field, value) in [("uid", uid), ("token", token)] {
            if value.trim().is_empty() {
                errors.add(field, Code::Blank);
            }
        }
        errors.into_result()?;
        let id = secrets::decode_uid(uid.trim()).ok_or_else(|| FlowError::field("uid", Code::InvalidUid))?;
        let t = self.now();
        let bad_token = || FlowError::field("token", Code::InvalidToken);
        let row = otts::find_valid(self.db(), otts::USERNAME_RESET, &self.token_hasher().hash(token.trim()), t)
            .await?
            .filter(|r| r.user_id == id)
            .ok_or_else(bad_token)?;
        let user = users::by_id(self.db(), id)
            .await?
            .filter(|u| u.is_active && u.auth_epoch == row.auth_epoch)
            .ok_or_else(bad_token)?;
        // the name is checked before the link is used up, so a taken or
        // malformed name leaves the link usable
        let name = Username::parse(&username).map_err(|codes| {
            let mut p = Problems::new();
            codes.into_iter().for_each(|c| p.add("username", c));
            FlowError::Invalid(p)
        })?;
        if name.canonical() != user.username_lower && users::by_username(self.db(), &name.canonical()).await?.is_some()
        {
            return Err(FlowError::field("username", Code::UsernameTaken));
        }
        if !otts::consume(self.db(), row.id, t).await? {
            return Err(bad_token());
        }
        let user = self.update_profile(user, ProfileInput { username: Some(username), ..Default::default() }).await?;
        tracing::info!(user_id = user.id, "username reset");
        Ok(user)
    }
}

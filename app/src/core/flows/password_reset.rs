//! Password reset by email: request a link (no enumeration: an unknown
//! address gets an "unknown account" email), then confirm with uid + token.

use super::throttle::Client;
use super::{check_new_password, require_bounded_secret, Credential};
use crate::core::audit::EventKind;
use crate::core::codes::Problems;
use crate::core::config::{Link, LinkTemplates};
use crate::core::domain::clean_password;
use crate::core::domain::EmailAddress;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::{one_time_tokens as otts, social_accounts, users};
use crate::core::{codes::Code, secrets, Engine};
use sea_orm::TransactionTrait;
use secrecy::SecretString;

pub struct ResetConfirmInput {
    pub uid: String,
    pub token: String,
    pub new_password1: SecretString,
    pub new_password2: SecretString,
    pub client: Client,
}

impl Engine {
    /// Emails a reset link, or an "unknown account" notice for an address
    /// with no active account. The answer is the same, in the same time,
    /// either way: the look-up and the email happen after it.
    ///
    /// # Errors
    /// `Invalid` only for a malformed address; `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset(
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
        self.in_background("sending a password reset email", async move { engine.send_reset(email, &links).await });
        Ok(())
    }

    /// django-rest-registration's `send-reset-password-link/`: the account
    /// is named by `login` (as sign-in reads it) and the link goes to its
    /// address. The answer is the same, in the same time, whether or not
    /// `login` names an account; an unknown one gets nothing (there is no
    /// address to tell).
    ///
    /// # Errors
    /// `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset_by_login(
        &self,
        login: &str,
        client: Client,
        links: LinkTemplates,
    ) -> Result<(), FlowError> {
        let login = login.trim().to_owned();
        let limits = self.config().rate_limits;
        let named = format!("login:{}", crate::core::domain::username::canonical(&login));
        self.throttle("email", &client, limits.email_per_ip, Some((&named, limits.email_per_account))).await?;
        let engine = self.clone();
        self.in_background("sending a password reset email", async move {
            match engine.find_by_login(&login).await? {
                Some(user) => {
                    // the account's own address shares its budget with
                    // requests that name the address
                    let limits = engine.config().rate_limits;
                    engine
                        .throttle(
                            "email",
                            &Client::default(),
                            limits.email_per_ip,
                            Some((&user.email_lower, limits.email_per_account)),
                        )
                        .await?;
                    if user.email.is_empty() {
                        return Ok(()); // no address to send to
                    }
                    let email = EmailAddress::parse(&user.email).map_err(|m| FlowError::field("email", m))?;
                    engine.send_reset(email, &links).await
                }
                None => Ok(()),
            }
        });
        Ok(())
    }

    /// One transaction: the link is used up, the password set and the
    /// credential generation moved on (first: the row lock makes a racing
    /// connect wait and then see the new generation), every identity
    /// unlinked, the address marked verified. A sign-in racing with it either
    /// saw the old generation (its credentials are dead) or no longer finds
    /// the identity.
    async fn finish_reset(&self, user: &User, token_id: i32, hash: String, client: &Client) -> Result<(), FlowError> {
        let user_id = user.id;
        let txn = self.db().begin().await?;
        if !otts::consume(&txn, token_id, self.now()).await? {
            return Err(FlowError::field("token", Code::InvalidValue));
        }
        let epoch = users::reset_password(&txn, user_id, &hash).await?.ok_or(FlowError::NotFound)?;
        let unlinked = social_accounts::delete_all_for_user(&txn, user_id).await?;
        // a passkey someone else added with a stolen session goes too
        let passkeys = crate::core::repo::passkeys::delete_all_for_user(&txn, user_id).await?;
        users::mark_email_verified(&txn, user_id).await?;
        self.notify(&txn, user, "password_changed", client).await?;
        self.audit(&txn, EventKind::PasswordReset, Some(user_id), Some(client), &[]).await?;
        txn.commit().await?;
        self.wake_outbox();
        self.end_credentials(user_id, &Credential::None, epoch).await?;
        if unlinked > 0 || passkeys > 0 {
            tracing::warn!(user_id, unlinked, passkeys, "a password reset unlinked social identities and passkeys");
        }
        tracing::info!(user_id, "password reset");
        Ok(())
    }

    async fn send_reset(&self, email: EmailAddress, links: &LinkTemplates) -> Result<(), FlowError> {
        // read first: on SQLite a transaction that starts with a write takes
        // the write lock at once instead of failing to upgrade later
        let found = users::by_email(self.db(), &email.canonical()).await?;
        let txn = self.db().begin().await?;
        match found {
            Some(user) if user.is_active => self.enqueue_reset_link(&txn, &user, links).await?,
            _ => self.enqueue(&txn, "unknown_account", email.as_str(), None, &[]).await?,
        }
        txn.commit().await?;
        self.wake_outbox();
        Ok(())
    }

    /// Makes a reset link for `user` and queues the email on `conn`.
    pub(crate) async fn enqueue_reset_link(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user: &User,
        links: &LinkTemplates,
    ) -> Result<(), FlowError> {
        let token = secrets::random_token();
        let t = self.now();
        otts::insert(
            conn,
            otts::PASSWORD_RESET,
            user.id,
            None,
            self.token_hasher().hash(&token),
            t + self.config().reset_ttl_secs,
            t,
            user.auth_epoch,
        )
        .await?;
        let link = Link { user_id: user.id, key: &token, issued_at: t, email: None };
        let link = self.config().link(links, &links.reset, &link);
        self.enqueue(conn, "password_reset", &user.email, Some(&link), &[("username", &user.username)]).await
    }

    /// Checks a reset link without using it up (the page shows the form only
    /// for a live link).
    ///
    /// # Errors
    /// `Invalid` on `uid` or `token`.
    pub async fn check_reset_link(&self, uid: &str, token: &str) -> Result<(User, i32), FlowError> {
        let user_id = secrets::decode_uid(uid.trim()).ok_or_else(|| FlowError::field("uid", Code::InvalidValue))?;
        let user = users::by_id(self.db(), user_id)
            .await?
            .filter(|u| u.is_active)
            .ok_or_else(|| FlowError::field("uid", Code::InvalidValue))?;
        let row =
            otts::find_valid(self.db(), otts::PASSWORD_RESET, &self.token_hasher().hash(token.trim()), self.now())
                .await?
                // a link made before the password last changed is dead
                .filter(|r| r.user_id == user.id && r.auth_epoch == user.auth_epoch)
                .ok_or_else(|| FlowError::field("token", Code::InvalidValue))?;
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
        let input = ResetConfirmInput {
            new_password1: clean_password(&input.new_password1),
            new_password2: clean_password(&input.new_password2),
            ..input
        };
        let mut errors = Problems::new();
        for (field, value) in [("uid", &input.uid), ("token", &input.token)] {
            if value.trim().is_empty() {
                errors.add(field, Code::Blank);
            }
        }
        require_bounded_secret(&mut errors, "new_password1", &input.new_password1);
        require_bounded_secret(&mut errors, "new_password2", &input.new_password2);
        errors.into_result()?;
        let (user, token_id) = self.check_reset_link(&input.uid, &input.token).await?;
        check_new_password(&input.new_password1, &input.new_password2, "new_password2", &user)?;
        // hash before using the link up: a full hash queue must not burn it
        let hash = self.hasher().hash(input.new_password1).await?;
        let (engine, client) = (self.clone(), input.client);
        self.uncancellable(async move { engine.finish_reset(&user, token_id, hash, &client).await }).await?;
        Ok(())
    }
}

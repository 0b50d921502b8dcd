//! Social login and connected accounts.
//!
//! Linking rule (no account is ever merged on a provider's word, the default
//! of allauth and Kratos):
//! - an identity logs into the account it is linked to;
//! - else, if an account already uses its address, the login is refused
//!   ("User is already registered with this e-mail address."): the owner logs
//!   in to that account and connects the provider from the profile. Whoever
//!   made that account may not own the address (pre-hijacking), and even a
//!   confirmed address may have been confirmed by someone else's click;
//! - else a new account is made (asked to verify its address when the
//!   provider did not vouch for it).
//!
//! A password reset unlinks every identity (see `flows::password_reset`).

use super::sign_in::{FirstFactor, SignIn};
use super::throttle::Client;
use crate::core::audit::EventKind;
use crate::core::config::VerificationMode;
use crate::core::domain::{EmailAddress, Username};
use crate::core::entities::social_account::Model as Link;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::oauth::{Identity, OAuthError};
use crate::core::repo::social_accounts::{self, NewLink};
use crate::core::repo::users::{self, NewUser, WriteError};
use crate::core::{codes::Code, Engine};
use crate::shared::user::SocialAccountView;
use sea_orm::TransactionTrait;

pub fn link_view(l: &Link) -> SocialAccountView {
    SocialAccountView {
        id: l.id,
        provider: l.provider.clone(),
        uid: l.uid.clone(),
        last_login: crate::core::rfc3339(l.last_login),
        date_joined: crate::core::rfc3339(l.date_joined),
    }
}

/// The one mapping from provider failures to what users and clients see.
impl From<OAuthError> for FlowError {
    fn from(e: OAuthError) -> Self {
        tracing::warn!(error = %e, "social login failed");
        match e {
            OAuthError::UnknownProvider => FlowError::NotFound,
            OAuthError::Unreachable(_) => FlowError::non_field(Code::SocialUnreachable),
            OAuthError::CodeRefused(_) => FlowError::non_field(Code::SocialCodeRefused),
            OAuthError::TokenRefused(_) => FlowError::non_field(Code::SocialTokenRefused),
            OAuthError::BadIdentity(_) => FlowError::non_field(Code::SocialBadAnswer),
        }
    }
}

/// A username from the provider's (GitHub's login, say), made valid; a
/// random one when it has none, never the address's local part (the
/// directory may publish usernames).
fn username_base(identity: &Identity) -> String {
    let Some(raw) = identity.username.clone() else { return super::signup::made_username() };
    let cleaned: String =
        raw.chars().map(|c| if c.is_alphanumeric() || "@.+-_".contains(c) { c } else { '_' }).take(140).collect();
    if cleaned.is_empty() {
        "user".to_owned()
    } else {
        cleaned
    }
}

impl Engine {
    fn extra(identity: &Identity) -> String {
        serde_json::to_string(identity).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Links `identity` to the user, only while the user's credential
    /// generation is still `seen` (a reset that unlinks everything and moves
    /// the generation on cannot be outrun by a link made for the account as
    /// it was before).
    async fn link_identity(
        &self,
        user_id: i32,
        seen: i32,
        provider: &str,
        identity: &Identity,
        t: i64,
        client: &Client,
    ) -> Result<Link, FlowError> {
        let new = NewLink {
            user_id,
            provider,
            uid: &identity.uid,
            // only a well-formed address is kept (it must fit the column on every database)
            email: identity.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()).map(|e| e.as_str().to_owned()),
            extra_data: Self::extra(identity),
        };
        let txn = self.db().begin().await?;
        if !users::lock_generation(&txn, user_id, seen).await? {
            return Err(FlowError::Unauthenticated);
        }
        let link = social_accounts::insert(&txn, new, t).await.map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => FlowError::non_field(Code::SocialOtherUser),
            _ => e.into(),
        })?;
        self.audit(&txn, EventKind::SocialLinked, Some(user_id), Some(client), &[("provider", provider)]).await?;
        txn.commit().await?;
        Ok(link)
    }

    fn check_login_allowed(&self, user: &User) -> Result<(), FlowError> {
        if !user.is_active {
            return Err(FlowError::non_field(Code::AccountDisabled));
        }
        if self.config().verification == VerificationMode::Mandatory && !user.email_verified {
            return Err(FlowError::non_field(Code::EmailNotVerified));
        }
        Ok(())
    }

    /// `base` or `base2`, `base3`, ...: the first that is valid, free, and
    /// not someone else's address.
    async fn free_username(&self, base: &str, email: &EmailAddress) -> Result<String, FlowError> {
        for n in 0..50 {
            let candidate = if n == 0 { base.to_owned() } else { format!("{base}{}", n + 1) };
            let Ok(name) = Username::parse(&candidate) else { continue };
            if name.check_owner(email.as_str()).is_err() {
                continue;
            }
            if users::by_username(self.db(), &name.canonical()).await?.is_none() {
                return Ok(name.as_str().to_owned());
            }
        }
        Ok(format!("user{}", &crate::core::secrets::random_token()[..10]))
    }

    /// Logs in (or signs up) with a provider identity.
    ///
    /// # Errors
    /// `Invalid` with a `non_field_errors` message when the rules refuse.
    #[tracing::instrument(skip_all, fields(provider))]
    pub async fn social_login(&self, provider: &str, identity: Identity, client: &Client) -> Result<SignIn, FlowError> {
        let t = self.now();
        if let Some((link, user)) = social_accounts::by_uid_with_user(self.db(), provider, &identity.uid).await? {
            self.check_login_allowed(&user)?;
            social_accounts::touch(self.db(), link.id, Self::extra(&identity), t).await?;
            return self.social_signed_in(user, provider, client).await;
        }
        let raw_email = identity.email.clone().ok_or_else(|| FlowError::non_field(Code::SocialNoEmail))?;
        let email = EmailAddress::parse(&raw_email).map_err(|_| FlowError::non_field(Code::SocialNoEmail))?;
        let user = match users::by_email(self.db(), &email.canonical()).await? {
            Some(existing) => {
                tracing::info!(user_id = existing.id, provider, "social login refused: the address has an account");
                return Err(FlowError::non_field(Code::EmailRegistered));
            }
            None => {
                let username = self.free_username(&username_base(&identity), &email).await?;
                let new = NewUser {
                    username,
                    email: email.as_str().to_owned(),
                    password_hash: None,
                    email_verified: identity.email_verified,
                    first_name: String::new(),
                    last_name: String::new(),
                };
                let txn = self.db().begin().await?;
                let user = users::insert(&txn, new, t).await.map_err(|e| match e {
                    WriteError::EmailTaken => FlowError::non_field(Code::EmailRegistered),
                    other => other.into(),
                })?;
                if !user.email_verified && self.config().verification != VerificationMode::None {
                    self.send_verification(&txn, &user, &self.config().links).await?;
                }
                self.audit(&txn, EventKind::UserCreated, Some(user.id), Some(client), &[("provider", provider)])
                    .await?;
                txn.commit().await?;
                self.wake_outbox();
                tracing::info!(user_id = user.id, "account created by social login");
                user
            }
        };
        self.link_identity(user.id, user.auth_epoch, provider, &identity, t, client).await?;
        self.check_login_allowed(&user)?;
        self.social_signed_in(user, provider, client).await
    }

    /// The provider proved who the user is: done, or on to the second factor.
    async fn social_signed_in(&self, user: User, provider: &str, client: &Client) -> Result<SignIn, FlowError> {
        match self.after_first_factor(user, &FirstFactor::Social(provider.to_owned())).await? {
            SignIn::Done(user) => {
                users::touch_last_login(self.db(), user.id, self.now()).await?;
                let detail = [("method", "social"), ("provider", provider)];
                self.audit(self.db(), EventKind::SignInSucceeded, Some(user.id), Some(client), &detail).await?;
                Ok(SignIn::Done(user))
            }
            pending => Ok(pending),
        }
    }

    /// Links a provider identity to the signed-in user.
    ///
    /// # Errors
    /// `Invalid` when the identity belongs to another account.
    pub async fn social_connect(
        &self,
        user: &User,
        provider: &str,
        identity: Identity,
        client: &Client,
    ) -> Result<SocialAccountView, FlowError> {
        let t = self.now();
        if let Some(link) = social_accounts::by_uid(self.db(), provider, &identity.uid).await? {
            if link.user_id != user.id {
                return Err(FlowError::non_field(Code::SocialOtherUser));
            }
            social_accounts::touch(self.db(), link.id, Self::extra(&identity), t).await?;
            return Ok(link_view(&link));
        }
        let link = self.link_identity(user.id, user.auth_epoch, provider, &identity, t, client).await?;
        self.notify_link(user, provider, client).await?;
        tracing::info!(user_id = user.id, provider, "social account connected");
        Ok(link_view(&link))
    }

    pub async fn social_accounts(&self, user_id: i32) -> Result<Vec<SocialAccountView>, FlowError> {
        Ok(social_accounts::for_user(self.db(), user_id).await?.iter().map(link_view).collect())
    }

    /// Unlinks one of the user's social accounts, unless it is their only
    /// way to log in.
    ///
    /// # Errors
    /// `NotFound` for someone else's link; `Invalid` when it is the last way in.
    pub async fn social_disconnect(
        &self,
        user: &User,
        id: i32,
        client: Option<&Client>,
    ) -> Result<SocialAccountView, FlowError> {
        let links = social_accounts::for_user(self.db(), user.id).await?;
        let link = links.iter().find(|l| l.id == id).ok_or(FlowError::NotFound)?;
        if user.password_hash.is_none() && links.len() == 1 {
            return Err(FlowError::non_field(Code::NoPasswordLeft));
        }
        let txn = self.db().begin().await?;
        social_accounts::delete_for_user(&txn, id, user.id).await?;
        self.audit(&txn, EventKind::SocialUnlinked, Some(user.id), client, &[("provider", link.provider.as_str())])
            .await?;
        txn.commit().await?;
        tracing::info!(user_id = user.id, provider = %link.provider, "social account disconnected");
        Ok(link_view(link))
    }
}

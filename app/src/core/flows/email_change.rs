//! Email change: the new address gets a confirmation link; only when it is
//! followed does the address change, and the old address is told.

use super::throttle::Client;
use crate::core::audit::EventKind;
use crate::core::codes::Problems;
use crate::core::config::{Link, LinkTemplates};
use crate::core::domain::EmailAddress;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::{one_time_tokens as otts, users};
use crate::core::{codes::Code, secrets, Engine};
use sea_orm::TransactionTrait;
use secrecy::{ExposeSecret, SecretString};

pub struct EmailChangeInput {
    pub new_email: String,
    /// The current password; `None` from a door that does not ask for it
    /// (django-rest-registration's `register-email/`).
    pub password: Option<SecretString>,
    /// The link the confirmation carries (`None`: the default one).
    pub links: Option<LinkTemplates>,
}

impl Engine {
    /// The password is checked before anything is said about the address
    /// (a stolen session cannot probe which addresses have accounts), and
    /// confirmation emails count against the email limits. Without a
    /// password nothing is said at all: an address another account holds
    /// gets a notice instead of a link, and the answer is the same.
    ///
    /// # Errors
    /// `Invalid` on `new_email` (malformed, taken, unchanged) or `password`;
    /// `Throttled` when the account's password checks or emails are spent.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn request_email_change(
        &self,
        user: &User,
        input: EmailChangeInput,
        client: Client,
    ) -> Result<(), FlowError> {
        let mut errors = Problems::new();
        let email = EmailAddress::parse(&input.new_email).map_err(|m| errors.add("new_email", m)).ok();
        let checked = input.password.is_some();
        if let Some(password) = &input.password {
            if crate::core::domain::clean_password(password).expose_secret().is_empty() {
                errors.add("password", Code::Blank);
            }
        }
        errors.into_result()?;
        if let Some(password) = input.password {
            if !self.check_current_password(user, password).await? {
                return Err(FlowError::field("password", Code::PasswordWrong));
            }
        }
        if let Some(e) = &email {
            if e.canonical() == user.email_lower {
                return Err(FlowError::field("new_email", Code::SameEmail));
            }
            // counted before anything is said about the address: an account
            // cannot be used to probe which addresses have accounts
            let limits = self.config().rate_limits;
            let account = format!("user:{}", user.id);
            self.throttle("email-change", &client, limits.email_per_ip, Some((&account, limits.email_per_account)))
                .await?;
            if checked && users::by_email(self.db(), &e.canonical()).await?.is_some() {
                return Err(FlowError::field("new_email", Code::EmailTaken));
            }
            self.throttle(
                "email",
                &Client::default(),
                limits.email_per_ip,
                Some((&e.canonical(), limits.email_per_account)),
            )
            .await?;
        }
        let Some(email) = email else { return Err(anyhow::anyhow!("validated email missing").into()) };
        let links = input.links.unwrap_or_else(|| self.config().links.clone());
        if checked {
            return self.send_email_change(user, &email, &links).await;
        }
        // the look-up and what it decides happen after the answer
        let (engine, user) = (self.clone(), user.clone());
        self.in_background("sending an email-change link", async move {
            match users::by_email(engine.db(), &email.canonical()).await? {
                Some(_) => {
                    let txn = engine.db().begin().await?;
                    engine.enqueue(&txn, "email_in_use", email.as_str(), None, &[]).await?;
                    txn.commit().await?;
                    engine.wake_outbox();
                    Ok(())
                }
                None => engine.send_email_change(&user, &email, &links).await,
            }
        });
        Ok(())
    }

    async fn send_email_change(
        &self,
        user: &User,
        email: &EmailAddress,
        links: &LinkTemplates,
    ) -> Result<(), FlowError> {
        let key = secrets::random_token();
        let t = self.now();
        let txn = self.db().begin().await?;
        otts::insert(
            &txn,
            otts::CHANGE_EMAIL,
            user.id,
            Some(email.as_str().to_owned()),
            self.token_hasher().hash(&key),
            t + self.config().verification_ttl_secs,
            t,
            user.auth_epoch,
        )
        .await?;
        let link = Link { user_id: user.id, key: &key, issued_at: t, email: Some(email.as_str()) };
        let link = self.config().link(links, &links.change_email, &link);
        self.enqueue(&txn, "change_email", email.as_str(), Some(&link), &[("username", &user.username)]).await?;
        txn.commit().await?;
        self.wake_outbox();
        Ok(())
    }

    /// Follows a confirmation link: the account's address becomes the new one
    /// (verified), and the old address gets a notice.
    ///
    /// # Errors
    /// `NotFound` for a bad, used or expired key; `Invalid` when someone else
    /// took the address meanwhile.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_email_change(&self, key: &str) -> Result<User, FlowError> {
        let t = self.now();
        let (token, user) = self.live_link(otts::CHANGE_EMAIL, key, t).await?;
        let new_email = token.email.clone().ok_or(FlowError::NotFound)?;
        let txn = self.db().begin().await?;
        if !otts::consume(&txn, token.id, t).await? {
            return Err(FlowError::NotFound);
        }
        let updated = users::set_email(&txn, user.clone(), &new_email).await?;
        otts::delete_for_user(&txn, user.id, otts::CHANGE_EMAIL).await?;
        otts::delete_for_user(&txn, user.id, otts::VERIFY_EMAIL).await?;
        let vars = [("username", user.username.as_str()), ("new_email", new_email.as_str())];
        self.enqueue(&txn, "email_changed", &user.email, None, &vars).await?;
        let detail = [("old_email", user.email.as_str()), ("new_email", new_email.as_str())];
        self.audit(&txn, EventKind::EmailChanged, Some(user.id), None, &detail).await?;
        txn.commit().await?;
        self.account_changed(user.id).await;
        self.wake_outbox();
        tracing::info!(user_id = user.id, "email changed");
        Ok(updated)
    }
}

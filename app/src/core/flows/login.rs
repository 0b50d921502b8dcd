//! Log-in: find the account by the configured identifier, check the password
//! (a dummy hash for unknown users, so both paths take the same time), and
//! refuse unverified addresses when verification is mandatory.

use super::throttle::Client;
use crate::core::config::{LoginMethod, VerificationMode};
use crate::core::credentials::needs_rehash;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::users;
use crate::core::{messages, now, Engine};
use secrecy::{ExposeSecret, SecretString};

pub struct LoginInput {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: SecretString,
    pub client: Client,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Engine {
    async fn find_login_user(&self, ident: Ident<'_>) -> Result<Option<User>, FlowError> {
        Ok(match ident {
            Ident::Username(u) => users::by_username(self.db(), &u.to_lowercase()).await?,
            Ident::Email(e) => users::by_email(self.db(), &e.to_lowercase()).await?,
            Ident::Either(s) => match users::by_username(self.db(), &s.to_lowercase()).await? {
                Some(u) => Some(u),
                None if s.contains('@') => users::by_email(self.db(), &s.to_lowercase()).await?,
                None => None,
            },
        })
    }

    /// Checks credentials and returns the user to issue a session or token for.
    ///
    /// # Errors
    /// `Invalid` with a `non_field_errors` message; the same one for a wrong
    /// password and an unknown user.
    #[tracing::instrument(skip_all)]
    pub async fn login(&self, input: LoginInput) -> Result<User, FlowError> {
        let method = self.config().login_method;
        let username = present(&input.username);
        let email = present(&input.email);
        let has_password = !input.password.expose_secret().is_empty();
        let ident = match (method, username, email) {
            (_, _, _) if !has_password => None,
            (LoginMethod::Username, Some(u), _) => Some(Ident::Username(u)),
            (LoginMethod::Email, _, Some(e)) => Some(Ident::Email(e)),
            (LoginMethod::UsernameEmail, _, Some(e)) => Some(Ident::Email(e)),
            (LoginMethod::UsernameEmail, Some(u), None) => Some(Ident::Either(u)),
            _ => None,
        };
        let ident = ident.ok_or_else(|| FlowError::non_field(messages::must_include(method)))?;
        let limits = self.config().rate_limits;
        self.throttle("login", input.client, limits.login_per_ip, None).await?;
        let user = self.find_login_user(ident).await?;
        let account = user.as_ref().map_or_else(|| format!("name:{}", ident.text()), |u| format!("user:{}", u.id));
        self.check_login_failures(&account).await?;
        let stored = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = self.hasher().verify(input.password.clone(), stored).await?;
        let user = match user {
            Some(u) if ok && u.is_active => u,
            _ => {
                self.record_login_failure(&account).await?;
                return Err(FlowError::non_field(messages::BAD_CREDENTIALS));
            }
        };
        self.clear_login_failures(&account).await?;
        if self.config().verification == VerificationMode::Mandatory && !user.email_verified {
            return Err(FlowError::non_field(messages::EMAIL_NOT_VERIFIED));
        }
        if user.password_hash.as_deref().is_some_and(needs_rehash) {
            let hash = self.hasher().hash(input.password).await?;
            users::set_password(self.db(), user.id, &hash).await?;
            self.account_changed(user.id).await;
            tracing::info!(user_id = user.id, "password hash upgraded");
        }
        let t = now();
        users::touch_last_login(self.db(), user.id, t).await?;
        tracing::info!(user_id = user.id, "logged in");
        Ok(User { last_login: Some(t), ..user })
    }
}

#[derive(Clone, Copy)]
enum Ident<'a> {
    Username(&'a str),
    Email(&'a str),
    Either(&'a str),
}

impl Ident<'_> {
    fn text(&self) -> String {
        match self {
            Ident::Username(s) | Ident::Email(s) | Ident::Either(s) => s.to_lowercase(),
        }
    }
}

//! Log-in: find the account by the configured identifier, check the password
//! (a dummy hash for unknown users, so both paths take the same time), and
//! refuse unverified addresses when verification is mandatory.
//!
//! Password checks are reserved before hashing (see `throttle`), on two
//! budgets: the identifier as typed (over it: 429) and the account behind it
//! (over it: the password is not checked and the answer is the usual "unable
//! to log in"). So N guesses per account per window at most, whichever of its
//! names they use, and a 429 never tells that a username and an email belong
//! to one account.

use super::sign_in::{FirstFactor, SignIn};
use super::throttle::{account_budget, Client};
use crate::core::audit::EventKind;
use crate::core::codes::Problems;
use crate::core::config::{LoginMethod, VerificationMode};
use crate::core::credentials::needs_rehash;
use crate::core::domain::{clean_password, username, EmailAddress};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::users;
use crate::core::{codes::Code, Engine};
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
    /// An address is looked up as an address first, so the owner of an
    /// address always reaches their own account with it.
    async fn find_login_user(&self, ident: Ident<'_>) -> Result<Option<User>, FlowError> {
        Ok(match ident {
            Ident::Username(u) => users::by_username(self.db(), &username::canonical(u)).await?,
            Ident::Email(e) => users::by_email(self.db(), &e.trim().to_lowercase()).await?,
            Ident::Either(s) if s.contains('@') => {
                // both look-ups always run: the time taken must not tell whether the address is known
                let by_email = users::by_email(self.db(), &s.trim().to_lowercase()).await?;
                let by_name = users::by_username(self.db(), &username::canonical(s)).await?;
                by_email.or(by_name)
            }
            Ident::Either(s) => users::by_username(self.db(), &username::canonical(s)).await?,
        })
    }

    /// The account one text names, as sign-in reads it: a username, an
    /// address, or either, following the login method.
    pub(crate) async fn find_by_login(&self, login: &str) -> Result<Option<User>, FlowError> {
        let ident = match self.config().login_method {
            LoginMethod::Username => Ident::Username(login),
            LoginMethod::Email => Ident::Email(login),
            LoginMethod::UsernameEmail => Ident::Either(login),
        };
        self.find_login_user(ident).await
    }

    /// Checks credentials: signed in (issue credentials for the user), or a
    /// second factor required (see `flows::sign_in`).
    ///
    /// # Errors
    /// `Invalid` with a `non_field_errors` message; the same one for a wrong
    /// password and an unknown user. `Throttled` when the identifier's budget
    /// of password checks is spent.
    #[tracing::instrument(skip_all)]
    pub async fn login(&self, input: LoginInput) -> Result<SignIn, FlowError> {
        let method = self.config().login_method;
        let password = clean_password(&input.password);
        // the fields first, as DRF's serializer checks them before the credentials
        let mut errors = Problems::new();
        if let Some(email) = present(&input.email) {
            if let Err(m) = EmailAddress::parse(email) {
                errors.add("email", m);
            }
        }
        if password.expose_secret().is_empty() {
            errors.add("password", Code::Blank);
        }
        errors.into_result()?;
        let username = present(&input.username);
        let email = present(&input.email);
        let ident = match (method, username, email) {
            (LoginMethod::Username, Some(u), _) => Some(Ident::Username(u)),
            (LoginMethod::Email, _, Some(e)) => Some(Ident::Email(e)),
            (LoginMethod::UsernameEmail, _, Some(e)) => Some(Ident::Email(e)),
            (LoginMethod::UsernameEmail, Some(u), None) => Some(Ident::Either(u)),
            _ => None,
        };
        let ident = ident.ok_or_else(|| FlowError::non_field(Code::MustInclude(method)))?;
        // who, and from where, before anything is written: when this
        // request's hashing line is full it is refused now (503), without
        // queueing writes in front of everyone else's (a flood from many
        // addresses would otherwise hold the database for the owner too)
        // (and a name this replica has not seen sign in from this network
        // reads only in one of a few look-up places, so a flood's reads wait
        // in line behind the owner's, not in front of them)
        let admitted = self.admit_login(&ident.text(), &input.client).await?;
        let reads = async {
            let user = self.find_login_user(ident).await?;
            // the owner, from where they signed in before, goes ahead of a flood
            let lane = self.lane_for(user.as_ref().map(|u| u.id), &input.client).await;
            Ok::<_, FlowError>((user, lane))
        };
        let (user, lane) = match admitted {
            Some(place) => {
                let held = tokio::time::timeout(crate::core::login_gate::LOOKUP_HOLD, reads).await;
                drop(place);
                held.map_err(|_| FlowError::Unavailable("a login look-up outlived its place".into()))??
            }
            None => reads.await?,
        };
        if self.hasher().would_refuse(lane) {
            return Err(crate::core::credentials::HashError::Busy.into());
        }
        let limits = self.config().rate_limits;
        self.throttle("login", &input.client, limits.login_per_ip, None).await?;
        let typed =
            self.reserve_check(&format!("login:ident:{}", ident.text())).await?.map_err(FlowError::Throttled)?;
        // unknown identifiers draw on one of a fixed set of budgets: the same
        // work either way, and a bounded number of counters
        let budget = match &user {
            Some(u) => account_budget(u.id),
            None => format!("login:unknown:{}", &self.limit_key(&ident.text())[..3]),
        };
        let account = self.reserve_check(&budget).await?.ok();
        let stored = user.as_ref().filter(|_| account.is_some()).and_then(|u| u.password_hash.clone());
        let ok = match self.hasher().verify_in(lane, password.clone(), stored).await {
            Ok(ok) => ok,
            Err(e) => {
                // nothing was checked (the hash queue is full): give the checks back
                self.release(typed).await?;
                if let Some(account) = account {
                    self.release(account).await?;
                }
                return Err(e.into());
            }
        };
        let (user, account) = match (user, account) {
            (Some(u), Some(account)) if ok && u.is_active => (u, account),
            (user, account) => {
                let reason = match (&user, account) {
                    (None, _) => "unknown_account",
                    (Some(_), None) => "too_many_attempts",
                    (Some(u), Some(_)) if ok && !u.is_active => "account_disabled",
                    (Some(_), Some(_)) => "wrong_password",
                };
                let detail = [("method", "password"), ("reason", reason)];
                self.audit(self.db(), EventKind::SignInFailed, user.map(|u| u.id), Some(&input.client), &detail)
                    .await?;
                return Err(FlowError::non_field(Code::InvalidCredentials));
            }
        };
        self.note_login(&ident.text(), &input.client);
        self.release(typed).await?;
        self.release(account).await?;
        if self.config().verification == VerificationMode::Mandatory && !user.email_verified {
            let detail = [("method", "password"), ("reason", "email_not_verified")];
            self.audit(self.db(), EventKind::SignInFailed, Some(user.id), Some(&input.client), &detail).await?;
            return Err(FlowError::non_field(Code::EmailNotVerified));
        }
        if let Some(old) = user.password_hash.as_deref().filter(|h| needs_rehash(h)) {
            let hash = self.hasher().hash(password).await?;
            // only if the password did not change meanwhile
            if users::replace_hash(self.db(), user.id, old, &hash).await? {
                self.account_changed(user.id).await;
                tracing::info!(user_id = user.id, "password hash upgraded");
            }
        }
        match self.after_first_factor(user, &FirstFactor::Password).await? {
            SignIn::Done(user) => {
                self.remember_network(user.id, &input.client).await;
                let t = self.now();
                users::touch_last_login(self.db(), user.id, t).await?;
                let detail = [("method", "password")];
                self.audit(self.db(), EventKind::SignInSucceeded, Some(user.id), Some(&input.client), &detail).await?;
                tracing::info!(user_id = user.id, "logged in");
                Ok(SignIn::Done(User { last_login: Some(t), ..user }))
            }
            pending => Ok(pending),
        }
    }
}

#[derive(Clone, Copy)]
enum Ident<'a> {
    Username(&'a str),
    Email(&'a str),
    Either(&'a str),
}

impl Ident<'_> {
    /// The identifier as a budget names it: case and compatibility forms
    /// folded, so `ADA` and a full-width `ａｄａ` share one budget.
    fn text(&self) -> String {
        match self {
            Ident::Username(s) | Ident::Email(s) | Ident::Either(s) => username::canonical(s),
        }
    }
}

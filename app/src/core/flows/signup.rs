//! Sign-up: validate, create the account, send the verification email.

use super::throttle::Client;
use crate::core::audit::EventKind;
use crate::core::codes::Problems;
use crate::core::config::LinkTemplates;
use crate::core::domain::{
    check_name, clean_password, similarity_error, validate_password, EmailAddress, PasswordContext, Username,
};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::users::{self, NewUser};
use crate::core::{codes::Code, config::UsernameMode, config::VerificationMode, Engine};
use sea_orm::TransactionTrait;
use secrecy::{ExposeSecret, SecretString};

pub struct SignupInput {
    pub username: String,
    pub email: String,
    pub password1: SecretString,
    pub password2: SecretString,
    /// Optional names (django-rest-registration's `register/` takes them).
    pub first_name: String,
    pub last_name: String,
    /// The profile fields sign-up asks for (`signup = true` in the schema),
    /// by name, as sent; others are ignored.
    pub profile: Vec<(String, serde_json::Value)>,
    pub client: Client,
    /// The links the verification email carries (`None`: the default ones).
    pub links: Option<LinkTemplates>,
}

pub enum SignupOutcome {
    /// Mandatory verification: the user must click the emailed link first.
    VerificationSent(User),
    /// The user may log in right away.
    LoggedIn(User),
}

struct ValidSignup {
    username: Username,
    /// `None`: an account without an address (see `email_required`).
    email: Option<EmailAddress>,
    password: SecretString,
    names: [String; 2],
    profile: Vec<(String, Option<String>)>,
}

/// A username for an account whose owner gave none: random, so it says
/// nothing about the address (it may be shown in the directory, and in
/// `optional` mode on the profile) and two sign-ups at once do not pick the
/// same one.
pub(crate) fn made_username() -> String {
    let random: String = crate::core::secrets::random_token()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(12)
        .collect();
    format!("user-{random}")
}

impl Engine {
    async fn validate_signup(&self, input: SignupInput) -> Result<ValidSignup, FlowError> {
        let mut errors = Problems::new();
        // no address at all, where the deployment allows it (no verification)
        let addressless = !self.config().email_required && input.email.trim().is_empty();
        let email =
            if addressless { None } else { EmailAddress::parse(&input.email).map_err(|m| errors.add("email", m)).ok() };
        // email-only accounts, or an optional username left out: one is
        // made up (hidden when accounts have none)
        let made = match self.config().username {
            UsernameMode::None => true,
            UsernameMode::Optional => input.username.trim().is_empty(),
            UsernameMode::Required => false,
        };
        let username = match made {
            true => Username::parse(&made_username()).ok(),
            false => Username::parse(&input.username)
                .map_err(|ms| ms.into_iter().for_each(|m| errors.add("username", m)))
                .ok(),
        };
        if let Some(u) = username.as_ref().filter(|_| !made) {
            if users::by_username(self.db(), &u.canonical()).await?.is_some() {
                errors.add("username", Code::UsernameTaken);
            } else if let Err(m) = u.check_owner(email.as_ref().map_or(input.email.as_str(), EmailAddress::as_str)) {
                errors.add("username", m);
            }
        }
        if let Some(e) = &email {
            if users::by_email(self.db(), &e.canonical()).await?.is_some() {
                errors.add("email", Code::EmailRegistered);
            }
        }
        let mut names = [String::new(), String::new()];
        for (slot, (field, raw)) in
            names.iter_mut().zip([("first_name", &input.first_name), ("last_name", &input.last_name)])
        {
            match check_name(raw) {
                Ok(v) => *slot = v,
                Err(m) => errors.add(field, m),
            }
        }
        let profile = self.check_profile(&input.profile, true, true, &mut errors);
        let (password1, password2) = (clean_password(&input.password1), clean_password(&input.password2));
        if password1.expose_secret().is_empty() {
            errors.add("password1", Code::Blank);
        } else {
            // the other validators, on the field; similarity comes last (below)
            for m in validate_password(password1.expose_secret(), &PasswordContext::default()) {
                errors.add("password1", m);
            }
        }
        if password2.expose_secret().is_empty() {
            errors.add("password2", Code::Blank);
        }
        errors.into_result()?;
        if password1.expose_secret() != password2.expose_secret() {
            return Err(FlowError::non_field(Code::PasswordMismatch));
        }
        // dj-rest-auth checks similarity to the new user's attributes when
        // saving, so its message belongs to the form as a whole
        let ctx = PasswordContext {
            username: username.as_ref().map(Username::as_str),
            email: email.as_ref().map(EmailAddress::as_str),
            ..Default::default()
        };
        if let Some(m) = similarity_error(password1.expose_secret(), &ctx) {
            return Err(FlowError::non_field(m));
        }
        match username {
            Some(username) if email.is_some() || addressless => {
                Ok(ValidSignup { username, email, password: password1, names, profile })
            }
            _ => Err(anyhow::anyhow!("signup validated without username or email").into()),
        }
    }

    /// Creates an account.
    ///
    /// # Errors
    /// `Invalid` with messages per field (taken names included).
    #[tracing::instrument(skip_all)]
    pub async fn signup(&self, input: SignupInput) -> Result<SignupOutcome, FlowError> {
        self.throttle("signup", &input.client, self.config().rate_limits.signup_per_ip, None).await?;
        let links = input.links.clone();
        let client = input.client.clone();
        let valid = self.validate_signup(input).await?;
        let hash = self.hasher().hash(valid.password).await?;
        let mode = self.config().verification;
        let new = NewUser {
            username: valid.username.as_str().to_owned(),
            email: valid.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
            password_hash: Some(hash),
            email_verified: false,
            first_name: valid.names[0].clone(),
            last_name: valid.names[1].clone(),
        };
        let txn = self.db().begin().await?;
        let user = users::insert(&txn, new, self.now()).await?;
        crate::core::repo::profile_values::save(&txn, user.id, &valid.profile).await?;
        if mode != VerificationMode::None {
            let links = links.as_ref().unwrap_or(&self.config().links);
            self.send_verification(&txn, &user, links).await?;
        }
        self.audit(&txn, EventKind::UserCreated, Some(user.id), Some(&client), &[]).await?;
        txn.commit().await?;
        self.wake_outbox();
        tracing::info!(user_id = user.id, "account created");
        Ok(match mode {
            VerificationMode::Mandatory => SignupOutcome::VerificationSent(user),
            VerificationMode::Optional | VerificationMode::None => SignupOutcome::LoggedIn(user),
        })
    }
}

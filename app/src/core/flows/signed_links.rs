//! django-rest-registration's signed links: the client echoes `user_id`,
//! `timestamp` and `signature` (and `email`, for an email change) from the
//! emailed link. Latchkey's signature is the link's one-time key, stored
//! hashed: a link is single use, and every other part must be the one it
//! was issued with (an altered part is an invalid signature, never an
//! expired one, as the package checks the signature first).

use super::password_reset::ResetConfirmInput;
use super::throttle::Client;
use crate::core::codes::Code;
use crate::core::domain::EmailAddress;
use crate::core::entities::one_time_token::Model as OneTimeToken;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::{one_time_tokens as otts, users};
use crate::core::{secrets, Engine};
use secrecy::SecretString;

/// The parts of a signed link, as posted.
pub struct SignedLink {
    pub user_id: String,
    pub timestamp: i64,
    pub signature: String,
    /// The new address (email changes only).
    pub email: Option<String>,
}

fn invalid() -> FlowError {
    FlowError::Refused(Code::SignatureInvalid)
}

/// What a finishing flow says about a link it found dead (a race lost to
/// another use of it) is said as an invalid signature.
fn dead_link(e: FlowError) -> FlowError {
    match e {
        FlowError::NotFound => invalid(),
        FlowError::Invalid(p) if p.has("token") || p.has("uid") => invalid(),
        e => e,
    }
}

impl Engine {
    /// The unused one-time token of `kind` behind a signed link, and its
    /// active user.
    ///
    /// # Errors
    /// `Refused(SignatureInvalid)` unless every part is the one issued (and,
    /// for a reset or an email change, the password has not changed since);
    /// `Refused(SignatureExpired)` for a genuine link past its period.
    async fn check_signed(&self, kind: &str, link: &SignedLink) -> Result<(OneTimeToken, User), FlowError> {
        let row = otts::find_unused(self.db(), kind, &self.token_hasher().hash(link.signature.trim()))
            .await?
            .ok_or_else(invalid)?;
        let same_email = match (&link.email, &row.email) {
            (None, _) => true,
            (Some(posted), Some(issued)) => {
                EmailAddress::parse(posted).is_ok_and(|p| p.canonical() == issued.to_lowercase())
            }
            (Some(_), None) => false,
        };
        if link.user_id.trim() != row.user_id.to_string() || link.timestamp != row.created_at || !same_email {
            return Err(invalid());
        }
        let user = users::by_id(self.db(), row.user_id).await?.filter(|u| u.is_active).ok_or_else(invalid)?;
        if kind != otts::VERIFY_EMAIL && row.auth_epoch != user.auth_epoch {
            return Err(invalid());
        }
        if row.expires_at <= self.now() {
            return Err(FlowError::Refused(Code::SignatureExpired));
        }
        Ok((row, user))
    }

    /// `verify-registration/`: confirms the address the link was sent to.
    ///
    /// # Errors
    /// `Refused(SignatureInvalid | SignatureExpired)`.
    #[tracing::instrument(skip_all)]
    pub async fn verify_registration(&self, link: &SignedLink) -> Result<User, FlowError> {
        self.check_signed(otts::VERIFY_EMAIL, link).await?;
        self.verify_email(link.signature.trim()).await.map_err(dead_link)
    }

    /// `reset-password/`: sets the new password, as a `{uid}/{token}` reset
    /// does (everything the account had set up ends).
    ///
    /// # Errors
    /// `Refused(SignatureInvalid | SignatureExpired)`; `Invalid` on
    /// `new_password1` / `new_password2`.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password_signed(
        &self,
        link: &SignedLink,
        new_password1: SecretString,
        new_password2: SecretString,
        client: Client,
    ) -> Result<(), FlowError> {
        let (_, user) = self.check_signed(otts::PASSWORD_RESET, link).await?;
        let input = ResetConfirmInput {
            uid: secrets::encode_uid(user.id),
            token: link.signature.trim().to_owned(),
            new_password1,
            new_password2,
            client,
        };
        self.confirm_password_reset(input).await.map_err(dead_link)
    }

    /// `verify-email/`: the account's address becomes the one the link
    /// confirms; the old address is told.
    ///
    /// # Errors
    /// `Refused(SignatureInvalid | SignatureExpired)`; `Refused(EmailTaken)`
    /// when another account took the address meanwhile.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_email_change_signed(&self, link: &SignedLink) -> Result<User, FlowError> {
        self.check_signed(otts::CHANGE_EMAIL, link).await?;
        self.confirm_email_change(link.signature.trim()).await.map_err(|e| match e {
            FlowError::Invalid(p) if p.has("email") => FlowError::Refused(Code::EmailTaken),
            e => dead_link(e),
        })
    }
}

//! The account flows, one file each. Both front doors (JSON API and pages)
//! call these and nothing else, so every rule lives here once.

pub mod account_delete;
pub mod admin;
pub mod admin_list;
pub mod auth;
pub mod avatar;
pub mod current_password;
pub mod devices;
pub mod directory;
pub mod email_change;
pub mod import;
pub mod known_networks;
pub mod login;
pub mod mfa;
pub mod notify;
pub mod password_change;
pub mod password_reset;
pub mod profile;
pub mod sessions;
pub mod sign_in;
pub mod signed_links;
pub mod signup;
pub mod social;
pub mod throttle;
pub mod username_reset;
pub mod verify_email;

use crate::core::codes::Code;
use crate::core::codes::Problems;
use crate::core::domain::{validate_password, PasswordContext};
use crate::core::entities::user::Model as User;
use secrecy::{ExposeSecret, SecretString};

/// The credential a request came with: kept alive when "all other" sessions
/// and tokens are revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A browser session (the stored hash of its id).
    Session(String),
    /// An opaque API token (its row id).
    Token(i32),
    /// A JWT refresh family.
    Jwt(String),
    None,
}

/// Django's `SetPasswordForm` rules: the two must match and pass the
/// validators; errors go on `second_field`.
pub(crate) fn check_new_password(
    first: &SecretString,
    second: &SecretString,
    second_field: &str,
    user: &User,
) -> Result<(), Problems> {
    let mut errors = Problems::new();
    if first.expose_secret() != second.expose_secret() {
        errors.add(second_field, Code::PasswordMismatch);
        return Err(errors);
    }
    let ctx = PasswordContext {
        username: Some(&user.username),
        email: Some(&user.email),
        first_name: Some(&user.first_name),
        last_name: Some(&user.last_name),
    };
    for m in validate_password(second.expose_secret(), &ctx) {
        errors.add(second_field, m);
    }
    errors.into_result()
}

/// Longest password dj-rest-auth's change and reset serializers take.
pub(crate) const PASSWORD_FIELD_MAX: usize = 128;

/// Blank checks for password fields (blank once cleaned, as DRF sees them).
pub(crate) fn require_secret(errors: &mut Problems, field: &str, value: &SecretString) {
    let value = crate::core::domain::clean_password(value);
    if value.expose_secret().is_empty() {
        errors.add(field, Code::Blank);
    }
}

/// A password field of the change and reset forms: not blank, at most
/// [`PASSWORD_FIELD_MAX`] characters (`CharField(max_length=128)`).
pub(crate) fn require_bounded_secret(errors: &mut Problems, field: &str, value: &SecretString) {
    require_secret(errors, field, value);
    let value = crate::core::domain::clean_password(value);
    if value.expose_secret().chars().count() > PASSWORD_FIELD_MAX {
        errors.add(field, Code::TooLong(PASSWORD_FIELD_MAX));
    }
}

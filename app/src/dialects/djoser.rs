//! The djoser 2.3 dialect: djoser's field names and words for the engine's
//! codes. Where djoser says nothing of its own, DRF and Django word it, as
//! in dj-rest-auth's table.

use super::dj_rest_auth;
use crate::core::codes::{Code, Problems};
use crate::shared::errors::{FieldErrors, NON_FIELD};

pub const INVALID_CREDENTIALS: &str = "Unable to log in with provided credentials.";
pub const INVALID_PASSWORD: &str = "Invalid password.";
pub const INVALID_UID: &str = "Invalid user id or user doesn't exist.";
pub const INVALID_TOKEN: &str = "Invalid token for given user.";
pub const PASSWORD_MISMATCH: &str = "The two password fields didn't match.";
/// simplejwt's `TokenObtainSerializer` answer (401).
pub const NO_ACTIVE_ACCOUNT: &str = "No active account found with the given credentials";
/// A door without a second step refuses accounts that need one (see the
/// contracts' README): the password checked out, the sign-in is elsewhere.
pub const SECOND_FACTOR_ELSEWHERE: &str =
    "Two-factor authentication is required for this account: sign in at /api/auth/login/ and complete /api/auth/mfa/verify/.";
/// Latchkey confirms a new address before it replaces the old one.
pub const EMAIL_CHANGE_ELSEWHERE: &str =
    "The email address changes through /api/auth/email/change/, which confirms the new address first.";
pub const EMAIL_TAKEN: &str = "user with this email address already exists.";

/// The field djoser reports `code` on, for the engine's `field`.
fn field_name<'a>(field: &'a str, code: &Code) -> &'a str {
    use Code::*;
    match (field, code) {
        // sign-in failures are form-wide, whatever the engine pinned them to
        (_, InvalidCredentials | EmailNotVerified | AccountDisabled | MustInclude(_)) => NON_FIELD,
        // sign-up: `password` / `re_password`; djoser runs every validator on `password`
        ("password1", _) | (NON_FIELD, PasswordTooSimilar(_)) => "password",
        ("password2", _) => "re_password",
        // change and reset: `current_password`, `new_password`, `re_new_password`
        ("old_password", _) | (_, PasswordWrong) => "current_password",
        ("new_password2", PasswordMismatch) => NON_FIELD,
        ("new_password1", _)
        | ("new_password2", PasswordTooShort(_) | PasswordTooCommon | PasswordNumeric | PasswordTooSimilar(_)) => {
            "new_password"
        }
        ("new_password2", _) => "re_new_password",
        _ => field,
    }
}

/// The words for `code`.
pub fn words(field: &str, code: &Code) -> String {
    use Code::*;
    match code {
        InvalidCredentials | EmailNotVerified | AccountDisabled | MustInclude(_) => INVALID_CREDENTIALS.to_owned(),
        OldPasswordWrong | PasswordWrong => INVALID_PASSWORD.to_owned(),
        InvalidUid => INVALID_UID.to_owned(),
        InvalidValue if field == "uid" => INVALID_UID.to_owned(),
        InvalidToken => INVALID_TOKEN.to_owned(),
        InvalidValue if field == "token" => INVALID_TOKEN.to_owned(),
        SecondFactorElsewhere => SECOND_FACTOR_ELSEWHERE.to_owned(),
        EmailChangeElsewhere => EMAIL_CHANGE_ELSEWHERE.to_owned(),
        PasswordMismatch => PASSWORD_MISMATCH.to_owned(),
        UsernameMismatch => "The two username fields didn't match.".to_owned(),
        EmailRegistered | EmailTaken => EMAIL_TAKEN.to_owned(),
        other => dj_rest_auth::words(field, other),
    }
}

/// Problems as djoser answers them: `{"field": ["message", ...]}`.
pub fn render(problems: &Problems) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, codes) in &problems.0 {
        for code in codes {
            let message = words(field, code);
            let name = field_name(field, code);
            // one form-wide sign-in failure, however many the engine found
            if !out.get(name).contains(&message) {
                out.add(name, message);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_fields_become_djosers() {
        let mut p = Problems::new();
        p.add("password1", Code::PasswordTooCommon);
        p.add(NON_FIELD, Code::PasswordMismatch);
        p.add("old_password", Code::OldPasswordWrong);
        p.add("new_password2", Code::PasswordNumeric);
        let r = render(&p);
        assert_eq!(r.get("password"), ["This password is too common."]);
        assert_eq!(r.get(NON_FIELD), [PASSWORD_MISMATCH]);
        assert_eq!(r.get("current_password"), [INVALID_PASSWORD]);
        assert_eq!(r.get("new_password"), ["This password is entirely numeric."]);
    }
}

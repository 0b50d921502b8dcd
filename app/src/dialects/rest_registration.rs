//! The django-rest-registration 0.9 dialect: its field names and words for
//! the engine's codes. The package answers its own refusals as
//! `{"detail": "..."}`; field problems are DRF's `{"field": [...]}`, worded
//! by DRF and Django as in dj-rest-auth's table.

use super::dj_rest_auth;
use crate::core::codes::{Code, Problems};
use crate::shared::errors::{FieldErrors, NON_FIELD};

pub const LOGIN_INVALID: &str = "Login or password invalid.";
pub const OLD_PASSWORD_WRONG: &str = "Old password is not correct";
pub const PASSWORDS_DIFFER: &str = "Passwords don't match";
pub const SIGNATURE_INVALID: &str = "Invalid signature";
pub const SIGNATURE_EXPIRED: &str = "Signature expired";
pub const EMAIL_REGISTERED: &str = "This email is already registered.";
pub const TOKEN_NOT_FOUND: &str = "Authentication token not found";
/// A door without a second step refuses accounts that need one.
pub const SECOND_FACTOR_ELSEWHERE: &str =
    "Two-factor authentication is required for this account: sign in at /api/auth/login/ and complete /api/auth/mfa/verify/.";

pub const VERIFIED: &str = "User verified successfully";
/// The package's answer when it is set not to tell whether a user exists.
pub const RESET_LINK_SENT: &str = "Reset link sent if the user exists in database";
pub const RESET_DONE: &str = "Reset password successful";
pub const LOGIN_OK: &str = "Login successful";
pub const LOGOUT_OK: &str = "Logout successful";
pub const PASSWORD_CHANGED: &str = "Password changed successfully";
pub const EMAIL_LINK_SENT: &str = "Register email link email sent";
pub const EMAIL_VERIFIED: &str = "Email verified successfully";

/// The package's own refusals, answered `{"detail": "..."}` (400).
pub fn detail(code: &Code) -> Option<&'static str> {
    use Code::*;
    Some(match code {
        InvalidCredentials | EmailNotVerified | AccountDisabled | MustInclude(_) => LOGIN_INVALID,
        SignatureInvalid | InvalidToken | InvalidUid => SIGNATURE_INVALID,
        SignatureExpired => SIGNATURE_EXPIRED,
        EmailRegistered | EmailTaken => EMAIL_REGISTERED,
        TokenNotFound => TOKEN_NOT_FOUND,
        SecondFactorElsewhere => SECOND_FACTOR_ELSEWHERE,
        _ => return None,
    })
}

/// The field the package reports `code` on, for the engine's `field`.
fn field_name<'a>(field: &'a str, code: &Code) -> &'a str {
    use Code::*;
    match (field, code) {
        // sign-up and reset: `password` / `password_confirm`; change:
        // `old_password`, `password`, `password_confirm`
        (_, PasswordMismatch) => "password_confirm",
        (NON_FIELD, PasswordTooSimilar(_)) => "password",
        ("password1" | "new_password1", _) => "password",
        (
            "password2" | "new_password2",
            PasswordTooShort(_) | PasswordTooCommon | PasswordNumeric | PasswordTooSimilar(_),
        ) => "password",
        ("password2" | "new_password2", _) => "password_confirm",
        ("new_email", _) => "email",
        _ => field,
    }
}

/// The words for `code`.
pub fn words(field: &str, code: &Code) -> String {
    use Code::*;
    match code {
        OldPasswordWrong => OLD_PASSWORD_WRONG.to_owned(),
        PasswordMismatch => PASSWORDS_DIFFER.to_owned(),
        EmailRegistered | EmailTaken => EMAIL_REGISTERED.to_owned(),
        other => dj_rest_auth::words(field, other),
    }
}

/// Password validators: the package runs them after every field is valid,
/// and answers them with an empty `non_field_errors` beside.
fn from_validators(code: &Code) -> bool {
    use Code::*;
    matches!(code, PasswordTooShort(_) | PasswordTooCommon | PasswordNumeric | PasswordTooSimilar(_) | PasswordMismatch)
}

/// Problems as the package answers them: `{"detail": "..."}` for one of its
/// own refusals, else `{"field": ["message", ...]}`. `validators`: the
/// endpoint runs password validators as the package's `register/` and
/// `reset-password/` do (only once the fields are valid, with an empty
/// `non_field_errors`).
pub fn render(problems: &Problems, validators: bool) -> Result<FieldErrors, &'static str> {
    use Code::*;
    let all = || problems.0.values().flatten();
    // a bad link or login is the whole answer; a taken address is, unless
    // another field is wrong too (then it is told beside the others)
    let taken = |c: &Code| matches!(c, EmailRegistered | EmailTaken);
    if let Some(d) = all().filter(|c| !taken(c)).find_map(detail) {
        return Err(d);
    }
    if all().any(taken) && all().all(|c| taken(c) || from_validators(c)) {
        return Err(EMAIL_REGISTERED);
    }
    let fields_ok = !all().any(|c| !from_validators(c));
    let mut out = FieldErrors::new();
    for (field, codes) in &problems.0 {
        for code in codes {
            if validators && !fields_ok && from_validators(code) {
                continue;
            }
            let message = words(field, code);
            let name = field_name(field, code);
            if !out.get(name).contains(&message) {
                out.add(name, message);
            }
        }
    }
    if validators && fields_ok {
        out.0.entry(NON_FIELD.to_owned()).or_default();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_wait_for_valid_fields_and_bring_an_empty_list() {
        let mut p = Problems::new();
        p.add("password1", Code::PasswordTooShort(8));
        p.add("username", Code::UsernameTaken);
        let r = render(&p, true).ok();
        assert_eq!(r.as_ref().map(|r| r.get("username").len()), Some(1));
        assert_eq!(r.as_ref().map(|r| r.has("password") || r.has(NON_FIELD)), Some(false));
        let mut p = Problems::new();
        p.add("new_password1", Code::PasswordTooCommon);
        p.add(NON_FIELD, Code::PasswordMismatch);
        let r = render(&p, true).unwrap_or_default();
        assert_eq!(r.get("password"), ["This password is too common."]);
        assert_eq!(r.get("password_confirm"), [PASSWORDS_DIFFER]);
        assert!(r.has(NON_FIELD) && r.get(NON_FIELD).is_empty());
    }

    #[test]
    fn a_taken_address_is_told_beside_other_field_errors() {
        let mut p = Problems::new();
        p.add("email", Code::EmailTaken);
        p.add("password1", Code::PasswordTooShort(8));
        assert_eq!(render(&p, true), Err(EMAIL_REGISTERED));
        p.add("username", Code::UsernameTaken);
        let r = render(&p, true).unwrap_or_default();
        assert_eq!(r.get("email"), [EMAIL_REGISTERED]);
        assert_eq!(r.get("username").len(), 1);
        assert!(!r.has("password"), "validators wait for valid fields");
    }

    #[test]
    fn the_packages_refusals_are_details() {
        let p = Problems::non_field(Code::InvalidCredentials);
        assert_eq!(render(&p, false), Err(LOGIN_INVALID));
        let p = Problems::single("old_password", Code::OldPasswordWrong);
        assert_eq!(render(&p, false).unwrap_or_default().get("old_password"), [OLD_PASSWORD_WRONG]);
    }
}

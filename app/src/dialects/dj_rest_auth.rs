//! The dj-rest-auth dialect's words: every engine [`Code`] as dj-rest-auth
//! 7.2 (with allauth, DRF and simplejwt) words it, so clients that match on
//! text keep working. The pages speak this dialect too.

use crate::core::codes::{Code, Problems};
use crate::shared::errors::FieldErrors;

/// The words for `code` on `field`.
pub fn words(field: &str, code: &Code) -> String {
    use Code::*;
    let text = match code {
        Required => REQUIRED,
        Blank => BLANK,
        Null => "This field may not be null.",
        NotAString => NOT_A_STRING,
        NullCharacters => NULL_CHAR,
        NotAnObject(kind) => return format!("Invalid data. Expected a dictionary, but got {kind}."),
        NoData => "No data provided",
        TooLong(max) => return too_long(*max),
        InvalidValue | InvalidUid | InvalidToken | SignatureInvalid | SignatureExpired => INVALID_VALUE,
        TokenNotFound => "Authentication token not found",
        NotAnInteger => "A valid integer is required.",
        NotABoolean => "Must be a valid boolean.",
        InvalidChoice => "Select a valid choice.",
        InvalidDate => "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        InvalidUrl => "Enter a valid URL.",
        InvalidPhone => "Enter a valid phone number.",
        BelowMinimum(min) => return format!("Ensure this value is greater than or equal to {min}."),
        AboveMaximum(max) => return format!("Ensure this value is less than or equal to {max}."),
        InvalidEmail => INVALID_EMAIL,
        InvalidUsername => INVALID_USERNAME,
        UsernameMixedScripts => USERNAME_MIXED_SCRIPTS,
        UsernameOthersEmail => USERNAME_OTHERS_EMAIL,
        UsernameTaken => USERNAME_TAKEN,
        UsernameMismatch => "The two username fields didn't match.",
        EmailTaken => EMAIL_TAKEN,
        EmailRegistered => EMAIL_REGISTERED,
        SameEmail => SAME_EMAIL,
        EmailChangeElsewhere => "Change the address with email/change/: the new one is confirmed first.",
        SecondFactorElsewhere => "Two-factor authentication is required for this account.",
        // sign-up's form-wide message has a straight apostrophe, Django's
        // SetPasswordForm (change, reset) a curly one
        PasswordMismatch if field == crate::shared::errors::NON_FIELD => PASSWORDS_DIFFER_SIGNUP,
        PasswordMismatch => PASSWORDS_DIFFER,
        PasswordTooShort(min) => {
            return format!("This password is too short. It must contain at least {min} characters.")
        }
        PasswordTooCommon => PASSWORD_TOO_COMMON,
        PasswordNumeric => PASSWORD_NUMERIC,
        PasswordTooSimilar(name) => return format!("The password is too similar to the {name}."),
        InvalidCredentials => BAD_CREDENTIALS,
        MustInclude(method) => must_include(*method),
        EmailNotVerified => EMAIL_NOT_VERIFIED,
        AccountDisabled => ACCOUNT_DISABLED,
        OldPasswordWrong => OLD_PASSWORD_WRONG,
        PasswordWrong => PASSWORD_WRONG,
        InvalidImage => INVALID_IMAGE,
        ImageTooLarge(max) => return image_too_large(*max),
        SocialNoEmail => SOCIAL_NO_EMAIL,
        SocialOtherUser => SOCIAL_OTHER_USER,
        SocialUnreachable => SOCIAL_UNREACHABLE,
        SocialCodeRefused => SOCIAL_CODE_REFUSED,
        SocialTokenRefused => SOCIAL_TOKEN_REFUSED,
        SocialBadAnswer => SOCIAL_BAD_ANSWER,
        SocialInputMissing => "Incorrect input. access_token or code is required.",
        NoPasswordLeft => NO_PASSWORD_LEFT,
        MfaTokenInvalid => MFA_TOKEN_INVALID,
        MfaCodeInvalid => MFA_CODE_INVALID,
        MfaActivationInvalid => MFA_ACTIVATION_INVALID,
        MfaActivationOtherUser => MFA_ACTIVATION_OTHER_USER,
        MfaActivationCodeInvalid => MFA_ACTIVATION_CODE_INVALID,
        MfaAlreadyEnabled => MFA_ALREADY_ENABLED,
        MfaNotEnabled => MFA_NOT_ENABLED,
        SignInExpired => MFA_SIGN_IN_EXPIRED,
        PatternMismatch => "This value does not match the required pattern.",
        PasskeysOff => PASSKEYS_OFF,
        PasskeyRegistrationExpired => "Registration challenge has expired. Please start over.",
        PasskeyRegistrationFailed => "Registration verification failed.",
        PasskeyAlreadyRegistered => "This credential is already registered.",
        PasskeyChallengeExpired => PASSKEY_CHALLENGE_EXPIRED,
        PasskeyCredentialFormat => "Invalid credential format.",
        PasskeyNotFound => "Credential not found.",
        PasskeyVerificationFailed => PASSKEY_VERIFICATION_FAILED,
        PermissionDenied => PERMISSION_DENIED,
        RecentSignInRequired => RECENT_SIGN_IN_REQUIRED,
        OwnAccount => "Staff cannot deactivate, delete or remove staff status from their own account here.",
        UnknownChoice => "Select a valid choice.",
        AlreadyVerified => "This email address is verified already.",
        NoAddress => "This account has no email address.",
    };
    text.to_owned()
}

/// Problems as dj-rest-auth's `{"field": ["message", ...]}`.
pub fn render(problems: &Problems) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, codes) in &problems.0 {
        for code in codes {
            out.add(field, words(field, code));
        }
    }
    out
}

pub const REQUIRED: &str = "This field is required.";
pub const BLANK: &str = "This field may not be blank.";
pub const NOT_A_STRING: &str = "Not a valid string.";
pub const NULL_CHAR: &str = "Null characters are not allowed.";
pub const INVALID_EMAIL: &str = "Enter a valid email address.";
pub const INVALID_USERNAME: &str =
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";
pub const USERNAME_TAKEN: &str = "A user with that username already exists.";
/// Email change (allauth's form).
pub const EMAIL_TAKEN: &str = "A user is already registered with this e-mail address.";
/// Sign-up and social sign-up (dj-rest-auth's `RegisterSerializer`).
pub const EMAIL_REGISTERED: &str = "User is already registered with this e-mail address.";
pub const PASSWORDS_DIFFER_SIGNUP: &str = "The two password fields didn't match.";
pub const PASSWORDS_DIFFER: &str = "The two password fields didn’t match.";
pub const PASSWORD_TOO_SHORT: &str = "This password is too short. It must contain at least 8 characters.";
pub const PASSWORD_TOO_COMMON: &str = "This password is too common.";
pub const PASSWORD_NUMERIC: &str = "This password is entirely numeric.";
pub const BAD_CREDENTIALS: &str = "Unable to log in with provided credentials.";
pub const EMAIL_NOT_VERIFIED: &str = "E-mail is not verified.";
pub const OLD_PASSWORD_WRONG: &str = "Your old password was entered incorrectly. Please enter it again.";
pub const INVALID_VALUE: &str = "Invalid value";

pub const VERIFICATION_SENT: &str = "Verification e-mail sent.";
pub const OK: &str = "ok";
pub const LOGGED_OUT: &str = "Successfully logged out.";
pub const PASSWORD_SAVED: &str = "New password has been saved.";
pub const RESET_SENT: &str = "Password reset e-mail has been sent.";
pub const RESET_DONE: &str = "Password has been reset with the new password.";

/// "Ensure this field has no more than N characters."
pub fn too_long(max: usize) -> String {
    format!("Ensure this field has no more than {max} characters.")
}

/// The login-form message naming the fields the configured login method needs.
pub fn must_include(method: crate::core::config::LoginMethod) -> &'static str {
    use crate::core::config::LoginMethod::*;
    match method {
        Username => "Must include \"username\" and \"password\".",
        Email => "Must include \"email\" and \"password\".",
        UsernameEmail => "Must include either \"username\" or \"email\" and \"password\".",
    }
}

pub const INVALID_IMAGE: &str =
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";
pub const SAME_EMAIL: &str = "This is already your e-mail address.";
pub const PASSWORD_WRONG: &str = "Your password was entered incorrectly. Please enter it again.";
pub const EMAIL_CHANGE_SENT: &str = "Confirmation e-mail sent to the new address.";

/// "The file is too large (max N MB)."
pub fn image_too_large(max_bytes: usize) -> String {
    format!("The file is too large (max {} MB).", max_bytes / (1024 * 1024))
}

pub const SOCIAL_NO_EMAIL: &str = "The provider did not share an e-mail address.";
pub const SOCIAL_OTHER_USER: &str = "The third-party account is already connected to a different account.";
pub const SOCIAL_UNREACHABLE: &str = "The provider could not be reached. Please try again later.";
pub const SOCIAL_CODE_REFUSED: &str = "Failed to exchange code for access token";
pub const SOCIAL_TOKEN_REFUSED: &str = "Incorrect value";
pub const SOCIAL_BAD_ANSWER: &str = "The provider's answer could not be verified.";
pub const NO_PASSWORD_LEFT: &str = "Your account has no password set up.";
pub const ACCOUNT_DISABLED: &str = "User account is disabled.";

/// DRF's throttling message.
pub fn throttled(seconds: i64) -> String {
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!("Request was throttled. Expected available in {seconds} {unit}.")
}

pub const USERNAME_MIXED_SCRIPTS: &str =
    "Enter a valid username. Letters from different alphabets cannot be mixed in one username.";
pub const USERNAME_OTHERS_EMAIL: &str = "A username that is an e-mail address must be your own e-mail address.";

// Two-factor authentication, worded as dj-rest-auth 7.2's `mfa` app.
pub const MFA_TOKEN_INVALID: &str = "Invalid or expired token.";
pub const MFA_CODE_INVALID: &str = "Invalid code.";
pub const MFA_ACTIVATION_INVALID: &str = "Invalid or expired activation token.";
pub const MFA_ACTIVATION_OTHER_USER: &str = "Invalid activation token for this user.";
pub const MFA_ACTIVATION_CODE_INVALID: &str = "Invalid code. Please check your authenticator app and try again.";
pub const MFA_ALREADY_ENABLED: &str = "MFA is already enabled. Deactivate it before activating again.";
pub const MFA_NOT_ENABLED: &str = "MFA is not enabled.";
pub const MFA_DEACTIVATED: &str = "TOTP has been deactivated.";
/// Pages: the second step of a sign-in found nothing to complete.
pub const MFA_SIGN_IN_EXPIRED: &str = "This sign-in has expired or was already used. Please log in again.";

// Passkeys, worded as dj-rest-auth's `passkeys` app (master).
pub const PASSKEYS_OFF: &str =
    "Passkey RP settings (PASSKEY_RP_ID, PASSKEY_RP_NAME, PASSKEY_RP_ORIGINS) must be configured.";
pub const PASSKEY_CHALLENGE_EXPIRED: &str = "Authentication challenge has expired. Please start over.";
pub const PASSKEY_VERIFICATION_FAILED: &str = "Authentication verification failed.";

/// DRF's 403 for a signed-in caller without the right.
pub const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";
/// An admin action needs a password or second factor entered in the last minutes.
pub const RECENT_SIGN_IN_REQUIRED: &str =
    "Confirm it is you: re-enter your password (and a two-factor code, if it is on) first.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::errors::NON_FIELD;

    #[test]
    fn codes_render_in_dj_rest_auths_words() {
        let mut p = Problems::new();
        p.add("username", Code::TooLong(150));
        p.add(NON_FIELD, Code::PasswordMismatch);
        p.add("new_password2", Code::PasswordMismatch);
        p.add("password1", Code::PasswordTooShort(8));
        let r = render(&p);
        assert_eq!(r.get("username"), ["Ensure this field has no more than 150 characters."]);
        // sign-up's form-wide mismatch is DRF's straight apostrophe, Django's form the curly one
        assert_eq!(r.get(NON_FIELD), [PASSWORDS_DIFFER_SIGNUP]);
        assert_eq!(r.get("new_password2"), [PASSWORDS_DIFFER]);
        assert_eq!(r.get("password1"), [PASSWORD_TOO_SHORT]);
        assert_eq!(throttled(1), "Request was throttled. Expected available in 1 second.");
    }
}

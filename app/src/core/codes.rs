//! What went wrong, without words. The engine reports a [`Code`] (with its
//! parameters) per field; each door renders codes in its own dialect, one
//! table per dialect (`crate::dialects`). A rule never carries its wording.

use crate::core::config::LoginMethod;
use crate::shared::errors::FieldErrors;

/// Problems per field (`non_field_errors` for the form as a whole), as codes.
pub type Problems = FieldErrors<Code>;

/// Every reason the engine refuses input. [`Code::id`] is stable: clients
/// and dialect tables may rely on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    // the shape of a value
    Required,
    Blank,
    Null,
    NotAString,
    NullCharacters,
    /// The body, or a nested field, is not an object (the JSON type's Python name).
    NotAnObject(&'static str),
    NoData,
    TooLong(usize),
    InvalidValue,
    /// A link's `uid` names nobody.
    InvalidUid,
    /// A link's token is unknown, used, expired or someone else's.
    InvalidToken,
    /// A signed link (`user_id`, `timestamp`, `signature`) whose parts do
    /// not belong together, or that was used already.
    SignatureInvalid,
    /// A genuine signed link past its period.
    SignatureExpired,
    /// Asked to revoke API tokens, the account had none.
    TokenNotFound,
    /// A valid integer was expected.
    NotAnInteger,
    /// A valid boolean was expected.
    NotABoolean,
    /// A profile value outside its field's choices.
    InvalidChoice,
    /// A date that is not `YYYY-MM-DD` on the calendar.
    InvalidDate,
    InvalidUrl,
    InvalidPhone,
    /// A number below the field's minimum.
    BelowMinimum(i64),
    /// A number above the field's maximum.
    AboveMaximum(i64),
    // identities
    InvalidEmail,
    InvalidUsername,
    UsernameMixedScripts,
    UsernameOthersEmail,
    UsernameTaken,
    /// The two copies of a new username differ.
    UsernameMismatch,
    /// An email change to an address another account holds.
    EmailTaken,
    /// A sign-up (or a social sign-up) with an address an account holds.
    EmailRegistered,
    SameEmail,
    /// A door that cannot confirm a new address was asked to change it.
    EmailChangeElsewhere,
    // passwords
    PasswordMismatch,
    PasswordTooShort(usize),
    PasswordTooCommon,
    PasswordNumeric,
    /// Too similar to one of the user's attributes (its verbose name).
    PasswordTooSimilar(&'static str),
    // signing in
    InvalidCredentials,
    MustInclude(LoginMethod),
    EmailNotVerified,
    AccountDisabled,
    /// The password checked out, but the account signs in with a second
    /// factor, which this door has no step for.
    SecondFactorElsewhere,
    /// The current password, asked for a change of password, is wrong.
    OldPasswordWrong,
    /// The current password, asked for anything else, is wrong.
    PasswordWrong,
    // uploads
    InvalidImage,
    ImageTooLarge(usize),
    // social accounts
    SocialNoEmail,
    SocialOtherUser,
    SocialUnreachable,
    SocialCodeRefused,
    SocialTokenRefused,
    SocialBadAnswer,
    /// Neither `access_token` nor `code` was given.
    SocialInputMissing,
    NoPasswordLeft,
    // two-factor
    MfaTokenInvalid,
    MfaCodeInvalid,
    MfaActivationInvalid,
    MfaActivationOtherUser,
    MfaActivationCodeInvalid,
    MfaAlreadyEnabled,
    MfaNotEnabled,
    /// Pages: the second step of a sign-in found nothing to complete.
    SignInExpired,
    // passkeys
    /// A value does not match the field's pattern (`session_id`).
    PatternMismatch,
    /// No relying party is configured (passkeys are off).
    PasskeysOff,
    PasskeyRegistrationExpired,
    PasskeyRegistrationFailed,
    PasskeyAlreadyRegistered,
    PasskeyChallengeExpired,
    PasskeyCredentialFormat,
    PasskeyNotFound,
    PasskeyVerificationFailed,
    // staff
    /// The caller is signed in but may not do this (DRF's 403).
    PermissionDenied,
    /// An admin action with no password or second factor re-entered lately.
    RecentSignInRequired,
    /// A staff member tried to deactivate, delete or un-staff themselves.
    OwnAccount,
    /// A filter or ordering the list does not know.
    UnknownChoice,
    /// A verification email for an address that is verified already.
    AlreadyVerified,
    /// An email for an account that has no address.
    NoAddress,
}

impl Code {
    /// The stable identifier (`password_too_common`, ...).
    pub fn id(&self) -> &'static str {
        use Code::*;
        match self {
            Required => "required",
            Blank => "blank",
            Null => "null",
            NotAString => "not_a_string",
            NullCharacters => "null_characters",
            NotAnObject(_) => "not_an_object",
            NoData => "no_data",
            TooLong(_) => "too_long",
            InvalidValue => "invalid_value",
            InvalidUid => "invalid_uid",
            InvalidToken => "invalid_token",
            SignatureInvalid => "signature_invalid",
            SignatureExpired => "signature_expired",
            TokenNotFound => "token_not_found",
            NotAnInteger => "not_an_integer",
            NotABoolean => "not_a_boolean",
            InvalidChoice => "invalid_choice",
            InvalidDate => "invalid_date",
            InvalidUrl => "invalid_url",
            InvalidPhone => "invalid_phone",
            BelowMinimum(_) => "below_minimum",
            AboveMaximum(_) => "above_maximum",
            InvalidEmail => "invalid_email",
            InvalidUsername => "invalid_username",
            UsernameMixedScripts => "username_mixed_scripts",
            UsernameOthersEmail => "username_others_email",
            UsernameTaken => "username_taken",
            UsernameMismatch => "username_mismatch",
            EmailTaken => "email_taken",
            EmailRegistered => "email_registered",
            SameEmail => "same_email",
            EmailChangeElsewhere => "email_change_elsewhere",
            PasswordMismatch => "password_mismatch",
            PasswordTooShort(_) => "password_too_short",
            PasswordTooCommon => "password_too_common",
            PasswordNumeric => "password_entirely_numeric",
            PasswordTooSimilar(_) => "password_too_similar",
            InvalidCredentials => "invalid_credentials",
            MustInclude(_) => "credentials_missing",
            EmailNotVerified => "email_not_verified",
            AccountDisabled => "account_disabled",
            SecondFactorElsewhere => "second_factor_elsewhere",
            OldPasswordWrong => "old_password_wrong",
            PasswordWrong => "password_wrong",
            InvalidImage => "invalid_image",
            ImageTooLarge(_) => "image_too_large",
            SocialNoEmail => "social_no_email",
            SocialOtherUser => "social_other_user",
            SocialUnreachable => "social_unreachable",
            SocialCodeRefused => "social_code_refused",
            SocialTokenRefused => "social_token_refused",
            SocialBadAnswer => "social_bad_answer",
            SocialInputMissing => "social_input_missing",
            NoPasswordLeft => "no_password_left",
            MfaTokenInvalid => "mfa_token_invalid",
            MfaCodeInvalid => "mfa_code_invalid",
            MfaActivationInvalid => "mfa_activation_invalid",
            MfaActivationOtherUser => "mfa_activation_other_user",
            MfaActivationCodeInvalid => "mfa_activation_code_invalid",
            MfaAlreadyEnabled => "mfa_already_enabled",
            MfaNotEnabled => "mfa_not_enabled",
            SignInExpired => "sign_in_expired",
            PatternMismatch => "pattern_mismatch",
            PasskeysOff => "passkeys_off",
            PasskeyRegistrationExpired => "passkey_registration_expired",
            PasskeyRegistrationFailed => "passkey_registration_failed",
            PasskeyAlreadyRegistered => "passkey_already_registered",
            PasskeyChallengeExpired => "passkey_challenge_expired",
            PasskeyCredentialFormat => "passkey_credential_format",
            PasskeyNotFound => "passkey_not_found",
            PasskeyVerificationFailed => "passkey_verification_failed",
            PermissionDenied => "permission_denied",
            RecentSignInRequired => "recent_sign_in_required",
            OwnAccount => "own_account",
            UnknownChoice => "unknown_choice",
            AlreadyVerified => "already_verified",
            NoAddress => "no_address",
        }
    }
}

//! Page paths, shared by the router, the emails and the end-to-end tests.

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
/// The second step of a sign-in (a code).
pub const LOGIN_VERIFY: &str = "/login/verify";
/// Turning two-factor authentication on.
pub const TWO_FACTOR: &str = "/profile/two-factor";
/// The unused recovery codes (and their `.txt` download beside it).
pub const RECOVERY_CODES: &str = "/profile/two-factor/codes";
pub const RECOVERY_CODES_TXT: &str = "/profile/two-factor/codes.txt";
pub const SIGNUP: &str = "/signup";
pub const VERIFY_EMAIL: &str = "/verify-email";
pub const PASSWORD_RESET: &str = "/password-reset";
pub const PROFILE: &str = "/profile";
pub const PASSWORD_CHANGE: &str = "/password-change";
pub const EMAIL_CHANGE: &str = "/email-change";
pub const SESSIONS: &str = "/sessions";
/// Staff: the account list, one account, the audit trail.
pub const ADMIN: &str = "/admin";
pub const ADMIN_AUDIT: &str = "/admin/audit";
/// The signed-in user's own security events.
pub const ACTIVITY: &str = "/security-activity";
/// Multipart avatar upload from the profile page (a plain form post).
pub const AVATAR_UPLOAD: &str = "/profile/avatar";
/// A picture for another image field of the profile: `/profile/images/<field>`.
pub const IMAGE_UPLOAD: &str = "/profile/images/{field}";
/// The public profile directory (when on).
pub const PEOPLE: &str = "/people";

/// Where an image field's picture is uploaded from the profile page.
pub fn image_upload(field: &str) -> String {
    if field == "avatar" {
        AVATAR_UPLOAD.to_owned()
    } else {
        IMAGE_UPLOAD.replace("{field}", field)
    }
}

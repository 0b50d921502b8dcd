//! Page paths, shared by the router, the emails and the end-to-end tests.

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const SIGNUP: &str = "/signup";
pub const VERIFY_EMAIL: &str = "/verify-email";
pub const PASSWORD_RESET: &str = "/password-reset";
pub const PROFILE: &str = "/profile";
pub const PASSWORD_CHANGE: &str = "/password-change";
pub const EMAIL_CHANGE: &str = "/email-change";
pub const SESSIONS: &str = "/sessions";
/// Multipart avatar upload from the profile page (a plain form post).
pub const AVATAR_UPLOAD: &str = "/profile/avatar";

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

/// Whether `next` is a path on this site (no open redirects).
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/profile?x=1"), Some("/profile?x=1"));
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "profile", "", "/x?u=http://e"] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}

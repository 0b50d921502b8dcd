//! What the engine needs to know about the deployment (parsed by the server's
//! settings from env and file).

use secrecy::SecretString;
use std::str::FromStr;

/// Whether an email must be verified before the account can log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationMode {
    Mandatory,
    Optional,
    None,
}

/// Which identifier a user logs in with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    Username,
    Email,
    UsernameEmail,
}

/// What `login/` and `registration/` hand back to API clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    Token,
    Jwt,
}

fn unknown(what: &str, value: &str, allowed: &str) -> String {
    format!("unknown {what} {value:?}; expected one of {allowed}")
}

impl FromStr for VerificationMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mandatory" => Ok(Self::Mandatory),
            "optional" => Ok(Self::Optional),
            "none" => Ok(Self::None),
            other => Err(unknown("email verification mode", other, "mandatory|optional|none")),
        }
    }
}

impl FromStr for LoginMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "username" => Ok(Self::Username),
            "email" => Ok(Self::Email),
            "username_email" => Ok(Self::UsernameEmail),
            other => Err(unknown("login method", other, "username|email|username_email")),
        }
    }
}

impl FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "token" => Ok(Self::Token),
            "jwt" => Ok(Self::Jwt),
            other => Err(unknown("auth mode", other, "token|jwt")),
        }
    }
}

/// Everything the flows read from configuration.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub verification: VerificationMode,
    pub login_method: LoginMethod,
    pub auth_mode: AuthMode,
    /// Base URL for links in emails, without a trailing slash.
    pub public_url: String,
    /// Link in the verification email; `{public_url}` and `{key}` are replaced.
    pub verify_url_template: String,
    /// Link in the reset email; `{public_url}`, `{uid}` and `{token}` are replaced.
    pub reset_url_template: String,
    /// Keys the HMAC of stored token hashes and signs JWTs.
    pub secret_key: SecretString,
    pub email_from: String,
    pub verification_ttl_secs: i64,
    pub reset_ttl_secs: i64,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    pub session_ttl_secs: i64,
    /// `password/change/` asks for the old password (dj-rest-auth's OLD_PASSWORD_FIELD_ENABLED).
    pub old_password_required: bool,
    /// Where uploaded files (avatars) are stored; served at `/media/`.
    pub media_dir: std::path::PathBuf,
    pub avatar_max_bytes: usize,
    /// Social login providers.
    pub providers: Vec<crate::core::oauth::ProviderConfig>,
}

impl EngineConfig {
    /// Sensible defaults for a local install; the server's settings override them.
    pub fn local(public_url: &str, secret_key: &str) -> Self {
        Self {
            verification: VerificationMode::Mandatory,
            login_method: LoginMethod::UsernameEmail,
            auth_mode: AuthMode::Token,
            public_url: public_url.trim_end_matches('/').to_owned(),
            verify_url_template: "{public_url}/verify-email/{key}".into(),
            reset_url_template: "{public_url}/password-reset/{uid}/{token}".into(),
            secret_key: SecretString::from(secret_key.to_owned()),
            email_from: "Latchkey <no-reply@latchkey.local>".into(),
            verification_ttl_secs: 3 * 24 * 3600,
            reset_ttl_secs: 24 * 3600,
            access_ttl_secs: 5 * 60,
            refresh_ttl_secs: 24 * 3600,
            session_ttl_secs: 14 * 24 * 3600,
            old_password_required: true,
            media_dir: "data/media".into(),
            avatar_max_bytes: 2 * 1024 * 1024,
            providers: Vec::new(),
        }
    }

    pub fn verify_url(&self, key: &str) -> String {
        self.verify_url_template.replace("{public_url}", &self.public_url).replace("{key}", key)
    }

    pub fn change_email_url(&self, key: &str) -> String {
        format!("{}/email-change/{key}", self.public_url)
    }

    /// Where a provider sends the browser back to.
    pub fn social_callback_url(&self, provider: &str) -> String {
        format!("{}/accounts/{provider}/login/callback/", self.public_url)
    }

    pub fn reset_url(&self, uid: &str, token: &str) -> String {
        self.reset_url_template
            .replace("{public_url}", &self.public_url)
            .replace("{uid}", uid)
            .replace("{token}", token)
    }
}

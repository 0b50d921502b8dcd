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

/// Who may read the public profile directory (`LATCHKEY_PROFILE_DIRECTORY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directory {
    Off,
    /// Signed-in users only.
    Members,
    /// Anyone.
    Public,
}

impl FromStr for Directory {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "members" => Ok(Self::Members),
            "public" => Ok(Self::Public),
            other => Err(unknown("profile directory", other, "off|members|public")),
        }
    }
}

/// Whether accounts have a username (allauth's `ACCOUNT_USERNAME_REQUIRED`
/// and `ACCOUNT_USER_MODEL_USERNAME_FIELD = None`): `LATCHKEY_USERNAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsernameMode {
    /// Sign-up asks for one (the default).
    Required,
    /// Sign-up may leave it out: one is made from the email address.
    Optional,
    /// Email-only accounts: no door asks for or shows a username; a hidden
    /// one is made from the email address.
    None,
}

impl FromStr for UsernameMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "required" => Ok(Self::Required),
            "optional" => Ok(Self::Optional),
            "none" => Ok(Self::None),
            other => Err(unknown("username mode", other, "required|optional|none")),
        }
    }
}

/// At most `count` events per `window_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub count: i64,
    pub window_secs: i64,
}

impl FromStr for Limit {
    type Err = String;
    /// `"10/60"`: ten per minute; `"off"` disables the limit.
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim() == "off" {
            return Ok(Self { count: i64::MAX, window_secs: 1 });
        }
        let (count, window) = s.split_once('/').ok_or_else(|| format!("rate limit {s:?} must look like 10/60"))?;
        let count: i64 = count.trim().parse().map_err(|_| format!("bad count in {s:?}"))?;
        let window_secs: i64 = window.trim().parse().map_err(|_| format!("bad window in {s:?}"))?;
        if count < 1 || window_secs < 1 {
            return Err(format!("rate limit {s:?} must be positive"));
        }
        Ok(Self { count, window_secs })
    }
}

/// Request limits per client address and per account.
#[derive(Clone, Copy, Debug)]
pub struct RateLimits {
    pub login_per_ip: Limit,
    /// Failed logins of one account; a success clears it.
    pub login_failures_per_account: Limit,
    pub signup_per_ip: Limit,
    pub email_per_ip: Limit,
    /// Reset and verification emails to one address.
    pub email_per_account: Limit,
}

impl RateLimits {
    /// The longest window of any limit: older counters mean nothing.
    pub fn longest_window(&self) -> i64 {
        [
            self.login_per_ip,
            self.login_failures_per_account,
            self.signup_per_ip,
            self.email_per_ip,
            self.email_per_account,
        ]
        .iter()
        .map(|l| l.window_secs)
        .max()
        .unwrap_or(1)
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        let l = |count, window_secs| Limit { count, window_secs };
        Self {
            login_per_ip: l(30, 60),
            login_failures_per_account: l(10, 900),
            signup_per_ip: l(10, 3600),
            email_per_ip: l(10, 3600),
            email_per_account: l(5, 3600),
        }
    }
}

/// Proxies whose `X-Forwarded-For` is believed: addresses or CIDR blocks.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<(std::net::IpAddr, u8)>);

impl FromStr for TrustedProxies {
    type Err = String;
    /// `"127.0.0.1, 10.0.0.0/8, ::1"`.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut list = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (addr, bits) = item.split_once('/').unwrap_or((item, ""));
            let ip: std::net::IpAddr = addr.parse().map_err(|_| format!("bad proxy address {item:?}"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits =
                if bits.is_empty() { max } else { bits.parse().map_err(|_| format!("bad prefix in {item:?}"))? };
            if bits > max {
                return Err(format!("bad prefix in {item:?}"));
            }
            list.push((ip, bits));
        }
        Ok(Self(list))
    }
}

impl TrustedProxies {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| same_prefix(*net, ip, *bits))
    }
}

fn same_prefix(a: std::net::IpAddr, b: std::net::IpAddr, bits: u8) -> bool {
    use std::net::IpAddr::{V4, V6};
    let (a, b, width): (u128, u128, u32) = match (a, b) {
        (V4(a), V4(b)) => (u32::from(a).into(), u32::from(b).into(), 32),
        (V6(a), V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    if shift >= width {
        return true;
    }
    (a >> shift) == (b >> shift)
}

/// Two-factor settings (dj-rest-auth's `MFA_*`).
#[derive(Clone, Debug)]
pub struct MfaConfig {
    /// Shown in authenticator apps; the public URL's host by default.
    pub issuer: String,
    pub digits: u8,
    /// Seconds per TOTP step.
    pub period: u64,
    pub recovery_codes: usize,
    /// How long a sign-in waits for its second factor (and an activation for its code).
    pub ephemeral_ttl_secs: i64,
    /// Codes a pending sign-in accepts before it dies.
    pub max_attempts: i32,
}

/// Passkey (WebAuthn) settings (dj-rest-auth's `PASSKEY_*`).
#[derive(Clone, Debug)]
pub struct PasskeyConfig {
    /// The relying-party id: the public URL's host by default. Browsers
    /// refuse an IP address here, so passkeys need a host name
    /// (`http://localhost:3000` works for trying them locally).
    pub rp_id: String,
    pub rp_name: String,
    /// The origins ceremonies may come from: the public URL's by default.
    pub rp_origins: Vec<String>,
    /// How long a ceremony waits between `begin` and `complete`.
    pub challenge_ttl_secs: i64,
}

/// The links emails carry: each door may have its own (djoser's clients
/// expect `{uid}/{token}` under their own front-end's routes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTemplates {
    /// Verification; `{public_url}`, `{uid}` and `{key}` are replaced.
    pub verify: String,
    /// Password reset; `{public_url}`, `{uid}` and `{token}` are replaced.
    pub reset: String,
    /// Email change; `{public_url}` and `{key}` are replaced.
    pub change_email: String,
    /// Whether links end in django-rest-registration's query: `user_id`,
    /// (`email`,) `timestamp` and `signature` (the key).
    pub signed_query: bool,
}

/// What one emailed link carries.
pub struct Link<'a> {
    pub user_id: i32,
    /// The one-time key (`{key}`, `{token}`, the `signature`).
    pub key: &'a str,
    /// When the key was made (the `timestamp`).
    pub issued_at: i64,
    /// The address an email change confirms.
    pub email: Option<&'a str>,
}

impl LinkTemplates {
    /// The pages' links, also dj-rest-auth's.
    pub fn pages() -> Self {
        Self {
            verify: "{public_url}/verify-email/{key}".into(),
            reset: "{public_url}/password-reset/{uid}/{token}".into(),
            change_email: "{public_url}/email-change/{key}".into(),
            signed_query: false,
        }
    }
}

/// What emails and pages say about the site.
#[derive(Clone, Debug)]
pub struct EmailConfig {
    /// Shown in emails and on the pages (`LATCHKEY_SITE_NAME`).
    pub site_name: String,
    /// Put before every email subject (`LATCHKEY_EMAIL_SUBJECT_PREFIX`).
    pub subject_prefix: String,
    /// Overrides of the email templates (`LATCHKEY_TEMPLATES_DIR`).
    pub templates_dir: Option<std::path::PathBuf>,
}

/// Everything the flows read from configuration.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub verification: VerificationMode,
    pub username: UsernameMode,
    /// The profile's fields (`[[profile.fields]]`).
    pub profile: crate::core::profile_schema::ProfileSchema,
    pub directory: Directory,
    pub login_method: LoginMethod,
    pub auth_mode: AuthMode,
    /// Base URL for links in emails, without a trailing slash.
    pub public_url: String,
    /// Links in emails for requests made through the pages and dj-rest-auth.
    pub links: LinkTemplates,
    /// Keys the HMAC of stored token hashes and signs JWTs.
    pub secret_key: SecretString,
    pub email_from: String,
    /// Sign-up needs an address (allauth's `ACCOUNT_EMAIL_REQUIRED`); only
    /// without verification may it be left out.
    pub email_required: bool,
    pub email: EmailConfig,
    pub verification_ttl_secs: i64,
    pub reset_ttl_secs: i64,
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    pub session_ttl_secs: i64,
    /// How long a delivered email's row (kind, recipient, times; never its
    /// content) is kept.
    pub outbox_retention_secs: i64,
    /// How long audit events are kept.
    pub audit_retention_secs: i64,
    /// How long a re-entered password or code counts as a recent sign-in
    /// for admin actions.
    pub reauth_window_secs: i64,
    /// Seconds between housekeeping passes (0: none).
    pub housekeeping_interval_secs: u64,
    /// How long reads may reuse what a token resolved to (0: never). Changes
    /// are seen at once on this replica and, on PostgreSQL, on the others.
    pub auth_cache_ttl_secs: u64,
    /// `password/change/` asks for the old password (dj-rest-auth's OLD_PASSWORD_FIELD_ENABLED).
    pub old_password_required: bool,
    /// A password change signs out the session or token that made it too
    /// (dj-rest-auth's and djoser's `LOGOUT_ON_PASSWORD_CHANGE`); every
    /// other one is signed out either way.
    pub logout_on_password_change: bool,
    /// Where uploaded files (avatars) are stored; served at `/media/`.
    pub media_dir: std::path::PathBuf,
    pub avatar_max_bytes: usize,
    /// Social login providers.
    pub providers: Vec<crate::core::oauth::ProviderConfig>,
    pub rate_limits: RateLimits,
    pub trusted_proxies: TrustedProxies,
    /// Password hashes allowed to wait for a hashing thread; past it, 503.
    /// `None`: 32 per hashing thread.
    pub hash_queue_limit: Option<usize>,
    pub mfa: MfaConfig,
    pub passkeys: PasskeyConfig,
    /// Receivers of account events (see `core::webhooks`).
    pub webhooks: Vec<crate::core::webhooks::WebhookEndpoint>,
}

/// The host of a URL (`id.example` of `https://id.example:8443/x`).
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h).split(':').next().unwrap_or(authority).to_owned()
}

impl EngineConfig {
    /// Sensible defaults for a local install; the server's settings override them.
    pub fn local(public_url: &str, secret_key: &str) -> Self {
        Self {
            verification: VerificationMode::Mandatory,
            username: UsernameMode::Required,
            profile: crate::core::profile_schema::ProfileSchema::default(),
            directory: Directory::Off,
            login_method: LoginMethod::UsernameEmail,
            auth_mode: AuthMode::Token,
            public_url: public_url.trim_end_matches('/').to_owned(),
            links: LinkTemplates::pages(),
            secret_key: SecretString::from(secret_key.to_owned()),
            email_from: "Latchkey <no-reply@latchkey.local>".into(),
            email_required: true,
            email: EmailConfig { site_name: "Latchkey".into(), subject_prefix: String::new(), templates_dir: None },
            verification_ttl_secs: 3 * 24 * 3600,
            reset_ttl_secs: 24 * 3600,
            access_ttl_secs: 5 * 60,
            refresh_ttl_secs: 24 * 3600,
            session_ttl_secs: 14 * 24 * 3600,
            outbox_retention_secs: 7 * 24 * 3600,
            audit_retention_secs: 180 * 24 * 3600,
            reauth_window_secs: 10 * 60,
            housekeeping_interval_secs: 60,
            auth_cache_ttl_secs: 10,
            old_password_required: true,
            logout_on_password_change: false,
            media_dir: "data/media".into(),
            avatar_max_bytes: 2 * 1024 * 1024,
            providers: Vec::new(),
            rate_limits: RateLimits::default(),
            trusted_proxies: TrustedProxies::default(),
            hash_queue_limit: None,
            mfa: MfaConfig {
                issuer: url_host(public_url),
                digits: 6,
                period: 30,
                recovery_codes: 10,
                ephemeral_ttl_secs: 300,
                max_attempts: 5,
            },
            passkeys: PasskeyConfig {
                rp_id: url_host(public_url),
                rp_name: "Latchkey".into(),
                rp_origins: vec![public_url.trim_end_matches('/').to_owned()],
                challenge_ttl_secs: 300,
            },
            webhooks: Vec::new(),
        }
    }

    /// An emailed link: `template` (one of the door's [`LinkTemplates`])
    /// filled in, with the signed query when the door asks for it.
    pub fn link(&self, links: &LinkTemplates, template: &str, link: &Link) -> String {
        let key = link.key;
        let mut url = template
            .replace("{public_url}", &self.public_url)
            .replace("{uid}", &crate::core::secrets::encode_uid(link.user_id))
            .replace("{key}", key)
            .replace("{token}", key);
        if links.signed_query {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("user_id", &link.user_id.to_string());
            if let Some(email) = link.email {
                query.append_pair("email", email);
            }
            query.append_pair("timestamp", &link.issued_at.to_string()).append_pair("signature", key);
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query.finish());
        }
        url
    }

    /// What the email templates are told about the site.
    pub fn mail_branding(&self) -> crate::core::email::templates::MailBranding {
        crate::core::email::templates::MailBranding {
            site_name: self.email.site_name.clone(),
            subject_prefix: self.email.subject_prefix.clone(),
            public_url: self.public_url.clone(),
            verification_ttl_secs: self.verification_ttl_secs,
            reset_ttl_secs: self.reset_ttl_secs,
        }
    }

    /// Where a provider sends the browser back to.
    pub fn social_callback_url(&self, provider: &str) -> String {
        format!("{}/accounts/{provider}/login/callback/", self.public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_signed_query_when_asked() {
        let cfg = EngineConfig::local("https://id.example/", "k");
        let link = Link { user_id: 7, key: "K-y_z", issued_at: 1_700_000_000, email: Some("a+b@example.com") };
        let pages = LinkTemplates::pages();
        assert_eq!(cfg.link(&pages, &pages.change_email, &link), "https://id.example/email-change/K-y_z");
        let signed =
            LinkTemplates { change_email: "https://front.test/verify-email/".into(), signed_query: true, ..pages };
        assert_eq!(
            cfg.link(&signed, &signed.change_email, &link),
            "https://front.test/verify-email/?user_id=7&email=a%2Bb%40example.com&timestamp=1700000000&signature=K-y_z"
        );
        let link = Link { email: None, ..link };
        let with_query = LinkTemplates { reset: "https://f.test/r?lang=en".into(), ..signed };
        assert_eq!(
            cfg.link(&with_query, &with_query.reset, &link),
            "https://f.test/r?lang=en&user_id=7&timestamp=1700000000&signature=K-y_z"
        );
    }

    #[test]
    fn limits_parse() {
        assert_eq!("10/60".parse(), Ok(Limit { count: 10, window_secs: 60 }));
        assert!("10".parse::<Limit>().is_err());
        assert!("0/60".parse::<Limit>().is_err());
        assert_eq!("off".parse::<Limit>().map(|l| l.count), Ok(i64::MAX));
    }

    #[test]
    fn proxies_match_addresses_and_blocks() -> Result<(), String> {
        let p: TrustedProxies = "127.0.0.1, 10.0.0.0/8, fd00::/8".parse()?;
        assert!(p.contains("127.0.0.1".parse().map_err(|_| "ip")?));
        assert!(p.contains("10.1.2.3".parse().map_err(|_| "ip")?));
        assert!(!p.contains("11.0.0.1".parse().map_err(|_| "ip")?));
        assert!(p.contains("fd12::1".parse().map_err(|_| "ip")?));
        assert!(!p.contains("::1".parse().map_err(|_| "ip")?));
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("nope".parse::<TrustedProxies>().is_err());
        Ok(())
    }
}

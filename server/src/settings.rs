//! Typed configuration, read from the environment and optionally a TOML file
//! (`LATCHKEY_CONFIG`, default `./latchkey.toml` when it exists). An
//! environment variable wins over the file; file keys are the variable names
//! in lower case without the `LATCHKEY_` prefix (`public_url`, `smtp_url`, ...).

use anyhow::{bail, Context};
use app::core::config::{AuthMode, EngineConfig, LoginMethod, VerificationMode};
use app::core::oauth::{ProviderConfig, ProviderKind};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Settings {
    pub addr: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub smtp_url: Option<String>,
    pub outbox_dir: PathBuf,
    /// Serve Prometheus metrics at `/metrics` (`LATCHKEY_METRICS`).
    pub metrics: bool,
    /// When set, `/metrics` asks for `Authorization: Bearer <token>`.
    pub metrics_token: Option<secrecy::SecretString>,
    pub jwt_cookies: bool,
    pub site_root: String,
    /// The bundle's file names carry a content hash (`hash-files` in
    /// Cargo.toml; cargo-leptos sets `LEPTOS_HASH_FILES` when it builds),
    /// listed in this file beside the binary.
    pub hashed_assets: bool,
    pub hash_file_name: String,
    /// Origins whose browsers may post to us: the public URL's, plus
    /// `LATCHKEY_TRUSTED_ORIGINS` (a front-end served elsewhere).
    pub trusted_origins: Vec<String>,
    /// How long a client may take to send a request's headers (and an idle
    /// keep-alive connection may stay open), seconds.
    pub header_timeout_secs: u64,
    /// How long a request's body may pause between pieces, seconds.
    pub body_timeout_secs: u64,
    /// How long a whole request may take, seconds (408 past it).
    pub request_timeout_secs: u64,
    /// Connections open at once.
    pub max_connections: usize,
    /// The djoser door (`None`: off).
    pub djoser: Option<DjoserSettings>,
    /// The django-rest-registration door (`None`: off).
    pub rest_registration: Option<RestRegistrationSettings>,
    /// Site name, logo, colour and extra CSS for the pages.
    pub branding: crate::branding::Branding,
    pub engine: EngineConfig,
}

/// djoser's settings, under their djoser names with `LATCHKEY_DJOSER_` in front.
#[derive(Clone, Debug)]
pub struct DjoserSettings {
    /// Where the door is mounted (`/auth`).
    pub prefix: String,
    pub user_create_password_retype: bool,
    pub set_password_retype: bool,
    pub password_reset_confirm_retype: bool,
    pub set_username_retype: bool,
    pub username_reset_confirm_retype: bool,
    /// The link of username-reset emails; `None`: `reset_username/` is off.
    pub username_reset_url: Option<String>,
    /// The links of emails asked for through this door.
    pub links: app::core::config::LinkTemplates,
}

/// `LATCHKEY_DJOSER_PREFIX` (`/auth`; `off` turns the door off) and the rest.
fn djoser(src: &Source, engine: &EngineConfig) -> anyhow::Result<Option<DjoserSettings>> {
    let Some(prefix) = door_prefix(src, "LATCHKEY_DJOSER_PREFIX", "/auth", &["/api"])? else {
        return Ok(None);
    };
    // djoser's ACTIVATION_URL and PASSWORD_RESET_CONFIRM_URL are relative to the front-end's domain
    let link = |name: &str, default: &str| match src.get(name) {
        Some(url) if url.contains("{uid}") && url.contains("{token}") => {
            Ok(format!("{{public_url}}/{}", url.trim_start_matches('/')))
        }
        Some(url) => bail!("{name}={url:?}: it must contain {{uid}} and {{token}}"),
        None => Ok(default.to_owned()),
    };
    let verify = link("LATCHKEY_DJOSER_ACTIVATION_URL", &engine.links.verify)?.replace("{token}", "{key}");
    let reset = link("LATCHKEY_DJOSER_PASSWORD_RESET_CONFIRM_URL", &engine.links.reset)?;
    Ok(Some(DjoserSettings {
        prefix,
        user_create_password_retype: src.parse("LATCHKEY_DJOSER_USER_CREATE_PASSWORD_RETYPE", false)?,
        set_password_retype: src.parse("LATCHKEY_DJOSER_SET_PASSWORD_RETYPE", false)?,
        password_reset_confirm_retype: src.parse("LATCHKEY_DJOSER_PASSWORD_RESET_CONFIRM_RETYPE", false)?,
        set_username_retype: src.parse("LATCHKEY_DJOSER_SET_USERNAME_RETYPE", false)?,
        username_reset_confirm_retype: src.parse("LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_RETYPE", false)?,
        username_reset_url: match src.get("LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL") {
            Some(_) => Some(link("LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL", "")?),
            None => None,
        },
        links: app::core::config::LinkTemplates { verify, reset, ..app::core::config::LinkTemplates::pages() },
    }))
}

/// Paths a door may not be mounted over, under or above.
const TAKEN: [&str; 18] = [
    "/api/admin",
    "/admin",
    "/metrics",
    "/api/auth",
    "/api/docs",
    "/api/openapi.json",
    "/fn",
    "/media",
    "/accounts",
    "/pkg",
    "/login",
    "/signup",
    "/profile",
    "/people",
    "/branding",
    "/password-reset",
    "/verify-email",
    "/email-change",
];

/// A door's prefix from `var` (`off`: the door is off): a plain path that
/// neither holds nor sits inside another part of the site or `also`.
fn door_prefix(src: &Source, var: &str, default: &str, also: &[&str]) -> anyhow::Result<Option<String>> {
    let prefix = src.get(var).unwrap_or_else(|| default.into());
    if prefix == "off" {
        return Ok(None);
    }
    let prefix = format!("/{}", prefix.trim_matches('/'));
    let plain = prefix.chars().all(|c| c.is_ascii_alphanumeric() || "/-._~".contains(c));
    let nested = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    let taken = TAKEN.iter().chain(also).any(|m| nested(&prefix, m) || nested(m, &prefix));
    if prefix == "/" || !plain || taken || prefix.contains("//") {
        bail!("{var}={prefix:?}: expected a path of its own, such as {default}");
    }
    Ok(Some(prefix))
}

/// django-rest-registration's settings, under their names with
/// `LATCHKEY_REST_REGISTRATION_` in front.
#[derive(Clone, Debug)]
pub struct RestRegistrationSettings {
    /// Where the door is mounted (`/api/v1/accounts`).
    pub prefix: String,
    pub register_password_confirm: bool,
    pub change_password_confirm: bool,
    pub reset_password_confirm: bool,
    /// `send-reset-password-link/` reads `email` instead of `login`.
    pub reset_link_use_email: bool,
    /// `register-email/` asks for the current password (the package does not).
    pub register_email_password: bool,
    /// The links of emails asked for through this door (the signed query).
    pub links: app::core::config::LinkTemplates,
}

/// `LATCHKEY_REST_REGISTRATION_PREFIX` (`/api/v1/accounts`; `off` turns the
/// door off) and the rest.
fn rest_registration(
    src: &Source,
    djoser: Option<&DjoserSettings>,
) -> anyhow::Result<Option<RestRegistrationSettings>> {
    let var = "LATCHKEY_REST_REGISTRATION_PREFIX";
    let also: Vec<&str> = djoser.map(|d| d.prefix.as_str()).into_iter().collect();
    let Some(prefix) = door_prefix(src, var, "/api/v1/accounts", &also)? else {
        return Ok(None);
    };
    // the package's *_VERIFICATION_URL: where the link points, its query
    // appended; by default Latchkey's own pages for the same key
    let link = |name: &str, default: &str| -> anyhow::Result<String> {
        let var = format!("LATCHKEY_REST_REGISTRATION_{name}");
        match src.get(&var) {
            None => Ok(default.to_owned()),
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => Ok(url),
            Some(url) if url.starts_with('/') => Ok(format!("{{public_url}}{url}")),
            Some(url) => bail!("{var}={url:?}: expected an absolute URL or a path"),
        }
    };
    let pages = app::core::config::LinkTemplates::pages();
    Ok(Some(RestRegistrationSettings {
        prefix,
        register_password_confirm: src
            .parse("LATCHKEY_REST_REGISTRATION_REGISTER_SERIALIZER_PASSWORD_CONFIRM", true)?,
        change_password_confirm: src
            .parse("LATCHKEY_REST_REGISTRATION_CHANGE_PASSWORD_SERIALIZER_PASSWORD_CONFIRM", true)?,
        reset_password_confirm: src
            .parse("LATCHKEY_REST_REGISTRATION_RESET_PASSWORD_SERIALIZER_PASSWORD_CONFIRM", false)?,
        reset_link_use_email: src
            .parse("LATCHKEY_REST_REGISTRATION_SEND_RESET_PASSWORD_LINK_SERIALIZER_USE_EMAIL", false)?,
        register_email_password: src.parse("LATCHKEY_REST_REGISTRATION_REGISTER_EMAIL_PASSWORD_REQUIRED", false)?,
        links: app::core::config::LinkTemplates {
            verify: link("REGISTER_VERIFICATION_URL", &pages.verify)?,
            reset: link("RESET_PASSWORD_VERIFICATION_URL", &pages.reset)?,
            change_email: link("REGISTER_EMAIL_VERIFICATION_URL", &pages.change_email)?,
            signed_query: true,
        },
    }))
}

/// Where values come from: the environment, then the file.
pub struct Source {
    env: HashMap<String, String>,
    file: HashMap<String, String>,
}

impl Source {
    /// The process environment plus the config file, if any.
    ///
    /// # Errors
    /// An unreadable or malformed config file.
    pub fn from_process() -> anyhow::Result<Self> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let explicit = env.get("LATCHKEY_CONFIG").cloned();
        let path = explicit.clone().unwrap_or_else(|| "latchkey.toml".into());
        let file =
            if Path::new(&path).exists() || explicit.is_some() { read_file(Path::new(&path))? } else { HashMap::new() };
        Ok(Self { env, file })
    }

    pub fn from_maps(env: HashMap<String, String>, file: HashMap<String, String>) -> Self {
        Self { env, file }
    }

    pub(crate) fn get(&self, var: &str) -> Option<String> {
        if let Some(v) = self.env.get(var).filter(|v| !v.is_empty()) {
            return Some(v.clone());
        }
        let key = var.trim_start_matches("LATCHKEY_").to_ascii_lowercase();
        self.file.get(&key).cloned()
    }

    pub(crate) fn parse<T: std::str::FromStr>(&self, var: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(var) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| anyhow::anyhow!("{var}={v:?}: {e}")),
        }
    }
}

fn read_file(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
    let table: toml::Table = text.parse().with_context(|| format!("parsing config file {}", path.display()))?;
    let mut out = HashMap::new();
    for (k, v) in table {
        let k = k.to_ascii_lowercase();
        // a table's keys join its name: `[profile] fields = [...]` (or
        // `[[profile.fields]]`) is `profile_fields`, read as JSON
        if let toml::Value::Table(inner) = &v {
            for (sub, value) in inner {
                out.insert(format!("{k}_{}", sub.to_ascii_lowercase()), file_value(value.clone())?);
            }
        }
        out.insert(k, file_value(v)?);
    }
    Ok(out)
}

/// Text as is, numbers and booleans as written, arrays and tables as JSON.
fn file_value(v: toml::Value) -> anyhow::Result<String> {
    Ok(match v {
        toml::Value::String(s) => s,
        v @ (toml::Value::Array(_) | toml::Value::Table(_)) => serde_json::to_string(&v)?,
        other => other.to_string(),
    })
}

/// A secret key that survives restarts: from `LATCHKEY_SECRET_KEY`, else
/// generated once into `<data_dir>/secret_key`.
fn secret_key(src: &Source, data_dir: &Path) -> anyhow::Result<String> {
    if let Some(k) = src.get("LATCHKEY_SECRET_KEY") {
        if k.len() < 32 {
            bail!("LATCHKEY_SECRET_KEY must be at least 32 characters");
        }
        return Ok(k);
    }
    let path = data_dir.join("secret_key");
    if let Ok(k) = std::fs::read_to_string(&path) {
        if !k.trim().is_empty() {
            return Ok(k.trim().to_owned());
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let k = app::core::secrets::random_token() + &app::core::secrets::random_token();
    std::fs::write(&path, &k).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(path = %path.display(), "LATCHKEY_SECRET_KEY not set: generated one (set it explicitly when running several replicas)");
    Ok(k)
}

fn provider(
    src: &Source,
    prefix: &str,
    id: &str,
    name: &str,
    kind: ProviderKind,
) -> anyhow::Result<Option<ProviderConfig>> {
    let (Some(client_id), secret) =
        (src.get(&format!("{prefix}_CLIENT_ID")), src.get(&format!("{prefix}_CLIENT_SECRET")))
    else {
        return Ok(None);
    };
    let Some(secret) = secret else { bail!("{prefix}_CLIENT_SECRET is required with {prefix}_CLIENT_ID") };
    Ok(Some(ProviderConfig {
        id: id.to_owned(),
        name: name.to_owned(),
        kind,
        client_id,
        client_secret: secrecy::SecretString::from(secret),
    }))
}

/// `LATCHKEY_WEBHOOKS`: a JSON array of `{"url", "secret", "events"}`
/// (`events`: names from `app::core::webhooks::EVENTS`, or `["*"]`). Anything
/// malformed stops start-up with a message naming it.
///
/// # Errors
/// The first problem found.
pub fn webhooks(raw: Option<&str>) -> anyhow::Result<Vec<app::core::webhooks::WebhookEndpoint>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        url: String,
        secret: String,
        events: Vec<String>,
    }
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(Vec::new()) };
    let list: Vec<Raw> = serde_json::from_str(raw)
        .with_context(|| "LATCHKEY_WEBHOOKS must be a JSON array of {\"url\", \"secret\", \"events\"}")?;
    let mut out = Vec::new();
    for (i, w) in list.into_iter().enumerate() {
        let url = url::Url::parse(w.url.trim()).with_context(|| format!("LATCHKEY_WEBHOOKS[{i}].url is not a URL"))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https") && url.host_str().is_some(),
            "LATCHKEY_WEBHOOKS[{i}].url must be an http or https URL"
        );
        anyhow::ensure!(w.secret.len() >= 16, "LATCHKEY_WEBHOOKS[{i}].secret must be at least 16 characters");
        anyhow::ensure!(!w.events.is_empty(), "LATCHKEY_WEBHOOKS[{i}].events is empty");
        for e in &w.events {
            anyhow::ensure!(
                e == "*" || app::core::webhooks::EVENTS.contains(&e.as_str()),
                "LATCHKEY_WEBHOOKS[{i}].events: unknown event {e:?} (known: {})",
                app::core::webhooks::EVENTS.join(", ")
            );
        }
        anyhow::ensure!(url.as_str().len() <= 2048, "LATCHKEY_WEBHOOKS[{i}].url is over 2048 characters");
        if let Some(b64) = w.secret.strip_prefix("whsec_") {
            use base64::Engine as _;
            let ok = base64::engine::general_purpose::STANDARD.decode(b64).is_ok_and(|k| k.len() >= 16);
            anyhow::ensure!(ok, "LATCHKEY_WEBHOOKS[{i}].secret: a whsec_ secret must be base64 of at least 16 bytes");
        }
        out.push(app::core::webhooks::WebhookEndpoint {
            url: url.to_string(),
            secret: secrecy::SecretString::from(w.secret),
            events: w.events,
        });
    }
    Ok(out)
}

/// `[[profile.fields]]` in the file, or `LATCHKEY_PROFILE_FIELDS` (a JSON
/// array of the same tables); the built-in schema when neither is set.
fn profile_schema(src: &Source) -> anyhow::Result<app::core::profile_schema::ProfileSchema> {
    let Some(raw) = src.get("LATCHKEY_PROFILE_FIELDS") else { return Ok(Default::default()) };
    let fields: Vec<app::shared::profile::FieldSpec> = serde_json::from_str(&raw)
        .with_context(|| "LATCHKEY_PROFILE_FIELDS ([[profile.fields]]): each field needs a name and a type")?;
    app::core::profile_schema::ProfileSchema::new(fields).map_err(|e| anyhow::anyhow!("[[profile.fields]]: {e}"))
}

/// GitHub, Google and one generic OpenID Connect provider, each enabled by
/// its client id and secret.
fn providers(src: &Source) -> anyhow::Result<Vec<ProviderConfig>> {
    let or = |var: &str, default: &str| src.get(var).unwrap_or_else(|| default.to_owned());
    let github = ProviderKind::Github {
        auth_url: or("LATCHKEY_GITHUB_AUTH_URL", "https://github.com/login/oauth/authorize"),
        token_url: or("LATCHKEY_GITHUB_TOKEN_URL", "https://github.com/login/oauth/access_token"),
        api_url: or("LATCHKEY_GITHUB_API_URL", "https://api.github.com"),
    };
    let google = ProviderKind::Oidc { issuer: or("LATCHKEY_GOOGLE_ISSUER", "https://accounts.google.com") };
    let mut list = Vec::new();
    list.extend(provider(src, "LATCHKEY_GITHUB", "github", "GitHub", github)?);
    list.extend(provider(src, "LATCHKEY_GOOGLE", "google", "Google", google)?);
    if let Some(issuer) = src.get("LATCHKEY_OIDC_ISSUER") {
        let name = or("LATCHKEY_OIDC_NAME", "OpenID Connect");
        let p = provider(src, "LATCHKEY_OIDC", "oidc", &name, ProviderKind::Oidc { issuer })?;
        let Some(p) = p else {
            bail!("LATCHKEY_OIDC_ISSUER needs LATCHKEY_OIDC_CLIENT_ID and LATCHKEY_OIDC_CLIENT_SECRET")
        };
        list.push(p);
    }
    Ok(list)
}

impl Settings {
    /// # Errors
    /// A setting that does not parse.
    pub fn load() -> anyhow::Result<Self> {
        Self::from_source(&Source::from_process()?)
    }

    /// # Errors
    /// A setting that does not parse.
    pub fn from_source(src: &Source) -> anyhow::Result<Self> {
        let addr: SocketAddr = src.parse("LATCHKEY_ADDR", "127.0.0.1:3000".parse()?)?;
        let data_dir = PathBuf::from(src.get("LATCHKEY_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = src
            .get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("latchkey.db").display()));
        let public_url = src.get("LATCHKEY_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("LATCHKEY_PUBLIC_URL must start with http:// or https://");
        }
        let mut trusted_origins = vec![crate::csrf::origin_of(&public_url)
            .ok_or_else(|| anyhow::anyhow!("LATCHKEY_PUBLIC_URL={public_url:?} is not a valid URL"))?];
        for o in src.get("LATCHKEY_TRUSTED_ORIGINS").unwrap_or_default().split(',').map(str::trim) {
            if o.is_empty() {
                continue;
            }
            let origin = crate::csrf::origin_of(o)
                .ok_or_else(|| anyhow::anyhow!("LATCHKEY_TRUSTED_ORIGINS: {o:?} is not an http(s) origin"))?;
            trusted_origins.push(origin);
        }
        let secret = secret_key(src, &data_dir)?;
        let mut engine = EngineConfig::local(&public_url, &secret);
        engine.verification =
            src.parse::<VerificationMode>("LATCHKEY_EMAIL_VERIFICATION", VerificationMode::Mandatory)?;
        engine.login_method = src.parse::<LoginMethod>("LATCHKEY_LOGIN_METHOD", LoginMethod::UsernameEmail)?;
        engine.auth_mode = src.parse::<AuthMode>("LATCHKEY_AUTH_MODE", AuthMode::Token)?;
        if let Some(t) = src.get("LATCHKEY_VERIFY_URL_TEMPLATE") {
            engine.links.verify = t;
        }
        if let Some(t) = src.get("LATCHKEY_RESET_URL_TEMPLATE") {
            engine.links.reset = t;
        }
        if let Some(f) = src.get("LATCHKEY_EMAIL_FROM") {
            engine.email_from = f;
        }
        engine.email = crate::branding::email(src)?;
        engine.username = src.parse("LATCHKEY_USERNAME", engine.username)?;
        engine.email_required = src.parse("LATCHKEY_EMAIL_REQUIRED", true)?;
        if !engine.email_required
            && (engine.verification != VerificationMode::None
                || engine.username != app::core::config::UsernameMode::Required
                || engine.login_method == LoginMethod::Email)
        {
            bail!(
                "LATCHKEY_EMAIL_REQUIRED=false: an account without an address can be neither verified nor found by it; \
                 it needs LATCHKEY_EMAIL_VERIFICATION=none, LATCHKEY_USERNAME=required and a login method with usernames"
            );
        }
        if engine.username == app::core::config::UsernameMode::None && engine.login_method != LoginMethod::Email {
            if src.get("LATCHKEY_LOGIN_METHOD").is_some() {
                bail!(
                    "LATCHKEY_USERNAME=none: accounts have no username to log in with; set LATCHKEY_LOGIN_METHOD=email"
                );
            }
            engine.login_method = LoginMethod::Email;
        }
        engine.profile = profile_schema(src)?;
        engine.directory = src.parse("LATCHKEY_PROFILE_DIRECTORY", engine.directory)?;
        if engine.directory != app::core::config::Directory::Off
            && engine.username == app::core::config::UsernameMode::None
        {
            bail!("LATCHKEY_PROFILE_DIRECTORY lists people by username; email-only accounts (LATCHKEY_USERNAME=none) have none to show");
        }
        engine.access_ttl_secs = src.parse("LATCHKEY_ACCESS_TOKEN_TTL", engine.access_ttl_secs)?;
        engine.refresh_ttl_secs = src.parse("LATCHKEY_REFRESH_TOKEN_TTL", engine.refresh_ttl_secs)?;
        engine.reset_ttl_secs = src.parse("LATCHKEY_PASSWORD_RESET_TTL", engine.reset_ttl_secs)?;
        engine.verification_ttl_secs = src.parse("LATCHKEY_VERIFICATION_TTL", engine.verification_ttl_secs)?;
        engine.session_ttl_secs = src.parse("LATCHKEY_SESSION_TTL", engine.session_ttl_secs)?;
        engine.outbox_retention_secs = src.parse("LATCHKEY_OUTBOX_RETENTION", engine.outbox_retention_secs)?;
        engine.audit_retention_secs = src.parse("LATCHKEY_AUDIT_RETENTION", engine.audit_retention_secs)?;
        engine.reauth_window_secs = src.parse("LATCHKEY_ADMIN_REAUTH_WINDOW", engine.reauth_window_secs)?;
        engine.housekeeping_interval_secs =
            src.parse("LATCHKEY_HOUSEKEEPING_INTERVAL", engine.housekeeping_interval_secs)?;
        engine.auth_cache_ttl_secs = src.parse("LATCHKEY_AUTH_CACHE_TTL", engine.auth_cache_ttl_secs)?;
        engine.old_password_required = src.parse("LATCHKEY_OLD_PASSWORD_REQUIRED", true)?;
        engine.logout_on_password_change = src.parse("LATCHKEY_LOGOUT_ON_PASSWORD_CHANGE", false)?;
        engine.media_dir = src.get("LATCHKEY_MEDIA_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("media"));
        engine.avatar_max_bytes = src.parse("LATCHKEY_AVATAR_MAX_BYTES", engine.avatar_max_bytes)?;
        engine.providers = providers(src)?;
        if let Some(f) = engine
            .profile
            .fields()
            .iter()
            .find(|f| f.required && f.signup && !f.editable)
            .filter(|_| !engine.providers.is_empty())
        {
            bail!(
                "[[profile.fields]] {:?} is required, asked at sign-up and not editable, but a social sign-up asks nothing: make it editable, or optional",
                f.name
            );
        }
        engine.webhooks = webhooks(src.get("LATCHKEY_WEBHOOKS").as_deref())?;
        let limits = &mut engine.rate_limits;
        limits.login_per_ip = src.parse("LATCHKEY_RATE_LOGIN_IP", limits.login_per_ip)?;
        limits.login_failures_per_account =
            src.parse("LATCHKEY_RATE_LOGIN_FAILURES", limits.login_failures_per_account)?;
        limits.signup_per_ip = src.parse("LATCHKEY_RATE_SIGNUP_IP", limits.signup_per_ip)?;
        limits.email_per_ip = src.parse("LATCHKEY_RATE_EMAIL_IP", limits.email_per_ip)?;
        limits.email_per_account = src.parse("LATCHKEY_RATE_EMAIL_ACCOUNT", limits.email_per_account)?;
        engine.trusted_proxies = src.parse("LATCHKEY_TRUSTED_PROXIES", engine.trusted_proxies.clone())?;
        let mfa = &mut engine.mfa;
        if let Some(issuer) = src.get("LATCHKEY_MFA_ISSUER") {
            mfa.issuer = issuer;
        }
        mfa.digits = src.parse("LATCHKEY_MFA_DIGITS", mfa.digits)?;
        if !(6..=8).contains(&mfa.digits) {
            bail!("LATCHKEY_MFA_DIGITS must be 6, 7 or 8");
        }
        mfa.period = src.parse("LATCHKEY_MFA_PERIOD", mfa.period)?;
        if mfa.period == 0 {
            bail!("LATCHKEY_MFA_PERIOD must be positive");
        }
        mfa.recovery_codes = src.parse("LATCHKEY_MFA_RECOVERY_CODES", mfa.recovery_codes)?;
        mfa.ephemeral_ttl_secs = src.parse("LATCHKEY_MFA_EPHEMERAL_TTL", mfa.ephemeral_ttl_secs)?;
        mfa.max_attempts = src.parse("LATCHKEY_MFA_ATTEMPTS", mfa.max_attempts)?;
        if !(1..=20).contains(&mfa.max_attempts) {
            bail!("LATCHKEY_MFA_ATTEMPTS must be between 1 and 20");
        }
        if !(30..=3600).contains(&mfa.ephemeral_ttl_secs) {
            bail!("LATCHKEY_MFA_EPHEMERAL_TTL must be between 30 and 3600 seconds");
        }
        if !(1..=50).contains(&mfa.recovery_codes) {
            bail!("LATCHKEY_MFA_RECOVERY_CODES must be between 1 and 50");
        }
        let passkeys = &mut engine.passkeys;
        let rp_id = src.get("LATCHKEY_PASSKEY_RP_ID");
        let origins = src.get("LATCHKEY_PASSKEY_RP_ORIGINS");
        let explicit = rp_id.is_some() || origins.is_some();
        if let Some(id) = rp_id {
            passkeys.rp_id = id.trim().to_owned();
        }
        if let Some(list) = origins {
            passkeys.rp_origins =
                list.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect();
        }
        passkeys.rp_name = src.get("LATCHKEY_PASSKEY_RP_NAME").unwrap_or_else(|| engine.email.site_name.clone());
        passkeys.challenge_ttl_secs = src.parse("LATCHKEY_PASSKEY_CHALLENGE_TIMEOUT", passkeys.challenge_ttl_secs)?;
        if !(30..=3600).contains(&passkeys.challenge_ttl_secs) {
            bail!("LATCHKEY_PASSKEY_CHALLENGE_TIMEOUT must be between 30 and 3600 seconds");
        }
        if explicit {
            // a relying party set by hand that cannot work stops start-up
            app::core::factors::passkey::relying_party(passkeys, true)?;
        }
        if let Some(n) = src.get("LATCHKEY_HASH_QUEUE") {
            engine.hash_queue_limit =
                Some(n.parse().map_err(|_| anyhow::anyhow!("LATCHKEY_HASH_QUEUE={n:?}: expected a number"))?);
        }
        let djoser = djoser(src, &engine)?;
        Ok(Self {
            addr,
            database_url,
            smtp_url: src.get("SMTP_URL"),
            metrics: src.parse("LATCHKEY_METRICS", false)?,
            metrics_token: src.get("LATCHKEY_METRICS_TOKEN").filter(|t| !t.is_empty()).map(secrecy::SecretString::from),
            outbox_dir: src.get("LATCHKEY_OUTBOX_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("outbox")),
            jwt_cookies: src.parse("LATCHKEY_JWT_COOKIES", false)?,
            site_root: src.get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            hashed_assets: src.parse("LEPTOS_HASH_FILES", option_env!("LEPTOS_HASH_FILES") == Some("true"))?,
            hash_file_name: src
                .get("LEPTOS_HASH_FILE_NAME")
                .or_else(|| option_env!("LEPTOS_HASH_FILE_NAME").map(str::to_owned))
                .unwrap_or_else(|| "hash.txt".into()),
            trusted_origins,
            header_timeout_secs: src.parse("LATCHKEY_HEADER_TIMEOUT", 10)?,
            body_timeout_secs: src.parse("LATCHKEY_BODY_TIMEOUT", 30)?,
            request_timeout_secs: src.parse("LATCHKEY_REQUEST_TIMEOUT", 120)?,
            max_connections: src.parse("LATCHKEY_MAX_CONNECTIONS", 1000)?,
            rest_registration: rest_registration(src, djoser.as_ref())?,
            branding: crate::branding::pages(src, &engine)?,
            djoser,
            data_dir,
            engine,
        })
    }

    /// Cookies get `Secure` when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.engine.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhooks_are_checked_at_start_up() {
        let ok = r#"[{"url": "https://hooks.example/in", "secret": "0123456789abcdef", "events": ["user.created"]}]"#;
        assert_eq!(webhooks(Some(ok)).map(|w| w.len()).ok(), Some(1));
        assert!(webhooks(None).is_ok_and(|w| w.is_empty()));
        for (bad, says) in [
            ("{}", "JSON array"),
            (r#"[{"url": "ftp://x/y", "secret": "0123456789abcdef", "events": ["*"]}]"#, "http or https"),
            (r#"[{"url": "https://x/y", "secret": "short", "events": ["*"]}]"#, "at least 16"),
            (r#"[{"url": "https://x/y", "secret": "whsec_not*base64*at*all", "events": ["*"]}]"#, "base64"),
            (r#"[{"url": "https://x/y", "secret": "0123456789abcdef", "events": ["user.hacked"]}]"#, "unknown event"),
            (r#"[{"url": "https://x/y", "secret": "0123456789abcdef", "events": []}]"#, "is empty"),
            (r#"[{"url": "https://x/y", "secret": "0123456789abcdef", "events": ["*"], "x": 1}]"#, "JSON array"),
        ] {
            let err = webhooks(Some(bad)).map(|_| ()).expect_err(bad);
            assert!(format!("{err:#}").contains(says), "{bad}: {err:#}");
        }
    }

    #[test]
    fn djoser_prefix_must_be_a_plain_path_of_its_own() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().to_string_lossy().to_string();
        for bad in ["/:v1", "/api/auth", "/fn", "/a b", "/{x}", "/media/dj", "//"] {
            let s = src(&[("LATCHKEY_DJOSER_PREFIX", bad), ("LATCHKEY_DATA_DIR", &data)], &[]);
            assert!(Settings::from_source(&s).is_err(), "{bad}");
        }
        let s = src(&[("LATCHKEY_DJOSER_PREFIX", "accounts-v2/"), ("LATCHKEY_DATA_DIR", &data)], &[]);
        assert_eq!(Settings::from_source(&s)?.djoser.map(|d| d.prefix).as_deref(), Some("/accounts-v2"));
        Ok(())
    }

    #[test]
    fn rest_registration_prefix_stays_clear_of_the_rest() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().to_string_lossy().to_string();
        let rr = "LATCHKEY_REST_REGISTRATION_PREFIX";
        for bad in ["/api", "/api/auth", "/api/auth/v1", "/api/docs", "/auth", "/auth/rr", "/login", "/"] {
            let s = src(&[(rr, bad), ("LATCHKEY_DATA_DIR", &data)], &[]);
            assert!(Settings::from_source(&s).is_err(), "{bad}");
        }
        let s = src(&[("LATCHKEY_DATA_DIR", &data)], &[]);
        let settings = Settings::from_source(&s)?;
        let door = settings.rest_registration.ok_or_else(|| anyhow::anyhow!("on by default"))?;
        assert_eq!(door.prefix, "/api/v1/accounts");
        assert!(door.links.signed_query && door.links.verify.starts_with("{public_url}/verify-email/"));
        let s = src(&[(rr, "off"), ("LATCHKEY_DJOSER_PREFIX", "off"), ("LATCHKEY_DATA_DIR", &data)], &[]);
        let settings = Settings::from_source(&s)?;
        assert!(settings.rest_registration.is_none() && settings.djoser.is_none());
        let url = "LATCHKEY_REST_REGISTRATION_REGISTER_VERIFICATION_URL";
        let s = src(&[(url, "front.test/verify"), ("LATCHKEY_DATA_DIR", &data)], &[]);
        assert!(Settings::from_source(&s).is_err(), "neither absolute nor a path");
        Ok(())
    }

    fn src(env: &[(&str, &str)], file: &[(&str, &str)]) -> Source {
        let m = |kv: &[(&str, &str)]| kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Source::from_maps(m(env), m(file))
    }

    #[test]
    fn env_wins_over_file_and_defaults_apply() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let d = dir.path().to_string_lossy().to_string();
        let s = Settings::from_source(&src(
            &[("LATCHKEY_DATA_DIR", &d), ("LATCHKEY_AUTH_MODE", "jwt")],
            &[("auth_mode", "token"), ("email_verification", "optional"), ("public_url", "https://id.example/")],
        ))?;
        assert_eq!(s.engine.auth_mode, AuthMode::Jwt);
        assert_eq!(s.engine.verification, VerificationMode::Optional);
        assert_eq!(s.engine.public_url, "https://id.example");
        assert!(s.secure_cookies());
        assert!(s.database_url.starts_with("sqlite://"));
        // the generated secret key persists across loads
        let again = Settings::from_source(&src(&[("LATCHKEY_DATA_DIR", &d)], &[]))?;
        use secrecy::ExposeSecret;
        assert_eq!(s.engine.secret_key.expose_secret(), again.engine.secret_key.expose_secret());
        Ok(())
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(Settings::from_source(&src(
            &[("LATCHKEY_AUTH_MODE", "magic"), ("LATCHKEY_SECRET_KEY", &"k".repeat(40))],
            &[]
        ))
        .is_err());
        assert!(Settings::from_source(&src(&[("LATCHKEY_SECRET_KEY", "short")], &[])).is_err());
        assert!(Settings::from_source(&src(
            &[("LATCHKEY_PUBLIC_URL", "ftp://x"), ("LATCHKEY_SECRET_KEY", &"k".repeat(40))],
            &[]
        ))
        .is_err());
    }
}

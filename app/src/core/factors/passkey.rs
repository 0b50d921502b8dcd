//! Passkeys (WebAuthn) through webauthn-rs: registration by a signed-in
//! user, and sign-in with no password, which counts as two factors (user
//! verification is required, so the authenticator checked a PIN or a
//! biometric besides holding the key).
//!
//! Every ceremony's state lives in the database between `begin` and
//! `complete` (any replica finishes it), found by the HMAC of its key,
//! taken once, dead after `LATCHKEY_PASSKEY_CHALLENGE_TIMEOUT`. A sign-in
//! moves the passkey's counter with one conditional UPDATE, so a replayed
//! or cloned assertion (a stale counter) is refused, even when two race.
//! Sign-in begins alike for everyone (no `allowCredentials`: the browser
//! offers its discoverable passkeys), so it never tells whether an account
//! exists.

use crate::core::audit::EventKind;
use crate::core::codes::Code;
use crate::core::config::PasskeyConfig;
use crate::core::entities::passkey::Model as PasskeyRow;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::flows::throttle::Client;
use crate::core::repo::passkeys::{self as repo, NewPasskey};
use crate::core::repo::users;
use crate::core::Engine;
use base64::Engine as _;
use sea_orm::TransactionTrait;
use serde_json::Value;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url,
    Uuid, Webauthn, WebauthnBuilder,
};

/// The relying party of `cfg`: `None` when it cannot be one (the public
/// URL's host is an IP address, which browsers refuse as a relying-party
/// id), unless `explicit` (then a wrong setting stops start-up).
///
/// # Errors
/// An explicitly configured relying party that is not valid.
pub fn relying_party(cfg: &PasskeyConfig, explicit: bool) -> anyhow::Result<Option<Webauthn>> {
    let build = || -> anyhow::Result<Webauthn> {
        let mut origins = cfg.rp_origins.iter().map(|o| Url::parse(o));
        let first = origins.next().ok_or_else(|| anyhow::anyhow!("no passkey origin"))??;
        if first.domain().is_none() {
            anyhow::bail!("{first} has no host name (an IP address cannot be a relying-party id)");
        }
        let mut b = WebauthnBuilder::new(&cfg.rp_id, &first)
            .map_err(|e| anyhow::anyhow!("{:?} is not the host (or a parent domain) of {first}: {e}", cfg.rp_id))?
            .rp_name(&cfg.rp_name)
            .timeout(std::time::Duration::from_secs(u64::try_from(cfg.challenge_ttl_secs).unwrap_or(300)));
        for o in origins {
            b = b.append_allowed_origin(&o?);
        }
        Ok(b.build()?)
    };
    match build() {
        Ok(w) => Ok(Some(w)),
        Err(e) if explicit => Err(e.context("LATCHKEY_PASSKEY_RP_ID / LATCHKEY_PASSKEY_RP_ORIGINS")),
        Err(e) => {
            tracing::info!(error = %e, "passkeys are off: set LATCHKEY_PUBLIC_URL to a host name to use them");
            Ok(None)
        }
    }
}

/// A passkey as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyInfo {
    pub id: i32,
    pub name: String,
    /// Unpadded base64url of the raw credential id.
    pub credential_id: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub transports: Vec<String>,
}

impl From<PasskeyRow> for PasskeyInfo {
    fn from(r: PasskeyRow) -> Self {
        PasskeyInfo {
            transports: serde_json::from_str(&r.transports).unwrap_or_default(),
            id: r.id,
            name: r.name,
            credential_id: r.credential_id,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// A sign-in ceremony begun: the options for `navigator.credentials.get`
/// and the id to complete it with.
pub struct LoginStarted {
    pub options: Value,
    /// 32 lowercase hex digits; only its HMAC is stored.
    pub session_id: String,
}

/// The longest passkey name.
pub const NAME_MAX: usize = 255;
/// What an unnamed passkey is called.
pub const DEFAULT_NAME: &str = "Passkey";

/// A passkey's name as stored: trimmed, control characters (line breaks in
/// a security email) made spaces.
///
/// # Errors
/// `Invalid` on `name`: NUL characters, too long.
fn clean_name(raw: &str) -> Result<String, FlowError> {
    crate::core::domain::reject_nul(raw).map_err(|c| FlowError::field("name", c))?;
    let name: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let name = name.trim().to_owned();
    if name.chars().count() > NAME_MAX {
        return Err(FlowError::field("name", Code::TooLong(NAME_MAX)));
    }
    Ok(name)
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn failed(code: Code) -> FlowError {
    FlowError::non_field(code)
}

/// Whether `s` is a session id as `login/begin/` hands them out.
pub fn is_session_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Engine {
    fn webauthn(&self) -> Result<&Webauthn, FlowError> {
        self.relying_party().ok_or(FlowError::non_field(Code::PasskeysOff))
    }

    /// The WebAuthn user handle of `user_id`: 16 bytes derived from the
    /// deployment secret (stable, and telling nothing about the account).
    fn user_handle(&self, user_id: i32) -> Uuid {
        let mac = self.token_hasher().hash(&format!("passkey-user:{user_id}"));
        let mut bytes = [0u8; 16];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(mac.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
        }
        Uuid::from_bytes(bytes)
    }

    fn ceremony_key(&self, kind: &str, key: &str) -> String {
        self.token_hasher().hash(&format!("passkey-{kind}:{key}"))
    }

    /// Whether passkeys are on (a relying party is configured).
    pub fn passkeys_on(&self) -> bool {
        self.relying_party().is_some()
    }

    /// `register/begin/`: the options for `navigator.credentials.create`
    /// (a discoverable credential, user verification required; the user's
    /// passkeys excluded). A new one replaces the user's earlier ceremony.
    ///
    /// # Errors
    /// `Invalid` (non-field `PasskeysOff`); database failures.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn begin_passkey_registration(&self, user: &User) -> Result<Value, FlowError> {
        let webauthn = self.webauthn()?;
        let existing = repo::for_user(self.db(), user.id).await?;
        let exclude = existing
            .iter()
            .filter_map(|p| serde_json::from_str::<Passkey>(&p.credential).ok())
            .map(|p| p.cred_id().clone())
            .collect::<Vec<_>>();
        let name = self.public_name(user);
        let display = match format!("{} {}", user.first_name, user.last_name).trim() {
            "" => name.to_owned(),
            full => full.to_owned(),
        };
        let (options, state) = webauthn
            .start_passkey_registration(self.user_handle(user.id), name, &display, Some(exclude))
            .map_err(|e| anyhow::anyhow!("starting a passkey registration: {e}"))?;
        let mut options = serde_json::to_value(&options.public_key).map_err(anyhow::Error::from)?;
        // discoverable, so sign-in needs no name (and autofill can offer it)
        if let Some(sel) = options.get_mut("authenticatorSelection").and_then(Value::as_object_mut) {
            sel.insert("residentKey".into(), "required".into());
            sel.insert("requireResidentKey".into(), true.into());
        }
        let t = self.now();
        let state = serde_json::to_string(&state).map_err(anyhow::Error::from)?;
        let key = self.ceremony_key(repo::REGISTER, &user.id.to_string());
        let expires = t + self.config().passkeys.challenge_ttl_secs;
        repo::insert_ceremony(self.db(), key, repo::REGISTER, Some(user.id), state, expires, t).await?;
        Ok(options)
    }

    /// `register/complete/`: checks the browser's `credential` against the
    /// user's ceremony (taken whatever the outcome) and stores the passkey
    /// under `name`; the owner is told.
    ///
    /// # Errors
    /// `Invalid` (non-field): `PasskeyRegistrationExpired`,
    /// `PasskeyRegistrationFailed`, `PasskeyAlreadyRegistered`.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn complete_passkey_registration(
        &self,
        user: &User,
        credential: &Value,
        name: &str,
        client: &Client,
    ) -> Result<PasskeyInfo, FlowError> {
        let webauthn = self.webauthn()?;
        let key = self.ceremony_key(repo::REGISTER, &user.id.to_string());
        let ceremony = repo::take_ceremony(self.db(), &key, repo::REGISTER, self.now())
            .await?
            .ok_or_else(|| failed(Code::PasskeyRegistrationExpired))?;
        let state: PasskeyRegistration = serde_json::from_str(&ceremony.state).map_err(anyhow::Error::from)?;
        let reg: RegisterPublicKeyCredential =
            serde_json::from_value(credential.clone()).map_err(|_| failed(Code::PasskeyRegistrationFailed))?;
        // sign-in is discoverable only: a key the authenticator says it did not keep could never sign in
        if credential["clientExtensionResults"]["credProps"]["rk"] == Value::Bool(false) {
            tracing::info!("a passkey registration made a non-discoverable credential");
            return Err(failed(Code::PasskeyRegistrationFailed));
        }
        let passkey = webauthn.finish_passkey_registration(&reg, &state).map_err(|e| {
            tracing::info!(error = %e, "a passkey registration failed");
            failed(Code::PasskeyRegistrationFailed)
        })?;
        // browsers report transports in `response`; dj-rest-auth's tests send them at the top
        let transports: Vec<String> = [&credential["response"]["transports"], &credential["transports"]]
            .into_iter()
            .find_map(|v| v.as_array())
            .map(|a| a.iter().filter_map(|t| t.as_str()).filter(|t| t.len() <= 32).take(8).map(str::to_owned).collect())
            .unwrap_or_default();
        let name = match clean_name(name)? {
            n if n.is_empty() => DEFAULT_NAME.to_owned(),
            n => n,
        };
        let count = i64::from(webauthn_counter(&passkey));
        let new = NewPasskey {
            user_id: user.id,
            name,
            credential_id: b64url(passkey.cred_id()),
            user_handle: self.user_handle(user.id).simple().to_string(),
            credential: serde_json::to_string(&passkey).map_err(anyhow::Error::from)?,
            sign_count: count,
            transports: serde_json::to_string(&transports).map_err(anyhow::Error::from)?,
        };
        let txn = self.db().begin().await?;
        // a password reset racing with this either ran first (this request's
        // credential is dead) or waits and then removes the new passkey too
        if !users::lock_generation(&txn, user.id, user.auth_epoch).await? {
            return Err(FlowError::Unauthenticated);
        }
        let Some(row) = repo::insert(&txn, new, self.now()).await? else {
            return Err(failed(Code::PasskeyAlreadyRegistered));
        };
        self.notice(&txn, user, "passkey_added", client, &[("name", row.name.as_str())]).await?;
        self.audit(&txn, EventKind::PasskeyAdded, Some(user.id), Some(client), &[("name", row.name.as_str())]).await?;
        txn.commit().await?;
        self.wake_outbox();
        tracing::info!(user_id = user.id, passkey = row.id, "passkey added");
        Ok(row.into())
    }

    /// `login/begin/`: the same options for everyone (the browser offers
    /// its discoverable passkeys for this site).
    ///
    /// # Errors
    /// `Invalid` (non-field `PasskeysOff`); `Throttled`.
    pub async fn begin_passkey_login(&self, client: &Client) -> Result<LoginStarted, FlowError> {
        let webauthn = self.webauthn()?;
        self.throttle("passkey-begin", client, self.config().rate_limits.login_per_ip, None).await?;
        let (options, state) = webauthn
            .start_discoverable_authentication()
            .map_err(|e| anyhow::anyhow!("starting a passkey sign-in: {e}"))?;
        let session_id = Uuid::new_v4().simple().to_string();
        let t = self.now();
        let state = serde_json::to_string(&state).map_err(anyhow::Error::from)?;
        let expires = t + self.config().passkeys.challenge_ttl_secs;
        let key = self.ceremony_key(repo::LOGIN, &session_id);
        repo::insert_ceremony(self.db(), key, repo::LOGIN, None, state, expires, t).await?;
        Ok(LoginStarted {
            options: serde_json::to_value(&options.public_key).map_err(anyhow::Error::from)?,
            session_id,
        })
    }

    /// `login/complete/`: the assertion for the ceremony `session_id` (taken
    /// whatever the outcome). The passkey's counter must move forward; its
    /// owner must be active. A passkey is two factors: the sign-in is done.
    ///
    /// # Errors
    /// `Invalid` (non-field): `PasskeyChallengeExpired`,
    /// `PasskeyCredentialFormat`, `PasskeyNotFound`,
    /// `PasskeyVerificationFailed`, `AccountDisabled`; `Throttled`.
    #[tracing::instrument(skip_all)]
    pub async fn complete_passkey_login(
        &self,
        session_id: &str,
        credential: &Value,
        client: &Client,
    ) -> Result<User, FlowError> {
        let webauthn = self.webauthn()?;
        self.throttle("passkey-login", client, self.config().rate_limits.login_per_ip, None).await?;
        let key = self.ceremony_key(repo::LOGIN, session_id.trim());
        let ceremony = repo::take_ceremony(self.db(), &key, repo::LOGIN, self.now())
            .await?
            .ok_or_else(|| failed(Code::PasskeyChallengeExpired))?;
        if !credential.is_object() {
            return Err(failed(Code::PasskeyCredentialFormat));
        }
        let state: DiscoverableAuthentication = serde_json::from_str(&ceremony.state).map_err(anyhow::Error::from)?;
        let mut credential = credential.clone();
        if credential.get("rawId").is_none() {
            // dj-rest-auth reads `id` when `rawId` is missing
            if let Some(id) = credential.get("id").cloned() {
                credential["rawId"] = id;
            }
        }
        let assertion: PublicKeyCredential =
            serde_json::from_value(credential).map_err(|_| failed(Code::PasskeyCredentialFormat))?;
        let row = repo::by_credential_id(self.db(), &b64url(assertion.get_credential_id()))
            .await?
            .ok_or_else(|| failed(Code::PasskeyNotFound))?;
        let verification = || failed(Code::PasskeyVerificationFailed);
        // the authenticator's user handle must be the one the passkey was made for
        let (handle, _) = webauthn.identify_discoverable_authentication(&assertion).map_err(|_| verification())?;
        if handle.simple().to_string() != row.user_handle {
            return Err(verification());
        }
        let mut passkey: Passkey = serde_json::from_str(&row.credential).map_err(anyhow::Error::from)?;
        let result = match webauthn.finish_discoverable_authentication_v2(&assertion, state, &passkey) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(passkey = row.id, error = %e, "a passkey sign-in failed verification");
                let detail = [("method", "passkey"), ("reason", "verification_failed")];
                self.audit(self.db(), EventKind::SignInFailed, Some(row.user_id), Some(client), &detail).await?;
                return Err(verification());
            }
        };
        let user = users::by_id(self.db(), row.user_id).await?.ok_or_else(verification)?;
        if !user.is_active {
            return Err(failed(Code::AccountDisabled));
        }
        // the rule password sign-in follows (an account unverified since before it became mandatory)
        if self.config().verification == crate::core::config::VerificationMode::Mandatory && !user.email_verified {
            return Err(failed(Code::EmailNotVerified));
        }
        passkey.update_credential(&result);
        let count = i64::from(result.counter());
        let stored = serde_json::to_string(&passkey).map_err(anyhow::Error::from)?;
        let t = self.now();
        // a racing use with the same counter value loses (a cloned authenticator)
        if !repo::record_use(self.db(), row.id, count, stored, t).await? {
            tracing::warn!(passkey = row.id, "a passkey was used twice with one counter value");
            return Err(verification());
        }
        users::touch_last_login(self.db(), user.id, t).await?;
        let detail = [("method", "passkey"), ("passkey", row.name.as_str())];
        self.audit(self.db(), EventKind::SignInSucceeded, Some(user.id), Some(client), &detail).await?;
        tracing::info!(user_id = user.id, passkey = row.id, "signed in with a passkey");
        Ok(User { last_login: Some(t), ..user })
    }

    /// The user's passkeys, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn passkeys(&self, user_id: i32) -> Result<Vec<PasskeyInfo>, FlowError> {
        Ok(repo::for_user(self.db(), user_id).await?.into_iter().map(PasskeyInfo::from).collect())
    }

    /// One of the user's passkeys.
    ///
    /// # Errors
    /// `NotFound` for an id that is not one of theirs.
    pub async fn passkey(&self, user_id: i32, id: i32) -> Result<PasskeyInfo, FlowError> {
        repo::one(self.db(), user_id, id).await?.map(PasskeyInfo::from).ok_or(FlowError::NotFound)
    }

    /// Renames one of the user's passkeys.
    ///
    /// # Errors
    /// `Invalid` on `name` (blank, too long); `NotFound`.
    pub async fn rename_passkey(&self, user_id: i32, id: i32, name: &str) -> Result<PasskeyInfo, FlowError> {
        let name = clean_name(name)?;
        if name.is_empty() {
            return Err(FlowError::field("name", Code::Blank));
        }
        if !repo::rename(self.db(), user_id, id, &name).await? {
            return Err(FlowError::NotFound);
        }
        self.passkey(user_id, id).await
    }

    /// Deletes one of the user's passkeys; the owner is told.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn delete_passkey(&self, user: &User, id: i32, client: &Client) -> Result<(), FlowError> {
        let row = repo::one(self.db(), user.id, id).await?.ok_or(FlowError::NotFound)?;
        let txn = self.db().begin().await?;
        if !repo::delete(&txn, user.id, id).await? {
            return Err(FlowError::NotFound);
        }
        self.notice(&txn, user, "passkey_removed", client, &[("name", row.name.as_str())]).await?;
        self.audit(&txn, EventKind::PasskeyRemoved, Some(user.id), Some(client), &[("name", row.name.as_str())])
            .await?;
        txn.commit().await?;
        self.wake_outbox();
        tracing::info!(user_id = user.id, passkey = id, "passkey removed");
        Ok(())
    }
}

/// The counter a new passkey starts from (webauthn-rs keeps it inside).
fn webauthn_counter(passkey: &Passkey) -> u32 {
    serde_json::to_value(passkey)
        .ok()
        .and_then(|v| v["cred"]["counter"].as_u64())
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(0)
}

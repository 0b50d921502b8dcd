//! TOTP (RFC 6238): HMAC-SHA-1 over 160-bit secrets, `digits` digits,
//! `period`-second steps, one step of clock drift either way (the `totp-rs`
//! crate). A code is accepted once: the step it matched is recorded, and
//! only later steps count after it (no replay, even of the previous
//! window's code). The secret is stored sealed.

use crate::core::aead::Aead;
use crate::core::error::FlowError;
use crate::core::repo::mfa;
use crate::core::Engine;
use base64::Engine as _;
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// What a user needs to set TOTP up: the secret (base32, for typing), the
/// `otpauth://` URL and its QR code, and the token that carries the secret
/// back to the confirmation.
pub struct Enrollment {
    pub secret: String,
    pub totp_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
    pub activation_token: String,
}

impl Enrollment {
    /// The QR code as a `data:` URI (what dj-rest-auth's `qr_code_data_uri` holds).
    pub fn qr_data_uri(&self) -> String {
        format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(&self.qr_svg))
    }
}

/// A fresh 160-bit secret, base32 (what authenticator apps take).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// The QR code of `text` as an SVG document (no XML declaration, so it can
/// sit inside HTML).
fn qr_svg(text: &str) -> Result<String, FlowError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
    Ok(svg.split_once("?>").map_or(svg.as_str(), |(_, rest)| rest).trim().to_owned())
}

impl Engine {
    fn totp_aead(&self) -> Aead {
        Aead::new(&self.config().secret_key, "mfa-totp-secret")
    }

    /// A TOTP of `secret` (base32) with the configured digits and period.
    fn totp(&self, secret: &str, account: &str) -> Result<Totp, FlowError> {
        let cfg = &self.config().mfa;
        let secret = Secret::try_from_base32(secret).map_err(|e| anyhow::anyhow!("TOTP secret: {e:?}"))?;
        let issuer = cfg.issuer.replace(':', "");
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(cfg.digits)
            .with_skew(1)
            .with_step_duration(cfg.period)
            .with_secret(secret)
            .with_account_name(account.replace(':', ""))
            .with_issuer((!issuer.is_empty()).then_some(issuer))
            .build()
            .map_err(|e| FlowError::Unexpected(anyhow::anyhow!("TOTP: {e:?}")))
    }

    /// The URL and QR code for `secret`, named after `account`.
    pub(crate) fn totp_enrollment(
        &self,
        secret: String,
        account: &str,
        activation_token: String,
    ) -> Result<Enrollment, FlowError> {
        let totp_url = self.totp(&secret, account)?.to_url().map_err(|e| anyhow::anyhow!("TOTP URL: {e:?}"))?;
        let qr_svg = qr_svg(&totp_url)?;
        Ok(Enrollment { secret, totp_url, qr_svg, activation_token })
    }

    /// The enrollment an activation token carries, made again (the same
    /// secret and QR code), if the token is the user's and still live.
    pub fn resume_totp(&self, user: &crate::core::entities::user::Model, activation_token: &str) -> Option<Enrollment> {
        let secret = self.activation_secret(user.id, activation_token).ok()?;
        let account = if user.email.is_empty() { user.username.clone() } else { user.email.clone() };
        self.totp_enrollment(secret, &account, activation_token.to_owned()).ok()
    }

    /// The time step `code` matches for `secret` now (one step of drift
    /// either way), if any.
    pub(crate) fn totp_step(&self, secret: &str, code: &str) -> Result<Option<i64>, FlowError> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != usize::from(self.config().mfa.digits) || !code.chars().all(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let now = u64::try_from(self.now()).unwrap_or(0);
        Ok(self.totp(secret, "")?.check(&code, now).and_then(|step| i64::try_from(step).ok()))
    }

    /// Whether the user has TOTP on.
    pub(crate) async fn totp_enabled(&self, user_id: i32) -> Result<bool, FlowError> {
        Ok(mfa::totp(self.db(), user_id).await?.is_some())
    }

    /// Stores `secret` (sealed) as the user's authenticator; `false` when
    /// one is there already.
    pub(crate) async fn store_totp(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: i32,
        secret: &str,
    ) -> Result<bool, FlowError> {
        let sealed = self.totp_aead().seal(secret.as_bytes(), &user_id.to_be_bytes())?;
        Ok(mfa::insert_totp(conn, user_id, sealed, self.now()).await?)
    }

    /// Checks a TOTP code; accepts each time step once.
    pub(crate) async fn check_totp(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: i32,
        code: &str,
    ) -> Result<bool, FlowError> {
        let Some(row) = mfa::totp(conn, user_id).await? else { return Ok(false) };
        let secret = String::from_utf8(self.totp_aead().open(&row.secret_sealed, &user_id.to_be_bytes())?)
            .map_err(|e| anyhow::anyhow!("TOTP secret: {e}"))?;
        let Some(step) = self.totp_step(&secret, code)? else { return Ok(false) };
        Ok(mfa::accept_step(conn, user_id, step, Some(self.now())).await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_160_bits_of_base32() {
        let s = super::new_secret();
        assert_eq!(s.len(), 32);
        assert!(s.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)), "{s}");
        assert_ne!(s, super::new_secret());
    }

    #[test]
    fn qr_codes_are_bare_svg() -> Result<(), crate::core::FlowError> {
        let svg = super::qr_svg("otpauth://totp/Latchkey:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Latchkey")?;
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(!svg.contains("<?xml"));
        Ok(())
    }
}

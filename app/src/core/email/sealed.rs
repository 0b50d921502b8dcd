//! Emails at rest: an outbox row's subject, bodies and link carry one-time
//! links (reset tokens, verification keys), so they are stored only sealed
//! with XChaCha20-Poly1305 under a key derived from the deployment secret,
//! bound to the recipient. A database dump without the secret key holds no
//! usable link; once delivered, the sealed content is deleted.

use anyhow::{anyhow, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// What gets sealed. No `Debug`: it holds links.
#[derive(Clone, Serialize, Deserialize)]
pub struct Content {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub link: Option<String>,
}

#[derive(Clone)]
pub struct ContentSealer {
    cipher: XChaCha20Poly1305,
}

const NONCE_LEN: usize = 24;

impl ContentSealer {
    pub fn new(secret: &SecretString) -> Self {
        let key = crate::core::secrets::derive_key(secret, "outbox-content");
        Self { cipher: XChaCha20Poly1305::new(key.as_slice().into()) }
    }

    /// Base64url of nonce and ciphertext.
    ///
    /// # Errors
    /// Only if serialisation or encryption fails.
    pub fn seal(&self, content: &Content, recipient: &str) -> anyhow::Result<String> {
        let plain = serde_json::to_vec(content)?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: &plain, aad: recipient.as_bytes() })
            .map_err(|_| anyhow!("sealing an email failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// # Errors
    /// Tampered content, another recipient, or another secret key.
    pub fn open(&self, sealed: &str, recipient: &str) -> anyhow::Result<Content> {
        let raw = URL_SAFE_NO_PAD.decode(sealed).context("sealed email is not base64")?;
        if raw.len() < NONCE_LEN {
            return Err(anyhow!("sealed email is too short"));
        }
        let (nonce, body) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: recipient.as_bytes() })
            .map_err(|_| anyhow!("the email cannot be opened with this secret key"))?;
        Ok(serde_json::from_slice(&plain)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        Content {
            subject: "Reset".into(),
            text: "go to https://x.test/reset/MQ/secret-token".into(),
            html: "<a href=\"https://x.test/reset/MQ/secret-token\">".into(),
            link: Some("https://x.test/reset/MQ/secret-token".into()),
        }
    }

    #[test]
    fn seals_and_opens_for_the_same_recipient_and_key() -> anyhow::Result<()> {
        let s = ContentSealer::new(&SecretString::from("k".repeat(40)));
        let sealed = s.seal(&content(), "ada@example.com")?;
        assert!(!sealed.contains("secret-token"));
        assert_ne!(sealed, s.seal(&content(), "ada@example.com")?, "a fresh nonce each time");
        assert_eq!(s.open(&sealed, "ada@example.com")?.link, content().link);
        assert!(s.open(&sealed, "eve@example.com").is_err(), "bound to the recipient");
        assert!(ContentSealer::new(&SecretString::from("j".repeat(40))).open(&sealed, "ada@example.com").is_err());
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(s.open(&String::from_utf8(tampered)?, "ada@example.com").is_err());
        assert!(s.open("", "ada@example.com").is_err());
        Ok(())
    }
}

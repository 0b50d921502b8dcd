//! Emails at rest: an outbox row's subject, bodies and link carry one-time
//! links (reset tokens, verification keys), so they are stored only sealed
//! with XChaCha20-Poly1305 under a key derived from the deployment secret,
//! bound to the recipient. A database dump without the secret key holds no
//! usable link; once delivered, the sealed content is deleted.

use crate::core::aead::Aead;
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
    aead: Aead,
}

impl ContentSealer {
    pub fn new(secret: &SecretString) -> Self {
        Self { aead: Aead::new(secret, "outbox-content") }
    }

    /// Base64url of nonce and ciphertext.
    ///
    /// # Errors
    /// Only if serialisation or encryption fails.
    pub fn seal(&self, content: &Content, recipient: &str) -> anyhow::Result<String> {
        self.aead.seal(&serde_json::to_vec(content)?, recipient.as_bytes())
    }

    /// # Errors
    /// Tampered content, another recipient, or another secret key.
    pub fn open(&self, sealed: &str, recipient: &str) -> anyhow::Result<Content> {
        Ok(serde_json::from_slice(&self.aead.open(sealed, recipient.as_bytes())?)?)
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

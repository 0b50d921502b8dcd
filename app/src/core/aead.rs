//! Secrets Latchkey must read back (an email's content, a TOTP secret,
//! recovery codes, a TOTP activation) are stored or sent only sealed with
//! XChaCha20-Poly1305 under a key derived from the deployment secret, one
//! key per purpose, bound to associated data (the recipient, the user).

use anyhow::{anyhow, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead as _, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::SecretString;

const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct Aead {
    cipher: XChaCha20Poly1305,
}

impl Aead {
    /// A sealer for one `purpose` (a different key for each).
    pub fn new(secret: &SecretString, purpose: &str) -> Self {
        let key = crate::core::secrets::derive_key(secret, purpose);
        Self { cipher: XChaCha20Poly1305::new(key.as_slice().into()) }
    }

    /// Base64url of a fresh nonce and the ciphertext of `plain`, bound to `aad`.
    ///
    /// # Errors
    /// Only if encryption fails.
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> anyhow::Result<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, Payload { msg: plain, aad }).map_err(|_| anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// # Errors
    /// Tampered or truncated input, other associated data, another key.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> anyhow::Result<Vec<u8>> {
        let raw = URL_SAFE_NO_PAD.decode(sealed).context("sealed value is not base64")?;
        if raw.len() < NONCE_LEN {
            return Err(anyhow!("sealed value is too short"));
        }
        let (nonce, body) = raw.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| anyhow!("the value cannot be opened with this secret key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_bound_to_key_purpose_and_data() -> anyhow::Result<()> {
        let secret = SecretString::from("k".repeat(40));
        let a = Aead::new(&secret, "one");
        let sealed = a.seal(b"hello", b"ada")?;
        assert_eq!(a.open(&sealed, b"ada")?, b"hello");
        assert!(a.open(&sealed, b"eve").is_err());
        assert!(Aead::new(&secret, "two").open(&sealed, b"ada").is_err());
        assert!(a.open("short", b"ada").is_err());
        Ok(())
    }
}

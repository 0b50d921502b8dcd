//! Recovery codes: `count` single-use codes shaped as dj-rest-auth's
//! (`xxxx-xxxx`, lowercase hex: 32 random bits each). Each is stored twice:
//! an HMAC to find and use it (constant-time lookup by hash), and sealed,
//! so the unused ones can be shown again. Using one is one conditional
//! UPDATE: racing requests cannot both use it.

use crate::core::aead::Aead;
use crate::core::error::FlowError;
use crate::core::repo::mfa;
use crate::core::Engine;
use rand::RngCore;

/// A fresh code, `xxxx-xxxx`.
fn new_code() -> String {
    let mut bytes = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}", &hex[..4], &hex[4..])
}

/// The form codes are compared in: trimmed, lowercased, dash where it goes.
fn normalise(code: &str) -> String {
    let bare: String = code.trim().to_lowercase().chars().filter(|c| c.is_ascii_hexdigit()).collect();
    if bare.len() == 8 {
        format!("{}-{}", &bare[..4], &bare[4..])
    } else {
        code.trim().to_lowercase()
    }
}

impl Engine {
    fn recovery_aead(&self) -> Aead {
        Aead::new(&self.config().secret_key, "mfa-recovery-code")
    }

    fn recovery_hash(&self, user_id: i32, code: &str) -> String {
        self.limit_hasher().hash(&format!("recovery:{user_id}:{}", normalise(code)))
    }

    /// Replaces the user's recovery codes with fresh ones; returns them (the
    /// only time they are made).
    pub(crate) async fn new_recovery_codes(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: i32,
    ) -> Result<Vec<String>, FlowError> {
        let aead = self.recovery_aead();
        let codes: Vec<String> = (0..self.config().mfa.recovery_codes).map(|_| new_code()).collect();
        let mut rows = Vec::with_capacity(codes.len());
        for code in &codes {
            rows.push((self.recovery_hash(user_id, code), aead.seal(code.as_bytes(), &user_id.to_be_bytes())?));
        }
        mfa::replace_codes(conn, user_id, rows, self.now()).await?;
        Ok(codes)
    }

    /// The user's unused recovery codes.
    ///
    /// # Errors
    /// Database failures, or codes sealed under another secret key.
    pub async fn unused_recovery_codes(&self, user_id: i32) -> Result<Vec<String>, FlowError> {
        let aead = self.recovery_aead();
        let mut codes = Vec::new();
        for row in mfa::unused_codes(self.db(), user_id).await? {
            let plain = aead.open(&row.code_sealed, &user_id.to_be_bytes())?;
            codes.push(String::from_utf8(plain).map_err(|e| anyhow::anyhow!("recovery code: {e}"))?);
        }
        Ok(codes)
    }

    /// Uses up a recovery code of the user's, if `code` is one and unused.
    pub(crate) async fn use_recovery_code(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: i32,
        code: &str,
    ) -> Result<bool, FlowError> {
        if code.trim().chars().count() > 9 {
            return Ok(false);
        }
        Ok(mfa::use_code(conn, user_id, &self.recovery_hash(user_id, code), self.now()).await?)
    }

    /// Fresh recovery codes sealed for the page that shows them once (kept
    /// in the browser's session for ten minutes, then gone).
    ///
    /// # Errors
    /// Only if sealing fails.
    pub fn seal_fresh_codes(&self, user_id: i32, codes: &[String]) -> Result<String, FlowError> {
        let plain = serde_json::to_vec(&(self.now(), codes)).map_err(anyhow::Error::from)?;
        Ok(Aead::new(&self.config().secret_key, "fresh-recovery-codes").seal(&plain, &user_id.to_be_bytes())?)
    }

    /// The codes [`Engine::seal_fresh_codes`] sealed, if the user's and
    /// under ten minutes old.
    pub fn open_fresh_codes(&self, user_id: i32, sealed: &str) -> Option<Vec<String>> {
        let plain =
            Aead::new(&self.config().secret_key, "fresh-recovery-codes").open(sealed, &user_id.to_be_bytes()).ok()?;
        let (made, codes): (i64, Vec<String>) = serde_json::from_slice(&plain).ok()?;
        (self.now() - made <= 600).then_some(codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_look_like_dj_rest_auths() {
        let c = new_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert!(c.chars().filter(|c| *c != '-').all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalise(" ABCD-EF01 "), "abcd-ef01");
        assert_eq!(normalise("abcdef01"), "abcd-ef01");
        assert_eq!(normalise("123456"), "123456");
    }
}

//! Password hashing with argon2id (OWASP parameters: m=19456 KiB, t=2, p=1),
//! run on the blocking pool with bounded concurrency so a flood of logins
//! queues instead of allocating 19 MiB per request.

use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn argon() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon()?
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?;
    Ok(hash.to_string())
}

fn verify_blocking(password: &SecretString, stored: &str) -> bool {
    // Django's `argon2$argon2id$...` is a PHC string behind a prefix.
    let phc = stored.strip_prefix("argon2").filter(|rest| rest.starts_with("$argon2")).unwrap_or(stored);
    if phc.starts_with("$argon2") {
        let Ok(parsed) = PasswordHash::new(phc) else { return false };
        // the parameters come from the stored hash, so older ones still verify
        return argon()
            .map(|a| a.verify_password(password.expose_secret().as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
    }
    super::django::verify_pbkdf2(password.expose_secret(), stored).unwrap_or(false)
}

/// Whether a stored hash was made with other parameters (or another
/// algorithm) and should be replaced at the next successful login.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return true };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    let get = |k: &str| parsed.params.get_decimal(k);
    get("m") != Some(M_COST_KIB) || get("t") != Some(T_COST) || get("p") != Some(P_COST)
}

/// Hashes and verifies passwords off the async executor.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    /// At most `max_concurrent` hashes run at once (one per core is right).
    pub fn new(max_concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max_concurrent.max(1))), dummy: Arc::new(OnceCell::new()) }
    }

    async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
        let permit = self.permits.clone().acquire_owned().await.context("hasher closed")?;
        tokio::task::spawn_blocking(move || {
            let out = job();
            drop(permit);
            out
        })
        .await
        .context("hash task panicked")
    }

    /// # Errors
    /// Only when the blocking pool fails.
    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Checks `password` against `stored`; with no stored hash (unknown user,
    /// social-only account) it checks a dummy hash, so both take the same time.
    ///
    /// # Errors
    /// Only when the blocking pool fails.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> anyhow::Result<bool> {
        let (target, real) = match stored {
            Some(h) => (h, true),
            None => (self.dummy_hash().await?, false),
        };
        let ok = self.run(move || verify_blocking(&password, &target)).await?;
        Ok(ok && real)
    }

    async fn dummy_hash(&self) -> anyhow::Result<String> {
        let this = self.clone();
        self.dummy
            .get_or_try_init(
                || async move { this.hash(SecretString::from("latchkey-dummy-password".to_owned())).await },
            )
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn hash_then_verify() -> anyhow::Result<()> {
        let h = PasswordHasher::new(2);
        let stored = h.hash(secret("Tr1cky-Latch-9")).await?;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(h.verify(secret("Tr1cky-Latch-9"), Some(stored.clone())).await?);
        assert!(!h.verify(secret("wrong"), Some(stored.clone())).await?);
        assert!(!needs_rehash(&stored));
        Ok(())
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() -> anyhow::Result<()> {
        let h = PasswordHasher::new(1);
        assert!(!h.verify(secret("latchkey-dummy-password"), None).await?);
        Ok(())
    }

    #[tokio::test]
    async fn django_hashes_verify_and_need_an_upgrade() -> anyhow::Result<()> {
        // made by Django 5.1's make_password("Tr1cky-Latch-9", "seasalt1234", ...)
        let hashes = [
            "pbkdf2_sha256$870000$seasalt1234$g9Wa7oDrsBHdeLSgvD4Oi5FAIRxjNrBGNtT08ltKWXg=",
            "argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdDEyMzQ$XSWy53A9XfhYVNV8InkB21BIQzPodkK6F7lh+a/YYfU",
            "pbkdf2_sha1$870000$seasalt1234$YA34YogdlmpfPXFVze4jnj5csOk=",
        ];
        let h = PasswordHasher::new(2);
        for stored in hashes {
            assert!(h.verify(secret("Tr1cky-Latch-9"), Some(stored.to_owned())).await?, "{stored}");
            assert!(!h.verify(secret("Tr1cky-Latch-8"), Some(stored.to_owned())).await?, "{stored}");
            assert!(needs_rehash(stored), "{stored}");
        }
        assert!(!h.verify(secret(""), Some("!unusable".to_owned())).await?);
        Ok(())
    }

    #[test]
    fn weaker_params_need_rehash() {
        assert!(needs_rehash("$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"));
        assert!(needs_rehash("not a hash"));
    }
}

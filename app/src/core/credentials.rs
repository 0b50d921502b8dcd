//! Password hashing with argon2id (OWASP parameters: m=19456 KiB, t=2, p=1),
//! off the async executor on a few dedicated threads (one per core), each
//! reusing one 19 MiB work area: a flood of logins queues instead of
//! allocating, and memory stays at threads x 19 MiB.
//!
//! The queue is bounded: past `queue_limit` waiting hashes a request is
//! refused at once (503, try again) instead of waiting behind a flood; and a
//! hash whose requester has gone (the client hung up) is skipped, so
//! abandoned requests do not delay the ones still waiting.

use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordVerifier as _, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::OnceCell;

const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn argon() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A thread's reusable argon2 work area.
type Memory = Vec<Block>;

fn new_memory() -> Memory {
    vec![Block::default(); M_COST_KIB as usize]
}

fn hash_blocking(memory: &mut Memory, password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_raw = salt.as_salt().decode_b64(&mut salt_buf).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; 32];
    argon()?
        .hash_password_into_with_memory(password.expose_secret().as_bytes(), salt_raw, &mut out, memory.as_mut_slice())
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?;
    let output = Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?;
    Ok(format!("$argon2id$v=19$m={M_COST_KIB},t={T_COST},p={P_COST}${}${output}", salt.as_str()))
}

/// Our own parameters: verify in the thread's work area, no allocation.
fn verify_own(memory: &mut Memory, password: &SecretString, parsed: &PasswordHash<'_>) -> Option<bool> {
    if needs_rehash(&parsed.to_string()) {
        return None;
    }
    let expected = parsed.hash?;
    let mut salt_buf = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
    let mut out = vec![0u8; expected.len()];
    argon()
        .ok()?
        .hash_password_into_with_memory(password.expose_secret().as_bytes(), salt, &mut out, memory.as_mut_slice())
        .ok()?;
    Some(bool::from(subtle::ConstantTimeEq::ct_eq(out.as_slice(), expected.as_bytes())))
}

fn verify_blocking(memory: &mut Memory, password: &SecretString, stored: &str) -> bool {
    // Django's `argon2$argon2id$...` is a PHC string behind a prefix.
    let phc = stored.strip_prefix("argon2").filter(|rest| rest.starts_with("$argon2")).unwrap_or(stored);
    if phc.starts_with("$argon2") {
        let Ok(parsed) = PasswordHash::new(phc) else { return false };
        if let Some(ok) = verify_own(memory, password, &parsed) {
            return ok;
        }
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

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// Why a hash could not run.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// More hashes are waiting than the queue takes: try again shortly.
    #[error("too many password hashes waiting")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<HashError> for crate::core::FlowError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => crate::core::FlowError::Unavailable("password hashing queue full".into()),
            HashError::Failed(e) => crate::core::FlowError::Unexpected(e),
        }
    }
}

/// Hashes and verifies passwords off the async executor.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    dummy: Arc<OnceCell<String>>,
    waiting: Arc<AtomicUsize>,
    queue_limit: usize,
    checks: Arc<AtomicU64>,
    dummy_checks: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// `threads` hashes run at once (one per core is right); up to
    /// `queue_limit` more wait in line.
    pub fn new(threads: usize, queue_limit: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
                let mut memory = new_memory();
                loop {
                    let job = match queue.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(&mut memory),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a hashing thread");
            }
        }
        Self {
            jobs,
            dummy: Arc::new(OnceCell::new()),
            waiting: Arc::new(AtomicUsize::new(0)),
            queue_limit: queue_limit.max(1),
            checks: Arc::new(AtomicU64::new(0)),
            dummy_checks: Arc::new(AtomicU64::new(0)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue_limit {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(HashError::Busy);
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let waiting = self.waiting.clone();
        let job: Job = Box::new(move |memory| {
            waiting.fetch_sub(1, Ordering::AcqRel);
            // the requester went away (client hung up): nobody needs this hash
            if reply.is_closed() {
                return;
            }
            let _ = reply.send(job(memory));
        });
        if self.jobs.send(job).is_err() {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(anyhow::anyhow!("hashing threads stopped").into());
        }
        Ok(answer.await.context("hashing thread panicked or skipped the job")?)
    }

    /// How many passwords were checked against a stored hash so far.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// How many dummy checks ran (unknown users, accounts whose budget is
    /// spent): the same work as a real check, telling nothing.
    pub fn dummy_checks(&self) -> u64 {
        self.dummy_checks.load(Ordering::Relaxed)
    }

    /// # Errors
    /// `Busy` when the queue is full; `Failed` when the hashing threads are gone.
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        Ok(self.run(move |memory| hash_blocking(memory, &password)).await??)
    }

    /// Checks `password` against `stored`; with no stored hash (unknown user,
    /// social-only account) it checks a dummy hash, so both take the same time.
    ///
    /// # Errors
    /// `Busy` when the queue is full; `Failed` when the hashing threads are gone.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> Result<bool, HashError> {
        let (target, real) = match stored {
            Some(h) => (h, true),
            None => (self.dummy_hash().await?, false),
        };
        let checks = if real { self.checks.clone() } else { self.dummy_checks.clone() };
        let ok = self
            .run(move |memory| {
                checks.fetch_add(1, Ordering::Relaxed);
                verify_blocking(memory, &password, &target)
            })
            .await?;
        Ok(ok && real)
    }

    async fn dummy_hash(&self) -> Result<String, HashError> {
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
        let h = PasswordHasher::new(2, 64);
        let stored = h.hash(secret("Tr1cky-Latch-9")).await?;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        // the standard verifier agrees with ours
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(argon()?.verify_password(b"Tr1cky-Latch-9", &parsed).is_ok());
        assert!(h.verify(secret("Tr1cky-Latch-9"), Some(stored.clone())).await?);
        assert!(!h.verify(secret("wrong"), Some(stored.clone())).await?);
        assert!(!needs_rehash(&stored));
        Ok(())
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() -> anyhow::Result<()> {
        let h = PasswordHasher::new(1, 64);
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
        let h = PasswordHasher::new(2, 64);
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

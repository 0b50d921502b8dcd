//! Password hashing with argon2id (OWASP parameters: m=19456 KiB, t=2, p=1),
//! off the async executor on a few dedicated threads (one per core), each
//! reusing one 19 MiB work area: a flood of logins queues instead of
//! allocating, and memory stays at threads x 19 MiB.
//!
//! Hashes wait in two lines: `Lane::Known` (a password check for an account
//! from a network it has signed in from with its password before) goes
//! ahead of `Lane::Other` (everyone else: sign-ups, unknown names, new
//! places). A flood of guesses from many addresses fills the second line
//! only, so the account's owner still signs in within a few hashes' time.
//! The known line cannot be used to crowd out the rest: an account has at
//! most `KNOWN_PER_ACCOUNT` hashes in it (more wait in the other line, as
//! they do when the known line is full), and every `OTHER_TURN`th hash is
//! taken from the other line.
//!
//! Each line is bounded: past `queue_limit` waiting hashes a request is
//! refused at once (503, try again) instead of waiting behind a flood; and a
//! hash whose requester has gone (the client hung up) is skipped, so
//! abandoned requests do not delay the ones still waiting.

use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordVerifier as _, Version};
use secrecy::{ExposeSecret, SecretString};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
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

/// Which line a password hash waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// A check for this account from a network it has signed in from before.
    Known(i32),
    /// Everything else.
    Other,
}

/// Hashes one account may have waiting in the known line.
const KNOWN_PER_ACCOUNT: usize = 2;
/// Every this many hashes, one comes from the other line (when it has any).
const OTHER_TURN: u32 = 4;

#[derive(Default)]
struct Lines {
    known: VecDeque<(i32, Job)>,
    other: VecDeque<Job>,
    /// Hashes taken since the last one from the other line.
    since_other: u32,
    stopped: bool,
}

impl Lines {
    fn pop(&mut self) -> Option<Job> {
        let other_turn = self.since_other + 1 >= OTHER_TURN && !self.other.is_empty();
        if !other_turn {
            if let Some((_, job)) = self.known.pop_front() {
                self.since_other += 1;
                return Some(job);
            }
        }
        let job = self.other.pop_front()?;
        self.since_other = 0;
        Some(job)
    }

    /// Whether a hash for `lane` goes in the known line (else the other).
    fn goes_known(&self, lane: Lane, limit: usize) -> bool {
        match lane {
            Lane::Known(user) => {
                let mine = self.known.iter().filter(|(u, _)| *u == user).count();
                mine < KNOWN_PER_ACCOUNT && self.known.len() < limit
            }
            Lane::Other => false,
        }
    }

    /// Queues `job` in `lane`'s line, or in the other line when the
    /// account's share of the known line (or the line) is full.
    fn push(&mut self, lane: Lane, job: Job, limit: usize) -> Result<(), HashError> {
        if let (true, Lane::Known(user)) = (self.goes_known(lane, limit), lane) {
            self.known.push_back((user, job));
            return Ok(());
        }
        if self.other.len() >= limit {
            return Err(HashError::Busy);
        }
        self.other.push_back(job);
        Ok(())
    }
}

#[derive(Default)]
struct Queue {
    lines: Mutex<Lines>,
    ready: Condvar,
}

impl Queue {
    /// The next job, known line first; `None` once stopped and drained.
    fn next(&self) -> Option<Job> {
        let mut lines = self.lines.lock().ok()?;
        loop {
            if let Some(job) = lines.pop() {
                return Some(job);
            }
            if lines.stopped {
                return None;
            }
            lines = self.ready.wait(lines).ok()?;
        }
    }
}

/// Stops the hashing threads when the last handle goes.
struct Stopper(Arc<Queue>);

impl Drop for Stopper {
    fn drop(&mut self) {
        if let Ok(mut lines) = self.0.lines.lock() {
            lines.stopped = true;
        }
        self.0.ready.notify_all();
    }
}

/// Hashes and verifies passwords off the async executor.
#[derive(Clone)]
pub struct PasswordHasher {
    queue: Arc<Queue>,
    _stopper: Arc<Stopper>,
    dummy: Arc<OnceCell<String>>,
    queue_limit: usize,
    checks: Arc<AtomicU64>,
    dummy_checks: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// `threads` hashes run at once (one per core is right); up to
    /// `queue_limit` more wait in each line.
    pub fn new(threads: usize, queue_limit: usize) -> Self {
        let queue = Arc::new(Queue::default());
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
                let mut memory = new_memory();
                while let Some(job) = queue.next() {
                    // a panicking hash drops its reply (the request fails) but not the thread
                    let run = std::panic::AssertUnwindSafe(|| job(&mut memory));
                    if std::panic::catch_unwind(run).is_err() {
                        tracing::error!("a password hash panicked");
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a hashing thread");
            }
        }
        Self {
            _stopper: Arc::new(Stopper(queue.clone())),
            queue,
            dummy: Arc::new(OnceCell::new()),
            queue_limit: queue_limit.max(1),
            checks: Arc::new(AtomicU64::new(0)),
            dummy_checks: Arc::new(AtomicU64::new(0)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        lane: Lane,
        job: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // the requester went away (client hung up): nobody needs this hash
            if reply.is_closed() {
                return;
            }
            let _ = reply.send(job(memory));
        });
        self.queue.lines.lock().map_err(|_| anyhow::anyhow!("hashing queue poisoned"))?.push(
            lane,
            job,
            self.queue_limit,
        )?;
        self.queue.ready.notify_one();
        Ok(answer.await.context("hashing thread panicked or skipped the job")?)
    }

    /// Whether a hash for `lane` would be refused now (its line is full):
    /// lets a caller refuse before doing other work. A later `run` may
    /// still be refused (the lines move meanwhile).
    pub fn would_refuse(&self, lane: Lane) -> bool {
        self.queue
            .lines
            .lock()
            .map_or(true, |l| !l.goes_known(lane, self.queue_limit) && l.other.len() >= self.queue_limit)
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
        Ok(self.run(Lane::Other, move |memory| hash_blocking(memory, &password)).await??)
    }

    /// Checks `password` against `stored`; with no stored hash (unknown user,
    /// social-only account) it checks a dummy hash, so both take the same time.
    ///
    /// # Errors
    /// `Busy` when the queue is full; `Failed` when the hashing threads are gone.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> Result<bool, HashError> {
        self.verify_in(Lane::Other, password, stored).await
    }

    /// [`PasswordHasher::verify`] in the given line.
    ///
    /// # Errors
    /// `Busy` when that line is full; `Failed` when the hashing threads are gone.
    pub async fn verify_in(
        &self,
        lane: Lane,
        password: SecretString,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let (target, real) = match stored {
            Some(h) => (h, true),
            None => (self.dummy_hash().await?, false),
        };
        let checks = if real { self.checks.clone() } else { self.dummy_checks.clone() };
        let ok = self
            .run(lane, move |memory| {
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

    /// With the one thread busy: the other line fills up and refuses the
    /// next hash; the known line still takes the account's two, sends its
    /// third to the other line (full: refused), and they run first.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_known_line_goes_first_and_is_bounded_per_account() -> anyhow::Result<()> {
        let h = PasswordHasher::new(1, 2);
        let order = Arc::new(Mutex::new(Vec::new()));
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let started = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let busy = {
            let (h, started) = (h.clone(), started.clone());
            tokio::spawn(async move {
                h.run(Lane::Other, move |_| {
                    started.store(true, Ordering::SeqCst);
                    let _ = wait.recv();
                })
                .await
            })
        };
        let lens = || h.queue.lines.lock().map(|l| (l.known.len(), l.other.len())).unwrap_or((0, 0));
        // the one thread is busy
        while !started.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
        let queued = |lane: Lane, name: &'static str| {
            let (h, order) = (h.clone(), order.clone());
            tokio::spawn(async move { h.run(lane, move |_| order.lock().map(|mut o| o.push(name)).is_ok()).await })
        };
        let a = queued(Lane::Other, "a");
        while lens().1 < 1 {
            tokio::task::yield_now().await;
        }
        let b = queued(Lane::Other, "b");
        while lens().1 < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(h.run(Lane::Other, |_| ()).await, Err(HashError::Busy)), "the other line is full");
        let k1 = queued(Lane::Known(7), "k1");
        while lens().0 < 1 {
            tokio::task::yield_now().await;
        }
        let k2 = queued(Lane::Known(7), "k2");
        while lens().0 < 2 {
            tokio::task::yield_now().await;
        }
        assert!(
            matches!(h.run(Lane::Known(7), |_| ()).await, Err(HashError::Busy)),
            "a third for one account waits in the other line, which is full"
        );
        go.send(())?;
        busy.await?.map_err(|e| anyhow::anyhow!("{e}"))?;
        for t in [a, b, k1, k2] {
            assert!(t.await?.map_err(|e| anyhow::anyhow!("{e}"))?);
        }
        assert_eq!(*order.lock().map_err(|_| anyhow::anyhow!("lock"))?, vec!["k1", "k2", "a", "b"]);
        Ok(())
    }

    /// Known hashes cannot starve the other line: every fourth is its.
    #[test]
    fn the_other_line_gets_every_fourth_turn() -> anyhow::Result<()> {
        let mut lines = Lines::default();
        let job = || -> Job { Box::new(|_| ()) };
        for user in 0..6 {
            lines.push(Lane::Known(user), job(), 64)?;
        }
        lines.push(Lane::Other, job(), 64)?;
        let mut taken = Vec::new();
        while lines.pop().is_some() {
            taken.push((lines.known.len(), lines.other.len()));
        }
        // known, known, known, then the other line's one, then the rest
        assert_eq!(taken, vec![(5, 1), (4, 1), (3, 1), (3, 0), (2, 0), (1, 0), (0, 0)]);
        Ok(())
    }

    #[test]
    fn weaker_params_need_rehash() {
        assert!(needs_rehash("$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"));
        assert!(needs_rehash("not a hash"));
    }
}

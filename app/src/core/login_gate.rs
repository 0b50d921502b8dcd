//! The gate in front of password sign-in, for when guesses flood in.
//!
//! While the hashing queue's other line is full (see `credentials`), a
//! login is refused (503) before any database work unless this replica saw
//! the same name finish a password check from the same network in the last
//! 90 days. Without the gate, every refused guess still read the account
//! and its known networks first, so a flood from many addresses held the
//! database (and the cores) long enough to keep the account's owner
//! waiting seconds for an answer.
//!
//! The memory is per replica and bounded (least recently used names are
//! forgotten first); it only decides who may go on to the database, never
//! who is let in. A login the memory does not hold still gets one of a few
//! look-up places when one is free, so an owner on a replica that restarted
//! meanwhile (or that they never used) is recognised by the database's
//! known networks as before.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Names (with their network) remembered per replica.
const REMEMBERED: usize = 50_000;
/// Logins the memory does not hold that may read the database at once
/// while the other line is full.
const LOOKUPS: usize = 4;

pub struct LoginGate {
    /// keyed hash of (network, name) -> when its password last checked out
    recent: Mutex<lru::LruCache<String, i64>>,
    lookups: Semaphore,
}

impl Default for LoginGate {
    fn default() -> Self {
        Self::new(REMEMBERED)
    }
}

impl LoginGate {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self { recent: Mutex::new(lru::LruCache::new(capacity)), lookups: Semaphore::new(LOOKUPS) }
    }

    /// Notes that the password for `key` checked out at `now`.
    pub fn note(&self, key: String, now: i64) {
        if let Ok(mut recent) = self.recent.lock() {
            recent.put(key, now);
        }
    }

    /// Whether `key` checked out at or after `since`.
    pub fn knows(&self, key: &str, since: i64) -> bool {
        self.recent.lock().is_ok_and(|mut r| r.get(key).is_some_and(|&at| at >= since))
    }

    /// One of the few look-up places for a login the memory does not hold,
    /// if one is free now.
    pub fn try_lookup(&self) -> Option<SemaphorePermit<'_>> {
        self.lookups.try_acquire().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_recent_names_forgets_old_and_least_used_ones() {
        let gate = LoginGate::new(2);
        gate.note("a".into(), 100);
        gate.note("b".into(), 100);
        assert!(gate.knows("a", 50));
        assert!(!gate.knows("a", 101), "a check older than the window does not count");
        // "b" is the least recently used now: a third name pushes it out
        gate.note("c".into(), 100);
        assert!(!gate.knows("b", 0));
        assert!(gate.knows("a", 0) && gate.knows("c", 0));
        assert!(!gate.knows("nobody", 0));
    }

    #[test]
    fn only_a_few_unknown_logins_look_up_at_once() {
        let gate = LoginGate::default();
        let held: Vec<_> = (0..LOOKUPS).map_while(|_| gate.try_lookup()).collect();
        assert_eq!(held.len(), LOOKUPS);
        assert!(gate.try_lookup().is_none());
        drop(held);
        assert!(gate.try_lookup().is_some());
    }
}

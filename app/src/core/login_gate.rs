//! The gate in front of password sign-in, for when guesses flood in.
//!
//! A flood of guesses from many addresses used to read the account and its
//! known networks for every guess (most then refused because the hashing
//! queue was full), so it kept the database (and the cores) busy and the
//! account's owner waited seconds behind it. Now:
//! - a name this replica saw check out from the same network in the last 90
//!   days goes straight on (its owner, most likely);
//! - every other login takes one of a few look-up places for its reads,
//!   first come, first served, and is refused (503) if none frees up within
//!   a few seconds. Unloaded, a place is always free; under a flood the
//!   flood's reads are bounded and wait in line, behind nobody it matters
//!   to. An owner the memory does not hold (a restarted replica, or one
//!   they never used) is still recognised by the database's known networks
//!   once their turn comes.
//!
//! The memory is per replica and bounded: per name a few networks, and the
//! least recently used names are forgotten first, so filling it takes many
//! accounts, not one account from many networks. It only decides who may go
//! on to the database, never who is let in.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Names remembered per replica.
pub const NAMES: usize = 50_000;
/// Networks remembered per name (the oldest is replaced).
const NETWORKS_PER_NAME: usize = 4;
/// How long a login waits for a look-up place before it is refused: longer
/// than the pool's own wait for a connection, so a slow database answers
/// as it did without the gate (slowly, or "unavailable" from the pool).
const LOOKUP_WAIT: Duration = Duration::from_secs(6);
/// How long a login may hold its place: a read stuck on a dead connection
/// must not keep a place until the request times out.
pub const LOOKUP_HOLD: Duration = Duration::from_secs(10);

/// Per name: (network, when its password last checked out from there).
type Networks = Vec<(String, i64)>;

pub struct LoginGate {
    recent: Mutex<lru::LruCache<String, Networks>>,
    lookups: Semaphore,
}

impl LoginGate {
    /// `names` remembered; `places` logins the memory does not hold read
    /// the database at once (half the connection pool: the rest stays for
    /// everyone else, the remembered owner included).
    pub fn new(names: usize, places: usize) -> Self {
        let names = NonZeroUsize::new(names).unwrap_or(NonZeroUsize::MIN);
        Self { recent: Mutex::new(lru::LruCache::new(names)), lookups: Semaphore::new(places.max(1)) }
    }

    /// Notes that the password for `name` checked out from `network` at `now`.
    pub fn note(&self, name: String, network: String, now: i64) {
        let Ok(mut recent) = self.recent.lock() else { return };
        let networks = recent.get_or_insert_mut(name, Vec::new);
        networks.retain(|(n, _)| *n != network);
        if networks.len() >= NETWORKS_PER_NAME {
            networks.sort_by_key(|&(_, at)| std::cmp::Reverse(at));
            networks.truncate(NETWORKS_PER_NAME - 1);
        }
        networks.push((network, now));
    }

    /// Whether `name` checked out from `network` at or after `since`.
    pub fn knows(&self, name: &str, network: &str, since: i64) -> bool {
        self.recent
            .lock()
            .is_ok_and(|mut r| r.get(name).is_some_and(|nets| nets.iter().any(|(n, at)| n == network && *at >= since)))
    }

    /// A look-up place for a login the memory does not hold, waiting (in
    /// arrival order) at most a few seconds; `None`: refuse it.
    pub async fn lookup(&self) -> Option<SemaphorePermit<'_>> {
        self.lookup_within(LOOKUP_WAIT).await
    }

    async fn lookup_within(&self, wait: Duration) -> Option<SemaphorePermit<'_>> {
        tokio::time::timeout(wait, self.lookups.acquire()).await.ok()?.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_recent_names_forgets_old_and_least_used_ones() {
        let gate = LoginGate::new(2, 4);
        gate.note("a".into(), "net1".into(), 100);
        gate.note("b".into(), "net1".into(), 100);
        assert!(gate.knows("a", "net1", 50));
        assert!(!gate.knows("a", "net2", 50), "another network is not known");
        assert!(!gate.knows("a", "net1", 101), "a check older than the window does not count");
        // "b" is the least recently used now: a third name pushes it out
        gate.note("c".into(), "net1".into(), 100);
        assert!(!gate.knows("b", "net1", 0));
        assert!(gate.knows("a", "net1", 0) && gate.knows("c", "net1", 0));
        assert!(!gate.knows("nobody", "net1", 0));
    }

    #[test]
    fn one_name_from_many_networks_keeps_a_few_and_pushes_out_no_one() {
        let gate = LoginGate::new(2, 4);
        gate.note("owner".into(), "home".into(), 10);
        for i in 0..1000 {
            gate.note("attacker".into(), format!("net{i}"), 20 + i);
        }
        assert!(gate.knows("owner", "home", 0), "one name cannot flush the others");
        assert!(gate.knows("attacker", "net999", 0) && !gate.knows("attacker", "net0", 0));
        // the newest networks are kept
        gate.note("owner".into(), "office".into(), 30);
        assert!(gate.knows("owner", "home", 0) && gate.knows("owner", "office", 0));
    }

    #[tokio::test]
    async fn only_a_few_unknown_logins_look_up_at_once_and_the_rest_wait_their_turn() {
        let gate = LoginGate::new(NAMES, 4);
        let mut held = Vec::new();
        for _ in 0..4 {
            let place = gate.lookup_within(Duration::from_millis(50)).await;
            assert!(place.is_some(), "a free place");
            held.extend(place);
        }
        assert!(gate.lookup_within(Duration::from_millis(50)).await.is_none(), "all taken: refused after the wait");
        let waiting = gate.lookup_within(Duration::from_secs(5));
        let release = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            held.pop();
        };
        let (got, ()) = tokio::join!(waiting, release);
        assert!(got.is_some(), "a waiting login gets the place freed");
    }
}

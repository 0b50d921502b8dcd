//! The engine's clock: every timestamp a flow reads or writes comes from
//! here, so tests can move time forward instead of sleeping. Production uses
//! the system clock with no offset; only tests call [`Clock::advance`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds since the Unix epoch, plus an offset tests can move.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, in seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        system_now() + self.offset.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every engine sharing it) `secs` into the future.
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }
}

/// The wall clock, for what other parties time-stamp (a provider's ID token).
pub fn system_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let c = Clock::system();
        let shared = c.clone();
        let before = shared.now();
        c.advance(3600);
        assert!(shared.now() >= before + 3600);
        assert!(shared.now() < before + 3700);
    }
}

//! A short-lived, in-process memory of who an API credential (an opaque
//! token, or a JWT's refresh family) belongs to and of their profile, so that
//! reads (`GET user/`) skip the database.
//!
//! Correctness rules:
//! - Only reads use it; every write authenticates against the database.
//! - Every change to a user, their profile or their tokens calls
//!   [`Engine::account_changed`] after commit, which forgets the user here and,
//!   on PostgreSQL, tells every other replica (`NOTIFY`), whose listener
//!   forgets them too. A lost listener connection empties the whole cache.
//! - A fill that raced with a forget is dropped (the epoch moved), so a read
//!   that started before a change never caches the old state.
//! - Entries live at most `ttl`, which bounds staleness where no notification
//!   can arrive (several processes on one SQLite file).

use crate::core::entities::user::Model as User;
use crate::core::Engine;
use crate::shared::user::ProfileView;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The PostgreSQL channel replicas use to tell each other of changed accounts.
pub const CHANNEL: &str = "latchkey_account_changed";

/// More entries than this and the cache starts over (bounds memory).
const MAX_ENTRIES: usize = 20_000;

struct Entry<T> {
    user_id: i32,
    value: T,
    at: Instant,
}

#[derive(Default)]
struct Maps {
    /// Stored token hash -> (user, token id).
    tokens: HashMap<String, Entry<(User, i32)>>,
    /// Live JWT refresh family -> its user.
    families: HashMap<String, Entry<User>>,
    /// User id -> profile.
    profiles: HashMap<i32, Entry<ProfileView>>,
}

impl Maps {
    fn len(&self) -> usize {
        self.tokens.len() + self.families.len() + self.profiles.len()
    }
}

pub(crate) struct AuthCache {
    ttl: Duration,
    epoch: AtomicU64,
    maps: Mutex<Maps>,
}

/// Where a fill started: it is kept only if nothing was forgotten since.
#[derive(Clone, Copy)]
pub(crate) struct Epoch(u64);

impl AuthCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self { ttl, epoch: AtomicU64::new(0), maps: Mutex::new(Maps::default()) }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn maps(&self) -> std::sync::MutexGuard<'_, Maps> {
        // a panic while holding the lock cannot leave the maps inconsistent
        self.maps.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn epoch(&self) -> Epoch {
        Epoch(self.epoch.load(Ordering::Acquire))
    }

    pub(crate) fn token(&self, hash: &str) -> Option<(User, i32)> {
        if !self.enabled() {
            return None;
        }
        let maps = self.maps();
        maps.tokens.get(hash).filter(|e| e.at.elapsed() < self.ttl).map(|e| e.value.clone())
    }

    pub(crate) fn family(&self, sid: &str) -> Option<User> {
        if !self.enabled() {
            return None;
        }
        let maps = self.maps();
        maps.families.get(sid).filter(|e| e.at.elapsed() < self.ttl).map(|e| e.value.clone())
    }

    pub(crate) fn profile(&self, user_id: i32) -> Option<ProfileView> {
        if !self.enabled() {
            return None;
        }
        let maps = self.maps();
        maps.profiles.get(&user_id).filter(|e| e.at.elapsed() < self.ttl).map(|e| e.value.clone())
    }

    /// The maps, with room for one more entry, if a fill that started at
    /// `since` may still be kept.
    fn for_fill(&self, since: Epoch) -> Option<std::sync::MutexGuard<'_, Maps>> {
        if !self.enabled() {
            return None;
        }
        let mut maps = self.maps();
        if self.epoch.load(Ordering::Acquire) != since.0 {
            return None;
        }
        if maps.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            maps.tokens.retain(|_, e| e.at.elapsed() < ttl);
            maps.families.retain(|_, e| e.at.elapsed() < ttl);
            maps.profiles.retain(|_, e| e.at.elapsed() < ttl);
            if maps.len() >= MAX_ENTRIES {
                *maps = Maps::default();
            }
        }
        Some(maps)
    }

    pub(crate) fn put_token(&self, since: Epoch, hash: String, user: User, token_id: i32) {
        if let Some(mut maps) = self.for_fill(since) {
            maps.tokens.insert(hash, Entry { user_id: user.id, value: (user, token_id), at: Instant::now() });
        }
    }

    pub(crate) fn put_family(&self, since: Epoch, sid: String, user: User) {
        if let Some(mut maps) = self.for_fill(since) {
            maps.families.insert(sid, Entry { user_id: user.id, value: user, at: Instant::now() });
        }
    }

    pub(crate) fn put_profile(&self, since: Epoch, user_id: i32, profile: ProfileView) {
        if let Some(mut maps) = self.for_fill(since) {
            maps.profiles.insert(user_id, Entry { user_id, value: profile, at: Instant::now() });
        }
    }

    /// Forgets everything about `user_id`.
    pub(crate) fn forget(&self, user_id: i32) {
        let mut maps = self.maps();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        maps.tokens.retain(|_, e| e.user_id != user_id);
        maps.families.retain(|_, e| e.user_id != user_id);
        maps.profiles.remove(&user_id);
    }

    /// Forgets everything (a missed notification could hide any change).
    pub(crate) fn clear(&self) {
        let mut maps = self.maps();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        *maps = Maps::default();
    }
}

impl Engine {
    /// Call after committing any change to a user, their profile or their
    /// credentials: this process forgets them at once and, on PostgreSQL,
    /// every other replica does when the notification arrives.
    pub(crate) async fn account_changed(&self, user_id: i32) {
        self.auth_cache().forget(user_id);
        let db = self.db();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            let stmt = sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), user_id.to_string().into()],
            );
            if let Err(e) = db.execute(stmt).await {
                tracing::warn!(error = %e, user_id, "could not notify other replicas of an account change");
            }
        }
    }

    /// Listens for other replicas' account changes (PostgreSQL only; on
    /// SQLite this never returns and does nothing). Reconnects by itself and
    /// empties the cache whenever notifications may have been missed.
    pub async fn run_account_listener(self) {
        if self.db().get_database_backend() != sea_orm::DbBackend::Postgres || !self.auth_cache().enabled() {
            return std::future::pending().await;
        }
        use sea_orm::sqlx::postgres::PgListener;
        loop {
            let pool = self.db().get_postgres_connection_pool().clone();
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "account-change listener cannot connect; retrying");
                    self.auth_cache().clear();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "account-change listener cannot LISTEN; retrying");
                self.auth_cache().clear();
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            // anything cached before LISTEN took effect may have missed a change
            self.auth_cache().clear();
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => match n.payload().parse::<i32>() {
                        Ok(id) => self.auth_cache().forget(id),
                        Err(_) => self.auth_cache().clear(),
                    },
                    // the connection was lost: the next call reconnects
                    Ok(None) => self.auth_cache().clear(),
                    Err(e) => {
                        tracing::warn!(error = %e, "account-change listener failed; reconnecting");
                        self.auth_cache().clear();
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i32) -> User {
        User {
            id,
            username: format!("u{id}"),
            username_lower: format!("u{id}"),
            email: format!("u{id}@example.com"),
            email_lower: format!("u{id}@example.com"),
            email_verified: true,
            password_hash: None,
            first_name: String::new(),
            last_name: String::new(),
            is_active: true,
            date_joined: 0,
            last_login: None,
            auth_epoch: 0,
            is_staff: false,
        }
    }

    #[test]
    fn forgets_a_user_and_keeps_the_others() {
        let c = AuthCache::new(Duration::from_secs(60));
        let e = c.epoch();
        c.put_token(e, "a".into(), user(1), 10);
        c.put_token(e, "b".into(), user(2), 20);
        c.put_profile(e, 1, ProfileView::default());
        c.forget(1);
        assert!(c.token("a").is_none());
        assert!(c.profile(1).is_none());
        assert_eq!(c.token("b").map(|(u, t)| (u.id, t)), Some((2, 20)));
    }

    #[test]
    fn a_fill_that_raced_with_a_change_is_dropped() {
        let c = AuthCache::new(Duration::from_secs(60));
        let before = c.epoch();
        c.forget(7);
        c.put_token(before, "k".into(), user(7), 1);
        c.put_profile(before, 7, ProfileView::default());
        assert!(c.token("k").is_none());
        assert!(c.profile(7).is_none());
        c.put_token(c.epoch(), "k".into(), user(7), 1);
        assert!(c.token("k").is_some());
    }

    #[test]
    fn entries_expire_and_zero_ttl_disables() {
        let c = AuthCache::new(Duration::from_millis(30));
        c.put_token(c.epoch(), "k".into(), user(1), 1);
        assert!(c.token("k").is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(c.token("k").is_none());
        let off = AuthCache::new(Duration::ZERO);
        off.put_token(off.epoch(), "k".into(), user(1), 1);
        assert!(off.token("k").is_none());
    }

    #[test]
    fn memory_is_bounded() {
        let c = AuthCache::new(Duration::from_secs(60));
        for i in 0..(MAX_ENTRIES as i32 + 10) {
            c.put_token(c.epoch(), format!("k{i}"), user(i), i);
        }
        let m = c.maps();
        assert!(m.tokens.len() < MAX_ENTRIES);
    }
}

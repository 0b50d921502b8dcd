//! Known networks: where an account has signed in with its password in the
//! last 90 days (the IPv4 address or IPv6 /64, kept as a keyed hash). A
//! password check for the account from one of them waits in the hashing
//! queue's known line, ahead of guesses from anywhere else (see
//! `credentials`). Only a password sign-in, finished (with its second
//! factor, if any), makes a network known: not the sign-in that follows
//! registration, and not a social or passkey sign-in, which never queue a
//! hash. Both the note and the look-up are best effort: a database error
//! costs the priority, never the sign-in.

use super::throttle::{network_of, Client};
use crate::core::credentials::Lane;
use crate::core::repo::known_networks;
use crate::core::{Engine, FlowError};
use tokio::sync::SemaphorePermit;

/// How long a network stays known after its last sign-in.
pub const KNOWN_FOR_SECS: i64 = 90 * 24 * 3600;

impl Engine {
    fn network_key(&self, user_id: i32, client: &Client) -> Option<String> {
        let ip = client.ip?;
        Some(self.limit_key(&format!("known-network:{user_id}:{}", network_of(ip))))
    }

    /// Notes that `user_id` finished a password sign-in from `client`'s network.
    pub(crate) async fn remember_network(&self, user_id: i32, client: &Client) {
        if let Some(key) = self.network_key(user_id, client) {
            if let Err(e) = known_networks::remember(self.db(), &key, user_id, self.now()).await {
                tracing::warn!(error = %e, "could not note the network of a sign-in");
            }
        }
    }

    /// The hashing line for a password check of `user` (none: an unknown
    /// name) from `client`. The look-up runs for unknown names too, so the
    /// time taken tells nothing.
    pub(crate) async fn lane_for(&self, user_id: Option<i32>, client: &Client) -> Lane {
        let Some(key) = self.network_key(user_id.unwrap_or(0), client) else {
            return Lane::Other;
        };
        let known = known_networks::seen_since(self.db(), &key, self.now() - KNOWN_FOR_SECS).await.unwrap_or(false);
        match user_id {
            Some(id) if known => Lane::Known(id),
            _ => Lane::Other,
        }
    }

    /// The login gate's names for `login` (as written) and `client`'s network.
    fn gate_keys(&self, login: &str, client: &Client) -> Option<(String, String)> {
        let ip = client.ip?;
        Some((self.limit_key(&format!("recent-login:{login}")), network_of(ip)))
    }

    /// Notes that the password typed for `login` (as written) checked out
    /// from `client`'s network: the login gate lets it by without a look-up
    /// place from now on (see `login_gate`).
    pub(crate) fn note_login(&self, login: &str, client: &Client) {
        if let Some((name, network)) = self.gate_keys(login, client) {
            self.login_gate().note(name, network, self.now());
        }
    }

    /// Waits, if need be, until a password login for `login` from `client`
    /// may read the database (see `login_gate`). `Some(permit)`: a look-up
    /// place, to hold until the caller knows its line.
    ///
    /// # Errors
    /// `Unavailable` (503) for a login this replica has not seen check out
    /// from there, when no look-up place frees up in time (a flood).
    pub(crate) async fn admit_login(
        &self,
        login: &str,
        client: &Client,
    ) -> Result<Option<SemaphorePermit<'_>>, FlowError> {
        let since = self.now() - KNOWN_FOR_SECS;
        if self.gate_keys(login, client).is_some_and(|(name, net)| self.login_gate().knows(&name, &net, since)) {
            return Ok(None);
        }
        match self.login_gate().lookup().await {
            Some(permit) => Ok(Some(permit)),
            None => Err(FlowError::Unavailable("every login look-up place busy".into())),
        }
    }
}

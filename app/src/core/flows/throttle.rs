//! Rate limits, counted in the database so every replica sees the same
//! numbers: requests per client address, emails per recipient, and password
//! checks per account.
//!
//! A password check is *reserved* before anything is hashed: the counter is
//! incremented and read in one statement, so however many guesses arrive at
//! once, at most N of them are ever checked per account per window. A correct
//! password gives its reservation back; wrong ones stay counted until the
//! window ends (the owner is slowed down for a while, never locked out for
//! good). Every key is an HMAC of what it names, so keys have one length
//! whatever the input and the table holds no addresses.

use crate::core::config::Limit;
use crate::core::error::FlowError;
use crate::core::repo::rate_limits;
use crate::core::Engine;
use std::net::IpAddr;

/// Who is asking, as far as the transport can tell.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<IpAddr>,
    /// The `User-Agent`, cut to 255 characters (for security notices).
    pub user_agent: Option<String>,
}

/// The client a per-address limit counts: an IPv4 address (also when
/// written as IPv4-mapped IPv6), or an IPv6 address's /64, the network one
/// subscriber is given (counting each of its 2^64 addresses alone would
/// make the limit meaningless).
pub(crate) fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

/// One password check counted against a budget; give it back with
/// [`Engine::release`] when the password was right.
#[must_use]
pub(crate) struct Reservation {
    key: String,
    window_start: i64,
}

/// The budget every check of this account's password draws on: logins by
/// any identifier, and the password re-entered to change the password or
/// the email, or to delete the account.
pub(crate) fn account_budget(user_id: i32) -> String {
    format!("password:user:{user_id}")
}

impl Engine {
    /// The stored key for a counter named `name`.
    pub(crate) fn limit_key(&self, name: &str) -> String {
        self.limit_hasher().hash(name)
    }

    /// Counts one event on `name`; `(count, window_start)`.
    async fn hit(&self, name: &str, limit: Limit) -> Result<(String, i64, i64), FlowError> {
        let key = self.limit_key(name);
        let (count, start) = rate_limits::hit(self.db(), &key, limit.window_secs, self.now()).await?;
        Ok((key, count, start))
    }

    fn wait(&self, start: i64, limit: Limit) -> i64 {
        (start + limit.window_secs - self.now()).max(1)
    }

    async fn count(&self, name: &str, limit: Limit) -> Result<(), FlowError> {
        let (_, count, start) = self.hit(name, limit).await?;
        if count > limit.count {
            return Err(FlowError::Throttled(self.wait(start, limit)));
        }
        Ok(())
    }

    /// Counts an attempt from `client` (and, when given, on `account`).
    pub(crate) async fn throttle(
        &self,
        action: &str,
        client: &Client,
        per_ip: Limit,
        account: Option<(&str, Limit)>,
    ) -> Result<(), FlowError> {
        if let Some(ip) = client.ip {
            self.count(&format!("{action}:ip:{}", network_of(ip)), per_ip).await?;
        }
        if let Some((who, limit)) = account {
            self.count(&format!("{action}:acct:{}", who.to_lowercase()), limit).await?;
        }
        Ok(())
    }

    /// Reserves one password check on `budget`: the reservation, or how
    /// many seconds until the budget's window ends.
    pub(crate) async fn reserve_check(&self, budget: &str) -> Result<Result<Reservation, i64>, FlowError> {
        let limit = self.config().rate_limits.login_failures_per_account;
        let (key, count, window_start) = self.hit(budget, limit).await?;
        Ok(if count > limit.count {
            Err(self.wait(window_start, limit))
        } else {
            Ok(Reservation { key, window_start })
        })
    }

    /// Gives a reservation back (the password was right).
    pub(crate) async fn release(&self, r: Reservation) -> Result<(), FlowError> {
        Ok(rate_limits::release(self.db(), &r.key, r.window_start).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        let n = |s: &str| network_of(s.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0])));
        assert_eq!(n("2001:db8:1:2::1"), n("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_eq!(n("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(n("2001:db8:1:2::1"), n("2001:db8:1:3::1"));
        assert_eq!(n("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(n("198.51.100.7"), "198.51.100.7");
    }
}

//! Rate limits on the flows that send email or check passwords, per client
//! address and per account, counted in the database so every replica sees
//! the same numbers. Failed logins slow an account down for a while (never
//! for good), and a successful login clears them.

use crate::core::config::Limit;
use crate::core::error::FlowError;
use crate::core::repo::rate_limits;
use crate::core::{now, Engine};
use std::net::IpAddr;

/// Who is asking, as far as the transport can tell.
#[derive(Clone, Copy, Debug, Default)]
pub struct Client {
    pub ip: Option<IpAddr>,
}

impl Engine {
    async fn count(&self, key: &str, limit: Limit) -> Result<(), FlowError> {
        let t = now();
        let (count, start) = rate_limits::hit(self.db(), key, limit.window_secs, t).await?;
        if count > limit.count {
            return Err(FlowError::Throttled((start + limit.window_secs - t).max(1)));
        }
        Ok(())
    }

    /// Counts an attempt from `client` (and, when given, on `account`).
    pub(crate) async fn throttle(
        &self,
        action: &str,
        client: Client,
        per_ip: Limit,
        account: Option<(&str, Limit)>,
    ) -> Result<(), FlowError> {
        if let Some(ip) = client.ip {
            self.count(&format!("{action}:ip:{ip}"), per_ip).await?;
        }
        if let Some((who, limit)) = account {
            self.count(&format!("{action}:acct:{}", who.to_lowercase()), limit).await?;
        }
        Ok(())
    }

    /// Refuses logins to an account that failed too often lately.
    pub(crate) async fn check_login_failures(&self, account: &str) -> Result<(), FlowError> {
        let limit = self.config().rate_limits.login_failures_per_account;
        let t = now();
        let (count, start) = rate_limits::peek(self.db(), &failures_key(account), limit.window_secs, t).await?;
        if count >= limit.count {
            return Err(FlowError::Throttled((start + limit.window_secs - t).max(1)));
        }
        Ok(())
    }

    pub(crate) async fn record_login_failure(&self, account: &str) -> Result<(), FlowError> {
        let limit = self.config().rate_limits.login_failures_per_account;
        rate_limits::hit(self.db(), &failures_key(account), limit.window_secs, now()).await?;
        Ok(())
    }

    pub(crate) async fn clear_login_failures(&self, account: &str) -> Result<(), FlowError> {
        Ok(rate_limits::clear(self.db(), &failures_key(account)).await?)
    }
}

fn failures_key(account: &str) -> String {
    format!("login-failures:{}", account.trim().to_lowercase())
}

//! Security notices: an email to the account's address when something
//! that guards it changed (password, two-factor, recovery codes, a linked
//! identity), saying what, when, from which address and browser, and what
//! to do if it was not them. Written to the outbox in the change's
//! transaction when there is one.

use super::throttle::Client;
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::Engine;

impl Engine {
    /// Tells the owner a provider was connected to the account.
    pub(crate) async fn notify_link(&self, user: &User, provider: &str, client: &Client) -> Result<(), FlowError> {
        let name = self
            .providers()
            .names()
            .into_iter()
            .find(|(id, _)| id == provider)
            .map_or_else(|| provider.to_owned(), |(_, n)| n);
        self.notice(self.db(), user, "social_linked", client, &[("provider", name.as_str())]).await?;
        self.wake_outbox();
        Ok(())
    }

    /// Queues the `kind` notice for `user` (send it with `wake_outbox` after
    /// the transaction commits).
    pub(crate) async fn notify(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user: &User,
        kind: &'static str,
        client: &Client,
    ) -> Result<(), FlowError> {
        self.notice(conn, user, kind, client, &[]).await
    }

    pub(crate) async fn notice(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user: &User,
        kind: &'static str,
        client: &Client,
        extra: &[(&str, &str)],
    ) -> Result<(), FlowError> {
        let when = crate::core::rfc3339(self.now());
        let address = client.ip.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
        let browser = client.user_agent.clone().unwrap_or_else(|| "an unknown browser".to_owned());
        let site = self.config().public_url.clone();
        let vars = [
            ("username", user.username.as_str()),
            ("when", when.as_str()),
            ("address", address.as_str()),
            ("browser", browser.as_str()),
            ("site", site.as_str()),
        ];
        let vars: Vec<(&str, &str)> = vars.into_iter().chain(extra.iter().copied()).collect();
        self.enqueue(conn, kind, &user.email, None, &vars).await
    }
}

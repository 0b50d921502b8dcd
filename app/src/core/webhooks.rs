//! Webhooks: other services hear of account events (`user.created`,
//! `password.changed`, ...). An event is written to `webhook_deliveries`, one
//! row per subscribed endpoint, in the transaction of the change (with its
//! audit event), so it exists exactly when the change does; a worker posts
//! it with retries (1 s, 2 s, 4 s, ... at most an hour apart, given up after
//! [`MAX_ATTEMPTS`]) under database leases, so any replica may send it and a
//! restart loses nothing. Delivery is at least once; every attempt carries
//! the same event id.
//!
//! Signed as Standard Webhooks (<https://www.standardwebhooks.com>) sign:
//! `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature:
//! v1,<base64 of HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`; a secret
//! written `whsec_<base64>` is used as the bytes it encodes, any other as its
//! UTF-8 bytes.

use crate::core::audit::EventKind;
use crate::core::entities::webhook_delivery::Model as Delivery;
use crate::core::error::FlowError;
use crate::core::repo::{users, webhooks as repo};
use crate::core::Engine;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::time::Duration;

/// After this many failed attempts (about nine hours) a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 20;
/// Longer than the request timeout, so a claim outlives a slow receiver.
const LEASE_SECS: i64 = 30;
const TIMEOUT: Duration = Duration::from_secs(10);
/// One delivery per claim: a claim's lease must outlive its own post only.
const BATCH: u64 = 1;

/// Every event an endpoint may subscribe to.
pub const EVENTS: [&str; 13] = [
    "user.created",
    "user.verified",
    "user.updated",
    "user.deleted",
    "user.deactivated",
    "user.reactivated",
    "user.signed_in",
    "email.changed",
    "password.changed",
    "session.revoked",
    "mfa.enabled",
    "mfa.disabled",
    "passkey.added",
];

/// One receiver: where, with which secret, for which events (`*`: all).
#[derive(Clone)]
pub struct WebhookEndpoint {
    pub url: String,
    pub secret: SecretString,
    pub events: Vec<String>,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint").field("url", &self.url).field("events", &self.events).finish_non_exhaustive()
    }
}

impl WebhookEndpoint {
    fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event)
    }

    /// How deliveries name the endpoint: a hash of its URL (URLs often
    /// carry a secret of their own, which stays in the configuration).
    pub fn key(&self) -> String {
        use sha2::Digest;
        let digest = Sha256::digest(self.url.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Scheme, host and port, for logs.
    fn site(&self) -> String {
        url::Url::parse(&self.url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
    }
}

/// The webhook event an audit event is, if any.
pub fn event_for(kind: EventKind) -> Option<&'static str> {
    use EventKind::*;
    Some(match kind {
        UserCreated | AdminCreated => "user.created",
        EmailVerified => "user.verified",
        AdminUserUpdated => "user.updated",
        AccountDeleted | AdminUserDeleted => "user.deleted",
        AdminUserDeactivated => "user.deactivated",
        AdminUserReactivated => "user.reactivated",
        SignInSucceeded => "user.signed_in",
        EmailChanged => "email.changed",
        PasswordChanged | PasswordReset => "password.changed",
        SessionsRevoked | AdminSessionsRevoked => "session.revoked",
        MfaEnabled => "mfa.enabled",
        MfaDisabled | AdminMfaReset => "mfa.disabled",
        PasskeyAdded => "passkey.added",
        _ => return None,
    })
}

/// The key bytes of a secret (`whsec_<base64>` decoded).
fn key_bytes(secret: &SecretString) -> Vec<u8> {
    let s = secret.expose_secret();
    s.strip_prefix("whsec_")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_else(|| s.as_bytes().to_vec())
}

/// `v1,<signature>` of one attempt.
pub fn signature(secret: &SecretString, id: &str, timestamp: i64, body: &str) -> String {
    let key = key_bytes(secret);
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

fn backoff(attempts: i32) -> i64 {
    (1_i64 << attempts.clamp(0, 12)).min(3600)
}

impl Engine {
    /// Queues `event` for every endpoint subscribed to it, on `conn` (the
    /// change's transaction). Nothing when none is.
    pub(crate) async fn queue_webhook(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        event: &'static str,
        user_id: Option<i32>,
        detail: &[(&str, &str)],
    ) -> Result<(), FlowError> {
        let endpoints: Vec<&WebhookEndpoint> = self.config().webhooks.iter().filter(|e| e.wants(event)).collect();
        if endpoints.is_empty() {
            return Ok(());
        }
        let user = match user_id {
            Some(id) => users::by_id(conn, id).await?,
            None => None,
        };
        let hide_username = self.config().username == crate::core::config::UsernameMode::None;
        let user = user.map(|u| {
            let mut body = serde_json::json!({
                "id": u.id,
                "username": u.username,
                "email": u.email,
                "email_verified": u.email_verified,
                "is_active": u.is_active,
                "is_staff": u.is_staff,
                "first_name": u.first_name,
                "last_name": u.last_name,
            });
            if let (true, Some(map)) = (hide_username, body.as_object_mut()) {
                map.remove("username");
            }
            body
        });
        let detail: serde_json::Map<String, serde_json::Value> = detail
            .iter()
            .filter(|(k, _)| !(hide_username && *k == "username"))
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect();
        let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
        let t = self.now();
        let body = serde_json::json!({
            "id": event_id,
            "type": event,
            "created_at": crate::core::rfc3339(t),
            "data": { "user_id": user_id, "user": user, "detail": detail },
        })
        .to_string();
        for endpoint in endpoints {
            repo::insert(conn, &endpoint.key(), &event_id, event, body.clone(), t).await?;
        }
        Ok(())
    }

    /// Posts what is due now; returns how many were handled.
    ///
    /// # Errors
    /// Database failures (a receiver's failure is recorded, not returned).
    pub async fn deliver_due_webhooks(&self) -> anyhow::Result<usize> {
        if self.config().webhooks.is_empty() {
            return Ok(0);
        }
        let claimed_at = self.now();
        let due = repo::claim_due(self.db(), claimed_at, BATCH, LEASE_SECS).await?;
        let lease = claimed_at + LEASE_SECS;
        for d in &due {
            let endpoint = self.config().webhooks.iter().find(|e| e.key() == d.endpoint);
            let site = endpoint.map(WebhookEndpoint::site).unwrap_or_default();
            match self.post_webhook(endpoint, d).await {
                // only while this worker's lease holds: a late answer never undoes another's
                Ok(()) => repo::mark_delivered(self.db(), d.id, lease, self.now()).await?,
                Err(e) => {
                    let attempt = d.attempts + 1;
                    let next = (attempt < MAX_ATTEMPTS).then(|| self.now() + backoff(d.attempts));
                    tracing::warn!(event = %d.event, endpoint = %site, attempt, gave_up = next.is_none(), error = %e, "webhook delivery failed");
                    repo::mark_failed(self.db(), d.id, lease, next, self.now(), &e).await?;
                    self.count_webhook_failure();
                }
            }
        }
        Ok(due.len())
    }

    async fn post_webhook(&self, endpoint: Option<&WebhookEndpoint>, d: &Delivery) -> Result<(), String> {
        let endpoint = endpoint.ok_or_else(|| "the endpoint is no longer configured".to_owned())?;
        let ts = self.now();
        let res = self
            .webhook_http()
            .post(&endpoint.url)
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .header("user-agent", "Latchkey-Webhooks/1")
            .header("webhook-id", &d.event_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature(&endpoint.secret, &d.event_id, ts, &d.payload))
            .body(d.payload.clone())
            .send()
            .await
            .map_err(|e| format!("{}", e.without_url()))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered {}", res.status()))
        }
    }

    /// The worker loop; runs as long as the future is polled.
    pub async fn run_webhook_worker(self) {
        if self.config().webhooks.is_empty() {
            return std::future::pending().await;
        }
        loop {
            match self.deliver_due_webhooks().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "webhook worker"),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // the Standard Webhooks specification's example
        let secret = SecretString::from("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned());
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!((backoff(0), backoff(3), backoff(30)), (1, 8, 3600));
    }

    #[test]
    fn every_mapped_event_can_be_subscribed() {
        for k in EventKind::ALL {
            if let Some(e) = event_for(k) {
                assert!(EVENTS.contains(&e), "{e}");
            }
        }
    }
}

//! The outbox worker: sends due emails, retries failures with exponential
//! backoff (1 s, 2 s, 4 s, ... at most 10 min), and never drops one. Claims
//! are leases in the database, so several replicas can run it at once.

use crate::core::repo::outbox;
use crate::core::{now, Engine};
use std::time::Duration;

/// Longer than the SMTP timeout (10 s), so a claim outlives a slow send but a
/// crashed sender's claim soon expires.
const LEASE_SECS: i64 = 15;
const BATCH: u64 = 20;

fn backoff(attempts: i32) -> i64 {
    1_i64 << attempts.clamp(0, 10).min(9)
}

impl Engine {
    /// Sends what is due now; returns how many were handled.
    pub async fn deliver_due_emails(&self) -> anyhow::Result<usize> {
        let due = outbox::claim_due(self.db(), now(), BATCH, LEASE_SECS).await?;
        for email in &due {
            let msg = super::OutgoingEmail {
                to: email.recipient.clone(),
                kind: kind_name(&email.kind),
                subject: email.subject.clone(),
                text: email.text_body.clone(),
                html: email.html_body.clone(),
                link: email.link.clone(),
            };
            match self.mailer().send(&msg).await {
                Ok(()) => outbox::mark_sent(self.db(), email.id, now()).await?,
                Err(e) => {
                    let wait = backoff(email.attempts).min(600);
                    tracing::warn!(kind = %email.kind, attempt = email.attempts + 1, retry_in_secs = wait, error = %format!("{e:#}"), "email delivery failed");
                    outbox::mark_failed(self.db(), email.id, now() + wait, &format!("{e:#}")).await?;
                }
            }
        }
        Ok(due.len())
    }

    /// The worker loop; it runs as long as the future is polled (the
    /// application drives it beside the HTTP server and drops it at shutdown).
    pub async fn run_outbox_worker(self) {
        loop {
            match self.deliver_due_emails().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "outbox worker"),
            }
            tokio::select! {
                () = self.outbox_wakeup().notified() => {}
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }
}

/// The template kinds as static names (the outbox stores them as text).
fn kind_name(kind: &str) -> &'static str {
    match kind {
        "verify_email" => "verify_email",
        "password_reset" => "password_reset",
        "unknown_account" => "unknown_account",
        "change_email" => "change_email",
        "email_changed" => "email_changed",
        _ => "email",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_stops_growing() {
        assert_eq!(super::backoff(0), 1);
        assert_eq!(super::backoff(3), 8);
        assert_eq!(super::backoff(30), 512);
    }
}

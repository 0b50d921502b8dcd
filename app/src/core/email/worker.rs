//! The outbox worker: sends due emails, retries failures with exponential
//! backoff (1 s, 2 s, 4 s, ... at most 10 min), and never drops one. Claims
//! are leases in the database, so several replicas can run it at once.
//!
//! Delivery is at least once: a crash after the SMTP server accepted a
//! message but before the row is marked sent makes it go again once the
//! lease ends. Both copies carry the same `Message-ID` (derived from the
//! row), so relays and mail clients that de-duplicate show it once.

use super::sealed::Content;
use crate::core::entities::outbox_email::Model as Row;
use crate::core::repo::outbox;
use crate::core::Engine;
use std::time::Duration;

/// Longer than the SMTP timeout (10 s), so a claim outlives a slow send but a
/// crashed sender's claim soon expires.
const LEASE_SECS: i64 = 15;
const BATCH: u64 = 20;

fn backoff(attempts: i32) -> i64 {
    1_i64 << attempts.clamp(0, 9)
}

/// The `Message-ID` of an outbox row: the same every time it is sent.
pub fn message_id(row_id: i32, created_at: i64, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("latchkey.local");
    format!("<outbox-{row_id}.{created_at}@{domain}>")
}

impl Engine {
    /// The content of a row: opened from its seal, or from the plain columns
    /// of a row written before sealing existed.
    fn content_of(&self, row: &Row) -> anyhow::Result<Content> {
        match &row.sealed {
            Some(sealed) => self.content_sealer().open(sealed, &row.recipient),
            None => Ok(Content {
                subject: row.subject.clone(),
                text: row.text_body.clone(),
                html: row.html_body.clone(),
                link: row.link.clone(),
            }),
        }
    }

    /// Sends what is due now; returns how many were handled.
    pub async fn deliver_due_emails(&self) -> anyhow::Result<usize> {
        let due = outbox::claim_due(self.db(), self.now(), BATCH, LEASE_SECS).await?;
        for email in &due {
            let sent = match self.content_of(email) {
                Ok(content) => {
                    let msg = super::OutgoingEmail {
                        to: email.recipient.clone(),
                        kind: kind_name(&email.kind),
                        subject: content.subject,
                        text: content.text,
                        html: content.html,
                        link: content.link,
                        message_id: Some(message_id(email.id, email.created_at, &self.config().email_from)),
                    };
                    self.mailer().send(&msg).await
                }
                Err(e) => Err(e),
            };
            match sent {
                Ok(()) => outbox::mark_sent(self.db(), email.id, self.now()).await?,
                Err(e) => {
                    let wait = backoff(email.attempts);
                    tracing::warn!(kind = %email.kind, attempt = email.attempts + 1, retry_in_secs = wait, error = %format!("{e:#}"), "email delivery failed");
                    outbox::mark_failed(self.db(), email.id, self.now() + wait, &format!("{e:#}")).await?;
                }
            }
        }
        Ok(due.len())
    }

    /// Seals up to `limit` rows written in plain text before sealing existed
    /// (delivered ones are just redacted); returns how many.
    pub(crate) async fn seal_plain_outbox_rows(&self, limit: u64) -> anyhow::Result<usize> {
        let rows = outbox::plain_rows(self.db(), limit).await?;
        for row in &rows {
            if row.sent_at.is_some() {
                outbox::mark_sent(self.db(), row.id, row.sent_at.unwrap_or_default()).await?;
                continue;
            }
            let sealed = self.content_sealer().seal(&self.content_of(row)?, &row.recipient)?;
            outbox::seal_row(self.db(), row.id, sealed).await?;
        }
        Ok(rows.len())
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
        "password_changed" => "password_changed",
        "mfa_enabled" => "mfa_enabled",
        "mfa_disabled" => "mfa_disabled",
        "recovery_code_used" => "recovery_code_used",
        "recovery_codes_regenerated" => "recovery_codes_regenerated",
        "social_linked" => "social_linked",
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

    #[test]
    fn message_ids_come_from_the_row() {
        assert_eq!(super::message_id(7, 100, "Latchkey <no-reply@id.example>"), "<outbox-7.100@id.example>");
        assert_eq!(super::message_id(7, 100, "bare@mail.example"), "<outbox-7.100@mail.example>");
        assert_eq!(super::message_id(7, 100, "nobody"), "<outbox-7.100@latchkey.local>");
    }
}

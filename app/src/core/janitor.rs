//! Housekeeping in the background, in bounded batches so that no pass holds
//! the database for long: expired sessions, used or expired one-time tokens
//! and pending sign-ins, passkey ceremonies,
//! expired refresh tokens, finished rate-limit windows, and delivered emails
//! past their retention, audit events past theirs, stale re-authentications, networks
//! not signed in from for 90 days; rows of the outbox written in plain text before
//! sealing existed are sealed (or redacted, when delivered).

use crate::core::repo::{
    audit, known_networks, mfa, one_time_tokens, outbox, passkeys, rate_limits, refresh_tokens, sessions, webhooks,
};
use crate::core::Engine;
use std::time::Duration;

/// Rows handled per table per pass.
pub const BATCH: u64 = 500;

/// What one pass removed or sealed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub sessions: u64,
    pub one_time_tokens: u64,
    pub pending_sign_ins: u64,
    pub passkey_ceremonies: u64,
    pub refresh_tokens: u64,
    pub rate_limits: u64,
    pub emails_deleted: u64,
    pub emails_sealed: u64,
    pub audit_events: u64,
    pub reauthentications: u64,
    pub webhook_deliveries: u64,
    pub known_networks: u64,
}

impl PurgeReport {
    fn total(&self) -> u64 {
        self.sessions
            + self.one_time_tokens
            + self.pending_sign_ins
            + self.passkey_ceremonies
            + self.refresh_tokens
            + self.rate_limits
            + self.emails_deleted
            + self.emails_sealed
            + self.audit_events
            + self.reauthentications
            + self.webhook_deliveries
            + self.known_networks
    }

    /// Whether some table had a full batch (more may be waiting).
    fn saturated(&self) -> bool {
        [
            self.sessions,
            self.one_time_tokens,
            self.pending_sign_ins,
            self.passkey_ceremonies,
            self.refresh_tokens,
            self.rate_limits,
            self.emails_deleted,
            self.audit_events,
            self.reauthentications,
            self.webhook_deliveries,
            self.known_networks,
        ]
        .iter()
        .any(|n| *n >= BATCH)
            || self.emails_sealed >= BATCH
    }
}

impl Engine {
    /// One bounded pass over every table.
    ///
    /// # Errors
    /// Database failures.
    pub async fn purge_once(&self) -> anyhow::Result<PurgeReport> {
        let db = self.db();
        let now = self.now();
        let cfg = self.config();
        let longest_window = cfg.rate_limits.longest_window();
        Ok(PurgeReport {
            sessions: sessions::purge_expired(db, now, BATCH).await?,
            one_time_tokens: one_time_tokens::purge_dead(db, now, BATCH).await?,
            pending_sign_ins: mfa::purge_pending(db, now, BATCH).await?,
            passkey_ceremonies: passkeys::purge_ceremonies(db, now, BATCH).await?,
            refresh_tokens: refresh_tokens::purge_expired(db, now, BATCH).await?,
            rate_limits: rate_limits::purge(db, now - longest_window, BATCH).await?,
            emails_deleted: outbox::purge_sent(db, now - cfg.outbox_retention_secs, BATCH).await?,
            emails_sealed: self.seal_plain_outbox_rows(BATCH).await? as u64,
            audit_events: audit::purge_before(db, now - cfg.audit_retention_secs, BATCH).await?,
            reauthentications: audit::purge_reauths(db, now - cfg.reauth_window_secs, BATCH).await?,
            webhook_deliveries: webhooks::purge_done(db, now - cfg.outbox_retention_secs, BATCH).await?,
            known_networks: known_networks::purge(db, now - crate::core::flows::known_networks::KNOWN_FOR_SECS, BATCH)
                .await?,
        })
    }

    /// Runs a pass every `housekeeping_interval_secs` (at once again while
    /// batches come back full) for as long as the future is polled; never
    /// when the interval is 0.
    pub async fn run_janitor(self) {
        let every = self.config().housekeeping_interval_secs;
        if every == 0 {
            return std::future::pending().await;
        }
        loop {
            let pause = match self.purge_once().await {
                Ok(report) => {
                    if report.total() > 0 {
                        tracing::info!(?report, "expired rows purged");
                    }
                    if report.saturated() {
                        Duration::from_secs(1)
                    } else {
                        Duration::from_secs(every)
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "housekeeping pass failed");
                    Duration::from_secs(every)
                }
            };
            tokio::time::sleep(pause).await;
        }
    }
}

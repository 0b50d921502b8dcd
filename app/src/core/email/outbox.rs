//! The embedded default: every email becomes a file in an outbox directory,
//! and a log line shows its link, so a local install needs no mail server.

use super::{Mailer, OutgoingEmail};
use anyhow::Context;
use std::path::PathBuf;

pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> Self {
        Self { dir: dir.into(), from: from.to_owned() }
    }
}

fn file_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).take(60).collect()
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> anyhow::Result<()> {
        tokio::fs::create_dir_all(&self.dir).await.with_context(|| format!("creating {}", self.dir.display()))?;
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        let name = format!("{stamp}-{}-{}.eml", email.kind, file_safe(&email.to));
        let message_id = email.message_id.as_deref().map(|id| format!("Message-ID: {id}\n")).unwrap_or_default();
        let body = format!(
            "From: {}\nTo: {}\nSubject: {}\n{message_id}X-Latchkey-Kind: {}\nContent-Type: text/plain; charset=utf-8\n\n{}\n\n-- HTML part --\n{}\n",
            self.from, email.to, email.subject, email.kind, email.text, email.html
        );
        let path = self.dir.join(name);
        tokio::fs::write(&path, body).await.with_context(|| format!("writing {}", path.display()))?;
        match &email.link {
            Some(link) => {
                tracing::info!(kind = email.kind, to = %email.to, file = %path.display(), %link, "email written to outbox")
            }
            None => {
                tracing::info!(kind = email.kind, to = %email.to, file = %path.display(), "email written to outbox")
            }
        }
        Ok(())
    }
}

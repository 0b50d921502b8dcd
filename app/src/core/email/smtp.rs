//! Sending through an SMTP server with lettre (`smtp://host:port` plain,
//! `smtp://...?tls=required` STARTTLS, `smtps://` implicit TLS).

use super::{Mailer, OutgoingEmail};
use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// # Errors
    /// A malformed URL or sender address.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("SMTP_URL is not a valid smtp:// or smtps:// URL")?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from.parse().context("the sender address is not valid")?;
        Ok(Self { transport, from })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(email.to.parse().context("recipient address")?)
            .subject(email.subject.clone())
            .message_id(email.message_id.clone())
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .context("building the message")?;
        self.transport.send(message).await.context("SMTP delivery")?;
        tracing::info!(kind = email.kind, "email sent by SMTP");
        Ok(())
    }
}

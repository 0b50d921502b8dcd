//! Outgoing email: what a message is, how it is rendered from templates, and
//! the two ways it leaves (SMTP via lettre, or files in an outbox directory).

mod outbox;
pub mod sealed;
mod smtp;
pub mod templates;
mod worker;

pub use outbox::OutboxMailer;
pub use smtp::SmtpMailer;

/// A rendered message, ready to send. No `Debug`: it holds links.
#[derive(Clone)]
pub struct OutgoingEmail {
    pub to: String,
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The action link inside (logged by the outbox for local installs).
    pub link: Option<String>,
    /// Derived from the outbox row, so a message sent twice (a crash between
    /// handing it over and recording that) carries the same id both times.
    pub message_id: Option<String>,
}

/// Somewhere emails go.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// # Errors
    /// When the message could not be handed over.
    async fn send(&self, email: &OutgoingEmail) -> anyhow::Result<()>;
}

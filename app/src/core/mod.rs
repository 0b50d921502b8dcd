//! The domain engine (server only). No HTTP or Leptos types live here: the JSON
//! handlers and the server functions both translate into these flows.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod aead;
pub mod audit;
pub mod auth_cache;
pub mod clock;
pub mod codes;
pub mod config;
pub mod credentials;
pub mod django;
pub mod domain;
pub mod email;
pub mod engine;
pub mod entities;
pub mod error;
pub mod factors;
pub mod flows;
pub mod html;
pub mod janitor;
pub mod jwt;
pub mod login_gate;
pub mod oauth;
pub mod profile_schema;
pub mod redirect;
pub mod repo;
pub mod secrets;
pub mod webhooks;

pub use clock::Clock;
pub use config::EngineConfig;
pub use engine::Engine;
pub use error::FlowError;

/// A stored timestamp as the API shows it (RFC 3339, UTC).
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

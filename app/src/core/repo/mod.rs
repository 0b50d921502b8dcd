//! Persistence: small functions over sea-orm, one file per table. They take
//! any connection so a flow can run several in one transaction.

pub mod audit;
pub mod auth_tokens;
pub mod known_networks;
pub mod mfa;
pub mod one_time_tokens;
pub mod outbox;
pub mod passkeys;
pub mod profile_values;
pub mod rate_limits;
pub mod refresh_tokens;
pub mod sessions;
pub mod social_accounts;
pub mod users;
pub mod webhooks;

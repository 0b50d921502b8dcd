//! sea-orm entities, one file per table. Models holding hashes implement
//! `Debug` by hand so a stray log line cannot leak them.

pub mod audit_event;
pub mod auth_token;
pub mod mfa_pending;
pub mod mfa_recovery_code;
pub mod mfa_totp;
pub mod one_time_token;
pub mod outbox_email;
pub mod passkey;
pub mod passkey_ceremony;
pub mod profile_value;
pub mod reauthentication;
pub mod refresh_token;
pub mod session;
pub mod social_account;
pub mod user;
pub mod webhook_delivery;

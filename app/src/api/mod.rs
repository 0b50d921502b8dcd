//! Server functions: the pages' door into the engine. Each one reads its
//! form, calls one engine flow and turns the flow's error into form errors
//! (see `forms`), exactly as the JSON handlers turn it into DRF bodies.

pub mod account;
pub mod admin;
pub mod auth;
pub mod directory;
pub mod mfa;
pub mod passkeys;
pub mod password;
pub mod profile;
pub mod social;

#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod sign_in;

/// URL prefix of every server function.
pub const PREFIX: &str = "/fn";

//! Latchkey's HTTP server: settings, start-up, sessions, and the JSON API.
//! Pages come from the `app` crate; every rule comes from `app::core`.

pub mod assets;
pub mod body_limit;
pub mod branding;
pub mod create_admin;
pub mod csrf;
pub mod downloads;
pub mod email_preview;
pub mod headers;
pub mod health;
pub mod import;
pub mod metrics;
pub mod request_id;
pub mod rest;
pub mod serve;
pub mod session;
pub mod settings;
pub mod social;
pub mod stalled_pages;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod uploads;

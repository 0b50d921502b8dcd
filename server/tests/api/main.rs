//! Latchkey's integration suite: real HTTP against a real server with its
//! own database and SMTP sink. Every case runs on SQLite, and on PostgreSQL
//! when `TEST_POSTGRES_URL` is set or `CI=true`.

/// Generates one test per backend for each named case `async fn(Backend)`.
macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(b) = crate::helpers::Backend::postgres_or_skip(stringify!($name)) {
                        super::$name(b).await
                    }
                }
            )*
        }
    };
}

mod account;
mod admin;
mod assets;
mod at_rest;
mod audit;
mod authenticator;
mod bad_input;
mod browser_origin;
mod brute_force;
mod cache;
mod devices;
mod djoser;
mod events;
mod fidelity;
mod hardening;
mod helpers;
mod identity;
mod import;
mod jwt;
mod limits;
mod login;
mod make_it_yours;
mod metrics;
mod openapi;
mod operations;
mod outage;
mod outbox;
mod passkeys;
mod password_change;
mod password_reset;
mod provider_stub;
mod registration;
mod rest_registration;
mod revocation;
mod schema;
mod security;
mod smtp_sink;
mod social;
mod takeover;
mod totp;
mod two_factor;
mod user;
mod webhooks;

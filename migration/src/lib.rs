//! Database schema for Latchkey, one migration per table group.
//! Portable between SQLite and PostgreSQL: integer ids, unix-second timestamps.

pub use sea_orm_migration::prelude::*;

mod m0001_users;
mod m0002_credentials;
mod m0003_sessions;
mod m0004_profiles;
mod m0005_social_accounts;
mod m0006_rate_limits;
mod m0007_email_outbox;
mod m0008_sealed_outbox;
mod m0009_auth_epoch;
mod m0010_two_factor;
mod m0011_passkeys;
mod m0012_audit_staff;
mod m0013_webhooks;
mod m0014_device_details;
mod m0015_known_networks;
mod m0016_profile_values;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_users::Migration),
            Box::new(m0002_credentials::Migration),
            Box::new(m0003_sessions::Migration),
            Box::new(m0004_profiles::Migration),
            Box::new(m0005_social_accounts::Migration),
            Box::new(m0006_rate_limits::Migration),
            Box::new(m0007_email_outbox::Migration),
            Box::new(m0008_sealed_outbox::Migration),
            Box::new(m0009_auth_epoch::Migration),
            Box::new(m0010_two_factor::Migration),
            Box::new(m0011_passkeys::Migration),
            Box::new(m0012_audit_staff::Migration),
            Box::new(m0013_webhooks::Migration),
            Box::new(m0014_device_details::Migration),
            Box::new(m0015_known_networks::Migration),
            Box::new(m0016_profile_values::Migration),
        ]
    }
}

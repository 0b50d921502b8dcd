//! Passkeys (WebAuthn): a user's registered credentials (the public key
//! and its state as webauthn-rs keeps it, the signature counter, a name,
//! when it was added and last used), and the ceremonies in flight (the
//! state between `begin` and `complete`, found by the HMAC of its key, so
//! any replica can finish one; single use, expiring).

use sea_orm_migration::prelude::*;

use crate::m0001_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    Name,
    CredentialId,
    UserHandle,
    Credential,
    SignCount,
    Transports,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum PasskeyCeremonies {
    Table,
    Id,
    KeyHash,
    Kind,
    UserId,
    State,
    ExpiresAt,
    CreatedAt,
}

/// `user_id` references `users`, and goes with the user.
fn user_fk(table: impl IntoIden + 'static, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("user_id"))
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Passkeys::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Passkeys::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Passkeys::UserId).integer().not_null())
                    .col(ColumnDef::new(Passkeys::Name).string_len(255).not_null())
                    // base64url of the raw id (at most 1023 bytes by the spec)
                    .col(ColumnDef::new(Passkeys::CredentialId).string_len(1400).not_null().unique_key())
                    .col(ColumnDef::new(Passkeys::UserHandle).string_len(64).not_null())
                    .col(ColumnDef::new(Passkeys::Credential).text().not_null())
                    .col(ColumnDef::new(Passkeys::SignCount).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Passkeys::Transports).text().not_null())
                    .col(ColumnDef::new(Passkeys::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Passkeys::LastUsedAt).big_integer().null())
                    .foreign_key(&mut user_fk(Passkeys::Table, "fk_passkeys_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_passkeys_user").table(Passkeys::Table).col(Passkeys::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasskeyCeremonies::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(PasskeyCeremonies::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PasskeyCeremonies::KeyHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(PasskeyCeremonies::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(PasskeyCeremonies::UserId).integer().null())
                    .col(ColumnDef::new(PasskeyCeremonies::State).text().not_null())
                    .col(ColumnDef::new(PasskeyCeremonies::ExpiresAt).big_integer().not_null())
                    .col(ColumnDef::new(PasskeyCeremonies::CreatedAt).big_integer().not_null())
                    .foreign_key(&mut user_fk(PasskeyCeremonies::Table, "fk_passkey_ceremonies_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_passkey_ceremonies_expires")
                    .table(PasskeyCeremonies::Table)
                    .col(PasskeyCeremonies::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [PasskeyCeremonies::Table.into_iden(), Passkeys::Table.into_iden()] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

//! Two-factor authentication: a user's TOTP authenticator (secret sealed
//! with an AEAD keyed from the deployment secret; the last accepted time
//! step, so no code is accepted twice), their recovery codes (sealed for
//! showing again, and an HMAC to find one; single use), and pending
//! sign-ins waiting for a second factor (the ephemeral token stored only as
//! an HMAC, expiring, single use, a bounded number of code attempts).

use sea_orm_migration::prelude::*;

use crate::m0001_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MfaTotp {
    Table,
    UserId,
    SecretSealed,
    LastStep,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum MfaRecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CodeSealed,
    Position,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MfaPending {
    Table,
    Id,
    TokenHash,
    UserId,
    FirstFactor,
    AuthEpoch,
    Attempts,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

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
                    .table(MfaTotp::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MfaTotp::UserId).integer().not_null().primary_key())
                    .col(ColumnDef::new(MfaTotp::SecretSealed).text().not_null())
                    .col(ColumnDef::new(MfaTotp::LastStep).big_integer().null())
                    .col(ColumnDef::new(MfaTotp::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(MfaTotp::LastUsedAt).big_integer().null())
                    .foreign_key(&mut user_fk(MfaTotp::Table, "fk_mfa_totp_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaRecoveryCodes::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MfaRecoveryCodes::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(MfaRecoveryCodes::UserId).integer().not_null())
                    .col(ColumnDef::new(MfaRecoveryCodes::CodeHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(MfaRecoveryCodes::CodeSealed).text().not_null())
                    .col(ColumnDef::new(MfaRecoveryCodes::Position).integer().not_null())
                    .col(ColumnDef::new(MfaRecoveryCodes::UsedAt).big_integer().null())
                    .col(ColumnDef::new(MfaRecoveryCodes::CreatedAt).big_integer().not_null())
                    .foreign_key(&mut user_fk(MfaRecoveryCodes::Table, "fk_mfa_recovery_codes_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mfa_recovery_codes_user")
                    .table(MfaRecoveryCodes::Table)
                    .col(MfaRecoveryCodes::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaPending::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MfaPending::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(MfaPending::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(MfaPending::UserId).integer().not_null())
                    .col(ColumnDef::new(MfaPending::FirstFactor).string_len(64).not_null())
                    .col(ColumnDef::new(MfaPending::AuthEpoch).integer().not_null())
                    .col(ColumnDef::new(MfaPending::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(MfaPending::ExpiresAt).big_integer().not_null())
                    .col(ColumnDef::new(MfaPending::UsedAt).big_integer().null())
                    .col(ColumnDef::new(MfaPending::CreatedAt).big_integer().not_null())
                    .foreign_key(&mut user_fk(MfaPending::Table, "fk_mfa_pending_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mfa_pending_expires")
                    .table(MfaPending::Table)
                    .col(MfaPending::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [MfaPending::Table.into_iden(), MfaRecoveryCodes::Table.into_iden(), MfaTotp::Table.into_iden()] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

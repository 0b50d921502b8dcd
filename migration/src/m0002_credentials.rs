//! Credentials other than the password: opaque API tokens, JWT refresh tokens
//! and one-time tokens (email verification, password reset). Every secret is
//! stored as a SHA-256 hash, never in the clear.

use sea_orm_migration::prelude::*;

use crate::m0001_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    Id,
    KeyHash,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    Jti,
    Family,
    UserId,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    Id,
    TokenHash,
    Kind,
    UserId,
    Email,
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
                    .table(AuthTokens::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(AuthTokens::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuthTokens::KeyHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(AuthTokens::UserId).integer().not_null())
                    .col(ColumnDef::new(AuthTokens::CreatedAt).big_integer().not_null())
                    .foreign_key(&mut user_fk(AuthTokens::Table, "fk_auth_tokens_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_auth_tokens_user").table(AuthTokens::Table).col(AuthTokens::UserId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(RefreshTokens::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(RefreshTokens::Jti).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(RefreshTokens::Family).string_len(64).not_null())
                    .col(ColumnDef::new(RefreshTokens::UserId).integer().not_null())
                    .col(ColumnDef::new(RefreshTokens::ExpiresAt).big_integer().not_null())
                    .col(ColumnDef::new(RefreshTokens::UsedAt).big_integer().null())
                    .col(ColumnDef::new(RefreshTokens::RevokedAt).big_integer().null())
                    .col(ColumnDef::new(RefreshTokens::CreatedAt).big_integer().not_null())
                    .foreign_key(&mut user_fk(RefreshTokens::Table, "fk_refresh_tokens_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_refresh_tokens_family")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::Family)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_refresh_tokens_user")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OneTimeTokens::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(OneTimeTokens::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(OneTimeTokens::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(OneTimeTokens::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(OneTimeTokens::UserId).integer().not_null())
                    .col(ColumnDef::new(OneTimeTokens::Email).string_len(254).null())
                    .col(ColumnDef::new(OneTimeTokens::ExpiresAt).big_integer().not_null())
                    .col(ColumnDef::new(OneTimeTokens::UsedAt).big_integer().null())
                    .col(ColumnDef::new(OneTimeTokens::CreatedAt).big_integer().not_null())
                    .foreign_key(&mut user_fk(OneTimeTokens::Table, "fk_one_time_tokens_user"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_one_time_tokens_user")
                    .table(OneTimeTokens::Table)
                    .col(OneTimeTokens::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [OneTimeTokens::Table.into_iden(), RefreshTokens::Table.into_iden(), AuthTokens::Table.into_iden()] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

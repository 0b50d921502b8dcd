//! The `users` table: one row per account.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Username,
    UsernameLower,
    Email,
    EmailLower,
    EmailVerified,
    PasswordHash,
    FirstName,
    LastName,
    IsActive,
    DateJoined,
    LastLogin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Users::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Users::Username).string_len(150).not_null())
                    .col(ColumnDef::new(Users::UsernameLower).string_len(150).not_null().unique_key())
                    .col(ColumnDef::new(Users::Email).string_len(254).not_null())
                    .col(ColumnDef::new(Users::EmailLower).string_len(254).not_null().unique_key())
                    .col(ColumnDef::new(Users::EmailVerified).boolean().not_null().default(false))
                    .col(ColumnDef::new(Users::PasswordHash).string_len(255).null())
                    .col(ColumnDef::new(Users::FirstName).string_len(150).not_null().default(""))
                    .col(ColumnDef::new(Users::LastName).string_len(150).not_null().default(""))
                    .col(ColumnDef::new(Users::IsActive).boolean().not_null().default(true))
                    .col(ColumnDef::new(Users::DateJoined).big_integer().not_null())
                    .col(ColumnDef::new(Users::LastLogin).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

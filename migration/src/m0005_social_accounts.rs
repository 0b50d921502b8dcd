//! `social_accounts`: identities at OAuth2 / OpenID Connect providers linked
//! to a user (one per provider and provider-side id).

use sea_orm_migration::prelude::*;

use crate::m0001_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SocialAccounts {
    Table,
    Id,
    UserId,
    Provider,
    Uid,
    Email,
    ExtraData,
    DateJoined,
    LastLogin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SocialAccounts::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(SocialAccounts::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(SocialAccounts::UserId).integer().not_null())
                    .col(ColumnDef::new(SocialAccounts::Provider).string_len(32).not_null())
                    .col(ColumnDef::new(SocialAccounts::Uid).string_len(191).not_null())
                    .col(ColumnDef::new(SocialAccounts::Email).string_len(254).null())
                    .col(ColumnDef::new(SocialAccounts::ExtraData).text().not_null())
                    .col(ColumnDef::new(SocialAccounts::DateJoined).big_integer().not_null())
                    .col(ColumnDef::new(SocialAccounts::LastLogin).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_social_accounts_user")
                            .from(SocialAccounts::Table, SocialAccounts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_social_accounts_provider_uid")
                    .table(SocialAccounts::Table)
                    .col(SocialAccounts::Provider)
                    .col(SocialAccounts::Uid)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_social_accounts_user")
                    .table(SocialAccounts::Table)
                    .col(SocialAccounts::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SocialAccounts::Table).to_owned()).await
    }
}

//! `profiles`: the optional details a user shows about themselves (one row
//! per user, created on first edit).

use sea_orm_migration::prelude::*;

use crate::m0001_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Profiles {
    Table,
    UserId,
    CompanyName,
    PhoneNumber,
    Bio,
    Avatar,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Profiles::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Profiles::UserId).integer().not_null().primary_key())
                    .col(ColumnDef::new(Profiles::CompanyName).string_len(100).not_null().default(""))
                    .col(ColumnDef::new(Profiles::PhoneNumber).string_len(32).not_null().default(""))
                    .col(ColumnDef::new(Profiles::Bio).text().not_null())
                    .col(ColumnDef::new(Profiles::Avatar).string_len(255).null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_profiles_user")
                            .from(Profiles::Table, Profiles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Profiles::Table).to_owned()).await
    }
}

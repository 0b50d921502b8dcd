//! Devices: the address a browser session, API token or JWT family signed
//! in from, and when an API token was last used (at most every five minutes
//! is written), for the devices list.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
}

#[derive(DeriveIden)]
enum Device {
    Ip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Sessions::Table.into_iden(), AuthTokens::Table.into_iden(), RefreshTokens::Table.into_iden()] {
            manager
                .alter_table(
                    Table::alter().table(table).add_column(ColumnDef::new(Device::Ip).string_len(64).null()).to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuthTokens::Table)
                    .add_column(ColumnDef::new(AuthTokens::LastUsedAt).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AuthTokens::Table).drop_column(AuthTokens::LastUsedAt).to_owned())
            .await?;
        for table in [Sessions::Table.into_iden(), AuthTokens::Table.into_iden(), RefreshTokens::Table.into_iden()] {
            manager.alter_table(Table::alter().table(table).drop_column(Device::Ip).to_owned()).await?;
        }
        Ok(())
    }
}

//! `auth_epoch`: a user's credential generation. A password change, reset
//! or "revoke everything" moves it on in the same statement that changes the
//! password; every credential records the generation it was issued in (API
//! tokens, refresh tokens and emailed reset and email-change links here,
//! browser sessions in their data), and only credentials of the current
//! generation authenticate. A login that read
//! the old password before the change cannot issue a credential that
//! outlives it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    AuthEpoch,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    AuthEpoch,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    AuthEpoch,
}

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    AuthEpoch,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Users::Table.into_iden(),
            AuthTokens::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            OneTimeTokens::Table.into_iden(),
        ];
        let columns = [
            Users::AuthEpoch.into_iden(),
            AuthTokens::AuthEpoch.into_iden(),
            RefreshTokens::AuthEpoch.into_iden(),
            OneTimeTokens::AuthEpoch.into_iden(),
        ];
        for (table, column) in tables.into_iter().zip(columns) {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Users::Table.into_iden(),
            AuthTokens::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            OneTimeTokens::Table.into_iden(),
        ];
        let columns = [
            Users::AuthEpoch.into_iden(),
            AuthTokens::AuthEpoch.into_iden(),
            RefreshTokens::AuthEpoch.into_iden(),
            OneTimeTokens::AuthEpoch.into_iden(),
        ];
        for (table, column) in tables.into_iter().zip(columns) {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

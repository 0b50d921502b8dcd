//! Networks each account has signed in from (a keyed hash of the IPv4
//! address or IPv6 /64, never the address): a password check for an account
//! from one of them goes ahead of a flood of guesses in the hashing queue.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KnownNetworks {
    Table,
    Key,
    UserId,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KnownNetworks::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(KnownNetworks::Key).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(KnownNetworks::UserId).integer().not_null())
                    .col(ColumnDef::new(KnownNetworks::LastSeenAt).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_known_networks_user")
                            .from(KnownNetworks::Table, KnownNetworks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_known_networks_last_seen")
                    .table(KnownNetworks::Table)
                    .col(KnownNetworks::LastSeenAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_known_networks_user")
                    .table(KnownNetworks::Table)
                    .col(KnownNetworks::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnownNetworks::Table).to_owned()).await
    }
}

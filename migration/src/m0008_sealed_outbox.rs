//! `email_outbox.sealed`: an email's subject, bodies and link, sealed with an
//! AEAD keyed from the deployment secret (the old plain-text columns stay
//! empty for new rows; the engine seals or redacts rows written before).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Sealed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailOutbox::Table)
                    .add_column(ColumnDef::new(EmailOutbox::Sealed).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(EmailOutbox::Table).drop_column(EmailOutbox::Sealed).to_owned()).await
    }
}

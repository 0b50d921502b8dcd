//! `email_outbox`: emails written in the same transaction as the change that
//! caused them, delivered by a worker with retries, kept after sending.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    Kind,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    Link,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailOutbox::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(EmailOutbox::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(EmailOutbox::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(EmailOutbox::Recipient).string_len(254).not_null())
                    .col(ColumnDef::new(EmailOutbox::Subject).string_len(255).not_null())
                    .col(ColumnDef::new(EmailOutbox::TextBody).text().not_null())
                    .col(ColumnDef::new(EmailOutbox::HtmlBody).text().not_null())
                    .col(ColumnDef::new(EmailOutbox::Link).text().null())
                    .col(ColumnDef::new(EmailOutbox::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(EmailOutbox::NextAttemptAt).big_integer().not_null())
                    .col(ColumnDef::new(EmailOutbox::SentAt).big_integer().null())
                    .col(ColumnDef::new(EmailOutbox::LastError).text().null())
                    .col(ColumnDef::new(EmailOutbox::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_email_outbox_due")
                    .table(EmailOutbox::Table)
                    .col(EmailOutbox::SentAt)
                    .col(EmailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EmailOutbox::Table).to_owned()).await
    }
}

//! Webhook deliveries: one row per (endpoint, event), written in the
//! transaction of the change that caused it, sent by a worker with retries
//! and leases (any replica), kept after delivery only as long as the email
//! outbox keeps its rows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    Endpoint,
    EventId,
    Event,
    Payload,
    Attempts,
    NextAttemptAt,
    DeliveredAt,
    FailedAt,
    LastError,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use WebhookDeliveries as W;
        manager
            .create_table(
                Table::create()
                    .table(W::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(W::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(W::Endpoint).string_len(2048).not_null())
                    .col(ColumnDef::new(W::EventId).string_len(64).not_null())
                    .col(ColumnDef::new(W::Event).string_len(64).not_null())
                    .col(ColumnDef::new(W::Payload).text().not_null())
                    .col(ColumnDef::new(W::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(W::NextAttemptAt).big_integer().not_null())
                    .col(ColumnDef::new(W::DeliveredAt).big_integer().null())
                    .col(ColumnDef::new(W::FailedAt).big_integer().null())
                    .col(ColumnDef::new(W::LastError).string_len(500).null())
                    .col(ColumnDef::new(W::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(W::Table)
                    .col(W::DeliveredAt)
                    .col(W::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned()).await
    }
}

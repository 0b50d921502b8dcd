//! Operators: a staff flag on users; the audit trail (one row per security
//! event, written in the transaction of the change it records; no secrets,
//! kept for `LATCHKEY_AUDIT_RETENTION`); and recent re-authentications (the
//! credential that re-entered a password or a second factor, and when), which
//! admin actions require.
//!
//! API tokens and JWT refresh tokens also keep the User-Agent of the sign-in
//! that issued them (the devices list names them "Chrome on Linux").
//!
//! `audit_events.user_id` and `actor_id` are not foreign keys: an account's
//! deletion is itself an event, and stays visible to staff until retention
//! purges it.

use sea_orm_migration::prelude::*;

use crate::m0001_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsersStaff {
    IsStaff,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
}

#[derive(DeriveIden)]
enum Credentials {
    UserAgent,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    UserId,
    ActorId,
    Kind,
    Ip,
    UserAgent,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reauthentications {
    Table,
    Credential,
    UserId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(UsersStaff::IsStaff).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        for table in [AuthTokens::Table.into_iden(), RefreshTokens::Table.into_iden()] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(Credentials::UserAgent).string_len(255).null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(AuditEvents::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuditEvents::UserId).integer().null())
                    .col(ColumnDef::new(AuditEvents::ActorId).integer().null())
                    .col(ColumnDef::new(AuditEvents::Kind).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::Ip).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::UserAgent).string_len(255).null())
                    .col(ColumnDef::new(AuditEvents::Detail).string_len(1024).not_null().default(""))
                    .col(ColumnDef::new(AuditEvents::CreatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_audit_events_user", vec![AuditEvents::UserId, AuditEvents::Id]),
            ("ix_audit_events_actor", vec![AuditEvents::ActorId, AuditEvents::Id]),
            ("ix_audit_events_created", vec![AuditEvents::CreatedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvents::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Reauthentications::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Reauthentications::Credential).string_len(128).not_null().primary_key())
                    .col(ColumnDef::new(Reauthentications::UserId).integer().not_null())
                    .col(ColumnDef::new(Reauthentications::At).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reauthentications_user")
                            .from(Reauthentications::Table, Reauthentications::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reauthentications_at")
                    .table(Reauthentications::Table)
                    .col(Reauthentications::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [Reauthentications::Table.into_iden(), AuditEvents::Table.into_iden()] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for table in [AuthTokens::Table.into_iden(), RefreshTokens::Table.into_iden()] {
            manager.alter_table(Table::alter().table(table).drop_column(Credentials::UserAgent).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Users::Table).drop_column(UsersStaff::IsStaff).to_owned()).await
    }
}

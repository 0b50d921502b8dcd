//! `profile_values`: one row per (user, profile field), the value as text.
//! The fields come from configuration (`[[profile.fields]]`), so a column
//! per field cannot be. Today's `profiles` columns (company name, phone
//! number, bio, avatar) move here, every non-empty value kept; `down` moves
//! them back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProfileValues {
    Table,
    UserId,
    Field,
    Value,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    UserId,
    CompanyName,
    PhoneNumber,
    Bio,
    Avatar,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

const COLUMNS: [&str; 4] = ["company_name", "phone_number", "bio", "avatar"];

async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProfileValues::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(ProfileValues::UserId).integer().not_null())
                    .col(ColumnDef::new(ProfileValues::Field).string_len(40).not_null())
                    .col(ColumnDef::new(ProfileValues::Value).text().not_null())
                    .primary_key(Index::create().col(ProfileValues::UserId).col(ProfileValues::Field))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_profile_values_user")
                            .from(ProfileValues::Table, ProfileValues::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // the directory lists by field
        manager
            .create_index(
                Index::create()
                    .name("ix_profile_values_field")
                    .table(ProfileValues::Table)
                    .col(ProfileValues::Field)
                    .col(ProfileValues::UserId)
                    .to_owned(),
            )
            .await?;
        for column in COLUMNS {
            run(
                manager,
                &format!(
                    "INSERT INTO profile_values (user_id, field, value) \
                     SELECT user_id, '{column}', {column} FROM profiles \
                     WHERE {column} IS NOT NULL AND {column} <> ''"
                ),
            )
            .await?;
        }
        manager.drop_table(Table::drop().table(Profiles::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
            .await?;
        let value =
            |c: &str| format!("(SELECT v.value FROM profile_values v WHERE v.user_id = u.user_id AND v.field = '{c}')");
        run(
            manager,
            &format!(
                "INSERT INTO profiles (user_id, company_name, phone_number, bio, avatar) \
                 SELECT u.user_id, COALESCE(SUBSTR({}, 1, 100), ''), COALESCE(SUBSTR({}, 1, 32), ''), \
                 COALESCE({}, ''), SUBSTR({}, 1, 255) \
                 FROM (SELECT DISTINCT user_id FROM profile_values WHERE field IN ('company_name', 'phone_number', 'bio', 'avatar')) u",
                value("company_name"),
                value("phone_number"),
                value("bio"),
                value("avatar")
            ),
        )
        .await?;
        manager.drop_table(Table::drop().table(ProfileValues::Table).to_owned()).await
    }
}

//! Reads and writes of `profile_values`: one row per (user, field). A field
//! is written on its own, so saving one never puts back a stale other, and
//! an empty value is no row.

use crate::core::entities::profile_value::{ActiveModel, Column, Entity as Values, Model};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;

/// Every stored value of the user, fields no longer in the schema too.
pub async fn all(db: &impl ConnectionTrait, user_id: i32) -> Result<HashMap<String, String>, DbErr> {
    let rows = Values::find().filter(Column::UserId.eq(user_id)).all(db).await?;
    Ok(rows.into_iter().map(|r| (r.field, r.value)).collect())
}

/// One stored value.
pub async fn get(db: &impl ConnectionTrait, user_id: i32, field: &str) -> Result<Option<String>, DbErr> {
    Ok(Values::find_by_id((user_id, field.to_owned())).one(db).await?.map(|r| r.value))
}

/// Sets (`Some`) or removes (`None`) each field's value.
pub async fn save(db: &impl ConnectionTrait, user_id: i32, changes: &[(String, Option<String>)]) -> Result<(), DbErr> {
    for (field, value) in changes {
        match value {
            Some(value) => {
                let row = ActiveModel { user_id: Set(user_id), field: Set(field.clone()), value: Set(value.clone()) };
                Values::insert(row)
                    .on_conflict(
                        OnConflict::columns([Column::UserId, Column::Field]).update_column(Column::Value).to_owned(),
                    )
                    .exec_without_returning(db)
                    .await?;
            }
            None => {
                Values::delete_many()
                    .filter(Column::UserId.eq(user_id))
                    .filter(Column::Field.eq(field.as_str()))
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Sets `field` to `new` only if it is still `expected` (compare and swap);
/// `false` when another write changed it first.
pub async fn swap(
    db: &impl ConnectionTrait,
    user_id: i32,
    field: &str,
    expected: Option<&str>,
    new: &str,
) -> Result<bool, DbErr> {
    match expected {
        None => {
            let row = ActiveModel { user_id: Set(user_id), field: Set(field.to_owned()), value: Set(new.to_owned()) };
            let inserted = Values::insert(row)
                .on_conflict(OnConflict::columns([Column::UserId, Column::Field]).do_nothing().to_owned())
                .exec_without_returning(db)
                .await;
            match inserted {
                Ok(n) => Ok(n == 1),
                Err(DbErr::RecordNotInserted) => Ok(false),
                Err(e) => Err(e),
            }
        }
        Some(old) => {
            let res = Values::update_many()
                .col_expr(Column::Value, Expr::value(new.to_owned()))
                .filter(Column::UserId.eq(user_id))
                .filter(Column::Field.eq(field))
                .filter(Column::Value.eq(old))
                .exec(db)
                .await?;
            Ok(res.rows_affected == 1)
        }
    }
}

/// The values of `fields` for each of `user_ids` (the directory's page).
pub async fn for_users(db: &impl ConnectionTrait, user_ids: &[i32], fields: &[String]) -> Result<Vec<Model>, DbErr> {
    if user_ids.is_empty() || fields.is_empty() {
        return Ok(Vec::new());
    }
    Values::find()
        .filter(Column::UserId.is_in(user_ids.iter().copied()))
        .filter(Column::Field.is_in(fields.iter().cloned()))
        .order_by_asc(Column::UserId)
        .all(db)
        .await
}

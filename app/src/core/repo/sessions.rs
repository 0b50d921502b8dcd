//! Reads and writes of `sessions`.

use crate::core::entities::session::{ActiveModel, Column, Entity as Sessions, Model as Session};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

pub async fn load(db: &impl ConnectionTrait, id_hash: &str, now: i64) -> Result<Option<Session>, DbErr> {
    Sessions::find().filter(Column::IdHash.eq(id_hash)).filter(Column::ExpiresAt.gt(now)).one(db).await
}

/// Inserts or replaces the session `id_hash`.
pub async fn upsert(
    db: &impl ConnectionTrait,
    id_hash: &str,
    user_id: Option<i32>,
    user_agent: Option<String>,
    data: String,
    expires_at: i64,
    now: i64,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        id_hash: Set(id_hash.to_owned()),
        user_id: Set(user_id),
        data: Set(data),
        expires_at: Set(expires_at),
        created_at: Set(now),
        user_agent: Set(user_agent),
    };
    Sessions::insert(row)
        .on_conflict(
            OnConflict::column(Column::IdHash)
                .update_columns([Column::UserId, Column::UserAgent, Column::Data, Column::ExpiresAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

pub async fn delete(db: &impl ConnectionTrait, id_hash: &str) -> Result<(), DbErr> {
    Sessions::delete_many().filter(Column::IdHash.eq(id_hash)).exec(db).await.map(|_| ())
}

/// Ends every session of `user_id` except `keep`.
pub async fn delete_for_user(db: &impl ConnectionTrait, user_id: i32, keep: Option<&str>) -> Result<(), DbErr> {
    let mut q = Sessions::delete_many().filter(Column::UserId.eq(user_id));
    if let Some(k) = keep {
        q = q.filter(Column::IdHash.ne(k));
    }
    q.exec(db).await.map(|_| ())
}

pub async fn for_user(db: &impl ConnectionTrait, user_id: i32, now: i64) -> Result<Vec<Session>, DbErr> {
    Sessions::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ExpiresAt.gt(now))
        .order_by_desc(Column::CreatedAt)
        .all(db)
        .await
}

/// Drops expired rows; returns how many.
pub async fn purge_expired(db: &impl ConnectionTrait, now: i64) -> Result<u64, DbErr> {
    Ok(Sessions::delete_many().filter(Column::ExpiresAt.lte(now)).exec(db).await?.rows_affected)
}

//! Reads and writes of `sessions`.

use crate::core::entities::session::{ActiveModel, Column, Entity as Sessions, Model as Session};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

pub async fn load(db: &impl ConnectionTrait, id_hash: &str, now: i64) -> Result<Option<Session>, DbErr> {
    Sessions::find().filter(Column::IdHash.eq(id_hash)).filter(Column::ExpiresAt.gt(now)).one(db).await
}

/// Inserts a new session; `false` when the id exists already (the caller
/// picks another).
pub async fn insert_new(
    db: &impl ConnectionTrait,
    id_hash: &str,
    user_id: Option<i32>,
    device: (Option<String>, Option<String>),
    data: String,
    expires_at: i64,
    now: i64,
) -> Result<bool, DbErr> {
    let (user_agent, ip) = device;
    let row = ActiveModel {
        ip: Set(ip),
        id_hash: Set(id_hash.to_owned()),
        user_id: Set(user_id),
        data: Set(data),
        expires_at: Set(expires_at),
        created_at: Set(now),
        user_agent: Set(user_agent),
    };
    let res = Sessions::insert(row)
        .on_conflict(OnConflict::column(Column::IdHash).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(res == 1)
}

/// Updates a session that still exists. A session that was deleted (logged
/// out, or revoked by a password change) stays deleted: `false`, and no row
/// comes back, whatever a request still in flight on it wanted to save.
pub async fn update_existing(
    db: &impl ConnectionTrait,
    id_hash: &str,
    user_id: Option<i32>,
    device: (Option<String>, Option<String>),
    data: String,
    expires_at: i64,
) -> Result<bool, DbErr> {
    let (user_agent, ip) = device;
    let res = Sessions::update_many()
        .col_expr(Column::Ip, Expr::value(ip))
        .col_expr(Column::UserId, Expr::value(user_id))
        .col_expr(Column::UserAgent, Expr::value(user_agent))
        .col_expr(Column::Data, Expr::value(data))
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .filter(Column::IdHash.eq(id_hash))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
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

/// Drops at most `limit` expired rows; returns how many.
pub async fn purge_expired(db: &impl ConnectionTrait, now: i64, limit: u64) -> Result<u64, DbErr> {
    let expired: Vec<String> = Sessions::find()
        .select_only()
        .column(Column::IdHash)
        .filter(Column::ExpiresAt.lte(now))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    // the age test is repeated: a session extended meanwhile stays
    let res = Sessions::delete_many().filter(Column::IdHash.is_in(expired)).filter(Column::ExpiresAt.lte(now));
    Ok(res.exec(db).await?.rows_affected)
}

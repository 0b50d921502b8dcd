//! Reads and writes of `refresh_tokens`.

use crate::core::entities::refresh_token::{ActiveModel, Column, Entity as Refresh, Model as RefreshToken};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set};

pub async fn insert(
    db: &impl ConnectionTrait,
    jti: &str,
    family: &str,
    user_id: i32,
    expires_at: i64,
    now: i64,
) -> Result<RefreshToken, DbErr> {
    ActiveModel {
        jti: Set(jti.to_owned()),
        family: Set(family.to_owned()),
        user_id: Set(user_id),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn by_jti(db: &impl ConnectionTrait, jti: &str) -> Result<Option<RefreshToken>, DbErr> {
    Refresh::find().filter(Column::Jti.eq(jti)).one(db).await
}

/// Marks `jti` used if it is still fresh; `false` when it was already used or
/// revoked (so only one of two racing refreshes wins).
pub async fn mark_used(db: &impl ConnectionTrait, jti: &str, now: i64) -> Result<bool, DbErr> {
    let res = Refresh::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Jti.eq(jti))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn revoke_family(db: &impl ConnectionTrait, family: &str, now: i64) -> Result<(), DbErr> {
    Refresh::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::Family.eq(family))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// Revokes every family of `user_id` except `keep`.
pub async fn revoke_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    keep: Option<&str>,
    now: i64,
) -> Result<(), DbErr> {
    let mut q = Refresh::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null());
    if let Some(f) = keep {
        q = q.filter(Column::Family.ne(f));
    }
    q.exec(db).await.map(|_| ())
}

/// Whether a family still has an unrevoked token (access tokens carry it).
/// The user a refresh family belongs to.
pub async fn family_user(db: &impl ConnectionTrait, family: &str) -> Result<Option<i32>, DbErr> {
    Ok(Refresh::find().filter(Column::Family.eq(family)).one(db).await?.map(|r| r.user_id))
}

pub async fn family_active(db: &impl ConnectionTrait, family: &str) -> Result<bool, DbErr> {
    let n = Refresh::find().filter(Column::Family.eq(family)).filter(Column::RevokedAt.is_null()).count(db).await?;
    Ok(n > 0)
}

/// Deletes at most `limit` expired refresh tokens (an expired token can no
/// longer be presented, so its row has nothing left to detect); returns how many.
pub async fn purge_expired(db: &impl ConnectionTrait, now: i64, limit: u64) -> Result<u64, DbErr> {
    use sea_orm::QuerySelect;
    let ids: Vec<i32> = Refresh::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::ExpiresAt.lte(now))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(Refresh::delete_many().filter(Column::Id.is_in(ids)).exec(db).await?.rows_affected)
}

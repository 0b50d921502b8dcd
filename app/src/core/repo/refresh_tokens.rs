//! Reads and writes of `refresh_tokens`.

use crate::core::entities::refresh_token::{ActiveModel, Column, Entity as Refresh, Model as RefreshToken};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: &impl ConnectionTrait,
    jti: &str,
    family: &str,
    user_id: i32,
    expires_at: i64,
    now: i64,
    epoch: i32,
    user_agent: Option<String>,
    ip: Option<String>,
) -> Result<RefreshToken, DbErr> {
    ActiveModel {
        user_agent: Set(user_agent),
        ip: Set(ip),
        auth_epoch: Set(epoch),
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

/// The user a refresh family belongs to.
pub async fn family_user(db: &impl ConnectionTrait, family: &str) -> Result<Option<i32>, DbErr> {
    Ok(Refresh::find().filter(Column::Family.eq(family)).one(db).await?.map(|r| r.user_id))
}

/// Whether a family is alive for a user whose credential generation is
/// `epoch`: it has tokens, none of them revoked (a revocation ends the whole
/// family, even a token stored by a refresh that raced with it), all of the
/// current generation.
pub async fn family_live(db: &impl ConnectionTrait, family: &str, epoch: i32) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let text = "SELECT CAST(COUNT(*) AS BIGINT) AS n, \
                CAST(COALESCE(SUM(CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) AS revoked, \
                CAST(COALESCE(MIN(auth_epoch), -1) AS BIGINT) AS lo, CAST(COALESCE(MAX(auth_epoch), -1) AS BIGINT) AS hi \
                FROM refresh_tokens WHERE family = $1";
    let text = match backend {
        sea_orm::DatabaseBackend::Postgres => text.to_owned(),
        _ => text.replace('$', "?"),
    };
    let row = db.query_one(sea_orm::Statement::from_sql_and_values(backend, text, vec![family.into()])).await?;
    let Some(row) = row else { return Ok(false) };
    let n: i64 = row.try_get("", "n")?;
    let revoked: i64 = row.try_get("", "revoked")?;
    let (lo, hi): (i64, i64) = (row.try_get("", "lo")?, row.try_get("", "hi")?);
    Ok(n > 0 && revoked == 0 && lo == i64::from(epoch) && hi == i64::from(epoch))
}

/// Moves family `family` to generation `epoch` (the family a password change
/// was made with stays valid).
pub async fn restamp_family(db: &impl ConnectionTrait, family: &str, epoch: i32) -> Result<(), DbErr> {
    Refresh::update_many()
        .col_expr(Column::AuthEpoch, Expr::value(epoch))
        .filter(Column::Family.eq(family))
        .exec(db)
        .await
        .map(|_| ())
}

/// Deletes the tokens of at most `limit` families whose every token has
/// expired (a family goes whole: purging its revoked rows first would make a
/// later row look alive); returns how many rows went.
pub async fn purge_expired(db: &impl ConnectionTrait, now: i64, limit: u64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let text = "DELETE FROM refresh_tokens WHERE family IN \
                (SELECT family FROM refresh_tokens GROUP BY family HAVING MAX(expires_at) <= $1 LIMIT $2) \
                AND family NOT IN (SELECT family FROM refresh_tokens WHERE expires_at > $1)";
    let text = match backend {
        sea_orm::DatabaseBackend::Postgres => text.to_owned(),
        _ => text.replace('$', "?"),
    };
    let values: Vec<sea_orm::Value> = vec![now.into(), (limit as i64).into()];
    Ok(db.execute(sea_orm::Statement::from_sql_and_values(backend, text, values)).await?.rows_affected())
}

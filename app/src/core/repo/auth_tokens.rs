//! Reads and writes of `auth_tokens`.

use crate::core::entities::auth_token::{ActiveModel, Column, Entity as Tokens, Model as Token};
use crate::core::entities::user::{Entity as Users, Model as User};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// A token of the credential generation `epoch` (the one read when the
/// login began).
pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: i32,
    key_hash: String,
    now: i64,
    epoch: i32,
    user_agent: Option<String>,
    ip: Option<String>,
) -> Result<Token, DbErr> {
    ActiveModel {
        user_agent: Set(user_agent),
        ip: Set(ip),
        last_used_at: Set(Some(now)),
        key_hash: Set(key_hash),
        user_id: Set(user_id),
        created_at: Set(now),
        auth_epoch: Set(epoch),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The token and its user, in one query (this runs on every API request);
/// `None` also for a token of an earlier credential generation.
pub async fn by_hash_with_user(db: &impl ConnectionTrait, key_hash: &str) -> Result<Option<(Token, User)>, DbErr> {
    let found = Tokens::find().filter(Column::KeyHash.eq(key_hash)).find_also_related(Users).one(db).await?;
    Ok(found.and_then(|(t, u)| u.map(|u| (t, u))).filter(|(t, u)| t.auth_epoch == u.auth_epoch))
}

/// Moves token `id` to generation `epoch` (the token a password change was
/// made with stays valid).
pub async fn restamp(db: &impl ConnectionTrait, id: i32, epoch: i32) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    Tokens::update_many()
        .col_expr(Column::AuthEpoch, Expr::value(epoch))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Notes a use of the token if the last noted one is older than `stale`
/// (at most one write per token per few minutes).
pub async fn touch(db: &impl ConnectionTrait, id: i32, now: i64, stale: i64) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    Tokens::update_many()
        .col_expr(Column::LastUsedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::LastUsedAt.is_null().or(Column::LastUsedAt.lt(stale)))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn delete(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    Tokens::delete_by_id(id).exec(db).await.map(|_| ())
}

/// Deletes every token of `user_id` except `keep`.
pub async fn delete_for_user(db: &impl ConnectionTrait, user_id: i32, keep: Option<i32>) -> Result<u64, DbErr> {
    let mut q = Tokens::delete_many().filter(Column::UserId.eq(user_id));
    if let Some(id) = keep {
        q = q.filter(Column::Id.ne(id));
    }
    Ok(q.exec(db).await?.rows_affected)
}

//! Reads and writes of `one_time_tokens`.

use crate::core::entities::one_time_token::{ActiveModel, Column, Entity as Otts, Model as OneTimeToken};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

pub const VERIFY_EMAIL: &str = "verify_email";
pub const PASSWORD_RESET: &str = "password_reset";
pub const CHANGE_EMAIL: &str = "change_email";
pub const USERNAME_RESET: &str = "username_reset";

/// A new link of `kind`, made in credential generation `epoch`.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: &impl ConnectionTrait,
    kind: &str,
    user_id: i32,
    email: Option<String>,
    token_hash: String,
    expires_at: i64,
    now: i64,
    epoch: i32,
) -> Result<OneTimeToken, DbErr> {
    ActiveModel {
        auth_epoch: Set(epoch),
        token_hash: Set(token_hash),
        kind: Set(kind.to_owned()),
        user_id: Set(user_id),
        email: Set(email),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The token if it exists, is of `kind`, unused and unexpired.
pub async fn find_valid(
    db: &impl ConnectionTrait,
    kind: &str,
    token_hash: &str,
    now: i64,
) -> Result<Option<OneTimeToken>, DbErr> {
    Otts::find()
        .filter(Column::TokenHash.eq(token_hash))
        .filter(Column::Kind.eq(kind))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Uses the token up: `true` for exactly one caller, however many race.
pub async fn consume(db: &impl ConnectionTrait, id: i32, now: i64) -> Result<bool, DbErr> {
    let res = Otts::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Removes every token of `kind` for `user_id` (after a password change, a
/// successful verification, ...).
pub async fn delete_for_user(db: &impl ConnectionTrait, user_id: i32, kind: &str) -> Result<(), DbErr> {
    Otts::delete_many().filter(Column::UserId.eq(user_id)).filter(Column::Kind.eq(kind)).exec(db).await.map(|_| ())
}

/// Deletes at most `limit` tokens that are used or expired; returns how many.
pub async fn purge_dead(db: &impl ConnectionTrait, now: i64, limit: u64) -> Result<u64, DbErr> {
    use sea_orm::{Condition, QuerySelect};
    let ids: Vec<i32> = Otts::find()
        .select_only()
        .column(Column::Id)
        .filter(Condition::any().add(Column::ExpiresAt.lte(now)).add(Column::UsedAt.is_not_null()))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let dead = Condition::any().add(Column::ExpiresAt.lte(now)).add(Column::UsedAt.is_not_null());
    Ok(Otts::delete_many().filter(Column::Id.is_in(ids)).filter(dead).exec(db).await?.rows_affected)
}

/// The unused token of `kind` behind `token_hash`, expired or not (a signed
/// link tells a genuine expired link from a forged one).
pub async fn find_unused(
    db: &impl ConnectionTrait,
    kind: &str,
    token_hash: &str,
) -> Result<Option<OneTimeToken>, DbErr> {
    Otts::find()
        .filter(Column::TokenHash.eq(token_hash))
        .filter(Column::Kind.eq(kind))
        .filter(Column::UsedAt.is_null())
        .one(db)
        .await
}

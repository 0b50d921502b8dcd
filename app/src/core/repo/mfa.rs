//! Reads and writes of `mfa_totp`, `mfa_recovery_codes` and `mfa_pending`.
//! Every "use it once" is one conditional UPDATE, so racing requests cannot
//! both succeed.

use crate::core::entities::mfa_pending::{self, Entity as Pending, Model as PendingSignIn};
use crate::core::entities::mfa_recovery_code::{self, Entity as Codes, Model as RecoveryCode};
use crate::core::entities::mfa_totp::{self, Entity as Totp, Model as TotpRow};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub async fn totp(db: &impl ConnectionTrait, user_id: i32) -> Result<Option<TotpRow>, DbErr> {
    Totp::find_by_id(user_id).one(db).await
}

/// Turns TOTP on with `secret_sealed`; `false` when it is on already.
pub async fn insert_totp(
    db: &impl ConnectionTrait,
    user_id: i32,
    secret_sealed: String,
    now: i64,
) -> Result<bool, DbErr> {
    let row = mfa_totp::ActiveModel {
        user_id: Set(user_id),
        secret_sealed: Set(secret_sealed),
        last_step: Set(None),
        created_at: Set(now),
        last_used_at: Set(None),
    };
    let inserted = Totp::insert(row)
        .on_conflict(OnConflict::column(mfa_totp::Column::UserId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// Accepts the code of time step `step` once: `false` when this step (or a
/// later one) was accepted before. `used_at` stamps a use (not when the
/// step is spent by turning TOTP on).
pub async fn accept_step(
    db: &impl ConnectionTrait,
    user_id: i32,
    step: i64,
    used_at: Option<i64>,
) -> Result<bool, DbErr> {
    use mfa_totp::Column;
    let mut update = Totp::update_many().col_expr(Column::LastStep, Expr::value(step));
    if let Some(t) = used_at {
        update = update.col_expr(Column::LastUsedAt, Expr::value(t));
    }
    let res = update
        .filter(Column::UserId.eq(user_id))
        .filter(Condition::any().add(Column::LastStep.is_null()).add(Column::LastStep.lt(step)))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Turns two-factor off: the authenticator (first: its row lock orders this
/// after a regeneration in flight) and every recovery code go.
pub async fn delete_all(db: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    let gone = Totp::delete_by_id(user_id).exec(db).await?.rows_affected == 1;
    Codes::delete_many().filter(mfa_recovery_code::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(gone)
}

/// Holds the user's authenticator row for the rest of the transaction
/// (concurrent regenerations and deactivations wait in turn); `false` when
/// two-factor is off.
pub async fn lock_totp(db: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    use mfa_totp::Column;
    let res = Totp::update_many()
        .col_expr(Column::UserId, Expr::col(Column::UserId).into())
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Replaces the user's recovery codes with `codes` (hash, sealed).
pub async fn replace_codes(
    db: &impl ConnectionTrait,
    user_id: i32,
    codes: Vec<(String, String)>,
    now: i64,
) -> Result<(), DbErr> {
    Codes::delete_many().filter(mfa_recovery_code::Column::UserId.eq(user_id)).exec(db).await?;
    for (position, (hash, sealed)) in codes.into_iter().enumerate() {
        mfa_recovery_code::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(hash),
            code_sealed: Set(sealed),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The user's unused recovery codes, in the order they were shown.
pub async fn unused_codes(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<RecoveryCode>, DbErr> {
    use mfa_recovery_code::Column;
    Codes::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::UsedAt.is_null())
        .order_by_asc(Column::Position)
        .all(db)
        .await
}

/// When a recovery code was last used, if ever.
pub async fn last_code_use(db: &impl ConnectionTrait, user_id: i32) -> Result<Option<i64>, DbErr> {
    use mfa_recovery_code::Column;
    let last: Option<Option<i64>> = Codes::find()
        .select_only()
        .column_as(Column::UsedAt.max(), "last")
        .filter(Column::UserId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten())
}

/// Uses up the user's recovery code with this HMAC: `true` for exactly one
/// caller.
pub async fn use_code(db: &impl ConnectionTrait, user_id: i32, code_hash: &str, now: i64) -> Result<bool, DbErr> {
    use mfa_recovery_code::Column;
    let res = Codes::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::CodeHash.eq(code_hash))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn insert_pending(
    db: &impl ConnectionTrait,
    token_hash: String,
    user_id: i32,
    first_factor: &str,
    epoch: i32,
    expires_at: i64,
    now: i64,
) -> Result<(), DbErr> {
    mfa_pending::ActiveModel {
        token_hash: Set(token_hash),
        user_id: Set(user_id),
        first_factor: Set(first_factor.to_owned()),
        auth_epoch: Set(epoch),
        attempts: Set(0),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// The live pending sign-in behind a token hash (unused, unexpired, with
/// attempts left).
pub async fn live_pending(
    db: &impl ConnectionTrait,
    token_hash: &str,
    max_attempts: i32,
    now: i64,
) -> Result<Option<PendingSignIn>, DbErr> {
    use mfa_pending::Column;
    Pending::find()
        .filter(Column::TokenHash.eq(token_hash))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .filter(Column::Attempts.lt(max_attempts))
        .one(db)
        .await
}

/// Counts one code attempt on a pending sign-in, if it has attempts left:
/// `false` once they are spent (however many race for the last one).
pub async fn count_attempt(db: &impl ConnectionTrait, id: i32, max_attempts: i32) -> Result<bool, DbErr> {
    use mfa_pending::Column;
    let res = Pending::update_many()
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::Attempts.lt(max_attempts))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Uses a pending sign-in up: `true` for exactly one caller.
pub async fn finish_pending(db: &impl ConnectionTrait, id: i32, now: i64) -> Result<bool, DbErr> {
    use mfa_pending::Column;
    let res = Pending::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes at most `limit` pending sign-ins that are used or expired.
pub async fn purge_pending(db: &impl ConnectionTrait, now: i64, limit: u64) -> Result<u64, DbErr> {
    use mfa_pending::Column;
    let dead = || Condition::any().add(Column::ExpiresAt.lte(now)).add(Column::UsedAt.is_not_null());
    let ids: Vec<i32> =
        Pending::find().select_only().column(Column::Id).filter(dead()).limit(limit).into_tuple().all(db).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(Pending::delete_many().filter(Column::Id.is_in(ids)).filter(dead()).exec(db).await?.rows_affected)
}

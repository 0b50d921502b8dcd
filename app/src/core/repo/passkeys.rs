//! Reads and writes of `passkeys` and `passkey_ceremonies`. Taking a
//! ceremony is one conditional DELETE and a use of a passkey one
//! conditional UPDATE of its counter, so racing requests cannot both win.

use crate::core::entities::passkey::{self, Entity as Passkeys, Model as Passkey};
use crate::core::entities::passkey_ceremony::{self, Entity as Ceremonies, Model as Ceremony};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub const REGISTER: &str = "register";
pub const LOGIN: &str = "login";

/// The fields of a new passkey.
pub struct NewPasskey {
    pub user_id: i32,
    pub name: String,
    pub credential_id: String,
    pub user_handle: String,
    pub credential: String,
    pub sign_count: i64,
    pub transports: String,
}

/// Stores a new passkey; `None` when its credential id is registered
/// already (to anyone).
pub async fn insert(db: &impl ConnectionTrait, new: NewPasskey, now: i64) -> Result<Option<Passkey>, DbErr> {
    if by_credential_id(db, &new.credential_id).await?.is_some() {
        return Ok(None);
    }
    let row = passkey::ActiveModel {
        user_id: Set(new.user_id),
        name: Set(new.name),
        credential_id: Set(new.credential_id),
        user_handle: Set(new.user_handle),
        credential: Set(new.credential),
        sign_count: Set(new.sign_count),
        transports: Set(new.transports),
        created_at: Set(now),
        last_used_at: Set(None),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(p) => Ok(Some(p)),
        // a racing registration of the same credential
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn by_credential_id(db: &impl ConnectionTrait, credential_id: &str) -> Result<Option<Passkey>, DbErr> {
    Passkeys::find().filter(passkey::Column::CredentialId.eq(credential_id)).one(db).await
}

/// The user's passkeys, newest first.
pub async fn for_user(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Passkey>, DbErr> {
    use passkey::Column;
    Passkeys::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .all(db)
        .await
}

/// One of the user's passkeys (another user's is not found).
pub async fn one(db: &impl ConnectionTrait, user_id: i32, id: i32) -> Result<Option<Passkey>, DbErr> {
    Passkeys::find_by_id(id).filter(passkey::Column::UserId.eq(user_id)).one(db).await
}

pub async fn rename(db: &impl ConnectionTrait, user_id: i32, id: i32, name: &str) -> Result<bool, DbErr> {
    use passkey::Column;
    let res = Passkeys::update_many()
        .col_expr(Column::Name, Expr::value(name))
        .filter(Column::Id.eq(id))
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn delete(db: &impl ConnectionTrait, user_id: i32, id: i32) -> Result<bool, DbErr> {
    use passkey::Column;
    let res = Passkeys::delete_many().filter(Column::Id.eq(id)).filter(Column::UserId.eq(user_id)).exec(db).await?;
    Ok(res.rows_affected == 1)
}

/// Every passkey of the user (a password reset), and their ceremonies.
pub async fn delete_all_for_user(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    Ceremonies::delete_many().filter(passkey_ceremony::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(Passkeys::delete_many().filter(passkey::Column::UserId.eq(user_id)).exec(db).await?.rows_affected)
}

/// Records a use whose authenticator counted `count`: the counter must
/// rise past the stored one (an authenticator without a counter always
/// says 0, and then the stored one stays 0), and moves for exactly one
/// caller; `false` when it did not rise (a replay, a clone, or a racing
/// use with the same count).
pub async fn record_use(
    db: &impl ConnectionTrait,
    id: i32,
    count: i64,
    credential: String,
    now: i64,
) -> Result<bool, DbErr> {
    use passkey::Column;
    let rises = if count == 0 { Column::SignCount.eq(0) } else { Column::SignCount.lt(count) };
    let res = Passkeys::update_many()
        .col_expr(Column::SignCount, Expr::value(count))
        .col_expr(Column::Credential, Expr::value(credential))
        .col_expr(Column::LastUsedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(rises)
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Starts a ceremony under `key_hash`. A registration replaces the user's
/// earlier one (one in flight per user, as dj-rest-auth keeps it).
pub async fn insert_ceremony(
    db: &impl ConnectionTrait,
    key_hash: String,
    kind: &str,
    user_id: Option<i32>,
    state: String,
    expires_at: i64,
    now: i64,
) -> Result<(), DbErr> {
    use passkey_ceremony::Column;
    let row = passkey_ceremony::ActiveModel {
        key_hash: Set(key_hash),
        kind: Set(kind.to_owned()),
        user_id: Set(user_id),
        state: Set(state),
        expires_at: Set(expires_at),
        created_at: Set(now),
        ..Default::default()
    };
    // one statement, so two racing registrations of one user both succeed
    // (the later one's challenge stands)
    Ceremonies::insert(row)
        .on_conflict(
            OnConflict::column(Column::KeyHash)
                .update_columns([Column::Kind, Column::UserId, Column::State, Column::ExpiresAt, Column::CreatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes the live ceremony of `kind` under `key_hash`: it is deleted, and
/// returned to exactly one caller; `None` when unknown, used or expired.
pub async fn take_ceremony(
    db: &impl ConnectionTrait,
    key_hash: &str,
    kind: &str,
    now: i64,
) -> Result<Option<Ceremony>, DbErr> {
    use passkey_ceremony::Column;
    let Some(row) =
        Ceremonies::find().filter(Column::KeyHash.eq(key_hash)).filter(Column::Kind.eq(kind)).one(db).await?
    else {
        return Ok(None);
    };
    let taken = Ceremonies::delete_many().filter(Column::Id.eq(row.id)).exec(db).await?.rows_affected == 1;
    Ok((taken && row.expires_at > now).then_some(row))
}

/// Forgets up to `limit` ceremonies that expired (housekeeping).
pub async fn purge_ceremonies(db: &impl ConnectionTrait, now: i64, limit: u64) -> Result<u64, DbErr> {
    use passkey_ceremony::Column;
    let ids: Vec<i32> = Ceremonies::find()
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
    Ok(Ceremonies::delete_many().filter(Column::Id.is_in(ids)).exec(db).await?.rows_affected)
}

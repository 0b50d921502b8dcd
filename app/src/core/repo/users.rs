//! Reads and writes of `users`.

use crate::core::entities::user::{self, ActiveModel, Column, Entity as Users, Model as User};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// Fields of a new account, already validated and hashed.
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub email_verified: bool,
    pub first_name: String,
    pub last_name: String,
}

/// Why an insert or rename failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("username taken")]
    UsernameTaken,
    #[error("email taken")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn classify(e: DbErr) -> WriteError {
    if let Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) = e.sql_err() {
        if msg.contains("username") {
            return WriteError::UsernameTaken;
        }
        if msg.contains("email") {
            return WriteError::EmailTaken;
        }
    }
    WriteError::Db(e)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<User>, DbErr> {
    Users::find_by_id(id).one(db).await
}

pub async fn by_username(db: &impl ConnectionTrait, username_lower: &str) -> Result<Option<User>, DbErr> {
    Users::find().filter(Column::UsernameLower.eq(username_lower)).one(db).await
}

/// The account with this address. What is not an address (no `@`: "", or
/// the placeholder an account without an address keeps) matches no one.
pub async fn by_email(db: &impl ConnectionTrait, email_lower: &str) -> Result<Option<User>, DbErr> {
    if !email_lower.contains('@') {
        return Ok(None);
    }
    Users::find().filter(Column::EmailLower.eq(email_lower)).one(db).await
}

/// How many accounts have no address (`LATCHKEY_EMAIL_REQUIRED=false`).
pub async fn count_without_address(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Users::find().filter(Column::Email.eq("")).count(db).await
}

/// What an account without an address keeps in the unique `email_lower`:
/// unique, and never an address (no `@`), so no lookup finds it.
fn no_address() -> String {
    format!("!none-{}", crate::core::secrets::random_token())
}

/// # Errors
/// `UsernameTaken` / `EmailTaken` when a unique index refuses the row
/// (also under a race between two sign-ups).
pub async fn insert(db: &impl ConnectionTrait, new: NewUser, now: i64) -> Result<User, WriteError> {
    let row = ActiveModel {
        username_lower: Set(crate::core::domain::username::canonical(&new.username)),
        username: Set(new.username),
        email_lower: Set(if new.email.is_empty() { no_address() } else { new.email.to_lowercase() }),
        email: Set(new.email),
        email_verified: Set(new.email_verified),
        password_hash: Set(new.password_hash),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        is_active: Set(true),
        date_joined: Set(now),
        last_login: Set(None),
        ..Default::default()
    };
    row.insert(db).await.map_err(classify)
}

fn sql(backend: sea_orm::DatabaseBackend, text: &str) -> String {
    match backend {
        sea_orm::DatabaseBackend::Postgres => text.to_owned(),
        _ => text.replace('$', "?"),
    }
}

/// Runs an `UPDATE users ... RETURNING auth_epoch`; the new generation, or
/// `None` when no row matched.
async fn update_returning_epoch(
    db: &impl ConnectionTrait,
    text: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Option<i32>, DbErr> {
    let backend = db.get_database_backend();
    let row = db.query_one(sea_orm::Statement::from_sql_and_values(backend, sql(backend, text), values)).await?;
    row.map(|r| r.try_get("", "auth_epoch")).transpose()
}

/// Sets a new password hash and moves the credential generation on, in one
/// statement (a login that read the old hash has the old generation), but
/// only if the generation is still `expected`: a change authenticated before
/// a reset or another change cannot overwrite it. `None` when it moved.
pub async fn set_password(db: &impl ConnectionTrait, id: i32, hash: &str, expected: i32) -> Result<Option<i32>, DbErr> {
    let text = "UPDATE users SET password_hash = $1, auth_epoch = auth_epoch + 1 \
                WHERE id = $2 AND auth_epoch = $3 RETURNING auth_epoch";
    update_returning_epoch(db, text, vec![hash.into(), id.into(), expected.into()]).await
}

/// Sets a new password hash and moves the generation on, whatever it was
/// (a reset: proving the address wins over everything before it).
pub async fn reset_password(db: &impl ConnectionTrait, id: i32, hash: &str) -> Result<Option<i32>, DbErr> {
    let text = "UPDATE users SET password_hash = $1, auth_epoch = auth_epoch + 1 WHERE id = $2 RETURNING auth_epoch";
    update_returning_epoch(db, text, vec![hash.into(), id.into()]).await
}

/// Moves the credential generation on if it is still `expected`: every
/// credential issued before dies (the caller keeps its own, restamped).
pub async fn bump_generation(db: &impl ConnectionTrait, id: i32, expected: i32) -> Result<Option<i32>, DbErr> {
    let text = "UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = $1 AND auth_epoch = $2 RETURNING auth_epoch";
    update_returning_epoch(db, text, vec![id.into(), expected.into()]).await
}

/// Holds the user's row for the rest of the transaction if the generation
/// is still `expected` (on PostgreSQL the row lock makes a concurrent reset
/// wait, then this sees its new generation); `false` when it moved.
pub async fn lock_generation(db: &impl ConnectionTrait, id: i32, expected: i32) -> Result<bool, DbErr> {
    let res = Users::update_many()
        .col_expr(Column::AuthEpoch, Expr::col(Column::AuthEpoch).into())
        .filter(Column::Id.eq(id))
        .filter(Column::AuthEpoch.eq(expected))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Replaces the hash only if it is still `old` (an upgrade of the same
/// password must not undo a password change that happened meanwhile).
pub async fn replace_hash(db: &impl ConnectionTrait, id: i32, old: &str, new: &str) -> Result<bool, DbErr> {
    let res = Users::update_many()
        .col_expr(Column::PasswordHash, Expr::value(new.to_owned()))
        .filter(Column::Id.eq(id))
        .filter(Column::PasswordHash.eq(old))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn mark_email_verified(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    Users::update_many()
        .col_expr(Column::EmailVerified, Expr::value(true))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn touch_last_login(db: &impl ConnectionTrait, id: i32, now: i64) -> Result<(), DbErr> {
    Users::update_many()
        .col_expr(Column::LastLogin, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Replaces the address (already confirmed by the new owner).
///
/// # Errors
/// `EmailTaken` when another account has it.
pub async fn set_email(db: &impl ConnectionTrait, user: User, email: &str) -> Result<User, WriteError> {
    let mut row: user::ActiveModel = user.into();
    row.email = Set(email.to_owned());
    row.email_lower = Set(email.to_lowercase());
    row.email_verified = Set(true);
    row.update(db).await.map_err(classify)
}

/// Changes to the editable profile fields; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProfileChanges {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// # Errors
/// `UsernameTaken` when the new username belongs to someone else.
pub async fn update_profile(
    db: &impl ConnectionTrait,
    user: User,
    changes: ProfileChanges,
) -> Result<User, WriteError> {
    let mut row: user::ActiveModel = user.into();
    if let Some(u) = changes.username {
        row.username_lower = Set(crate::core::domain::username::canonical(&u));
        row.username = Set(u);
    }
    if let Some(v) = changes.first_name {
        row.first_name = Set(v);
    }
    if let Some(v) = changes.last_name {
        row.last_name = Set(v);
    }
    row.update(db).await.map_err(classify)
}

impl From<WriteError> for crate::core::FlowError {
    fn from(e: WriteError) -> Self {
        use crate::core::codes::Code;
        match e {
            WriteError::UsernameTaken => Self::field("username", Code::UsernameTaken),
            WriteError::EmailTaken => Self::field("email", Code::EmailRegistered),
            WriteError::Db(e) => e.into(),
        }
    }
}

/// The accounts the profile directory lists (active, not staff; verified
/// too when `verified_only`), by id, and how many there are in all.
pub async fn listed(
    db: &impl ConnectionTrait,
    verified_only: bool,
    offset: u64,
    limit: u64,
) -> Result<(Vec<User>, u64), DbErr> {
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let mut q = Users::find().filter(Column::IsActive.eq(true)).filter(Column::IsStaff.eq(false));
    if verified_only {
        q = q.filter(Column::EmailVerified.eq(true));
    }
    let count = q.clone().count(db).await?;
    let rows = q.order_by_asc(Column::Id).offset(offset).limit(limit).all(db).await?;
    Ok((rows, count))
}

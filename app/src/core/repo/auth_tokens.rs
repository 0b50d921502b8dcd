//! Reads and writes of `auth_tokens`.

use crate::core::entities::auth_token::{ActiveModel, Column, Entity as Tokens, Model as Token};
use crate::core::entities::user::{Entity as Users, Model as User};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

pub async fn insert(db: &impl ConnectionTrait, user_id: i32, key_hash: String, now: i64) -> Result<Token, DbErr> {
    ActiveModel { key_hash: Set(key_hash), user_id: Set(user_id), created_at: Set(now), ..Default::default() }
        .insert(db)
        .await
}

/// The token and its user, in one query (this runs on every API request).
pub async fn by_hash_with_user(db: &impl ConnectionTrait, key_hash: &str) -> Result<Option<(Token, User)>, DbErr> {
    let found = Tokens::find().filter(Column::KeyHash.eq(key_hash)).find_also_related(Users).one(db).await?;
    Ok(found.and_then(|(t, u)| u.map(|u| (t, u))))
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

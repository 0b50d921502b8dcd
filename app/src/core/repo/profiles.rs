//! Reads and writes of `profiles`. The text fields and the avatar are
//! written separately, so saving one never puts back a stale other.

use crate::core::entities::profile::{ActiveModel, Column, Entity as Profiles, Model as Profile};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// The user's profile, or an empty one when none was saved yet.
pub async fn get(db: &impl ConnectionTrait, user_id: i32) -> Result<Profile, DbErr> {
    Ok(Profiles::find_by_id(user_id).one(db).await?.unwrap_or(Profile {
        user_id,
        company_name: String::new(),
        phone_number: String::new(),
        bio: String::new(),
        avatar: None,
    }))
}

/// Saves the text fields (the avatar is left as it is).
pub async fn save_details(db: &impl ConnectionTrait, p: Profile) -> Result<(), DbErr> {
    let row = ActiveModel {
        user_id: Set(p.user_id),
        company_name: Set(p.company_name),
        phone_number: Set(p.phone_number),
        bio: Set(p.bio),
        avatar: Set(None),
    };
    Profiles::insert(row)
        .on_conflict(
            OnConflict::column(Column::UserId)
                .update_columns([Column::CompanyName, Column::PhoneNumber, Column::Bio])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Sets the avatar to `new` only if it is still `expected` (compare and
/// swap); `false` when another upload changed it first.
pub async fn swap_avatar(
    db: &impl ConnectionTrait,
    user_id: i32,
    expected: Option<&str>,
    new: &str,
) -> Result<bool, DbErr> {
    let empty = ActiveModel {
        user_id: Set(user_id),
        company_name: Set(String::new()),
        phone_number: Set(String::new()),
        bio: Set(String::new()),
        avatar: Set(None),
    };
    Profiles::insert(empty)
        .on_conflict(OnConflict::column(Column::UserId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let current = match expected {
        Some(old) => Column::Avatar.eq(old),
        None => Column::Avatar.is_null(),
    };
    let res = Profiles::update_many()
        .col_expr(Column::Avatar, Expr::value(Some(new.to_owned())))
        .filter(Column::UserId.eq(user_id))
        .filter(current)
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

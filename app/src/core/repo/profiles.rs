//! Reads and writes of `profiles`.

use crate::core::entities::profile::{ActiveModel, Column, Entity as Profiles, Model as Profile};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

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

pub async fn save(db: &impl ConnectionTrait, p: Profile) -> Result<(), DbErr> {
    let row = ActiveModel {
        user_id: Set(p.user_id),
        company_name: Set(p.company_name),
        phone_number: Set(p.phone_number),
        bio: Set(p.bio),
        avatar: Set(p.avatar),
    };
    Profiles::insert(row)
        .on_conflict(
            OnConflict::column(Column::UserId)
                .update_columns([Column::CompanyName, Column::PhoneNumber, Column::Bio, Column::Avatar])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

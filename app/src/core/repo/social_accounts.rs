//! Reads and writes of `social_accounts`.

use crate::core::entities::social_account::{ActiveModel, Column, Entity as Social, Model as SocialAccount};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

pub async fn by_uid(db: &impl ConnectionTrait, provider: &str, uid: &str) -> Result<Option<SocialAccount>, DbErr> {
    Social::find().filter(Column::Provider.eq(provider)).filter(Column::Uid.eq(uid)).one(db).await
}

/// The link and its user read in one statement (one snapshot: a reset that
/// unlinks and moves the credential generation on in one transaction is
/// seen entirely or not at all).
pub async fn by_uid_with_user(
    db: &impl ConnectionTrait,
    provider: &str,
    uid: &str,
) -> Result<Option<(SocialAccount, crate::core::entities::user::Model)>, DbErr> {
    let found = Social::find()
        .filter(Column::Provider.eq(provider))
        .filter(Column::Uid.eq(uid))
        .find_also_related(crate::core::entities::user::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(link, user)| user.map(|u| (link, u))))
}

pub async fn for_user(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<SocialAccount>, DbErr> {
    Social::find().filter(Column::UserId.eq(user_id)).order_by_asc(Column::Id).all(db).await
}

pub async fn count_for_user(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    Social::find().filter(Column::UserId.eq(user_id)).count(db).await
}

pub struct NewLink<'a> {
    pub user_id: i32,
    pub provider: &'a str,
    pub uid: &'a str,
    pub email: Option<String>,
    pub extra_data: String,
}

pub async fn insert(db: &impl ConnectionTrait, new: NewLink<'_>, now: i64) -> Result<SocialAccount, DbErr> {
    ActiveModel {
        user_id: Set(new.user_id),
        provider: Set(new.provider.to_owned()),
        uid: Set(new.uid.to_owned()),
        email: Set(new.email),
        extra_data: Set(new.extra_data),
        date_joined: Set(now),
        last_login: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn touch(db: &impl ConnectionTrait, id: i32, extra_data: String, now: i64) -> Result<(), DbErr> {
    Social::update_many()
        .col_expr(Column::LastLogin, Expr::value(now))
        .col_expr(Column::ExtraData, Expr::value(extra_data))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Deletes link `id` if it belongs to `user_id`; whether it did.
pub async fn delete_for_user(db: &impl ConnectionTrait, id: i32, user_id: i32) -> Result<bool, DbErr> {
    let res = Social::delete_many().filter(Column::Id.eq(id)).filter(Column::UserId.eq(user_id)).exec(db).await?;
    Ok(res.rows_affected == 1)
}

/// Unlinks every identity of `user_id`; returns how many.
pub async fn delete_all_for_user(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    use crate::core::entities::social_account::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(Entity::delete_many().filter(Column::UserId.eq(user_id)).exec(db).await?.rows_affected)
}

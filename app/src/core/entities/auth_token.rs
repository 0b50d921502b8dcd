//! `auth_tokens`: opaque API tokens (`Authorization: Token <key>`), hashed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key_hash: String,
    pub user_id: i32,
    pub created_at: i64,
    /// The credential generation (see migration m0009).
    pub auth_epoch: i32,
    /// The browser or app that signed in (cut to 255 characters).
    pub user_agent: Option<String>,
    /// The address it signed in from.
    pub ip: Option<String>,
    /// When it last authenticated a request (written at most every five minutes).
    pub last_used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

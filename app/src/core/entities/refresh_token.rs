//! `refresh_tokens`: every refresh JWT issued, by `jti`, grouped by family
//! (one login on one device). Rotation marks the old one used; reuse of a used
//! one revokes the family.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub jti: String,
    pub family: String,
    pub user_id: i32,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    /// The credential generation (see migration m0009).
    pub auth_epoch: i32,
    /// The browser or app that signed in (cut to 255 characters).
    pub user_agent: Option<String>,
    /// The address the family signed in from.
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

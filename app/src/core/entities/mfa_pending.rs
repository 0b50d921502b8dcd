//! `mfa_pending`: a sign-in whose first factor succeeded, waiting for a
//! second one. Found by the HMAC of its ephemeral token.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mfa_pending")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub token_hash: String,
    pub user_id: i32,
    /// What proved the first factor: `password`, `social:<provider>`.
    pub first_factor: String,
    /// The user's credential generation when the first factor succeeded.
    pub auth_epoch: i32,
    pub attempts: i32,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

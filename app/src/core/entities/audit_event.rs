//! `audit_events`: the security events of accounts (see migration m0012).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The account the event is about (kept after the account is deleted).
    pub user_id: Option<i32>,
    /// The staff member who acted, for admin actions.
    pub actor_id: Option<i32>,
    pub kind: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// A small JSON object of non-secret facts (a provider, a passkey's name).
    pub detail: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

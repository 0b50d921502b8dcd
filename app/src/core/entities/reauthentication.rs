//! `reauthentications`: when a credential last re-entered a password or a
//! second factor (see migration m0012).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reauthentications")]
pub struct Model {
    /// `session:<stored key>`, `token:<id>` or `jwt:<family hash>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub credential: String,
    pub user_id: i32,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

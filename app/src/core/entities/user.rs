//! `users`: one row per account.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub username_lower: String,
    pub email: String,
    pub email_lower: String,
    pub email_verified: bool,
    pub password_hash: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub date_joined: i64,
    pub last_login: Option<i64>,
    /// The credential generation (see migration m0009).
    pub auth_epoch: i32,
    /// May use the admin API and pages; never writable through the user API.
    pub is_staff: bool,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email_verified", &self.email_verified)
            .field("is_active", &self.is_active)
            .field("is_staff", &self.is_staff)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

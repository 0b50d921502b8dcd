//! `passkey_ceremonies`: a WebAuthn registration or sign-in between its
//! `begin` and `complete`: webauthn-rs' state (the challenge) as JSON,
//! found by the HMAC of its key, used once, expiring.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passkey_ceremonies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub key_hash: String,
    /// `register` or `login`.
    pub kind: String,
    /// Whose registration it is (none for a sign-in).
    pub user_id: Option<i32>,
    pub state: String,
    pub expires_at: i64,
    pub created_at: i64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasskeyCeremony").field("id", &self.id).field("kind", &self.kind).finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

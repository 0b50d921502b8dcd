//! `passkeys`: a user's registered WebAuthn credentials. `credential` is
//! webauthn-rs' `Passkey` as JSON (the public key, not a secret, but its
//! integrity guards the account); `sign_count` is the authenticator's
//! counter, which must rise with every use (a clone's stale count is
//! refused).

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passkeys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    /// Unpadded base64url of the raw credential id.
    pub credential_id: String,
    /// The WebAuthn user handle (hex of the 16 bytes the authenticator keeps).
    pub user_handle: String,
    pub credential: String,
    pub sign_count: i64,
    /// JSON array of transport hints, as the browser reported them.
    pub transports: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passkey").field("id", &self.id).field("user_id", &self.user_id).finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `webhook_deliveries`: events waiting for (or done with) one endpoint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The SHA-256 of the endpoint's URL (a URL can carry a secret; it and
    /// the signing secret stay in the configuration).
    pub endpoint: String,
    /// `evt_<uuid>`: the same on every attempt, for receivers to de-duplicate.
    pub event_id: String,
    pub event: String,
    /// The JSON body, exactly as signed and sent.
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    /// Set when the last attempt was made and failed.
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

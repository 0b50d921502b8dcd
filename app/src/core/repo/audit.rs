//! Reads and writes of `audit_events` and `reauthentications`.

use crate::core::entities::audit_event::{ActiveModel, Column, Entity as Events, Model as AuditEvent};
use crate::core::entities::reauthentication::{self, Entity as Reauths};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A row to write (already cut to the columns' sizes).
pub struct NewEvent {
    pub user_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub kind: &'static str,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: String,
    pub at: i64,
}

pub async fn insert(db: &impl ConnectionTrait, e: NewEvent) -> Result<(), DbErr> {
    ActiveModel {
        user_id: Set(e.user_id),
        actor_id: Set(e.actor_id),
        kind: Set(e.kind.to_owned()),
        ip: Set(e.ip),
        user_agent: Set(e.user_agent),
        detail: Set(e.detail),
        created_at: Set(e.at),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Which events to list: all of them unless narrowed.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub user_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub kind: Option<String>,
    /// Only events older than this id (the cursor of the page before).
    pub before_id: Option<i32>,
    pub since: Option<i64>,
}

/// Newest first, at most `limit`.
pub async fn list(db: &impl ConnectionTrait, f: &EventFilter, limit: u64) -> Result<Vec<AuditEvent>, DbErr> {
    let mut cond = Condition::all();
    if let Some(u) = f.user_id {
        cond = cond.add(Column::UserId.eq(u));
    }
    if let Some(a) = f.actor_id {
        cond = cond.add(Column::ActorId.eq(a));
    }
    if let Some(k) = &f.kind {
        cond = cond.add(Column::Kind.eq(k.as_str()));
    }
    if let Some(b) = f.before_id {
        cond = cond.add(Column::Id.lt(b));
    }
    if let Some(s) = f.since {
        cond = cond.add(Column::CreatedAt.gte(s));
    }
    Events::find().filter(cond).order_by_desc(Column::Id).limit(limit).all(db).await
}

/// Drops at most `limit` events written before `cutoff`; returns how many.
pub async fn purge_before(db: &impl ConnectionTrait, cutoff: i64, limit: u64) -> Result<u64, DbErr> {
    let ids: Vec<i32> = Events::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::CreatedAt.lt(cutoff))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(Events::delete_many().filter(Column::Id.is_in(ids)).exec(db).await?.rows_affected)
}

/// Records that `credential` re-authenticated at `at`.
pub async fn stamp_reauth(db: &impl ConnectionTrait, credential: &str, user_id: i32, at: i64) -> Result<(), DbErr> {
    use reauthentication::{ActiveModel, Column};
    Reauths::insert(ActiveModel { credential: Set(credential.to_owned()), user_id: Set(user_id), at: Set(at) })
        .on_conflict(OnConflict::column(Column::Credential).update_columns([Column::UserId, Column::At]).to_owned())
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// When `credential` of `user_id` last re-authenticated.
pub async fn last_reauth(db: &impl ConnectionTrait, credential: &str, user_id: i32) -> Result<Option<i64>, DbErr> {
    use reauthentication::Column;
    Ok(Reauths::find_by_id(credential.to_owned()).filter(Column::UserId.eq(user_id)).one(db).await?.map(|r| r.at))
}

/// Drops at most `limit` stamps older than `cutoff`.
pub async fn purge_reauths(db: &impl ConnectionTrait, cutoff: i64, limit: u64) -> Result<u64, DbErr> {
    use reauthentication::Column;
    let keys: Vec<String> = Reauths::find()
        .select_only()
        .column(Column::Credential)
        .filter(Column::At.lt(cutoff))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if keys.is_empty() {
        return Ok(0);
    }
    Ok(Reauths::delete_many().filter(Column::Credential.is_in(keys)).exec(db).await?.rows_affected)
}

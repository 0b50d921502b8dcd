//! Reads and writes of `webhook_deliveries`.

use crate::core::entities::webhook_delivery::{ActiveModel, Column, Entity as Deliveries, Model as Delivery};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub async fn insert(
    db: &impl ConnectionTrait,
    endpoint: &str,
    event_id: &str,
    event: &str,
    payload: String,
    now: i64,
) -> Result<(), DbErr> {
    ActiveModel {
        endpoint: Set(endpoint.to_owned()),
        event_id: Set(event_id.to_owned()),
        event: Set(event.to_owned()),
        payload: Set(payload),
        attempts: Set(0),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Up to `limit` due deliveries, oldest first, each claimed for `lease`
/// seconds so that no other worker (replica) sends it meanwhile.
pub async fn claim_due(db: &impl ConnectionTrait, now: i64, limit: u64, lease: i64) -> Result<Vec<Delivery>, DbErr> {
    let due = Deliveries::find()
        .filter(Column::DeliveredAt.is_null())
        .filter(Column::FailedAt.is_null())
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for row in due {
        let res = Deliveries::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(now + lease))
            .filter(Column::Id.eq(row.id))
            .filter(Column::NextAttemptAt.eq(row.next_attempt_at))
            .filter(Column::DeliveredAt.is_null())
            .exec(db)
            .await?;
        if res.rows_affected == 1 {
            claimed.push(row);
        }
    }
    Ok(claimed)
}

/// Records delivery, if the claim (`lease`) is still this worker's.
pub async fn mark_delivered(db: &impl ConnectionTrait, id: i32, lease: i64, now: i64) -> Result<(), DbErr> {
    Deliveries::update_many()
        .col_expr(Column::DeliveredAt, Expr::value(now))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.eq(id))
        .filter(Column::NextAttemptAt.eq(lease))
        .exec(db)
        .await
        .map(|_| ())
}

/// Records a failed attempt, if the claim (`lease`) is still this
/// worker's: retried at `next_at`, or given up (`None`).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: i32,
    lease: i64,
    next_at: Option<i64>,
    now: i64,
    error: &str,
) -> Result<(), DbErr> {
    let mut q = Deliveries::update_many()
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
        .filter(Column::Id.eq(id))
        .filter(Column::DeliveredAt.is_null())
        .filter(Column::NextAttemptAt.eq(lease));
    q = match next_at {
        Some(at) => q.col_expr(Column::NextAttemptAt, Expr::value(at)),
        None => q.col_expr(Column::FailedAt, Expr::value(now)),
    };
    q.exec(db).await.map(|_| ())
}

/// Deliveries not yet made, and the oldest one's age source (`created_at`).
pub async fn pending(db: &impl ConnectionTrait) -> Result<(u64, Option<i64>), DbErr> {
    let q = Deliveries::find().filter(Column::DeliveredAt.is_null()).filter(Column::FailedAt.is_null());
    let n = q.clone().count(db).await?;
    let oldest: Option<i64> =
        q.select_only().column(Column::CreatedAt).order_by_asc(Column::CreatedAt).into_tuple().one(db).await?;
    Ok((n, oldest))
}

/// Deletes at most `limit` delivered or abandoned rows finished before `before`.
pub async fn purge_done(db: &impl ConnectionTrait, before: i64, limit: u64) -> Result<u64, DbErr> {
    let ids: Vec<i32> = Deliveries::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::DeliveredAt.lt(before).or(Column::FailedAt.lt(before)))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(Deliveries::delete_many().filter(Column::Id.is_in(ids)).exec(db).await?.rows_affected)
}

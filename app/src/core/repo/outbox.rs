//! Reads and writes of `email_outbox`.

use crate::core::email::OutgoingEmail;
use crate::core::entities::outbox_email::{ActiveModel, Column, Entity as Outbox, Model as OutboxEmail};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub async fn insert(db: &impl ConnectionTrait, email: &OutgoingEmail, now: i64) -> Result<(), DbErr> {
    ActiveModel {
        kind: Set(email.kind.to_owned()),
        recipient: Set(email.to.clone()),
        subject: Set(email.subject.clone()),
        text_body: Set(email.text.clone()),
        html_body: Set(email.html.clone()),
        link: Set(email.link.clone()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Up to `limit` due emails, each claimed for `lease` seconds so that no
/// other worker (replica) sends it meanwhile.
pub async fn claim_due(db: &impl ConnectionTrait, now: i64, limit: u64, lease: i64) -> Result<Vec<OutboxEmail>, DbErr> {
    let due = Outbox::find()
        .filter(Column::SentAt.is_null())
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for row in due {
        let res = Outbox::update_many()
            .col_expr(Column::NextAttemptAt, Expr::value(now + lease))
            .filter(Column::Id.eq(row.id))
            .filter(Column::NextAttemptAt.eq(row.next_attempt_at))
            .filter(Column::SentAt.is_null())
            .exec(db)
            .await?;
        if res.rows_affected == 1 {
            claimed.push(row);
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(db: &impl ConnectionTrait, id: i32, now: i64) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn mark_failed(db: &impl ConnectionTrait, id: i32, next_at: i64, error: &str) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(Column::NextAttemptAt, Expr::value(next_at))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

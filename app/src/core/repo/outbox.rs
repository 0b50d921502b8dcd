//! Reads and writes of `email_outbox`. New rows keep their content only
//! sealed; delivered rows are redacted at once and deleted after the
//! retention period.

use crate::core::entities::outbox_email::{ActiveModel, Column, Entity as Outbox, Model as OutboxEmail};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Queues an email whose content is already sealed.
pub async fn insert(
    db: &impl ConnectionTrait,
    kind: &str,
    recipient: &str,
    sealed: String,
    now: i64,
) -> Result<(), DbErr> {
    ActiveModel {
        kind: Set(kind.to_owned()),
        recipient: Set(recipient.to_owned()),
        subject: Set(String::new()),
        text_body: Set(String::new()),
        html_body: Set(String::new()),
        link: Set(None),
        sealed: Set(Some(sealed)),
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

/// Up to `limit` due emails, oldest first, each claimed for `lease` seconds
/// so that no other worker (replica) sends it meanwhile.
pub async fn claim_due(db: &impl ConnectionTrait, now: i64, limit: u64, lease: i64) -> Result<Vec<OutboxEmail>, DbErr> {
    let due = Outbox::find()
        .filter(Column::SentAt.is_null())
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
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

/// Emails not yet delivered, and when the oldest was queued.
pub async fn pending(db: &impl ConnectionTrait) -> Result<(u64, Option<i64>), DbErr> {
    use sea_orm::PaginatorTrait;
    let q = Outbox::find().filter(Column::SentAt.is_null());
    let n = q.clone().count(db).await?;
    let oldest: Option<i64> =
        q.select_only().column(Column::CreatedAt).order_by_asc(Column::CreatedAt).into_tuple().one(db).await?;
    Ok((n, oldest))
}

/// Records delivery and forgets the content (links in it are secrets).
pub async fn mark_sent(db: &impl ConnectionTrait, id: i32, now: i64) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::Sealed, Expr::value(Option::<String>::None))
        .col_expr(Column::Subject, Expr::value(String::new()))
        .col_expr(Column::TextBody, Expr::value(String::new()))
        .col_expr(Column::HtmlBody, Expr::value(String::new()))
        .col_expr(Column::Link, Expr::value(Option::<String>::None))
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

/// Up to `limit` rows still holding plain-text content (written before
/// sealing existed).
pub async fn plain_rows(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<OutboxEmail>, DbErr> {
    Outbox::find()
        .filter(Column::Sealed.is_null())
        .filter(Column::TextBody.ne("").or(Column::HtmlBody.ne("")).or(Column::Link.is_not_null()))
        .limit(limit)
        .all(db)
        .await
}

/// Replaces a row's plain content with its sealed form.
pub async fn seal_row(db: &impl ConnectionTrait, id: i32, sealed: String) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(Column::Sealed, Expr::value(Some(sealed)))
        .col_expr(Column::Subject, Expr::value(String::new()))
        .col_expr(Column::TextBody, Expr::value(String::new()))
        .col_expr(Column::HtmlBody, Expr::value(String::new()))
        .col_expr(Column::Link, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Deletes at most `limit` delivered rows sent before `before`.
pub async fn purge_sent(db: &impl ConnectionTrait, before: i64, limit: u64) -> Result<u64, DbErr> {
    let ids: Vec<i32> = Outbox::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::SentAt.lt(before))
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(Outbox::delete_many()
        .filter(Column::Id.is_in(ids))
        .filter(Column::SentAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

//! Fixed-window counters in `rate_limits`, atomic in one statement on
//! SQLite and PostgreSQL alike. Keys arrive already hashed to a fixed length
//! (see `flows::throttle`), so no input can overflow the column.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// `text` with `$N` parameters, as `backend` numbers them (raw SQL shared
/// by the repositories that need an upsert sea-orm cannot write).
pub(super) fn sql(backend: DatabaseBackend, text: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => text.to_owned(),
        // SQLite takes numbered parameters as ?N
        _ => text.replace('$', "?"),
    }
}

/// Counts one more event for `key` in the current window (a new window
/// starts when the old one is over); returns `(count, window_start)`. The
/// count includes this event, and no two callers ever see the same count.
pub async fn hit(db: &impl ConnectionTrait, key: &str, window: i64, now: i64) -> Result<(i64, i64), DbErr> {
    let backend = db.get_database_backend();
    let text = "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) \
                ON CONFLICT (key) DO UPDATE SET \
                count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END, \
                window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
                RETURNING count, window_start";
    let values: Vec<Value> = vec![key.into(), now.into(), (now - window).into()];
    let row = db
        .query_one(Statement::from_sql_and_values(backend, sql(backend, text), values))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("rate limit row".into()))?;
    let count: i32 = row.try_get("", "count")?;
    let start: i64 = row.try_get("", "window_start")?;
    Ok((i64::from(count), start))
}

/// Gives back one event counted by [`hit`] in the window that started at
/// `window_start` (nothing when that window is over).
pub async fn release(db: &impl ConnectionTrait, key: &str, window_start: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let text = "UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0";
    let values: Vec<Value> = vec![key.into(), window_start.into()];
    db.execute(Statement::from_sql_and_values(backend, sql(backend, text), values)).await.map(|_| ())
}

/// Deletes at most `limit` rows whose window started before `before`;
/// returns how many went.
pub async fn purge(db: &impl ConnectionTrait, before: i64, limit: u64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    // the age test is repeated outside: a window renewed meanwhile stays
    let text = "DELETE FROM rate_limits WHERE window_start < $1 AND key IN \
                (SELECT key FROM rate_limits WHERE window_start < $1 LIMIT $2)";
    let values: Vec<Value> = vec![before.into(), (limit as i64).into()];
    Ok(db.execute(Statement::from_sql_and_values(backend, sql(backend, text), values)).await?.rows_affected())
}

//! Fixed-window counters in `rate_limits`, atomic in one statement on
//! SQLite and PostgreSQL alike.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

fn sql(backend: DatabaseBackend, text: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => text.to_owned(),
        // SQLite takes numbered parameters as ?N
        _ => text.replace('$', "?"),
    }
}

/// Counts one more event for `key` in the current window (a new window
/// starts when the old one is over); returns `(count, window_start)`.
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

/// The current window's count for `key` (0 when the window is over).
pub async fn peek(db: &impl ConnectionTrait, key: &str, window: i64, now: i64) -> Result<(i64, i64), DbErr> {
    let backend = db.get_database_backend();
    let text = "SELECT count, window_start FROM rate_limits WHERE key = $1";
    let row = db.query_one(Statement::from_sql_and_values(backend, sql(backend, text), vec![key.into()])).await?;
    Ok(match row {
        Some(r) => {
            let count: i32 = r.try_get("", "count")?;
            let start: i64 = r.try_get("", "window_start")?;
            if start <= now - window {
                (0, now)
            } else {
                (i64::from(count), start)
            }
        }
        None => (0, now),
    })
}

pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let text = "DELETE FROM rate_limits WHERE key = $1";
    db.execute(Statement::from_sql_and_values(backend, sql(backend, text), vec![key.into()])).await.map(|_| ())
}

//! `known_networks`: where each account has signed in from, as keyed hashes
//! (see migration m0015). One statement each, the same on SQLite and
//! PostgreSQL.

use super::rate_limits::sql;
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

/// Notes a sign-in of `user_id` from the network behind `key` at `now`.
pub async fn remember(db: &impl ConnectionTrait, key: &str, user_id: i32, now: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let text = "INSERT INTO known_networks (key, user_id, last_seen_at) VALUES ($1, $2, $3) \
                ON CONFLICT (key) DO UPDATE SET last_seen_at = $3";
    let values: Vec<Value> = vec![key.into(), user_id.into(), now.into()];
    db.execute(Statement::from_sql_and_values(backend, sql(backend, text), values)).await.map(|_| ())
}

/// Whether the network behind `key` was seen since `since`.
pub async fn seen_since(db: &impl ConnectionTrait, key: &str, since: i64) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let text = "SELECT 1 AS one FROM known_networks WHERE key = $1 AND last_seen_at >= $2";
    let values: Vec<Value> = vec![key.into(), since.into()];
    Ok(db.query_one(Statement::from_sql_and_values(backend, sql(backend, text), values)).await?.is_some())
}

/// Forgets at most `limit` networks not seen since `cutoff`; returns how many.
pub async fn purge(db: &impl ConnectionTrait, cutoff: i64, limit: u64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    // the outer condition again: a network seen meanwhile stays
    let text = "DELETE FROM known_networks WHERE last_seen_at < $1 AND key IN \
                (SELECT key FROM known_networks WHERE last_seen_at < $1 LIMIT $2)";
    let values: Vec<Value> = vec![cutoff.into(), (limit as i64).into()];
    Ok(db.execute(Statement::from_sql_and_values(backend, sql(backend, text), values)).await?.rows_affected())
}

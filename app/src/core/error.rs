//! The one error model of every flow. The JSON API and the pages each render
//! it in their own way (`server::rest::error`, `app::api`).

use crate::core::codes::{Code, Problems};

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Input that fails validation: 400 with codes per field.
    #[error("invalid input: {0:?}")]
    Invalid(Problems),
    /// A request refused as a whole: 400 `{"detail": "..."}` (DRF's shape
    /// for errors raised outside a serializer).
    #[error("refused: {0:?}")]
    Refused(Code),
    /// Signed in, but not allowed: 403 `{"detail": "..."}`.
    #[error("forbidden: {0:?}")]
    Forbidden(Code),
    /// An unknown, used or expired link key: 404.
    #[error("not found")]
    NotFound,
    /// No valid credentials on a request that needs them: 401.
    #[error("authentication credentials were not provided or are invalid")]
    Unauthenticated,
    /// A JWT that is malformed, expired or revoked: 401 `token_not_valid`.
    #[error("token is invalid or expired")]
    TokenInvalid,
    /// The database cannot be reached: 503, try again later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Too many requests: 429 with `Retry-After`.
    #[error("throttled for {0} s")]
    Throttled(i64),
    /// Anything else: 500, opaque to the client, logged with its cause.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<Problems> for FlowError {
    fn from(e: Problems) -> Self {
        FlowError::Invalid(e)
    }
}

/// Whether a database error means "cannot reach the database" (the pool
/// reconnects by itself once it is back) rather than a bug.
fn is_outage(e: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(s)) | DbErr::Exec(RuntimeErr::SqlxError(s)) => {
            matches!(s, Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::Tls(_) | Sqlx::WorkerCrashed)
                || matches!(s, Sqlx::Database(d) if d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08") || c == "3D000" || c == "55000"))
        }
        _ => false,
    }
}

impl From<sea_orm::DbErr> for FlowError {
    fn from(e: sea_orm::DbErr) -> Self {
        if is_outage(&e) {
            tracing::warn!(error = %e, "database unavailable");
            FlowError::Unavailable(e.to_string())
        } else {
            FlowError::Unexpected(e.into())
        }
    }
}

impl FlowError {
    pub fn field(field: &str, code: Code) -> Self {
        FlowError::Invalid(Problems::single(field, code))
    }

    pub fn non_field(code: Code) -> Self {
        FlowError::Invalid(Problems::non_field(code))
    }
}

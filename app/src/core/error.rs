//! The one error model of every flow. The JSON API and the pages each render
//! it in their own way (`server::rest::error`, `app::api`).

use crate::shared::errors::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Input that fails validation: 400 with messages per field.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// An unknown, used or expired link key: 404.
    #[error("not found")]
    NotFound,
    /// No valid credentials on a request that needs them: 401.
    #[error("authentication credentials were not provided or are invalid")]
    Unauthenticated,
    /// A JWT that is malformed, expired or revoked: 401 `token_not_valid`.
    #[error("token is invalid or expired")]
    TokenInvalid,
    /// Too many requests: 429 with `Retry-After`.
    #[error("throttled for {0} s")]
    Throttled(i64),
    /// Anything else: 500, opaque to the client, logged with its cause.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<FieldErrors> for FlowError {
    fn from(e: FieldErrors) -> Self {
        FlowError::Invalid(e)
    }
}

impl From<sea_orm::DbErr> for FlowError {
    fn from(e: sea_orm::DbErr) -> Self {
        FlowError::Unexpected(e.into())
    }
}

impl FlowError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        FlowError::Invalid(FieldErrors::single(field, message))
    }

    pub fn non_field(message: impl Into<String>) -> Self {
        FlowError::Invalid(FieldErrors::non_field(message))
    }
}

//! The wire form of validation errors, as dj-rest-auth / DRF spell them:
//! `{"field": ["message", ...], "non_field_errors": [...]}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Key DRF uses for errors that belong to no single field.
pub const NON_FIELD: &str = "non_field_errors";

/// Messages per field, in the order they were found. The engine fills one
/// with codes (`core::codes::Problems`); a dialect renders it to words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors<M = String>(pub BTreeMap<String, Vec<M>>);

impl<M> Default for FieldErrors<M> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<M> FieldErrors<M> {
    pub fn new() -> Self {
        Self::default()
    }

    /// One error on one field.
    pub fn single(field: &str, message: impl Into<M>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    /// One error that belongs to the form as a whole.
    pub fn non_field(message: impl Into<M>) -> Self {
        Self::single(NON_FIELD, message)
    }

    pub fn add(&mut self, field: &str, message: impl Into<M>) {
        self.0.entry(field.to_owned()).or_default().push(message.into());
    }

    pub fn merge(&mut self, other: FieldErrors<M>) {
        for (k, v) in other.0 {
            self.0.entry(k).or_default().extend(v);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Messages for one field (empty when it has none).
    pub fn get(&self, field: &str) -> &[M] {
        self.0.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `Ok(())` when empty, so validators can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors<M>> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

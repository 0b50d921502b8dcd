//! The wire form of validation errors, as dj-rest-auth / DRF spell them:
//! `{"field": ["message", ...], "non_field_errors": [...]}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Key DRF uses for errors that belong to no single field.
pub const NON_FIELD: &str = "non_field_errors";

/// Messages per field, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// One error on one field.
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    /// One error that belongs to the form as a whole.
    pub fn non_field(message: impl Into<String>) -> Self {
        Self::single(NON_FIELD, message)
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_default().push(message.into());
    }

    pub fn merge(&mut self, other: FieldErrors) {
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
    pub fn get(&self, field: &str) -> &[String] {
        self.0.get(field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `Ok(())` when empty, so validators can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

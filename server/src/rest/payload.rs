//! `Payload`: a request body as DRF's parsers accept it (JSON object or
//! URL-encoded form), read field by field with DRF's messages for missing,
//! null, non-text and NUL-containing values.

use super::error::ApiError;
use crate::state::AppState;
use app::core::messages;
use app::shared::errors::FieldErrors;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use secrecy::SecretString;
use serde_json::{Map, Value};

pub struct Payload {
    fields: Map<String, Value>,
    errors: FieldErrors,
}

fn media_type(req: &Request) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

impl FromRequest<AppState> for Payload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let media = media_type(&req);
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large.")
            } else {
                ApiError::detail(StatusCode::BAD_REQUEST, "The request body could not be read.")
            }
        })?;
        let fields = match media.as_deref() {
            _ if body.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Some("application/json") => parse_json(&body)?,
            Some("application/x-www-form-urlencoded") => parse_form(&body)?,
            Some(other) => {
                return Err(ApiError::detail(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!("Unsupported media type \"{other}\" in request."),
                ))
            }
            None => {
                return Err(ApiError::detail(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported media type \"\" in request.",
                ))
            }
        };
        Ok(Self { fields, errors: FieldErrors::new() })
    }
}

fn parse_json(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let kind = match other {
                Value::Array(_) => "list",
                Value::String(_) => "str",
                Value::Number(_) => "int",
                Value::Bool(_) => "bool",
                _ => "NoneType",
            };
            Err(ApiError::Flow(
                FieldErrors::non_field(format!("Invalid data. Expected a dictionary, but got {kind}.")).into(),
            ))
        }
        Err(e) => Err(ApiError::detail(StatusCode::BAD_REQUEST, format!("JSON parse error - {e}"))),
    }
}

fn parse_form(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| ApiError::detail(StatusCode::BAD_REQUEST, format!("Form parse error - {e}")))?;
    Ok(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

impl Payload {
    /// Whether the body has this key at all.
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// A text field that may be absent; `null`, lists, objects and booleans
    /// are errors, numbers are taken as text (as DRF's `CharField` does).
    pub fn optional(&mut self, name: &str) -> Option<String> {
        let value = match self.fields.get(name)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null => {
                self.errors.add(name, "This field may not be null.");
                return None;
            }
            _ => {
                self.errors.add(name, messages::NOT_A_STRING);
                return None;
            }
        };
        if value.contains('\0') {
            self.errors.add(name, messages::NULL_CHAR);
            return None;
        }
        Some(value)
    }

    /// A text field that must be present.
    pub fn required(&mut self, name: &str) -> String {
        if !self.has(name) {
            self.errors.add(name, messages::REQUIRED);
            return String::new();
        }
        self.optional(name).unwrap_or_default()
    }

    /// A required password field.
    pub fn secret(&mut self, name: &str) -> SecretString {
        SecretString::from(self.required(name))
    }

    /// An optional password field.
    pub fn optional_secret(&mut self, name: &str) -> Option<SecretString> {
        self.optional(name).map(SecretString::from)
    }

    /// A nested object field (`{"profile": {...}}`), read the same way.
    pub fn object(&mut self, name: &str) -> Option<Payload> {
        match self.fields.get(name)? {
            Value::Object(map) => Some(Payload { fields: map.clone(), errors: FieldErrors::new() }),
            Value::Null => None,
            _ => {
                self.errors.add(name, "Invalid data. Expected a dictionary.");
                None
            }
        }
    }

    /// Whether reading `field` found something wrong already.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }

    /// Adds an error on `field` (a check the handler makes itself).
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    /// The errors found so far (for handlers that render them themselves).
    pub fn into_errors(self) -> FieldErrors {
        self.errors
    }

    /// Ends reading: any field errors become the 400 response.
    ///
    /// # Errors
    /// The collected field errors.
    pub fn finish(self) -> Result<(), ApiError> {
        self.errors.into_result().map_err(|e| ApiError::Flow(e.into()))
    }
}

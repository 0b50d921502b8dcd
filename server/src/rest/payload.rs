//! `Payload`: a request body as DRF's parsers accept it (JSON object,
//! URL-encoded form or multipart form), read field by field with DRF's
//! messages for missing, null, non-text and NUL-containing values. In forms,
//! `profile.bio` is field `bio` of the nested object `profile`, as DRF's
//! `parse_html_dict` reads it; uploaded files are kept apart (`file`).

use super::error::ApiError;
use super::BODY_LIMIT;
use crate::state::AppState;
use app::core::codes::{Code, Problems};
use axum::body::Bytes;
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use secrecy::SecretString;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub struct Payload {
    fields: Map<String, Value>,
    files: BTreeMap<String, Bytes>,
    errors: Problems,
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
        if media.as_deref() == Some("multipart/form-data") {
            return parse_multipart(req, state).await;
        }
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::detail(StatusCode::BAD_REQUEST, "The request body could not be read.")
            }
        })?;
        // routes that take uploads allow more, but only for multipart bodies
        if body.len() > BODY_LIMIT {
            return Err(too_large());
        }
        let fields = match media.as_deref() {
            _ if body.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Some("application/json") => parse_json(&body)?,
            Some("application/x-www-form-urlencoded") => nest_dotted(parse_form(&body)?),
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
        Ok(Self { fields, files: BTreeMap::new(), errors: Problems::new() })
    }
}

/// A nested field that is not an object: DRF answers `{"profile": ["This
/// field may not be null."]}` for null, and `{"profile": {"non_field_errors":
/// ["Invalid data. Expected a dictionary, but got str."]}}` otherwise.
pub enum Nested {
    Null,
    NotAnObject(&'static str),
}

fn too_large() -> ApiError {
    ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large.")
}

/// A multipart form: text parts become fields, file parts files.
async fn parse_multipart(req: Request, state: &AppState) -> Result<Payload, ApiError> {
    let parse_error =
        |e: String| ApiError::detail(StatusCode::BAD_REQUEST, format!("Multipart form parse error - {e}"));
    let mut multipart = Multipart::from_request(req, state).await.map_err(|e| parse_error(e.body_text()))?;
    let mut fields = Vec::new();
    let mut files = BTreeMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(parse_error(e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                parse_error(e.body_text())
            }
        })?;
        if is_file {
            files.insert(name, bytes);
        } else {
            let text =
                String::from_utf8(bytes.to_vec()).map_err(|_| parse_error("a text part is not UTF-8".to_owned()))?;
            fields.push((name, text));
        }
    }
    Ok(Payload {
        fields: nest_dotted(fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect()),
        files,
        errors: Problems::new(),
    })
}

/// `profile.bio=x` becomes `{"profile": {"bio": "x"}}` (the last value of a
/// repeated name wins, as `QueryDict.get` answers).
fn nest_dotted(flat: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in flat {
        match key.split_once('.') {
            Some((outer, inner)) if !outer.is_empty() && !inner.is_empty() => {
                let slot = out.entry(outer.to_owned()).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(nested) = slot {
                    nested.insert(inner.to_owned(), value);
                }
            }
            _ => {
                out.insert(key, value);
            }
        }
    }
    out
}

fn parse_json(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Err(ApiError::Flow(Problems::non_field(Code::NoData).into())),
        Ok(other) => Err(ApiError::Flow(Problems::non_field(Code::NotAnObject(python_type(&other))).into())),
        Err(e) => Err(ApiError::detail(StatusCode::BAD_REQUEST, format!("JSON parse error - {e}"))),
    }
}

/// The Python type name DRF puts in "Expected a dictionary, but got ...".
fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Bool(_) => "bool",
        Value::Object(_) => "dict",
        Value::Null => "NoneType",
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
                self.errors.add(name, Code::Null);
                return None;
            }
            _ => {
                self.errors.add(name, Code::NotAString);
                return None;
            }
        };
        if value.contains('\0') {
            self.errors.add(name, Code::NullCharacters);
            return None;
        }
        Some(value)
    }

    /// A text field that must be present.
    pub fn required(&mut self, name: &str) -> String {
        if !self.has(name) {
            self.errors.add(name, Code::Required);
            return String::new();
        }
        self.optional(name).unwrap_or_default()
    }

    /// A required text field that may not be blank, trimmed (DRF's
    /// `CharField()`).
    pub fn text(&mut self, name: &str) -> String {
        let value = self.required(name).trim().to_owned();
        if value.is_empty() && !self.has_error(name) {
            self.errors.add(name, Code::Blank);
        }
        value
    }

    /// A required integer (DRF's `IntegerField`): a JSON number without a
    /// fraction, or its text.
    pub fn integer(&mut self, name: &str) -> i64 {
        let parsed = match self.fields.get(name) {
            None => {
                self.errors.add(name, Code::Required);
                return 0;
            }
            Some(Value::Null) => {
                self.errors.add(name, Code::Null);
                return 0;
            }
            Some(Value::Number(n)) => {
                n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64))
            }
            Some(Value::String(s)) if s.len() <= 1000 => {
                let s = s.trim();
                let s = s.find('.').filter(|&i| s[i + 1..].bytes().all(|b| b == b'0')).map_or(s, |i| &s[..i]);
                s.parse::<i64>().ok()
            }
            Some(_) => None,
        };
        parsed.unwrap_or_else(|| {
            self.errors.add(name, Code::NotAnInteger);
            0
        })
    }

    /// An optional boolean (DRF's `BooleanField`): JSON booleans, 0 and 1,
    /// and the words DRF takes (`true`, `yes`, `on`, `1`, ...).
    pub fn boolean(&mut self, name: &str, default: bool) -> bool {
        let parsed = match self.fields.get(name) {
            None => return default,
            Some(Value::Null) => {
                self.errors.add(name, Code::Null);
                return default;
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(1.0) => Some(true),
                Some(0.0) => Some(false),
                _ => None,
            },
            Some(Value::String(s)) => match s.as_str() {
                "t" | "T" | "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" | "1" => {
                    Some(true)
                }
                "f" | "F" | "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF"
                | "0" => Some(false),
                _ => None,
            },
            Some(_) => None,
        };
        parsed.unwrap_or_else(|| {
            self.errors.add(name, Code::NotABoolean);
            default
        })
    }

    /// A required JSON value (DRF's `JSONField`); a form field's text is
    /// read as JSON when it is.
    pub fn json(&mut self, name: &str) -> Value {
        match self.fields.get(name) {
            None => {
                self.errors.add(name, Code::Required);
                Value::Null
            }
            Some(Value::Null) => {
                self.errors.add(name, Code::Null);
                Value::Null
            }
            Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
            Some(v) => v.clone(),
        }
    }

    /// A required password field.
    pub fn secret(&mut self, name: &str) -> SecretString {
        SecretString::from(self.required(name))
    }

    /// An optional password field.
    pub fn optional_secret(&mut self, name: &str) -> Option<SecretString> {
        self.optional(name).map(SecretString::from)
    }

    /// A nested object field (`{"profile": {...}}`), read the same way; its
    /// files are those named `name.field`.
    ///
    /// `Err` when the value is not an object (DRF answers the two cases in
    /// different shapes, see [`Nested`]).
    pub fn object(&mut self, name: &str) -> Result<Option<Payload>, Nested> {
        let prefix = format!("{name}.");
        let files =
            self.files.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v.clone()))).collect();
        match self.fields.get(name) {
            None if self.files.keys().any(|k| k.starts_with(&prefix)) => {
                Ok(Some(Payload { fields: Map::new(), files, errors: Problems::new() }))
            }
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Payload { fields: map.clone(), files, errors: Problems::new() })),
            Some(Value::Null) => Err(Nested::Null),
            Some(other) => Err(Nested::NotAnObject(python_type(other))),
        }
    }

    /// A field's value as sent (a form's as text), unread.
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// An uploaded file (multipart bodies only).
    pub fn file(&self, name: &str) -> Option<Bytes> {
        self.files.get(name).cloned()
    }

    /// Whether reading `field` found something wrong already.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }

    /// Adds an error on `field` (a check the handler makes itself).
    pub fn error(&mut self, field: &str, message: Code) {
        self.errors.add(field, message);
    }

    /// The errors found so far (for handlers that render them themselves).
    pub fn into_errors(self) -> Problems {
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

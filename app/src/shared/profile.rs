//! The profile's fields as the deployment defines them (`[[profile.fields]]`
//! in `latchkey.toml`), and a profile's values. Shared with the browser: the
//! pages draw their inputs from the same definitions the engine checks.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a field holds, and so which input the pages show and how a value
/// is checked and rendered in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text (JSON string).
    Text,
    /// Several lines (JSON string).
    LongText,
    /// A whole number, within `min`..=`max` (JSON number, or null).
    Integer,
    /// JSON true/false (false when never set).
    Boolean,
    /// A calendar date, `YYYY-MM-DD` (JSON string, or null).
    Date,
    Email,
    /// An http(s) address.
    Url,
    /// Digits with the usual separators (`+44 20 7946 0958`).
    Phone,
    /// One of `choices` (JSON string; "" when never set).
    Choice,
    /// An uploaded picture (JSON: its absolute URL, or null).
    Image,
}

impl FieldKind {
    pub fn id(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::LongText => "long_text",
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::Email => "email",
            Self::Url => "url",
            Self::Phone => "phone",
            Self::Choice => "choice",
            Self::Image => "image",
        }
    }

    /// Stored and shown as text ("" when empty).
    pub fn is_text(self) -> bool {
        matches!(self, Self::Text | Self::LongText | Self::Email | Self::Url | Self::Phone | Self::Choice)
    }
}

fn yes() -> bool {
    true
}

/// One field of the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The JSON key and form name: `[a-z][a-z0-9_]*`, at most 40.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// The pages' label (the name, capitalised, by default).
    #[serde(default)]
    pub label: String,
    /// A line under the input.
    #[serde(default)]
    pub help: String,
    /// Text kinds: the most characters (a default per kind).
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Integers: the smallest and largest allowed.
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// Choices: the allowed values.
    #[serde(default)]
    pub choices: Vec<String>,
    /// May not be left empty (asked at sign-up when `signup` is set; a full
    /// update, PUT, must carry it).
    #[serde(default)]
    pub required: bool,
    /// Asked on the sign-up form and accepted by every door's sign-up.
    #[serde(default)]
    pub signup: bool,
    /// The owner may change it after sign-up; otherwise it is read-only
    /// (what an update sends for it is ignored, as DRF ignores read-only
    /// fields).
    #[serde(default = "yes")]
    pub editable: bool,
    /// Shown in the public profile directory, when that is on.
    #[serde(default)]
    pub public: bool,
}

impl FieldSpec {
    /// The label to show.
    pub fn label(&self) -> String {
        if !self.label.is_empty() {
            return self.label.clone();
        }
        let words = self.name.replace('_', " ");
        let mut chars = words.chars();
        chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
    }

    /// The most characters a text value may have.
    pub fn max_chars(&self) -> usize {
        self.max_length.unwrap_or(match self.kind {
            FieldKind::LongText => 1000,
            FieldKind::Email => 254,
            FieldKind::Url => 200,
            FieldKind::Phone => 20,
            _ => 100,
        })
    }
}

/// A profile's values by field name, as JSON values: strings for the text
/// kinds, numbers, booleans, `null` for no value; an image is the path
/// under `/media/` (the API makes it absolute).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub values: BTreeMap<String, Value>,
}

impl ProfileView {
    /// A value as text for an input ("" for none; `true`/`false`, numbers).
    pub fn text(&self, name: &str) -> String {
        match self.values.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    /// A boolean value (false when none).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(Value::Bool(true)))
    }

    /// An image field's path under `/media/`.
    pub fn image(&self, name: &str) -> Option<String> {
        match self.values.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

/// One entry of the public profile directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProfile {
    pub username: String,
    /// The public fields only.
    pub profile: ProfileView,
}

/// A page of the directory (DRF's page-number pagination).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub count: u64,
    pub page: u64,
    pub pages: u64,
    pub results: Vec<PublicProfile>,
}

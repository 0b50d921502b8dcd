//! The profile schema: which fields a profile has (from configuration),
//! checked once at start-up, and how a value of each kind is checked,
//! stored and shown. Values are stored as text, one row per field
//! (`profile_values`), so a field removed from the schema keeps its values
//! (hidden) and one added later starts empty.

use crate::core::codes::Code;
use crate::shared::profile::{FieldKind, FieldSpec};
use serde_json::Value;

/// Names the doors use for themselves: a profile field may not take one.
const RESERVED: &[&str] = &[
    "id",
    "pk",
    "username",
    "email",
    "password",
    "password1",
    "password2",
    "re_password",
    "password_confirm",
    "current_password",
    "new_password",
    "old_password",
    "first_name",
    "last_name",
    "profile",
    "is_staff",
    "is_active",
    "is_superuser",
    "date_joined",
    "last_login",
    "token",
    "key",
    "uid",
    "detail",
    "non_field_errors",
];

const MAX_FIELDS: usize = 50;
const MAX_TEXT: usize = 5_000;
/// The most characters all text fields together may hold: a form with every
/// one full must fit the 64 KiB a request body may be, even percent-encoded.
const MAX_TEXT_TOTAL: usize = 6_000;

/// The fields of every profile, in the order the pages show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSchema {
    fields: Vec<FieldSpec>,
    /// Set from configuration (not the built-in one).
    custom: bool,
}

fn field(name: &str, kind: FieldKind, label: &str, max_length: Option<usize>) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        kind,
        label: label.into(),
        help: String::new(),
        max_length,
        min: None,
        max: None,
        choices: Vec::new(),
        required: false,
        signup: false,
        editable: true,
        public: false,
    }
}

impl Default for ProfileSchema {
    /// dj-rest-auth's user-profile guide: company, phone, bio, avatar.
    fn default() -> Self {
        Self {
            fields: vec![
                field("company_name", FieldKind::Text, "Company", Some(100)),
                // free text, as the guide's CharField(max_length=20)
                field("phone_number", FieldKind::Text, "Phone number", Some(20)),
                field("bio", FieldKind::LongText, "About you", Some(1000)),
                field("avatar", FieldKind::Image, "Picture", None),
            ],
            custom: false,
        }
    }
}

impl ProfileSchema {
    /// A schema from configuration, every rule checked.
    ///
    /// # Errors
    /// The first problem, naming the field.
    pub fn new(fields: Vec<FieldSpec>) -> Result<Self, String> {
        if fields.len() > MAX_FIELDS {
            return Err(format!("at most {MAX_FIELDS} profile fields"));
        }
        let mut seen = std::collections::HashSet::new();
        for f in &fields {
            check_spec(f).map_err(|e| format!("profile field {:?}: {e}", f.name))?;
            if !seen.insert(f.name.as_str()) {
                return Err(format!("profile field {:?} is defined twice", f.name));
            }
        }
        let total: usize = fields.iter().filter(|f| f.kind.is_text()).map(FieldSpec::max_chars).sum();
        if total > MAX_TEXT_TOTAL {
            return Err(format!(
                "the text fields' max_length add up to {total}; at most {MAX_TEXT_TOTAL} (a full form must fit a request)"
            ));
        }
        Ok(Self { fields, custom: true })
    }

    pub fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    pub fn get(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether it came from configuration.
    pub fn is_custom(&self) -> bool {
        self.custom
    }

    /// The fields sign-up asks for.
    pub fn signup_fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.fields.iter().filter(|f| f.signup)
    }

    /// Whether any field is shown in the directory.
    pub fn has_public(&self) -> bool {
        self.fields.iter().any(|f| f.public)
    }
}

fn check_spec(f: &FieldSpec) -> Result<(), String> {
    let name_ok = f.name.len() <= 40
        && f.name.starts_with(|c: char| c.is_ascii_lowercase())
        && f.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !name_ok {
        return Err("a name is lower-case letters, digits and _, starting with a letter, at most 40".into());
    }
    if RESERVED.contains(&f.name.as_str()) {
        return Err("the name is taken by the account itself".into());
    }
    let line_ok = |s: &str, max: usize| s.chars().count() <= max && !s.chars().any(char::is_control);
    if !line_ok(&f.label, 100) || !line_ok(&f.help, 300) {
        return Err("label (100) or help (300) too long, or not on one line".into());
    }
    if f.max_length.is_some() && !f.kind.is_text() {
        return Err("max_length is for text kinds".into());
    }
    if f.max_length.is_some_and(|m| m == 0 || m > MAX_TEXT) {
        return Err(format!("max_length must be 1 to {MAX_TEXT}"));
    }
    if (f.min.is_some() || f.max.is_some()) && f.kind != FieldKind::Integer {
        return Err("min and max are for integers".into());
    }
    if let (Some(lo), Some(hi)) = (f.min, f.max) {
        if lo > hi {
            return Err("min is above max".into());
        }
    }
    if f.kind == FieldKind::Choice {
        if f.choices.is_empty() || f.choices.len() > 200 {
            return Err("a choice needs 1 to 200 choices".into());
        }
        let mut seen = std::collections::HashSet::new();
        for c in &f.choices {
            if c.trim().is_empty() || c.trim() != c || !line_ok(c, f.max_chars()) || !seen.insert(c) {
                return Err(format!("choice {c:?} is blank, padded, too long or repeated"));
            }
        }
    } else if !f.choices.is_empty() {
        return Err("choices are for the choice kind".into());
    }
    if f.kind == FieldKind::Image && (f.signup || f.required) {
        return Err("an image is uploaded after sign-up, so it can be neither asked at sign-up nor required".into());
    }
    if f.required && !f.signup && !f.editable {
        return Err("a required field must be asked at sign-up or be editable".into());
    }
    Ok(())
}

/// How a checked value is stored: `None` removes it.
pub type Stored = Option<String>;

fn empty(spec: &FieldSpec) -> Result<Stored, Code> {
    if spec.required {
        Err(if spec.kind.is_text() { Code::Blank } else { Code::Required })
    } else {
        Ok(None)
    }
}

fn text_of(raw: &Value) -> Result<String, Code> {
    match raw {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(Code::NotAString),
    }
}

fn phone_ok(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    (4..=15).contains(&digits) && body.chars().all(|c| c.is_ascii_digit() || " ()-./".contains(c))
}

fn url_ok(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

fn integer_of(raw: &Value) -> Option<i64> {
    match raw {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| {
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                i
            })
        }),
        Value::String(s) if s.len() <= 40 => s.trim().parse().ok(),
        _ => None,
    }
}

fn boolean_of(raw: &Value) -> Option<bool> {
    match raw {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "t" | "y" | "yes" | "true" | "on" | "1" => Some(true),
            "f" | "n" | "no" | "false" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `YYYY-MM-DD`, a real calendar day in years 1 to 9999.
fn date_of(s: &str) -> Option<String> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
    (date.year() >= 1).then(|| s.to_owned())
}

/// Checks `raw` for `spec` (a JSON value, or a form's text as a string):
/// what to store, or the code to show on the field. An image is never set
/// this way (it is uploaded).
///
/// # Errors
/// The field's problem.
pub fn check(spec: &FieldSpec, raw: &Value) -> Result<Stored, Code> {
    if raw.is_null() {
        return match spec.kind {
            FieldKind::Integer | FieldKind::Date if !spec.required => Ok(None),
            _ => Err(Code::Null),
        };
    }
    match spec.kind {
        FieldKind::Image => Err(Code::InvalidImage),
        // a required box must be ticked ("I accept the terms")
        FieldKind::Boolean => match boolean_of(raw) {
            Some(false) if spec.required => Err(Code::Required),
            Some(b) => Ok(Some(b.to_string())),
            None => Err(Code::NotABoolean),
        },
        FieldKind::Integer => {
            if raw.as_str().is_some_and(|s| s.trim().is_empty()) {
                return empty(spec);
            }
            let n = integer_of(raw).ok_or(Code::NotAnInteger)?;
            if let Some(min) = spec.min.filter(|m| n < *m) {
                return Err(Code::BelowMinimum(min));
            }
            if let Some(max) = spec.max.filter(|m| n > *m) {
                return Err(Code::AboveMaximum(max));
            }
            Ok(Some(n.to_string()))
        }
        FieldKind::Date => {
            let s = raw.as_str().ok_or(Code::InvalidDate)?.trim();
            if s.is_empty() {
                return empty(spec);
            }
            date_of(s).map(Some).ok_or(Code::InvalidDate)
        }
        _ => {
            let s = text_of(raw)?;
            crate::core::domain::reject_nul(&s)?;
            let s = s.trim();
            if s.is_empty() {
                return empty(spec);
            }
            if s.chars().count() > spec.max_chars() {
                return Err(Code::TooLong(spec.max_chars()));
            }
            let ok = match spec.kind {
                FieldKind::Email => crate::core::domain::EmailAddress::parse(s).is_ok(),
                FieldKind::Url => url_ok(s),
                FieldKind::Phone => phone_ok(s),
                FieldKind::Choice => spec.choices.iter().any(|c| c == s),
                _ => true,
            };
            if !ok {
                return Err(match spec.kind {
                    FieldKind::Email => Code::InvalidEmail,
                    FieldKind::Url => Code::InvalidUrl,
                    FieldKind::Phone => Code::InvalidPhone,
                    _ => Code::InvalidChoice,
                });
            }
            Ok(Some(s.to_owned()))
        }
    }
}

/// A stored value as JSON (`None`: never set). Images become their
/// `/media/` path.
pub fn show(spec: &FieldSpec, stored: Option<&str>) -> Value {
    match (spec.kind, stored) {
        (FieldKind::Boolean, s) => Value::Bool(s == Some("true")),
        (FieldKind::Integer, Some(s)) => s.parse::<i64>().map_or(Value::Null, Value::from),
        (FieldKind::Image, Some(s)) => Value::String(crate::core::flows::profile::media_url(s)),
        (FieldKind::Integer | FieldKind::Date | FieldKind::Image, None) => Value::Null,
        (_, s) => Value::String(s.unwrap_or_default().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(kind: FieldKind) -> FieldSpec {
        field("f", kind, "", None)
    }

    #[test]
    fn the_default_schema_is_the_guides() {
        let s = ProfileSchema::default();
        let names: Vec<&str> = s.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["company_name", "phone_number", "bio", "avatar"]);
        assert!(!s.is_custom());
        let phone = s.get("phone_number").cloned().unwrap_or_else(|| spec(FieldKind::Image));
        assert_eq!(check(&phone, &json!("ext. 12 (ask Ann)")), Ok(Some("ext. 12 (ask Ann)".into())));
    }

    #[test]
    fn values_are_checked_by_kind() {
        let mut int = spec(FieldKind::Integer);
        int.min = Some(0);
        int.max = Some(150);
        assert_eq!(check(&int, &json!(42)), Ok(Some("42".into())));
        assert_eq!(check(&int, &json!("42")), Ok(Some("42".into())));
        assert_eq!(check(&int, &json!(4.5)), Err(Code::NotAnInteger));
        assert_eq!(check(&int, &json!(-1)), Err(Code::BelowMinimum(0)));
        assert_eq!(check(&int, &json!(151)), Err(Code::AboveMaximum(150)));
        assert_eq!(check(&int, &json!(null)), Ok(None));
        assert_eq!(check(&spec(FieldKind::Boolean), &json!("on")), Ok(Some("true".into())));
        assert_eq!(check(&spec(FieldKind::Boolean), &json!([])), Err(Code::NotABoolean));
        let mut terms = spec(FieldKind::Boolean);
        terms.required = true;
        assert_eq!(check(&terms, &json!(false)), Err(Code::Required), "a required box must be ticked");
        assert_eq!(check(&terms, &json!("on")), Ok(Some("true".into())));
        assert_eq!(check(&spec(FieldKind::Date), &json!("2000-02-29")), Ok(Some("2000-02-29".into())));
        assert_eq!(check(&spec(FieldKind::Date), &json!("2001-02-29")), Err(Code::InvalidDate));
        assert_eq!(check(&spec(FieldKind::Date), &json!("29/02/2000")), Err(Code::InvalidDate));
        assert_eq!(check(&spec(FieldKind::Url), &json!("javascript:alert(1)")), Err(Code::InvalidUrl));
        assert_eq!(check(&spec(FieldKind::Url), &json!("https://ada.dev/x")), Ok(Some("https://ada.dev/x".into())));
        assert_eq!(check(&spec(FieldKind::Phone), &json!("+44 20 7946 0958")), Ok(Some("+44 20 7946 0958".into())));
        assert_eq!(check(&spec(FieldKind::Phone), &json!("call me")), Err(Code::InvalidPhone));
        assert_eq!(check(&spec(FieldKind::Email), &json!("nope")), Err(Code::InvalidEmail));
        let mut choice = spec(FieldKind::Choice);
        choice.choices = vec!["teacher".into(), "student".into()];
        assert_eq!(check(&choice, &json!("student")), Ok(Some("student".into())));
        assert_eq!(check(&choice, &json!("admin")), Err(Code::InvalidChoice));
        let mut text = spec(FieldKind::Text);
        text.required = true;
        assert_eq!(check(&text, &json!("  ")), Err(Code::Blank));
        assert_eq!(check(&text, &json!(null)), Err(Code::Null));
        assert_eq!(check(&text, &json!(true)), Err(Code::NotAString));
        assert_eq!(check(&text, &json!("a\0b")), Err(Code::NullCharacters));
        assert_eq!(check(&text, &json!("x".repeat(101))), Err(Code::TooLong(100)));
    }

    #[test]
    fn stored_values_show_as_json() {
        assert_eq!(show(&spec(FieldKind::Integer), Some("7")), json!(7));
        assert_eq!(show(&spec(FieldKind::Boolean), None), json!(false));
        assert_eq!(show(&spec(FieldKind::Date), None), json!(null));
        assert_eq!(show(&spec(FieldKind::Text), None), json!(""));
        assert_eq!(show(&spec(FieldKind::Image), Some("avatars/1-a.png")), json!("/media/avatars/1-a.png"));
    }

    #[test]
    fn bad_schemas_are_refused() {
        let ok = |f: FieldSpec| ProfileSchema::new(vec![f]).is_ok();
        assert!(ok(spec(FieldKind::Text)));
        assert!(!ok(field("Email", FieldKind::Text, "", None)));
        assert!(!ok(field("username", FieldKind::Text, "", None)));
        assert!(!ok(field("f", FieldKind::Integer, "", Some(3))));
        assert!(!ok(spec(FieldKind::Choice)));
        let mut img = spec(FieldKind::Image);
        img.signup = true;
        assert!(!ok(img));
        let mut never = spec(FieldKind::Text);
        never.required = true;
        never.editable = false;
        assert!(!ok(never));
        assert!(ProfileSchema::new(vec![spec(FieldKind::Text), spec(FieldKind::Date)]).is_err());
        let long = |name: &str| field(name, FieldKind::LongText, "", Some(4000));
        assert!(ProfileSchema::new(vec![long("a")]).is_ok());
        assert!(ProfileSchema::new(vec![long("a"), long("b")]).is_err(), "a full form would not fit a request");
    }
}

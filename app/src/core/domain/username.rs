//! `Username`: Django's `UnicodeUsernameValidator` rules (letters, digits and
//! `@ . + - _`, at most 150 characters), compared case-insensitively.

use crate::core::messages;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

pub const MAX_LEN: usize = 150;

impl Username {
    /// # Errors
    /// Every message that applies, in Django's order.
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(vec![messages::BLANK.to_owned()]);
        }
        let mut errors = Vec::new();
        if value.chars().count() > MAX_LEN {
            errors.push(messages::too_long(MAX_LEN));
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '+' | '-');
        if !value.chars().all(allowed) {
            errors.push(messages::INVALID_USERNAME.to_owned());
        }
        if errors.is_empty() {
            Ok(Self(value.to_owned()))
        } else {
            Err(errors)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is checked on.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_django_characters() {
        assert_eq!(Username::parse(" ada.l+x@y-z_1 ").map(|u| u.0), Ok("ada.l+x@y-z_1".into()));
        assert!(Username::parse("Ünïcödé").is_ok());
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(Username::parse("   "), Err(vec![messages::BLANK.to_owned()]));
        assert_eq!(Username::parse("a b"), Err(vec![messages::INVALID_USERNAME.to_owned()]));
        assert_eq!(
            Username::parse("robert'); DROP TABLE users;--").map(|_| ()),
            Err(vec![messages::INVALID_USERNAME.to_owned()])
        );
        assert_eq!(Username::parse(&"a".repeat(151)), Err(vec![messages::too_long(150)]));
        assert!(Username::parse(&"a".repeat(150)).is_ok());
        assert!(Username::parse("a\0b").is_err());
    }

    #[test]
    fn canonical_form_is_lowercase() {
        assert_eq!(Username::parse("AdA").map(|u| u.canonical()), Ok("ada".into()));
    }
}

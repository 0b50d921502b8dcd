//! `Username`: Django's rules (`AbstractBaseUser.normalize_username` applies
//! Unicode NFKC; `UnicodeUsernameValidator` allows letters, digits and
//! `@ . + - _`; at most 150 characters), compared case-insensitively on the
//! NFKC form, so a full-width twin of a taken name is taken too.
//!
//! New names must also be written in one script (Latin `a` beside Cyrillic
//! `а` is refused), and a name shaped like an email address must be the
//! account's own address.

use crate::core::codes::Code;
use crate::core::domain::EmailAddress;
use unicode_normalization::UnicodeNormalization;
use unicode_security::MixedScript;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

pub const MAX_LEN: usize = 150;

/// NFKC of the trimmed text, as Django normalises usernames.
fn nfkc(raw: &str) -> String {
    raw.trim().nfkc().collect()
}

/// The form uniqueness is checked on and logins look up: NFKC, lowercased,
/// NFKC again (lowercasing can leave a compatibility form behind).
pub fn canonical(raw: &str) -> String {
    nfkc(&nfkc(raw).to_lowercase())
}

impl Username {
    /// Django's checks on the NFKC form: what an imported account may keep.
    ///
    /// # Errors
    /// Every message that applies, in Django's order.
    pub fn parse_existing(raw: &str) -> Result<Self, Vec<Code>> {
        let value = nfkc(raw);
        if value.is_empty() {
            return Err(vec![Code::Blank]);
        }
        let mut errors = Vec::new();
        // the stored forms must fit too: lowercasing can lengthen a name
        // (`İ` becomes two characters), and PostgreSQL refuses what is longer
        if value.chars().count() > MAX_LEN || canonical(&value).chars().count() > MAX_LEN {
            errors.push(Code::TooLong(MAX_LEN));
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '+' | '-');
        if !value.chars().all(allowed) {
            errors.push(Code::InvalidUsername);
        }
        if errors.is_empty() {
            Ok(Self(value))
        } else {
            Err(errors)
        }
    }

    /// A name for a new account or a rename: Django's checks, one script.
    ///
    /// # Errors
    /// Every message that applies.
    pub fn parse(raw: &str) -> Result<Self, Vec<Code>> {
        let name = Self::parse_existing(raw)?;
        if !name.0.as_str().is_single_script() {
            return Err(vec![Code::UsernameMixedScripts]);
        }
        Ok(name)
    }

    /// A name shaped like an email address must be `owner_email` itself:
    /// nobody may take someone else's address as their username.
    ///
    /// # Errors
    /// The message to show beside the username.
    pub fn check_owner(&self, owner_email: &str) -> Result<(), Code> {
        match EmailAddress::parse(&self.0) {
            Ok(e) if e.canonical() != owner_email.trim().to_lowercase() => Err(Code::UsernameOthersEmail),
            _ => Ok(()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is checked on.
    pub fn canonical(&self) -> String {
        canonical(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_django_characters() {
        assert_eq!(Username::parse(" ada.l+x@y-z_1 ").map(|u| u.0), Ok("ada.l+x@y-z_1".into()));
        assert!(Username::parse("Ünïcödé").is_ok());
        assert!(Username::parse("ひらがなカタカナ漢字").is_ok(), "Japanese mixes its own scripts");
        assert!(Username::parse("иван_42").is_ok());
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(Username::parse("   "), Err(vec![Code::Blank]));
        assert_eq!(Username::parse("a b"), Err(vec![Code::InvalidUsername]));
        assert_eq!(Username::parse("robert'); DROP TABLE users;--").map(|_| ()), Err(vec![Code::InvalidUsername]));
        assert_eq!(Username::parse(&"a".repeat(151)), Err(vec![Code::TooLong(150)]));
        assert!(Username::parse(&"a".repeat(150)).is_ok());
        assert!(Username::parse("a\0b").is_err());
        assert_eq!(Username::parse(&"\u{130}".repeat(100)), Err(vec![Code::TooLong(150)]), "longer once lowercased");
    }

    #[test]
    fn compatibility_forms_fold_like_django() {
        // full-width letters are NFKC-normalised, as Django stores them
        assert_eq!(Username::parse("ａｄａ").map(|u| u.0), Ok("ada".into()));
        assert_eq!(canonical("ＡＤＡ"), "ada");
        assert_eq!(canonical(" AdA "), "ada");
        assert_eq!(Username::parse("ﬁona").map(|u| u.canonical()), Ok("fiona".into()));
    }

    #[test]
    fn mixed_scripts_are_refused_for_new_names() {
        // Cyrillic "а" among Latin letters
        assert_eq!(Username::parse("\u{430}da"), Err(vec![Code::UsernameMixedScripts]));
        assert!(Username::parse_existing("\u{430}da").is_ok(), "imported accounts keep their names");
    }

    #[test]
    fn an_address_as_username_must_be_ones_own() -> Result<(), Vec<Code>> {
        let name = Username::parse("Ada@Example.com")?;
        assert_eq!(name.check_owner("ada@example.com"), Ok(()));
        assert_eq!(name.check_owner("eve@example.com"), Err(Code::UsernameOthersEmail));
        assert_eq!(Username::parse("ada")?.check_owner("eve@example.com"), Ok(()));
        assert_eq!(Username::parse("a@b")?.check_owner("eve@example.com"), Ok(()), "not an address");
        Ok(())
    }
}

//! `EmailAddress`: a syntactically valid address (roughly Django's
//! `EmailValidator`), with its domain lowercased and a canonical form for
//! case-insensitive uniqueness.

use crate::core::codes::Code;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

pub const MAX_LEN: usize = 254;

fn valid_local(local: &str) -> bool {
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || c == '.' || SPECIAL.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels.last().copied().unwrap_or_default();
    labels.iter().all(label_ok) && tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
}

impl EmailAddress {
    /// # Errors
    /// The message to show beside the email field.
    pub fn parse(raw: &str) -> Result<Self, Code> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Code::Blank);
        }
        if value.chars().count() > MAX_LEN {
            return Err(Code::TooLong(MAX_LEN));
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(Code::InvalidEmail);
        };
        if !valid_local(local) || !valid_domain(domain) {
            return Err(Code::InvalidEmail);
        }
        let address = Self(format!("{local}@{}", domain.to_lowercase()));
        // lowercasing can lengthen an address (`İ` becomes two characters):
        // what is stored must fit the column on every database
        if address.0.chars().count() > MAX_LEN || address.canonical().chars().count() > MAX_LEN {
            return Err(Code::TooLong(MAX_LEN));
        }
        Ok(address)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness and look-ups use.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(EmailAddress::parse(" Ada.L+x@Example.COM ").map(|e| e.0), Ok("Ada.L+x@example.com".into()));
        assert_eq!(EmailAddress::parse("Ada@Example.com").map(|e| e.canonical()), Ok("ada@example.com".into()));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "plainaddress",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a..b@example.com",
            "a@-x.com",
            "a b@example.com",
            "a@example.com' OR 1=1 --",
            "a\0@example.com",
            "a@1.23",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(Code::InvalidEmail), "{bad}");
        }
        assert_eq!(EmailAddress::parse(""), Err(Code::Blank));
        assert_eq!(EmailAddress::parse(&format!("{}@example.com", "a".repeat(250))), Err(Code::TooLong(254)));
        let long_once_lowercased = format!("{}@example.com", "\u{130}".repeat(60)).repeat(1);
        assert!(EmailAddress::parse(&long_once_lowercased).is_err());
        let domain = vec!["\u{130}".repeat(30); 7].join(".");
        assert_eq!(EmailAddress::parse(&format!("a@{domain}.co")), Err(Code::TooLong(254)));
    }
}

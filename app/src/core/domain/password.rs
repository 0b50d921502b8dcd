//! Django's four default password validators: minimum length, common
//! passwords (Django's own list of 20,000), entirely numeric, and similarity
//! to the user's attributes.

use crate::core::codes::Code;
use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 4096;
const MAX_SIMILARITY: f64 = 0.7;

static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();

fn common_passwords() -> &'static HashSet<&'static str> {
    COMMON.get_or_init(|| include_str!("common-passwords.txt").lines().map(str::trim).collect())
}

/// A password as DRF's `CharField` cleans it: surrounding whitespace
/// removed (Python's `str.strip()`, which also counts the ASCII separators
/// U+001C..U+001F). Every door reads passwords this way, so an account made
/// through Django's serializers signs in with what its owner types.
pub fn clean_password(raw: &secrecy::SecretString) -> secrecy::SecretString {
    use secrecy::ExposeSecret;
    let is_space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    secrecy::SecretString::from(raw.expose_secret().trim_matches(is_space).to_owned())
}

/// What a password must not resemble.
#[derive(Default)]
pub struct PasswordContext<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
}

/// Every message that applies to `password`, empty when it is acceptable.
pub fn validate_password(password: &str, ctx: &PasswordContext<'_>) -> Vec<Code> {
    let mut errors = Vec::new();
    if password.contains('\0') {
        return vec![Code::NullCharacters];
    }
    let len = password.chars().count();
    if len > MAX_LEN {
        return vec![Code::TooLong(MAX_LEN)];
    }
    if let Some(m) = similarity_error(password, ctx) {
        errors.push(m);
    }
    if len < MIN_LEN {
        errors.push(Code::PasswordTooShort(MIN_LEN));
    }
    if common_passwords().contains(password.to_lowercase().trim()) {
        errors.push(Code::PasswordTooCommon);
    }
    if !password.is_empty() && password.chars().all(|c| c.is_numeric()) {
        errors.push(Code::PasswordNumeric);
    }
    errors
}

/// Django's `UserAttributeSimilarityValidator` alone (dj-rest-auth runs it
/// apart from the others at sign-up, once the user exists).
pub fn similarity_error(password: &str, ctx: &PasswordContext<'_>) -> Option<Code> {
    too_similar(password, ctx).map(Code::PasswordTooSimilar)
}

fn too_similar(password: &str, ctx: &PasswordContext<'_>) -> Option<&'static str> {
    let password = password.to_lowercase();
    let attrs = [
        (ctx.username, "username"),
        (ctx.first_name, "first name"),
        (ctx.last_name, "last name"),
        (ctx.email, "email address"),
    ];
    for (value, verbose) in attrs {
        let Some(value) = value.filter(|v| !v.is_empty()) else { continue };
        let value = value.to_lowercase();
        let parts = value.split(|c: char| !(c.is_alphanumeric() || c == '_')).chain(std::iter::once(value.as_str()));
        for part in parts {
            if exceeds_length_ratio(&password, part) {
                continue;
            }
            if quick_ratio(&password, part) >= MAX_SIMILARITY {
                return Some(verbose);
            }
        }
    }
    None
}

/// Django skips parts far shorter than the password.
fn exceeds_length_ratio(password: &str, value: &str) -> bool {
    let pwd_len = password.chars().count();
    let value_len = value.chars().count();
    pwd_len >= 10 * value_len && (value_len as f64) < MAX_SIMILARITY / 2.0 * pwd_len as f64
}

/// Python's `SequenceMatcher.quick_ratio`: shared characters (as a multiset)
/// over total length.
fn quick_ratio(a: &str, b: &str) -> f64 {
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        return 1.0;
    }
    let mut avail: std::collections::HashMap<char, i32> = std::collections::HashMap::new();
    for c in b.chars() {
        *avail.entry(c).or_default() += 1;
    }
    let mut matches = 0;
    for c in a.chars() {
        if let Some(n) = avail.get_mut(&c) {
            if *n > 0 {
                *n -= 1;
                matches += 1;
            }
        }
    }
    2.0 * f64::from(matches) / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str) -> Vec<Code> {
        validate_password(pw, &PasswordContext::default())
    }

    #[test]
    fn good_password_passes() {
        assert!(check("correct horse battery staple").is_empty());
        assert!(check("Tr1cky-Latch-9").is_empty());
    }

    #[test]
    fn each_validator_fires() {
        assert_eq!(check("x7#Qp"), vec![Code::PasswordTooShort(MIN_LEN)]);
        assert_eq!(check("password"), vec![Code::PasswordTooCommon]);
        assert_eq!(check("PassWord"), vec![Code::PasswordTooCommon]);
        assert_eq!(check("12345678"), vec![Code::PasswordTooCommon, Code::PasswordNumeric]);
        assert_eq!(check("80418273940"), vec![Code::PasswordNumeric]);
        assert_eq!(check("123"), vec![Code::PasswordTooShort(MIN_LEN), Code::PasswordTooCommon, Code::PasswordNumeric]);
    }

    #[test]
    fn common_list_is_the_real_one() {
        assert!(common_passwords().len() > 19_700, "{}", common_passwords().len());
        assert!(common_passwords().contains("qwerty") && common_passwords().contains("letmein"));
    }

    #[test]
    fn similarity_to_username_and_email() {
        let ctx =
            PasswordContext { username: Some("mariaelena"), email: Some("someone@example.org"), ..Default::default() };
        assert_eq!(validate_password("MariaElena1", &ctx), vec![Code::PasswordTooSimilar("username")]);
        assert_eq!(validate_password("someone.example", &ctx), vec![Code::PasswordTooSimilar("email address")]);
        assert!(validate_password("Tr1cky-Latch-9", &ctx).is_empty());
    }

    #[test]
    fn cleaning_strips_what_python_strips() {
        use secrecy::{ExposeSecret, SecretString};
        let clean = |s: &str| clean_password(&SecretString::from(s.to_owned())).expose_secret().to_owned();
        assert_eq!(clean("  pass word\t\n"), "pass word");
        assert_eq!(clean("\u{a0}\u{3000}x\u{1f}\u{1c}"), "x");
        assert_eq!(clean("\u{200b}x"), "\u{200b}x", "ZERO WIDTH SPACE is not whitespace to Python");
        assert_eq!(clean(" \t "), "");
    }

    #[test]
    fn quick_ratio_matches_python() {
        // difflib.SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        assert!((quick_ratio("abcd", "bcde") - 0.75).abs() < 1e-9);
        assert!((quick_ratio("", "") - 1.0).abs() < 1e-9);
    }
}

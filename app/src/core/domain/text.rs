//! Checks every free-text field shares.

use crate::core::codes::Code;

/// Refuses the NUL character, which no text column should hold.
///
/// # Errors
/// The DRF message for NUL characters.
pub fn reject_nul(raw: &str) -> Result<(), Code> {
    if raw.contains('\0') {
        Err(Code::NullCharacters)
    } else {
        Ok(())
    }
}

/// A first or last name: optional, at most 150 characters, no NUL; trimmed.
///
/// # Errors
/// The message to show beside the field.
pub fn check_name(raw: &str) -> Result<String, Code> {
    reject_nul(raw)?;
    let value = raw.trim();
    if value.chars().count() > 150 {
        return Err(Code::TooLong(150));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Ada ").as_deref(), Ok("Ada"));
        assert_eq!(check_name(""), Ok(String::new()));
        assert!(check_name(&"x".repeat(151)).is_err());
        assert_eq!(check_name("a\0b"), Err(Code::NullCharacters));
    }
}

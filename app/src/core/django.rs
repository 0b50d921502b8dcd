//! Django's PBKDF2 password hashes (`pbkdf2_sha256$<iterations>$<salt>$<hash>`
//! and the older `pbkdf2_sha1$...`), so users moved from a Django site log in
//! with their old passwords; the login flow then rehashes with argon2id.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use subtle::ConstantTimeEq;

/// `None` when `stored` is not a Django PBKDF2 hash at all.
pub fn verify_pbkdf2(password: &str, stored: &str) -> Option<bool> {
    let mut parts = stored.splitn(4, '$');
    let algorithm = parts.next()?;
    let iterations: u32 = parts.next()?.parse().ok()?;
    let salt = parts.next()?;
    let expected = STANDARD.decode(parts.next()?).ok()?;
    if iterations == 0 || iterations > 10_000_000 {
        return Some(false);
    }
    let mut derived = vec![0u8; expected.len()];
    match algorithm {
        "pbkdf2_sha256" => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt.as_bytes(), iterations, &mut derived)
        }
        "pbkdf2_sha1" => {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.as_bytes(), salt.as_bytes(), iterations, &mut derived)
        }
        _ => return None,
    }
    Some(bool::from(derived.ct_eq(&expected)))
}

/// Whether Latchkey can verify this stored Django hash (`!...` marks an
/// unusable password in Django).
pub fn is_supported(stored: &str) -> bool {
    stored.starts_with("pbkdf2_sha256$") || stored.starts_with("pbkdf2_sha1$") || stored.starts_with("argon2$argon2")
}

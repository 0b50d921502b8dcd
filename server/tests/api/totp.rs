//! RFC 6238 codes computed in the test itself (HMAC-SHA-1, 6 digits, 30 s),
//! independently of the crate the server uses, from the base32 secret the
//! server hands out.

use hmac::{Hmac, Mac};

fn base32(secret: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u64, Vec::new());
    for c in secret.trim_end_matches('=').bytes() {
        let v = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase()).expect("base32") as u64;
        value = (value << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
        }
    }
    out
}

/// The code for `secret` at Unix time `at`.
pub fn code(secret: &str, at: i64) -> String {
    let counter = (at / 30) as u64;
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(&base32(secret)).expect("key");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let number =
        u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", number % 1_000_000)
}

#[test]
fn rfc_6238_vector() {
    // RFC 6238 appendix B, SHA-1 key "12345678901234567890", T = 59: 94287082 (8 digits)
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(code(secret, 59), "287082");
    assert_eq!(code(secret, 1_111_111_109), "081804");
}

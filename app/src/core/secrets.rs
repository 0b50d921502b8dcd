//! Random tokens and how they are stored: 256 random bits, URL-safe, kept at
//! rest only as an HMAC-SHA256 keyed by the deployment's secret key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// A fresh random token (43 URL-safe characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Turns secrets into what the database stores.
#[derive(Clone)]
pub struct TokenHasher {
    key: Vec<u8>,
}

impl TokenHasher {
    /// A hasher keyed by `secret` and `purpose`, so one key never serves two uses.
    pub fn new(secret: &SecretString, purpose: &str) -> Self {
        Self { key: derive_key(secret, purpose) }
    }

    /// Hex HMAC of `token`: what gets stored and looked up.
    pub fn hash(&self, token: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_mac());
        mac.update(token.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// Signs short payloads that travel through the browser (a form's errors
/// after a no-JavaScript post), so they cannot be forged.
#[derive(Clone)]
pub struct Sealer {
    key: Vec<u8>,
}

impl Sealer {
    pub fn new(secret: &SecretString) -> Self {
        Self { key: derive_key(secret, "seal") }
    }

    fn sign(&self, data: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_mac());
        mac.update(data.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// `payload` with its issue time, signed.
    pub fn seal(&self, payload: &str, now: i64) -> String {
        let data = format!("{now}.{}", URL_SAFE_NO_PAD.encode(payload));
        let sig = self.sign(&data);
        format!("{data}.{sig}")
    }

    /// The payload, if the seal is ours and younger than `max_age` seconds.
    pub fn unseal(&self, sealed: &str, now: i64, max_age: i64) -> Option<String> {
        let (data, sig) = sealed.rsplit_once('.')?;
        let expected = self.sign(data);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), sig.as_bytes())) {
            return None;
        }
        let (ts, payload) = data.split_once('.')?;
        let ts: i64 = ts.parse().ok()?;
        if now - ts > max_age || ts > now + 60 {
            return None;
        }
        String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

fn unreachable_mac() -> Hmac<Sha256> {
    // HMAC accepts keys of any length; this branch cannot be taken.
    #[allow(clippy::expect_used)]
    <Hmac<Sha256> as Mac>::new_from_slice(b"k").expect("HMAC takes any key length")
}

/// A sub-key for one purpose, derived from the deployment secret.
pub fn derive_key(secret: &SecretString, purpose: &str) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes()).unwrap_or_else(|_| unreachable_mac());
    mac.update(b"latchkey:");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `uid` of a reset link, as Django builds it: base64url of the decimal pk.
pub fn encode_uid(pk: i32) -> String {
    URL_SAFE_NO_PAD.encode(pk.to_string())
}

/// Reverses [`encode_uid`]; `None` for anything that is not one.
pub fn decode_uid(uid: &str) -> Option<i32> {
    let bytes = URL_SAFE_NO_PAD.decode(uid.trim_end_matches('=')).ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok().filter(|pk: &i32| *pk > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_long() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
    }

    #[test]
    fn hashes_depend_on_key_and_purpose() {
        let s1 = SecretString::from("one".to_owned());
        let s2 = SecretString::from("two".to_owned());
        let h = TokenHasher::new(&s1, "token");
        assert_eq!(h.hash("abc"), h.hash("abc"));
        assert_eq!(h.hash("abc").len(), 64);
        assert_ne!(h.hash("abc"), TokenHasher::new(&s2, "token").hash("abc"));
        assert_ne!(h.hash("abc"), TokenHasher::new(&s1, "session").hash("abc"));
    }

    #[test]
    fn seals_round_trip_and_resist_tampering() {
        let s = Sealer::new(&SecretString::from("k".to_owned()));
        let sealed = s.seal("{\"a\":1}", 1000);
        assert_eq!(s.unseal(&sealed, 1010, 600).as_deref(), Some("{\"a\":1}"));
        assert_eq!(s.unseal(&sealed, 2000, 600), None, "too old");
        let forged = sealed.replacen("1000", "1001", 1);
        assert_eq!(s.unseal(&forged, 1010, 600), None);
        let other = Sealer::new(&SecretString::from("other".to_owned()));
        assert_eq!(other.unseal(&sealed, 1010, 600), None);
        assert_eq!(s.unseal("garbage", 1010, 600), None);
    }

    #[test]
    fn uid_round_trip_like_django() {
        assert_eq!(encode_uid(1), "MQ");
        assert_eq!(decode_uid("MQ"), Some(1));
        assert_eq!(decode_uid(&encode_uid(123_456)), Some(123_456));
        for bad in ["", "!!", "LTE", "YWJj", "MA"] {
            assert_eq!(decode_uid(bad), None, "{bad}");
        }
    }
}

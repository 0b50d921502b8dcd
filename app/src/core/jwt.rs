//! JSON Web Tokens in simplejwt's shape (HS256; `token_type`, `exp`, `iat`,
//! `jti`, `user_id`), plus `sid`: the refresh family the token belongs to, so
//! logging out or changing the password can revoke a whole device at once.

use crate::core::error::FlowError;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub const ACCESS: &str = "access";
pub const REFRESH: &str = "refresh";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub user_id: i32,
    pub sid: String,
}

#[derive(Clone)]
pub struct JwtCodec {
    enc: EncodingKey,
    dec: DecodingKey,
    validation: Validation,
}

impl JwtCodec {
    pub fn new(secret: &SecretString) -> Self {
        let key = crate::core::secrets::derive_key(secret, "jwt");
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        // expiry is checked against the engine's clock in `decode`
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "iat"]);
        Self { enc: EncodingKey::from_secret(&key), dec: DecodingKey::from_secret(&key), validation }
    }

    /// # Errors
    /// Only if serialisation fails.
    pub fn encode(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(encode(&Header::new(Algorithm::HS256), claims, &self.enc)?)
    }

    /// Checks signature, expiry (against `now`), and the type when
    /// `expected` is given.
    ///
    /// # Errors
    /// [`FlowError::TokenInvalid`] for anything wrong with the token.
    pub fn decode(&self, token: &str, expected: Option<&str>, now: i64) -> Result<Claims, FlowError> {
        let data = decode::<Claims>(token, &self.dec, &self.validation).map_err(|_| FlowError::TokenInvalid)?;
        if data.claims.exp <= now {
            return Err(FlowError::TokenInvalid);
        }
        match expected {
            Some(t) if data.claims.token_type != t => Err(FlowError::TokenInvalid),
            _ => Ok(data.claims),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn claims(kind: &str, exp_offset: i64) -> Claims {
        let now = NOW;
        Claims {
            token_type: kind.into(),
            exp: now + exp_offset,
            iat: now,
            jti: "j".into(),
            user_id: 7,
            sid: "s".into(),
        }
    }

    fn codec() -> JwtCodec {
        JwtCodec::new(&SecretString::from("test-secret".to_owned()))
    }

    #[test]
    fn round_trip_and_type_check() -> anyhow::Result<()> {
        let c = codec();
        let t = c.encode(&claims(ACCESS, 60))?;
        assert_eq!(c.decode(&t, Some(ACCESS), NOW)?.user_id, 7);
        assert!(matches!(c.decode(&t, Some(REFRESH), NOW), Err(FlowError::TokenInvalid)));
        Ok(())
    }

    #[test]
    fn expired_tokens_are_refused() -> anyhow::Result<()> {
        let c = codec();
        let t = c.encode(&claims(ACCESS, 60))?;
        assert!(c.decode(&t, None, NOW + 59).is_ok());
        assert!(matches!(c.decode(&t, None, NOW + 60), Err(FlowError::TokenInvalid)));
        Ok(())
    }

    #[test]
    fn other_keys_and_garbage_are_refused() -> anyhow::Result<()> {
        let other = JwtCodec::new(&SecretString::from("other".to_owned()));
        let t = other.encode(&claims(ACCESS, 60))?;
        assert!(matches!(codec().decode(&t, None, NOW), Err(FlowError::TokenInvalid)));
        assert!(matches!(codec().decode("not.a.jwt", None, NOW), Err(FlowError::TokenInvalid)));
        Ok(())
    }
}

//! OpenID Connect: discovery (cached for an hour), userinfo, and the checks
//! on an ID token received straight from the token endpoint over TLS
//! (issuer, audience, expiry, nonce, subject; OIDC Core 3.1.3.7 lets TLS
//! stand in for the signature in that case).

use super::{get_json, Identity, OAuthError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Clone, Debug, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
}

#[derive(Clone, Default)]
pub struct DiscoveryCache(Arc<Mutex<HashMap<String, (Discovery, Instant)>>>);

impl DiscoveryCache {
    pub async fn get(&self, http: &reqwest::Client, issuer: &str) -> Result<Discovery, OAuthError> {
        let mut cache = self.0.lock().await;
        if let Some((d, at)) = cache.get(issuer) {
            if at.elapsed() < Duration::from_secs(3600) {
                return Ok(d.clone());
            }
        }
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        let d: Discovery = get_json(http, &url, None).await.map_err(|e| match e {
            OAuthError::TokenRefused(m) | OAuthError::BadIdentity(m) => OAuthError::Unreachable(m),
            other => other,
        })?;
        if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(OAuthError::Unreachable(format!("discovery names issuer {:?}", d.issuer)));
        }
        cache.insert(issuer.to_owned(), (d.clone(), Instant::now()));
        Ok(d)
    }
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    preferred_username: Option<String>,
    name: Option<String>,
}

fn truthy(v: &Option<serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    }
}

pub async fn userinfo(http: &reqwest::Client, d: &Discovery, token: &str) -> Result<Identity, OAuthError> {
    let info: UserInfo = get_json(http, &d.userinfo_endpoint, Some(token)).await?;
    if info.sub.is_empty() {
        return Err(OAuthError::BadIdentity("empty sub".into()));
    }
    Ok(Identity {
        uid: info.sub,
        email_verified: info.email.is_some() && truthy(&info.email_verified),
        email: info.email,
        username: info.preferred_username,
        name: info.name,
    })
}

#[derive(Deserialize)]
struct IdClaims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    exp: i64,
    nonce: Option<String>,
}

pub fn check_id_token(
    token: &str,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
    sub: &str,
) -> Result<(), OAuthError> {
    let bad = |m: &str| OAuthError::BadIdentity(format!("id_token: {m}"));
    let payload = token.split('.').nth(1).ok_or_else(|| bad("malformed"))?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| bad("not base64"))?;
    let c: IdClaims = serde_json::from_slice(&bytes).map_err(|_| bad("bad claims"))?;
    if c.iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(bad("wrong issuer"));
    }
    let aud_ok = match &c.aud {
        serde_json::Value::String(a) => a == client_id,
        serde_json::Value::Array(list) => list.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !aud_ok {
        return Err(bad("wrong audience"));
    }
    if c.exp <= crate::core::clock::system_now() {
        return Err(bad("expired"));
    }
    if let Some(expected) = nonce {
        if c.nonce.as_deref() != Some(expected) {
            return Err(bad("nonce mismatch"));
        }
    }
    if c.sub != sub {
        return Err(bad("subject differs from userinfo"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: serde_json::Value) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[test]
    fn id_token_claims_are_checked() {
        let exp = crate::core::clock::system_now() + 60;
        let good = serde_json::json!({"iss": "https://op.test", "sub": "u1", "aud": "cid", "exp": exp, "nonce": "n"});
        assert!(check_id_token(&token(good.clone()), "https://op.test/", "cid", Some("n"), "u1").is_ok());
        let mut wrong = good.clone();
        wrong["aud"] = "other".into();
        assert!(check_id_token(&token(wrong), "https://op.test", "cid", Some("n"), "u1").is_err());
        assert!(check_id_token(&token(good.clone()), "https://op.test", "cid", Some("other"), "u1").is_err());
        assert!(check_id_token(&token(good.clone()), "https://evil.test", "cid", Some("n"), "u1").is_err());
        assert!(check_id_token(&token(good), "https://op.test", "cid", Some("n"), "u2").is_err());
        let mut old = serde_json::json!({"iss": "https://op.test", "sub": "u1", "aud": ["cid"], "exp": exp - 120});
        assert!(check_id_token(&token(old.clone()), "https://op.test", "cid", None, "u1").is_err());
        old["exp"] = exp.into();
        assert!(check_id_token(&token(old), "https://op.test", "cid", None, "u1").is_ok());
        assert!(check_id_token("garbage", "https://op.test", "cid", None, "u1").is_err());
    }
}

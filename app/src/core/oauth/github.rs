//! GitHub: the user and their primary verified email from the REST API.

use super::{get_json, Identity, OAuthError};
use serde::Deserialize;

#[derive(Deserialize)]
struct User {
    id: i64,
    login: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Email {
    email: String,
    primary: bool,
    verified: bool,
}

pub async fn identity(http: &reqwest::Client, api_url: &str, token: &str) -> Result<Identity, OAuthError> {
    let api = api_url.trim_end_matches('/');
    let user: User = get_json(http, &format!("{api}/user"), Some(token)).await?;
    let emails: Vec<Email> = get_json(http, &format!("{api}/user/emails"), Some(token)).await.unwrap_or_default();
    let best = emails.iter().find(|e| e.primary && e.verified).or_else(|| emails.iter().find(|e| e.verified));
    Ok(Identity {
        uid: user.id.to_string(),
        email: best.map(|e| e.email.clone()),
        email_verified: best.is_some(),
        username: Some(user.login),
        name: user.name,
    })
}

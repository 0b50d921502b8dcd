//! Social login: GitHub (OAuth2 + its REST API), Google and any OpenID
//! Connect provider (discovery, authorization code + PKCE, userinfo, ID token
//! claims). The HTTP client follows no redirects and has timeouts; every
//! provider failure becomes an [`OAuthError`], never a panic.

mod github;
mod oidc;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How a provider is reached.
#[derive(Clone, Debug)]
pub enum ProviderKind {
    /// GitHub's OAuth2 endpoints and REST API (overridable for tests or GHES).
    Github { auth_url: String, token_url: String, api_url: String },
    /// An OpenID Connect issuer, found by discovery.
    Oidc { issuer: String },
}

/// One configured provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// URL segment and stored name: `github`, `google`, `oidc`.
    pub id: String,
    /// Shown on buttons: "GitHub", "Google", ...
    pub name: String,
    pub kind: ProviderKind,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// The longest provider-side id Latchkey stores.
pub const MAX_UID_LEN: usize = 191;

/// Who the provider says the user is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub uid: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub username: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("unknown provider")]
    UnknownProvider,
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    #[error("code exchange refused: {0}")]
    CodeRefused(String),
    #[error("access token refused: {0}")]
    TokenRefused(String),
    #[error("bad identity: {0}")]
    BadIdentity(String),
}

/// What the browser flow must remember between redirect and callback.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingLogin {
    pub provider: String,
    pub state: String,
    pub verifier: String,
    pub nonce: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type Tokens = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The configured providers and the HTTP client that talks to them.
#[derive(Clone)]
pub struct Providers {
    list: Vec<ProviderConfig>,
    http: reqwest::Client,
    discovery: oidc::DiscoveryCache,
}

fn unreachable(e: impl std::fmt::Display) -> OAuthError {
    OAuthError::Unreachable(e.to_string())
}

impl Providers {
    /// # Errors
    /// Only if the TLS backend cannot start.
    pub fn new(list: Vec<ProviderConfig>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent("Latchkey")
            .build()?;
        Ok(Self { list, http, discovery: oidc::DiscoveryCache::default() })
    }

    /// `(id, name)` of each provider, for buttons.
    pub fn names(&self) -> Vec<(String, String)> {
        self.list.iter().map(|p| (p.id.clone(), p.name.clone())).collect()
    }

    fn get(&self, id: &str) -> Result<&ProviderConfig, OAuthError> {
        self.list.iter().find(|p| p.id == id).ok_or(OAuthError::UnknownProvider)
    }

    pub fn exists(&self, id: &str) -> bool {
        self.get(id).is_ok()
    }

    async fn endpoints(&self, p: &ProviderConfig) -> Result<(String, String), OAuthError> {
        Ok(match &p.kind {
            ProviderKind::Github { auth_url, token_url, .. } => (auth_url.clone(), token_url.clone()),
            ProviderKind::Oidc { issuer } => {
                let d = self.discovery.get(&self.http, issuer).await?;
                (d.authorization_endpoint, d.token_endpoint)
            }
        })
    }

    async fn client(&self, p: &ProviderConfig, redirect_uri: &str) -> Result<OAuthClient, OAuthError> {
        let (auth, token) = self.endpoints(p).await?;
        let bad = |e: oauth2::url::ParseError| OAuthError::Unreachable(format!("bad provider URL: {e}"));
        // GitHub documents the credentials as body parameters; OIDC providers take Basic auth.
        let auth_type = match p.kind {
            ProviderKind::Github { .. } => AuthType::RequestBody,
            ProviderKind::Oidc { .. } => AuthType::BasicAuth,
        };
        Ok(oauth2::Client::new(ClientId::new(p.client_id.clone()))
            .set_client_secret(ClientSecret::new(p.client_secret.expose_secret().to_owned()))
            .set_auth_uri(AuthUrl::new(auth).map_err(bad)?)
            .set_token_uri(TokenUrl::new(token).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(bad)?)
            .set_auth_type(auth_type))
    }

    /// Where to send the browser, and what to remember until it comes back.
    ///
    /// # Errors
    /// Unknown provider or unreachable discovery.
    pub async fn start(&self, provider: &str, redirect_uri: &str) -> Result<(String, PendingLogin), OAuthError> {
        let p = self.get(provider)?;
        let client = self.client(p, redirect_uri).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random().secret().clone();
        let mut req = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge);
        for scope in scopes(p) {
            req = req.add_scope(Scope::new((*scope).to_owned()));
        }
        if matches!(p.kind, ProviderKind::Oidc { .. }) {
            req = req.add_extra_param("nonce", nonce.clone());
        }
        let (url, state) = req.url();
        let pending = PendingLogin {
            provider: provider.to_owned(),
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce,
        };
        Ok((url.to_string(), pending))
    }

    /// Exchanges an authorization code (with the PKCE verifier when the
    /// browser flow made one) and returns the identity behind it.
    ///
    /// # Errors
    /// Refused code, unreachable provider, or an identity that does not check out.
    pub async fn exchange(
        &self,
        provider: &str,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<Identity, OAuthError> {
        let p = self.get(provider)?;
        let client = self.client(p, redirect_uri).await?;
        let mut req = client.exchange_code(AuthorizationCode::new(code.to_owned()));
        if let Some(v) = verifier {
            req = req.set_pkce_verifier(PkceCodeVerifier::new(v.to_owned()));
        }
        let tokens = req.request_async(&self.http).await.map_err(|e| match e {
            oauth2::RequestTokenError::Request(e) => unreachable(e),
            other => OAuthError::CodeRefused(other.to_string()),
        })?;
        let access = tokens.access_token().secret().clone();
        let identity = self.identity(p, &access).await?;
        if let (ProviderKind::Oidc { issuer }, Some(id_token)) = (&p.kind, &tokens.extra_fields().id_token) {
            oidc::check_id_token(id_token, issuer, &p.client_id, nonce, &identity.uid)?;
        }
        Ok(identity)
    }

    /// The identity behind an access token the client got by itself.
    ///
    /// # Errors
    /// Refused token or unreachable provider.
    pub async fn identity_for_token(&self, provider: &str, access_token: &str) -> Result<Identity, OAuthError> {
        let p = self.get(provider)?;
        self.identity(p, access_token).await
    }

    async fn identity(&self, p: &ProviderConfig, access_token: &str) -> Result<Identity, OAuthError> {
        let identity = match &p.kind {
            ProviderKind::Github { api_url, .. } => github::identity(&self.http, api_url, access_token).await,
            ProviderKind::Oidc { issuer } => {
                let d = self.discovery.get(&self.http, issuer).await?;
                oidc::userinfo(&self.http, &d, access_token).await
            }
        }?;
        // the provider's id is stored (at most 191 characters on every database)
        if identity.uid.is_empty()
            || identity.uid.chars().count() > MAX_UID_LEN
            || identity.uid.chars().any(char::is_control)
        {
            return Err(OAuthError::BadIdentity("unusable subject identifier".into()));
        }
        Ok(identity)
    }
}

fn scopes(p: &ProviderConfig) -> &'static [&'static str] {
    match p.kind {
        ProviderKind::Github { .. } => &["read:user", "user:email"],
        ProviderKind::Oidc { .. } => &["openid", "email", "profile"],
    }
}

/// Reads a JSON answer, mapping transport and status failures.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<T, OAuthError> {
    let mut req = http.get(url).header(reqwest::header::ACCEPT, "application/json");
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.map_err(unreachable)?;
    let status = res.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(OAuthError::TokenRefused(format!("{url}: {status}")));
    }
    if !status.is_success() {
        return Err(OAuthError::Unreachable(format!("{url}: {status}")));
    }
    res.json().await.map_err(|e| OAuthError::BadIdentity(format!("{url}: {e}")))
}

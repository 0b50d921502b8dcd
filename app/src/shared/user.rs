//! The user as the API and the pages show it (no secrets here).

use serde::{Deserialize, Serialize};

pub use crate::shared::profile::ProfileView;

/// `GET /api/auth/user/` body, dj-rest-auth's `UserDetailsSerializer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub pk: i32,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// Everything the account pages show about the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub user: UserView,
    pub profile: ProfileView,
    pub email_verified: bool,
    /// May open the admin pages.
    #[serde(default)]
    pub is_staff: bool,
}

/// One browser session of the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Unix seconds.
    pub created_at: i64,
    pub user_agent: String,
    /// The browser and system, read from the User-Agent ("Chrome on Linux").
    pub device: String,
    pub current: bool,
}

/// A linked social account, as allauth's `SocialAccountSerializer` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialAccountView {
    pub id: i32,
    pub provider: String,
    pub uid: String,
    /// RFC 3339.
    pub last_login: String,
    /// RFC 3339.
    pub date_joined: String,
}

/// A configured provider, for "Continue with ..." buttons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: String,
    pub name: String,
}

/// Two-factor state, as the profile shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaView {
    pub enabled: bool,
    /// RFC 3339, when it was turned on.
    pub created_at: Option<String>,
    /// RFC 3339, when a code was last accepted.
    pub last_used_at: Option<String>,
}

/// What the "turn on two-factor" page shows. `secret` is for typing into
/// an authenticator app by hand; the QR code carries the same.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetupView {
    pub already_enabled: bool,
    pub secret: String,
    /// An SVG document of the QR code.
    pub qr_svg: String,
    pub activation_token: String,
}

/// One passkey, as the profile lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyItem {
    pub id: i32,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when it last signed in.
    pub last_used_at: Option<String>,
}

/// The profile's passkey section: whether passkeys work on this site (a
/// relying party needs a host name) and the user's passkeys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeysView {
    pub on: bool,
    pub list: Vec<PasskeyItem>,
}

/// A page sign-in with a passkey: where to go, or what went wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeySignInView {
    pub location: Option<String>,
    pub error: Option<String>,
}

/// One security event, as `activity/` and the "Security activity" page show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityItem {
    pub id: i32,
    /// The stable kind (`sign_in.succeeded`, ...).
    pub kind: String,
    /// The kind in words.
    pub description: String,
    pub user_id: Option<i32>,
    /// The staff member who acted, for admin actions.
    pub actor_id: Option<i32>,
    /// RFC 3339.
    pub created_at: String,
    pub ip_address: Option<String>,
    /// "Chrome on Linux".
    pub device: String,
    pub user_agent: String,
    pub detail: std::collections::BTreeMap<String, String>,
}

//! What the admin API and pages show about accounts (no secrets here).

use super::user::{ActivityItem, PasskeyItem, SocialAccountView};
use serde::{Deserialize, Serialize};

/// One account in the admin list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserItem {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub email_verified: bool,
    pub is_active: bool,
    pub is_staff: bool,
    pub has_2fa: bool,
    /// RFC 3339.
    pub date_joined: String,
    /// RFC 3339.
    pub last_login: Option<String>,
}

/// A page of the admin list; `next` is the cursor of the following page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserPage {
    pub results: Vec<AdminUserItem>,
    pub next_cursor: Option<String>,
}

/// A browser session, API token or JWT family of an account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceItem {
    /// `session`, `token` or `jwt`.
    pub kind: String,
    /// An opaque id for `DELETE sessions/{id}/`.
    pub id: String,
    /// "Chrome on Linux".
    pub device: String,
    pub user_agent: String,
    pub ip_address: Option<String>,
    /// RFC 3339.
    pub created: String,
    /// RFC 3339.
    pub last_seen: Option<String>,
    pub current: bool,
}

/// One account in full, for staff.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserDetail {
    #[serde(flatten)]
    pub user: AdminUserItem,
    pub emails: Vec<AdminEmail>,
    pub social_accounts: Vec<SocialAccountView>,
    pub passkeys: Vec<PasskeyItem>,
    pub mfa_enabled: bool,
    pub devices: Vec<DeviceItem>,
    pub recent_events: Vec<ActivityItem>,
}

/// An address of the account (one today: the primary one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminEmail {
    pub email: String,
    pub verified: bool,
    pub primary: bool,
}

//! The user as the API and the pages show it (no secrets here).

use serde::{Deserialize, Serialize};

/// `GET /api/auth/user/` body, dj-rest-auth's `UserDetailsSerializer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub pk: i32,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

//! The public profile directory (`LATCHKEY_PROFILE_DIRECTORY`): the
//! usernames of active accounts (verified ones, when verification is
//! mandatory) with the fields the schema marks `public`, and nothing else.
//! Off by default; `members` shows it to signed-in users only. Read-only:
//! only the owner edits a profile, on their own profile page.

use crate::core::config::{Directory, VerificationMode};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::{profile_values, users};
use crate::core::{profile_schema, Engine};
use crate::shared::profile::{DirectoryPage, ProfileView, PublicProfile};
use std::collections::HashMap;

/// Entries per page.
pub const PAGE_SIZE: u64 = 20;

/// The last page anyone may ask for (past it, "Invalid page." without a query).
pub const MAX_PAGE: u64 = 1_000_000;

impl Engine {
    /// Whether `viewer` may read the directory.
    ///
    /// # Errors
    /// `NotFound` when it is off; `Unauthenticated` when it is for members
    /// and no one is signed in.
    pub fn directory_open(&self, viewer: Option<&User>) -> Result<(), FlowError> {
        match (self.config().directory, viewer) {
            (Directory::Off, _) => Err(FlowError::NotFound),
            (Directory::Members, None) => Err(FlowError::Unauthenticated),
            _ => Ok(()),
        }
    }

    fn public_view(&self, stored: &HashMap<String, String>) -> ProfileView {
        let values = self
            .config()
            .profile
            .fields()
            .iter()
            .filter(|f| f.public)
            .map(|f| (f.name.clone(), profile_schema::show(f, stored.get(&f.name).map(String::as_str))))
            .collect();
        ProfileView { values }
    }

    /// Active accounts (verified ones, when verification is mandatory),
    /// never staff: the directory is no list of admin logins.
    fn listed(&self, user: &User) -> bool {
        user.is_active
            && !user.is_staff
            && (self.config().verification != VerificationMode::Mandatory || user.email_verified)
    }

    /// Page `page` (from 1) of the directory.
    ///
    /// # Errors
    /// As [`Engine::directory_open`]; `NotFound` for a page past the end
    /// (DRF's "Invalid page.").
    pub async fn directory(&self, viewer: Option<&User>, page: u64) -> Result<DirectoryPage, FlowError> {
        self.directory_open(viewer)?;
        if page == 0 || page > MAX_PAGE {
            return Err(FlowError::NotFound);
        }
        let verified_only = self.config().verification == VerificationMode::Mandatory;
        let offset = page.saturating_sub(1).saturating_mul(PAGE_SIZE);
        let (rows, count) = users::listed(self.db(), verified_only, offset, PAGE_SIZE).await?;
        let pages = count.div_ceil(PAGE_SIZE).max(1);
        if page == 0 || page > pages {
            return Err(FlowError::NotFound);
        }
        let public: Vec<String> =
            self.config().profile.fields().iter().filter(|f| f.public).map(|f| f.name.clone()).collect();
        let ids: Vec<i32> = rows.iter().map(|u| u.id).collect();
        let mut stored: HashMap<i32, HashMap<String, String>> = HashMap::new();
        for v in profile_values::for_users(self.db(), &ids, &public).await? {
            stored.entry(v.user_id).or_default().insert(v.field, v.value);
        }
        let empty = HashMap::new();
        let results = rows
            .iter()
            .map(|u| PublicProfile {
                username: u.username.clone(),
                profile: self.public_view(stored.get(&u.id).unwrap_or(&empty)),
            })
            .collect();
        Ok(DirectoryPage { count, page, pages, results })
    }

    /// One listed account's public profile, by username.
    ///
    /// # Errors
    /// As [`Engine::directory_open`]; `NotFound` for a name no listed
    /// account has.
    pub async fn public_profile(&self, viewer: Option<&User>, username: &str) -> Result<PublicProfile, FlowError> {
        self.directory_open(viewer)?;
        if username.is_empty() || username.chars().count() > 200 {
            return Err(FlowError::NotFound);
        }
        let canonical = crate::core::domain::username::canonical(username);
        let user =
            users::by_username(self.db(), &canonical).await?.filter(|u| self.listed(u)).ok_or(FlowError::NotFound)?;
        let stored = profile_values::all(self.db(), user.id).await?;
        Ok(PublicProfile { username: user.username, profile: self.public_view(&stored) })
    }
}

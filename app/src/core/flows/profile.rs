//! Reading and editing the account's own details.

use crate::core::codes::Problems;
use crate::core::domain::{check_name, Username};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::profiles;
use crate::core::repo::users::{self, ProfileChanges};
use crate::core::{codes::Code, Engine};
use crate::shared::user::{AccountView, ProfileView, UserView};

/// New values for the editable fields; `None` keeps the current value.
#[derive(Default)]
pub struct ProfileInput {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub phone_number: Option<String>,
    pub bio: Option<String>,
    /// A new avatar (the bytes of an uploaded image), checked with the rest.
    pub avatar: Option<Vec<u8>>,
}

/// A field's check: the cleaned value, or the message to show.
type Check = fn(&str) -> Result<String, Code>;

fn check_len(raw: &str, max: usize) -> Result<String, Code> {
    crate::core::domain::reject_nul(raw)?;
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(Code::TooLong(max));
    }
    Ok(value.to_owned())
}

/// The public URL of a stored media path.
pub fn media_url(path: &str) -> String {
    format!("/media/{path}")
}

pub fn view(user: &User) -> UserView {
    UserView {
        pk: user.id,
        username: user.username.clone(),
        email: user.email.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
    }
}

impl Engine {
    /// [`Engine::account`] for reads: the profile may come from the
    /// in-process cache (see `core::auth_cache`).
    ///
    /// # Errors
    /// Database failures only.
    pub async fn account_for_read(&self, user: &User) -> Result<AccountView, FlowError> {
        let profile = match self.auth_cache().profile(user.id) {
            Some(hit) => hit,
            None => {
                let since = self.auth_cache().epoch();
                let profile = self.profile_view(user.id).await?;
                self.auth_cache().put_profile(since, user.id, profile.clone());
                profile
            }
        };
        Ok(AccountView { user: view(user), profile, email_verified: user.email_verified, is_staff: user.is_staff })
    }

    /// The user, their profile and verification state, for the pages and the API.
    pub async fn account(&self, user: &User) -> Result<AccountView, FlowError> {
        Ok(AccountView {
            user: view(user),
            profile: self.profile_view(user.id).await?,
            email_verified: user.email_verified,
            is_staff: user.is_staff,
        })
    }

    async fn profile_view(&self, user_id: i32) -> Result<ProfileView, FlowError> {
        let p = profiles::get(self.db(), user_id).await?;
        Ok(ProfileView {
            company_name: p.company_name,
            phone_number: p.phone_number,
            bio: p.bio,
            avatar: p.avatar.as_deref().map(media_url),
        })
    }

    /// A new username, given the current password (djoser's `set_username/`).
    /// The password is checked first, on the account's shared budget.
    ///
    /// # Errors
    /// `Invalid` on `old_password` (blank, wrong) or `username`; `Throttled`.
    pub async fn change_username(
        &self,
        user: User,
        password: secrecy::SecretString,
        username: String,
    ) -> Result<User, FlowError> {
        let mut errors = Problems::new();
        super::require_secret(&mut errors, "old_password", &password);
        errors.into_result()?;
        if user.password_hash.is_none() || !self.check_current_password(&user, password).await? {
            return Err(FlowError::field("old_password", Code::OldPasswordWrong));
        }
        self.update_profile(user, ProfileInput { username: Some(username), ..Default::default() }).await
    }

    /// # Errors
    /// `Invalid` per field; `username` when taken by another account.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn update_profile(&self, user: User, input: ProfileInput) -> Result<User, FlowError> {
        let mut errors = Problems::new();
        let mut changes = ProfileChanges::default();
        if let Some(raw) = input.username {
            match Username::parse(&raw) {
                Ok(u) if u.as_str() == user.username => changes.username = Some(u.as_str().to_owned()),
                Ok(u) => {
                    if u.canonical() != user.username_lower
                        && users::by_username(self.db(), &u.canonical()).await?.is_some()
                    {
                        errors.add("username", Code::UsernameTaken);
                    } else if let Err(m) = u.check_owner(&user.email_lower) {
                        errors.add("username", m);
                    }
                    changes.username = Some(u.as_str().to_owned());
                }
                Err(ms) => ms.into_iter().for_each(|m| errors.add("username", m)),
            }
        }
        for (field, raw, slot) in [
            ("first_name", input.first_name, &mut changes.first_name),
            ("last_name", input.last_name, &mut changes.last_name),
        ] {
            if let Some(raw) = raw {
                match check_name(&raw) {
                    Ok(v) => *slot = Some(v),
                    Err(m) => errors.add(field, m),
                }
            }
        }
        let mut profile = profiles::get(self.db(), user.id).await?;
        let profile_changed = input.company_name.is_some() || input.phone_number.is_some() || input.bio.is_some();
        let checks: [(&str, Option<String>, &mut String, Check); 3] = [
            ("company_name", input.company_name, &mut profile.company_name, |r| check_len(r, 100)),
            // free text, as the user-profile guide's `CharField(max_length=20)`
            ("phone_number", input.phone_number, &mut profile.phone_number, |r| check_len(r, 20)),
            ("bio", input.bio, &mut profile.bio, |r| check_len(r, 1000)),
        ];
        for (field, raw, slot, check) in checks {
            if let Some(raw) = raw {
                match check(&raw) {
                    Ok(v) => *slot = v,
                    Err(m) => errors.add(field, m),
                }
            }
        }
        if let Some(bytes) = &input.avatar {
            if let Err(m) = self.check_avatar(bytes) {
                errors.add("avatar", m);
            }
        }
        errors.into_result()?;
        let user_changed = changes.username.is_some() || changes.first_name.is_some() || changes.last_name.is_some();
        let txn = sea_orm::TransactionTrait::begin(self.db()).await?;
        let user = users::update_profile(&txn, user, changes).await?;
        if profile_changed {
            profiles::save_details(&txn, profile).await?;
        }
        // an empty PATCH is no event (webhooks go out only for a change)
        if user_changed || profile_changed || input.avatar.is_some() {
            self.queue_webhook(&txn, "user.updated", Some(user.id), &[]).await?;
        }
        txn.commit().await?;
        self.account_changed(user.id).await;
        if let Some(bytes) = input.avatar {
            self.set_avatar(&user, &bytes).await?;
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_free_text_up_to_20() {
        assert_eq!(check_len(" +44 (0)20 7946-0958 ", 20).as_deref(), Ok("+44 (0)20 7946-0958"));
        assert_eq!(check_len("ext. 12 (ask Ann)", 20).as_deref(), Ok("ext. 12 (ask Ann)"));
        assert_eq!(check_len("123456789012345678901", 20), Err(Code::TooLong(20)));
    }
}

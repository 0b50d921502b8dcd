//! Reading and editing the account's own details.

use crate::core::domain::{check_name, Username};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::users::{self, ProfileChanges};
use crate::core::{messages, Engine};
use crate::shared::errors::FieldErrors;
use crate::shared::user::UserView;

/// New values for the editable fields; `None` keeps the current value.
#[derive(Default)]
pub struct ProfileInput {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
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
    /// # Errors
    /// `Invalid` per field; `username` when taken by another account.
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn update_profile(&self, user: User, input: ProfileInput) -> Result<User, FlowError> {
        let mut errors = FieldErrors::new();
        let mut changes = ProfileChanges::default();
        if let Some(raw) = input.username {
            match Username::parse(&raw) {
                Ok(u) => {
                    if u.canonical() != user.username_lower
                        && users::by_username(self.db(), &u.canonical()).await?.is_some()
                    {
                        errors.add("username", messages::USERNAME_TAKEN);
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
        errors.into_result()?;
        Ok(users::update_profile(self.db(), user, changes).await?)
    }
}

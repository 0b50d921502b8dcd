//! Reading and editing the account's own details.

use crate::core::codes::Problems;
use crate::core::domain::{check_name, Username};
use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::profile_schema;
use crate::core::repo::profile_values;
use crate::core::repo::users::{self, ProfileChanges};
use crate::core::{codes::Code, Engine};
use crate::shared::profile::{FieldKind, ProfileView};
use crate::shared::user::{AccountView, UserView};

/// Profile values by field name, as sent (JSON values; a form's as text).
pub type ProfileValues = Vec<(String, serde_json::Value)>;

/// Uploaded pictures by image field name.
pub type Images = Vec<(String, Vec<u8>)>;

/// New values for the editable fields; `None` (or a field not given)
/// keeps the current value.
#[derive(Default)]
pub struct ProfileInput {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Profile values by field name, as sent: JSON values, or a form's
    /// text as strings. Fields the schema lacks or makes read-only are
    /// ignored (as DRF ignores read-only fields).
    pub profile: ProfileValues,
    /// New pictures (the bytes of uploaded images) by image field name,
    /// checked with the rest.
    pub images: Images,
    /// A full update (PUT with a `profile`): every required editable field
    /// must be given.
    pub full: bool,
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
        Ok(AccountView {
            user: self.user_view(user),
            profile,
            email_verified: user.email_verified,
            is_staff: user.is_staff,
        })
    }

    /// The user, their profile and verification state, for the pages and the API.
    pub async fn account(&self, user: &User) -> Result<AccountView, FlowError> {
        Ok(AccountView {
            user: self.user_view(user),
            profile: self.profile_view(user.id).await?,
            email_verified: user.email_verified,
            is_staff: user.is_staff,
        })
    }

    /// [`view`], without the made-up username of an email-only account.
    fn user_view(&self, user: &User) -> UserView {
        let mut v = view(user);
        if self.config().username == crate::core::config::UsernameMode::None {
            v.username.clear();
        }
        v
    }

    async fn profile_view(&self, user_id: i32) -> Result<ProfileView, FlowError> {
        let stored = profile_values::all(self.db(), user_id).await?;
        let values = self
            .config()
            .profile
            .fields()
            .iter()
            .map(|f| (f.name.clone(), profile_schema::show(f, stored.get(&f.name).map(String::as_str))))
            .collect();
        Ok(ProfileView { values })
    }

    /// Checks profile values against the schema: what to store per field,
    /// problems added to `errors`. `signup`: the fields asked at sign-up
    /// (editable or not); otherwise the editable ones.
    pub(crate) fn check_profile(
        &self,
        given: &[(String, serde_json::Value)],
        signup: bool,
        full: bool,
        errors: &mut Problems,
    ) -> Vec<(String, Option<String>)> {
        let schema = &self.config().profile;
        let mut changes = Vec::new();
        for spec in schema.fields() {
            let wanted = if signup { spec.signup } else { spec.editable };
            if !wanted || spec.kind == FieldKind::Image {
                continue;
            }
            match given.iter().find(|(name, _)| *name == spec.name) {
                Some((_, raw)) => match profile_schema::check(spec, raw) {
                    Ok(v) => changes.push((spec.name.clone(), v)),
                    Err(code) => errors.add(&spec.name, code),
                },
                None if spec.required && (signup || full) => errors.add(&spec.name, Code::Required),
                None => {}
            }
        }
        changes
    }

    /// A new username, given the current password (djoser's `set_username/`).
    /// The password is checked first, on the account's shared budget.
    ///
    /// # Errors
    /// `NotFound` for email-only accounts; `Invalid` on `old_password`
    /// (blank, wrong) or `username`; `Throttled`.
    pub async fn change_username(
        &self,
        user: User,
        password: secrecy::SecretString,
        username: String,
    ) -> Result<User, FlowError> {
        if self.config().username == crate::core::config::UsernameMode::None {
            return Err(FlowError::NotFound);
        }
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
    pub async fn update_profile(&self, user: User, mut input: ProfileInput) -> Result<User, FlowError> {
        if self.config().username == crate::core::config::UsernameMode::None {
            // email-only accounts: the made-up username is no one's to change
            input.username = None;
        }
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
        let profile = self.check_profile(&input.profile, false, input.full, &mut errors);
        let schema = &self.config().profile;
        let images: Vec<(String, Vec<u8>)> = input
            .images
            .into_iter()
            .filter(|(name, _)| schema.get(name).is_some_and(|f| f.kind == FieldKind::Image && f.editable))
            .collect();
        for (name, bytes) in &images {
            if let Err(m) = self.check_avatar(bytes) {
                errors.add(name, m);
            }
        }
        errors.into_result()?;
        let profile_changed = !profile.is_empty();
        let user_changed = changes.username.is_some() || changes.first_name.is_some() || changes.last_name.is_some();
        let txn = sea_orm::TransactionTrait::begin(self.db()).await?;
        let user = users::update_profile(&txn, user, changes).await?;
        if profile_changed {
            profile_values::save(&txn, user.id, &profile).await?;
        }
        // an empty PATCH is no event (webhooks go out only for a change)
        if user_changed || profile_changed || !images.is_empty() {
            self.queue_webhook(&txn, "user.updated", Some(user.id), &[]).await?;
        }
        txn.commit().await?;
        self.account_changed(user.id).await;
        for (name, bytes) in images {
            self.set_image(&user, &name, &bytes).await?;
        }
        Ok(user)
    }
}

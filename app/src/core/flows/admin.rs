//! What staff do to accounts: find them, look at one in full, change names
//! and flags, deactivate and reactivate, delete, send a reset or a
//! verification email, sign an account out everywhere, reset its second
//! factor. Every change needs a staff member who re-entered their password
//! (and, with two-factor on, a code too) on this very credential within
//! `reauth_window_secs`, and is written to the audit trail, with the acting
//! staff member, in the change's transaction.
//!
//! Signing in does not count by itself: a stolen session or token can add a
//! passkey, link a social account or turn TOTP on (the client contracts ask
//! no password for those) and then sign in or show a code with them, so
//! only the password, which none of those reveal, proves the person.

use super::throttle::Client;
use super::Credential;
use crate::core::audit::EventKind;
use crate::core::codes::{Code, Problems};
use crate::core::domain::{check_name, validate_password, EmailAddress, PasswordContext, Username};
use crate::core::entities::user::{Column, Entity as Users, Model as User};
use crate::core::error::FlowError;
use crate::core::repo::audit::{self as audit_repo, EventFilter};
use crate::core::repo::users::{self, NewUser};
use crate::core::repo::{mfa, sessions};
use crate::core::Engine;
use crate::shared::admin::{AdminEmail, AdminUserDetail, AdminUserItem};
use crate::shared::user::PasskeyItem;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use secrecy::{ExposeSecret, SecretString};

pub use super::admin_list::{Ordering, UserQuery};

/// Changes staff may make to an account; `None` leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct AdminChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_active: Option<bool>,
    pub is_staff: Option<bool>,
    pub email_verified: Option<bool>,
}

/// Who acts: the staff member and the credential their request came with.
pub struct Staff<'a> {
    pub user: &'a User,
    pub credential: &'a Credential,
    pub client: &'a Client,
}

pub(super) fn item(u: &User, has_2fa: bool) -> AdminUserItem {
    AdminUserItem {
        id: u.id,
        username: u.username.clone(),
        email: u.email.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        email_verified: u.email_verified,
        is_active: u.is_active,
        is_staff: u.is_staff,
        has_2fa,
        date_joined: crate::core::rfc3339(u.date_joined),
        last_login: u.last_login.map(crate::core::rfc3339),
    }
}

/// The stored name of a credential, for re-authentication stamps.
fn credential_key(engine: &Engine, credential: &Credential) -> Option<String> {
    match credential {
        Credential::Session(hash) => Some(format!("session:{hash}")),
        Credential::Token(id) => Some(format!("token:{id}")),
        Credential::Jwt(family) => Some(format!("jwt:{}", engine.token_hasher().hash(&format!("jwt-family:{family}")))),
        Credential::None => None,
    }
}

impl Engine {
    /// Staff only: a signed-in caller who is not staff gets 403.
    ///
    /// # Errors
    /// `Forbidden(PermissionDenied)`.
    pub fn require_staff(&self, user: &User) -> Result<(), FlowError> {
        if user.is_staff && user.is_active {
            Ok(())
        } else {
            Err(FlowError::Forbidden(Code::PermissionDenied))
        }
    }

    /// When this credential last re-entered the password (see `reauthenticate`).
    async fn last_proof(&self, user: &User, credential: &Credential) -> Result<Option<i64>, FlowError> {
        Ok(match credential_key(self, credential) {
            Some(key) => audit_repo::last_reauth(self.db(), &key, user.id).await?,
            None => None,
        })
    }

    /// Staff who re-authenticated on this credential within the window.
    ///
    /// # Errors
    /// `Forbidden(PermissionDenied | RecentSignInRequired)`.
    pub async fn require_recent_staff(&self, staff: &Staff<'_>) -> Result<(), FlowError> {
        self.require_staff(staff.user)?;
        let window = self.config().reauth_window_secs;
        match self.last_proof(staff.user, staff.credential).await? {
            Some(at) if at >= self.now() - window => Ok(()),
            _ => Err(FlowError::Forbidden(Code::RecentSignInRequired)),
        }
    }

    /// Re-enters the password, and with two-factor on a code too; admin
    /// changes are allowed on this credential for the window after. Returns
    /// until when (Unix seconds). A TOTP code alone never does: whoever holds
    /// a stolen session can turn TOTP on with an authenticator of their own.
    ///
    /// # Errors
    /// `Invalid` on `password` (missing, wrong, or the account has none) or
    /// `code`; `Throttled` (the account's budget of password checks, shared
    /// with sign-in).
    pub async fn reauthenticate(
        &self,
        user: &User,
        credential: &Credential,
        password: Option<SecretString>,
        code: Option<String>,
        client: &Client,
    ) -> Result<i64, FlowError> {
        let key = credential_key(self, credential).ok_or(FlowError::Unauthenticated)?;
        if user.password_hash.is_none() {
            return Err(FlowError::field("password", Code::NoPasswordLeft));
        }
        let Some(password) = password.filter(|p| !p.expose_secret().is_empty()) else {
            return Err(FlowError::field("password", Code::Required));
        };
        if !self.check_current_password(user, password).await? {
            return Err(FlowError::field("password", Code::PasswordWrong));
        }
        if self.totp_enabled(user.id).await? {
            let Some(code) = code.as_deref().map(str::trim).filter(|c| !c.is_empty()) else {
                return Err(FlowError::field("code", Code::Required));
            };
            self.confirm_with_totp(user, code).await?;
        }
        let t = self.now();
        let txn = self.db().begin().await?;
        audit_repo::stamp_reauth(&txn, &key, user.id, t).await?;
        self.audit(&txn, EventKind::Reauthenticated, Some(user.id), Some(client), &[]).await?;
        txn.commit().await?;
        Ok(t + self.config().reauth_window_secs)
    }

    async fn admin_target(&self, id: i32) -> Result<User, FlowError> {
        users::by_id(self.db(), id).await?.ok_or(FlowError::NotFound)
    }

    /// One account in full.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn admin_user(&self, id: i32) -> Result<AdminUserDetail, FlowError> {
        let u = self.admin_target(id).await?;
        let mfa_enabled = self.totp_enabled(u.id).await?;
        let devices = self.devices(&u, &Credential::None).await?;
        let passkeys = self
            .passkeys(u.id)
            .await?
            .into_iter()
            .map(|p| PasskeyItem {
                id: p.id,
                name: p.name,
                created_at: crate::core::rfc3339(p.created_at),
                last_used_at: p.last_used_at.map(crate::core::rfc3339),
            })
            .collect();
        let recent_events =
            self.audit_events(&EventFilter { user_id: Some(u.id), ..EventFilter::default() }, 20).await?;
        Ok(AdminUserDetail {
            emails: if u.email.is_empty() {
                Vec::new()
            } else {
                vec![AdminEmail { email: u.email.clone(), verified: u.email_verified, primary: true }]
            },
            social_accounts: self.social_accounts(u.id).await?,
            passkeys,
            mfa_enabled,
            devices,
            recent_events,
            user: item(&u, mfa_enabled),
        })
    }

    /// Ends every credential of `target` (sessions, tokens, JWT families,
    /// pending links) on every replica: the generation moves on in `txn`.
    async fn end_everything(&self, txn: &sea_orm::DatabaseTransaction, target: &User) -> Result<(), FlowError> {
        // whatever the generation is now: an admin's word wins over a race
        let text = "UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = $1";
        let backend = sea_orm::ConnectionTrait::get_database_backend(self.db());
        let text = if backend == sea_orm::DatabaseBackend::Postgres { text.to_owned() } else { text.replace('$', "?") };
        sea_orm::ConnectionTrait::execute(
            txn,
            sea_orm::Statement::from_sql_and_values(backend, text, [target.id.into()]),
        )
        .await?;
        sessions::delete_for_user(txn, target.id, None).await?;
        crate::core::repo::auth_tokens::delete_for_user(txn, target.id, None).await?;
        crate::core::repo::refresh_tokens::revoke_for_user(txn, target.id, None, self.now()).await?;
        Ok(())
    }

    /// Changes names and flags. Turning `is_active` off ends every
    /// credential, as deactivating does.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Invalid` per field; `Refused(OwnAccount)`
    /// when staff would deactivate or un-staff themselves.
    pub async fn admin_update_user(
        &self,
        staff: &Staff<'_>,
        id: i32,
        changes: AdminChanges,
    ) -> Result<AdminUserDetail, FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        let mut errors = Problems::new();
        let mut names = [None, None];
        for (i, (field, value)) in
            [("first_name", &changes.first_name), ("last_name", &changes.last_name)].into_iter().enumerate()
        {
            if let Some(v) = value {
                match check_name(v) {
                    Ok(clean) => names[i] = Some(clean),
                    Err(code) => errors.add(field, code),
                }
            }
        }
        errors.into_result()?;
        let [first_name, last_name] = names;
        // only what differs is a change (a form sends every field)
        let first_name = first_name.filter(|v| *v != target.first_name);
        let last_name = last_name.filter(|v| *v != target.last_name);
        let changes = AdminChanges {
            is_active: changes.is_active.filter(|v| *v != target.is_active),
            is_staff: changes.is_staff.filter(|v| *v != target.is_staff),
            email_verified: changes.email_verified.filter(|v| *v != target.email_verified),
            ..changes
        };
        if target.id == staff.user.id && (changes.is_active == Some(false) || changes.is_staff == Some(false)) {
            return Err(FlowError::Refused(Code::OwnAccount));
        }
        let mut changed: Vec<&str> = Vec::new();
        let mut update = Users::update_many().filter(Column::Id.eq(target.id));
        if let Some(v) = first_name {
            update = update.col_expr(Column::FirstName, Expr::value(v));
            changed.push("first_name");
        }
        if let Some(v) = last_name {
            update = update.col_expr(Column::LastName, Expr::value(v));
            changed.push("last_name");
        }
        for (field, col, value) in [
            ("is_active", Column::IsActive, changes.is_active),
            ("is_staff", Column::IsStaff, changes.is_staff),
            ("email_verified", Column::EmailVerified, changes.email_verified),
        ] {
            if let Some(v) = value {
                update = update.col_expr(col, Expr::value(v));
                changed.push(field);
            }
        }
        if !changed.is_empty() {
            let txn = self.db().begin().await?;
            if update.exec(&txn).await?.rows_affected == 0 {
                return Err(FlowError::NotFound);
            }
            // whatever the account's state was when read: a deactivation always ends everything
            if changes.is_active == Some(false) {
                self.end_everything(&txn, &target).await?;
            }
            let fields = changed.join(",");
            let detail = [("fields", fields.as_str())];
            self.audit_by(
                &txn,
                EventKind::AdminUserUpdated,
                Some(target.id),
                Some(staff.user.id),
                Some(staff.client),
                &detail,
            )
            .await?;
            txn.commit().await?;
            self.account_changed(target.id).await;
            tracing::info!(user_id = target.id, staff = staff.user.id, fields, "account updated by staff");
        }
        self.admin_user(target.id).await
    }

    /// Deactivates (every credential ends at once, on every replica) or
    /// reactivates an account.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Refused(OwnAccount)`.
    pub async fn admin_set_active(&self, staff: &Staff<'_>, id: i32, active: bool) -> Result<(), FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        if target.id == staff.user.id && !active {
            return Err(FlowError::Refused(Code::OwnAccount));
        }
        let txn = self.db().begin().await?;
        let res = Users::update_many()
            .col_expr(Column::IsActive, Expr::value(active))
            .filter(Column::Id.eq(target.id))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(FlowError::NotFound);
        }
        let kind = if active {
            EventKind::AdminUserReactivated
        } else {
            self.end_everything(&txn, &target).await?;
            EventKind::AdminUserDeactivated
        };
        self.audit_by(&txn, kind, Some(target.id), Some(staff.user.id), Some(staff.client), &[]).await?;
        txn.commit().await?;
        self.account_changed(target.id).await;
        tracing::info!(user_id = target.id, staff = staff.user.id, active, "account activity set by staff");
        Ok(())
    }

    /// Deletes an account and everything it has.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Refused(OwnAccount)`.
    pub async fn admin_delete_user(&self, staff: &Staff<'_>, id: i32) -> Result<(), FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        if target.id == staff.user.id {
            return Err(FlowError::Refused(Code::OwnAccount));
        }
        let txn = self.db().begin().await?;
        sessions::delete_for_user(&txn, target.id, None).await?;
        if Users::delete_by_id(target.id).exec(&txn).await?.rows_affected == 0 {
            return Err(FlowError::NotFound);
        }
        let detail = [("username", target.username.as_str())];
        self.audit_by(
            &txn,
            EventKind::AdminUserDeleted,
            Some(target.id),
            Some(staff.user.id),
            Some(staff.client),
            &detail,
        )
        .await?;
        txn.commit().await?;
        self.account_changed(target.id).await;
        self.remove_user_media(target.id).await;
        tracing::info!(user_id = target.id, staff = staff.user.id, "account deleted by staff");
        Ok(())
    }

    /// Emails the account a password reset link.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Refused(AccountDisabled)` for an inactive account.
    pub async fn admin_send_reset(&self, staff: &Staff<'_>, id: i32) -> Result<(), FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        if !target.is_active {
            return Err(FlowError::Refused(Code::AccountDisabled));
        }
        if target.email.is_empty() {
            return Err(FlowError::Refused(Code::NoAddress));
        }
        let txn = self.db().begin().await?;
        self.enqueue_reset_link(&txn, &target, &self.config().links).await?;
        self.audit_by(
            &txn,
            EventKind::AdminPasswordResetSent,
            Some(target.id),
            Some(staff.user.id),
            Some(staff.client),
            &[],
        )
        .await?;
        txn.commit().await?;
        self.wake_outbox();
        Ok(())
    }

    /// Emails a new verification link to an unverified account.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Refused(AccountDisabled)`; `Refused(EmailVerified)`.
    pub async fn admin_resend_verification(&self, staff: &Staff<'_>, id: i32) -> Result<(), FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        if !target.is_active {
            return Err(FlowError::Refused(Code::AccountDisabled));
        }
        if target.email_verified {
            return Err(FlowError::Refused(Code::AlreadyVerified));
        }
        if target.email.is_empty() {
            return Err(FlowError::Refused(Code::NoAddress));
        }
        let txn = self.db().begin().await?;
        self.send_verification(&txn, &target, &self.config().links).await?;
        self.audit_by(
            &txn,
            EventKind::AdminVerificationSent,
            Some(target.id),
            Some(staff.user.id),
            Some(staff.client),
            &[],
        )
        .await?;
        txn.commit().await?;
        self.wake_outbox();
        Ok(())
    }

    /// Signs the account out everywhere (the account stays active).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`.
    pub async fn admin_revoke_sessions(&self, staff: &Staff<'_>, id: i32) -> Result<(), FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        let txn = self.db().begin().await?;
        self.end_everything(&txn, &target).await?;
        self.audit_by(
            &txn,
            EventKind::AdminSessionsRevoked,
            Some(target.id),
            Some(staff.user.id),
            Some(staff.client),
            &[],
        )
        .await?;
        txn.commit().await?;
        self.account_changed(target.id).await;
        Ok(())
    }

    /// Turns the account's two-factor off (TOTP and recovery codes), after
    /// the owner proved who they are out of band; the owner is told by email.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Refused(MfaNotEnabled)`.
    pub async fn admin_reset_mfa(&self, staff: &Staff<'_>, id: i32) -> Result<(), FlowError> {
        self.require_recent_staff(staff).await?;
        let target = self.admin_target(id).await?;
        let txn = self.db().begin().await?;
        if !mfa::delete_all(&txn, target.id).await? {
            return Err(FlowError::Refused(Code::MfaNotEnabled));
        }
        self.notify(&txn, &target, "mfa_disabled", staff.client).await?;
        self.audit_by(&txn, EventKind::AdminMfaReset, Some(target.id), Some(staff.user.id), Some(staff.client), &[])
            .await?;
        txn.commit().await?;
        self.wake_outbox();
        self.account_changed(target.id).await;
        Ok(())
    }

    /// How many accounts there are (for the admin pages' heading).
    ///
    /// # Errors
    /// Database failures.
    pub async fn count_users(&self) -> Result<u64, FlowError> {
        Ok(Users::find().count(self.db()).await?)
    }

    /// `latchkey create-admin`: a verified, active staff account, held to
    /// the same rules as a sign-up (username, address, password validators).
    ///
    /// # Errors
    /// `Invalid` per field (`username`, `email`, `password`), taken names included.
    pub async fn create_staff(&self, username: &str, email: &str, password: SecretString) -> Result<User, FlowError> {
        let mut errors = Problems::new();
        let name = match Username::parse(username) {
            Ok(n) => Some(n),
            Err(codes) => {
                for c in codes {
                    errors.add("username", c);
                }
                None
            }
        };
        let address = EmailAddress::parse(email).map_err(|c| errors.add("email", c)).ok();
        let password = crate::core::domain::clean_password(&password);
        if password.expose_secret().is_empty() {
            errors.add("password", Code::Blank);
        } else {
            let ctx =
                PasswordContext { username: Some(username), email: Some(email), first_name: None, last_name: None };
            for code in validate_password(password.expose_secret(), &ctx) {
                errors.add("password", code);
            }
        }
        errors.into_result()?;
        let (Some(name), Some(address)) = (name, address) else {
            return Err(FlowError::field("username", Code::Required));
        };
        if let Some(owner) = name.check_owner(address.as_str()).err() {
            return Err(FlowError::field("username", owner));
        }
        let hash = self.hasher().hash(password).await?;
        let new = NewUser {
            username: name.as_str().to_owned(),
            email: address.as_str().to_owned(),
            password_hash: Some(hash),
            email_verified: true,
            first_name: String::new(),
            last_name: String::new(),
        };
        let txn = self.db().begin().await?;
        let user = users::insert(&txn, new, self.now()).await?;
        Users::update_many()
            .col_expr(Column::IsStaff, Expr::value(true))
            .filter(Column::Id.eq(user.id))
            .exec(&txn)
            .await?;
        self.audit(&txn, EventKind::AdminCreated, Some(user.id), None, &[("via", "command line")]).await?;
        txn.commit().await?;
        Ok(User { is_staff: true, ..user })
    }
}

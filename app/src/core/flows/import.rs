//! Importing accounts from Django's `auth_user` table. Password hashes are
//! kept as they are (PBKDF2 or argon2) and upgraded to Latchkey's argon2id
//! at each user's next login.

use crate::core::codes::{Code, Problems};
use crate::core::django;
use crate::core::domain::{check_name, EmailAddress, Username};
use crate::core::error::FlowError;
use crate::core::repo::users::{self, NewUser, WriteError};
use crate::core::Engine;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// One row of Django's `auth_user`.
pub struct DjangoUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub is_active: bool,
    pub date_joined: Option<i64>,
    pub last_login: Option<i64>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Imported {
    Created,
    /// The username or email is taken already.
    Exists,
}

impl Engine {
    /// # Errors
    /// `Invalid` when the row's username or email is not acceptable.
    pub async fn import_django_user(&self, row: DjangoUser, emails_verified: bool) -> Result<Imported, FlowError> {
        let username = Username::parse_existing(&row.username).map_err(|m| {
            FlowError::Invalid(m.into_iter().fold(Problems::new(), |mut p, c| {
                p.add("username", c);
                p
            }))
        })?;
        // Django's accounts may have no address; kept so where the deployment
        // allows it, when the account has a password to sign in with
        let email = if row.email.trim().is_empty() && !self.config().email_required {
            String::new()
        } else {
            EmailAddress::parse(&row.email).map_err(|m| FlowError::field("email", m))?.as_str().to_owned()
        };
        let first = check_name(&row.first_name).map_err(|m| FlowError::field("first_name", m))?;
        let last = check_name(&row.last_name).map_err(|m| FlowError::field("last_name", m))?;
        // `!...` is Django's unusable password: the account can only reset it.
        let hash = Some(row.password).filter(|p| django::is_supported(p) || p.starts_with("$argon2id$"));
        let has_address = !email.is_empty();
        if !has_address && hash.is_none() {
            // no password and no address: no way in, ever
            return Err(FlowError::field("email", Code::Required));
        }
        let new = NewUser {
            username: username.as_str().to_owned(),
            email,
            password_hash: hash,
            email_verified: emails_verified && has_address,
            first_name: first,
            last_name: last,
        };
        let joined = row.date_joined.unwrap_or_else(|| self.now());
        let user = match users::insert(self.db(), new, joined).await {
            Ok(u) => u,
            Err(WriteError::UsernameTaken | WriteError::EmailTaken) => return Ok(Imported::Exists),
            Err(WriteError::Db(e)) => return Err(e.into()),
        };
        use crate::core::entities::user::{Column, Entity};
        Entity::update_many()
            .col_expr(Column::IsActive, Expr::value(row.is_active))
            .col_expr(Column::LastLogin, Expr::value(row.last_login))
            .filter(Column::Id.eq(user.id))
            .exec(self.db())
            .await?;
        Ok(Imported::Created)
    }
}

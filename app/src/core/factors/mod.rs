//! Second factors: what completes a sign-in after the first factor
//! (password, social login). One file per factor; a new factor (passkeys)
//! is a new file and a new [`Proof`], not edits across the flows.
//!
//! TOTP and recovery codes both take a one-time code typed by the user;
//! `mfa/verify/` accepts either in one field, as dj-rest-auth does.

pub mod passkey;
pub mod recovery;
pub mod totp;

use crate::core::error::FlowError;
use crate::core::Engine;

/// Which second factor completed a sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    Totp,
    RecoveryCode,
}

impl Engine {
    /// Whether the user has a second factor, so a first factor alone does
    /// not sign them in.
    ///
    /// # Errors
    /// Database failures.
    pub async fn has_second_factor(&self, user_id: i32) -> Result<bool, FlowError> {
        self.totp_enabled(user_id).await
    }

    /// Checks a typed one-time code against the user's factors that take
    /// one: a TOTP code, else a recovery code. A code is accepted once.
    ///
    /// # Errors
    /// Database failures.
    pub(crate) async fn check_code(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: i32,
        code: &str,
    ) -> Result<Option<Proof>, FlowError> {
        if self.check_totp(conn, user_id, code).await? {
            return Ok(Some(Proof::Totp));
        }
        if self.use_recovery_code(conn, user_id, code).await? {
            return Ok(Some(Proof::RecoveryCode));
        }
        Ok(None)
    }
}

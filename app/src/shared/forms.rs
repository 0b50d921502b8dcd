//! What a page form shows after a submission: errors per field, the values
//! typed (never passwords), and the short notices pages show after a redirect.

use crate::shared::errors::FieldErrors;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    pub errors: FieldErrors,
    pub values: BTreeMap<String, String>,
}

impl FormState {
    pub fn errors_for(&self, field: &str) -> Vec<String> {
        self.errors.get(field).to_vec()
    }

    pub fn value(&self, field: &str) -> Option<String> {
        self.values.get(field).cloned()
    }
}

/// Notices named in a `?notice=` query parameter after a redirect. Only these
/// fixed texts can be shown, so a crafted link cannot put words on our pages.
pub fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "verification_sent" => "We sent you an email. Follow its link to verify your address, then log in.",
        "reset_sent" => "If an account uses that address, we sent it a link to choose a new password.",
        "password_reset" => "Your password was reset. Log in with the new one.",
        "password_changed" => "Your password was changed. Your other sessions were logged out.",
        "password_changed_signed_out" => {
            "Your password was changed and every session was logged out. Log in with the new one."
        }
        "profile_saved" => "Your profile was saved.",
        "avatar_saved" => "Your picture was updated.",
        "image_saved" => "The picture was saved.",
        "email_change_sent" => {
            "We sent a confirmation link to the new address. Your address changes once you follow it."
        }
        "email_changed" => "Your email address was changed.",
        "sessions_ended" => "Your other sessions were logged out.",
        "logged_out" => "You are logged out.",
        "verified" => "Your email address is verified. You can log in now.",
        "social_connected" => "The account was connected. You can log in with it from now on.",
        "social_disconnected" => "The account was disconnected.",
        "totp_enabled" => "Two-factor authentication is on. Keep these recovery codes somewhere safe.",
        "codes_regenerated" => "New recovery codes were made; the old ones no longer work.",
        "totp_disabled" => "Two-factor authentication is off.",
        "passkey_renamed" => "The passkey was renamed.",
        "passkey_removed" => "The passkey was removed. It no longer signs you in.",
        "passkey_added" => "The passkey was added. You can sign in with it from now on.",
        "reauthenticated" => "Thank you. Admin changes are allowed for the next few minutes.",
        "admin_done" => "Done. The change is in the audit trail.",
        "admin_deleted" => "The account was deleted. The deletion is in the audit trail.",
        _ => return None,
    })
}

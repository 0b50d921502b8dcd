//! The audit trail: one row per security event, written on the connection
//! of the change it records (its transaction, where it has one), so an
//! event exists exactly when the change does. Events carry the account, the
//! staff member who acted (admin actions), the client's address and browser,
//! and a few non-secret facts; never a password, code, token or link.

use crate::core::entities::audit_event::Model as AuditEvent;
use crate::core::error::FlowError;
use crate::core::flows::throttle::Client;
use crate::core::repo::audit::{self as repo, EventFilter, NewEvent};
use crate::core::Engine;
use crate::shared::user::ActivityItem;

/// What happened. [`EventKind::id`] is stable: API clients, webhooks and
/// filters rely on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    UserCreated,
    EmailVerified,
    SignInSucceeded,
    SignInFailed,
    SignedOut,
    PasswordChanged,
    PasswordReset,
    EmailChanged,
    MfaEnabled,
    MfaDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    PasskeyAdded,
    PasskeyRemoved,
    SocialLinked,
    SocialUnlinked,
    SessionsRevoked,
    AccountDeleted,
    Reauthenticated,
    AdminCreated,
    AdminUserUpdated,
    AdminUserDeactivated,
    AdminUserReactivated,
    AdminUserDeleted,
    AdminPasswordResetSent,
    AdminVerificationSent,
    AdminSessionsRevoked,
    AdminMfaReset,
}

impl EventKind {
    pub const ALL: [EventKind; 28] = [
        EventKind::UserCreated,
        EventKind::EmailVerified,
        EventKind::SignInSucceeded,
        EventKind::SignInFailed,
        EventKind::SignedOut,
        EventKind::PasswordChanged,
        EventKind::PasswordReset,
        EventKind::EmailChanged,
        EventKind::MfaEnabled,
        EventKind::MfaDisabled,
        EventKind::RecoveryCodeUsed,
        EventKind::RecoveryCodesRegenerated,
        EventKind::PasskeyAdded,
        EventKind::PasskeyRemoved,
        EventKind::SocialLinked,
        EventKind::SocialUnlinked,
        EventKind::SessionsRevoked,
        EventKind::AccountDeleted,
        EventKind::Reauthenticated,
        EventKind::AdminCreated,
        EventKind::AdminUserUpdated,
        EventKind::AdminUserDeactivated,
        EventKind::AdminUserReactivated,
        EventKind::AdminUserDeleted,
        EventKind::AdminPasswordResetSent,
        EventKind::AdminVerificationSent,
        EventKind::AdminSessionsRevoked,
        EventKind::AdminMfaReset,
    ];

    pub fn id(self) -> &'static str {
        use EventKind::*;
        match self {
            UserCreated => "user.created",
            EmailVerified => "email.verified",
            SignInSucceeded => "sign_in.succeeded",
            SignInFailed => "sign_in.failed",
            SignedOut => "sign_out",
            PasswordChanged => "password.changed",
            PasswordReset => "password.reset",
            EmailChanged => "email.changed",
            MfaEnabled => "mfa.enabled",
            MfaDisabled => "mfa.disabled",
            RecoveryCodeUsed => "recovery_code.used",
            RecoveryCodesRegenerated => "recovery_codes.regenerated",
            PasskeyAdded => "passkey.added",
            PasskeyRemoved => "passkey.removed",
            SocialLinked => "social.linked",
            SocialUnlinked => "social.unlinked",
            SessionsRevoked => "sessions.revoked",
            AccountDeleted => "account.deleted",
            Reauthenticated => "reauthenticated",
            AdminCreated => "admin.created",
            AdminUserUpdated => "admin.user_updated",
            AdminUserDeactivated => "admin.user_deactivated",
            AdminUserReactivated => "admin.user_reactivated",
            AdminUserDeleted => "admin.user_deleted",
            AdminPasswordResetSent => "admin.password_reset_sent",
            AdminVerificationSent => "admin.verification_sent",
            AdminSessionsRevoked => "admin.sessions_revoked",
            AdminMfaReset => "admin.mfa_reset",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// How the pages say it.
    pub fn describe(self) -> &'static str {
        use EventKind::*;
        match self {
            UserCreated => "Account created",
            EmailVerified => "Email address verified",
            SignInSucceeded => "Signed in",
            SignInFailed => "Failed sign-in attempt",
            SignedOut => "Signed out",
            PasswordChanged => "Password changed",
            PasswordReset => "Password reset by email",
            EmailChanged => "Email address changed",
            MfaEnabled => "Two-factor authentication turned on",
            MfaDisabled => "Two-factor authentication turned off",
            RecoveryCodeUsed => "Recovery code used",
            RecoveryCodesRegenerated => "New recovery codes made",
            PasskeyAdded => "Passkey added",
            PasskeyRemoved => "Passkey removed",
            SocialLinked => "Social account connected",
            SocialUnlinked => "Social account disconnected",
            SessionsRevoked => "Other sessions signed out",
            AccountDeleted => "Account deleted",
            Reauthenticated => "Identity confirmed again",
            AdminCreated => "Staff account created",
            AdminUserUpdated => "Account updated by staff",
            AdminUserDeactivated => "Account deactivated by staff",
            AdminUserReactivated => "Account reactivated by staff",
            AdminUserDeleted => "Account deleted by staff",
            AdminPasswordResetSent => "Password reset email sent by staff",
            AdminVerificationSent => "Verification email sent by staff",
            AdminSessionsRevoked => "All sessions signed out by staff",
            AdminMfaReset => "Two-factor authentication reset by staff",
        }
    }
}

/// "Chrome on Linux" for a User-Agent (a maintained parser's reading).
pub fn device_name(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.map(str::trim).filter(|u| !u.is_empty()) else {
        return "Unknown device".to_owned();
    };
    let Some(r) = woothee::parser::Parser::new().parse(ua) else {
        return "Unknown browser".to_owned();
    };
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    match (known(r.name), known(r.os)) {
        (true, true) => format!("{} on {}", r.name, r.os),
        (true, false) => r.name.to_owned(),
        (false, true) => format!("Unknown browser on {}", r.os),
        (false, false) => "Unknown browser".to_owned(),
    }
}

/// Keeps the first `n` characters.
fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

impl Engine {
    /// Records an event about `user_id` on `conn` (the change's transaction).
    pub(crate) async fn audit(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        kind: EventKind,
        user_id: Option<i32>,
        client: Option<&Client>,
        detail: &[(&str, &str)],
    ) -> Result<(), FlowError> {
        self.audit_by(conn, kind, user_id, None, client, detail).await
    }

    /// Records an event, with the staff member who acted.
    pub(crate) async fn audit_by(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        kind: EventKind,
        user_id: Option<i32>,
        actor_id: Option<i32>,
        client: Option<&Client>,
        detail: &[(&str, &str)],
    ) -> Result<(), FlowError> {
        let detail_pairs = detail;
        let detail = if detail.is_empty() {
            String::new()
        } else {
            let map: serde_json::Map<String, serde_json::Value> =
                detail.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(cut(v, 200)))).collect();
            serde_json::Value::Object(map).to_string()
        };
        let event = NewEvent {
            user_id,
            actor_id,
            kind: kind.id(),
            ip: client.and_then(|c| c.ip).map(|ip| ip.to_string()),
            user_agent: client.and_then(|c| c.user_agent.as_deref()).map(|u| cut(u, 255)),
            // a JSON object of at most a few short values; cut to the column as text
            detail: if detail.chars().count() > 1024 { String::new() } else { detail },
            at: self.now(),
        };
        repo::insert(conn, event).await?;
        match kind {
            EventKind::SignInSucceeded => self.count_sign_in(true),
            EventKind::SignInFailed => self.count_sign_in(false),
            _ => {}
        }
        if let Some(hook) = crate::core::webhooks::event_for(kind) {
            self.queue_webhook(conn, hook, user_id, detail_pairs).await?;
        }
        Ok(())
    }

    /// The account's own events, newest first, as its owner sees them: an
    /// action by staff shows what was done, not who did it or from where.
    ///
    /// # Errors
    /// Database failures.
    pub async fn own_activity(
        &self,
        user_id: i32,
        before_id: Option<i32>,
        limit: u64,
    ) -> Result<Vec<ActivityItem>, FlowError> {
        let filter = EventFilter { user_id: Some(user_id), before_id, ..EventFilter::default() };
        let mut events = self.audit_events(&filter, limit).await?;
        for e in events.iter_mut().filter(|e| e.actor_id.is_some()) {
            e.actor_id = None;
            e.ip_address = None;
            e.user_agent = String::new();
            e.device = "Staff".to_owned();
        }
        Ok(events)
    }

    /// Events, newest first (at most `limit`, at most 100).
    ///
    /// # Errors
    /// Database failures.
    pub async fn audit_events(&self, filter: &EventFilter, limit: u64) -> Result<Vec<ActivityItem>, FlowError> {
        let rows = repo::list(self.db(), filter, limit.clamp(1, 100)).await?;
        Ok(rows.into_iter().map(view).collect())
    }
}

fn view(e: AuditEvent) -> ActivityItem {
    let kind = EventKind::parse(&e.kind);
    let detail: std::collections::BTreeMap<String, String> = serde_json::from_str::<serde_json::Value>(&e.detail)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| m.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default();
    ActivityItem {
        id: e.id,
        kind: e.kind.clone(),
        description: kind.map_or_else(|| e.kind.clone(), |k| k.describe().to_owned()),
        user_id: e.user_id,
        actor_id: e.actor_id,
        created_at: crate::core::rfc3339(e.created_at),
        ip_address: e.ip,
        device: device_name(e.user_agent.as_deref()),
        user_agent: e.user_agent.unwrap_or_default(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in EventKind::ALL {
            assert!(seen.insert(k.id()), "{} twice", k.id());
            assert_eq!(EventKind::parse(k.id()), Some(k));
        }
        assert_eq!(EventKind::parse("nope"), None);
    }

    #[test]
    fn devices_read_as_people_say_them() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(device_name(Some(chrome)), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(device_name(Some(iphone)), "Safari on iPhone");
        assert_eq!(device_name(None), "Unknown device");
        assert_eq!(device_name(Some("curl/8.0")), "HTTP Library");
        assert_eq!(device_name(Some("???")), "Unknown browser");
    }
}

//! The admin pages' server functions: thin translators over the engine's
//! staff flows (`core::flows::admin`), as the JSON handlers at `/api/admin/`
//! are. The browser session is the credential: confirming the password
//! stamps it, and changes are refused without a fresh stamp.

use crate::shared::admin::{AdminUserDetail, AdminUserPage};
use crate::shared::forms::FormState;
use crate::shared::user::ActivityItem;
use leptos::prelude::*;

/// A read refused to a non-staff caller says so in DRF's words; anything
/// else is the usual page failure.
#[cfg(feature = "ssr")]
fn refused(e: crate::core::FlowError) -> ServerFnError {
    use crate::core::FlowError;
    use crate::dialects::dj_rest_auth;
    let status = match &e {
        FlowError::Forbidden(_) => Some(axum::http::StatusCode::FORBIDDEN),
        FlowError::NotFound => Some(axum::http::StatusCode::NOT_FOUND),
        FlowError::Invalid(_) => Some(axum::http::StatusCode::BAD_REQUEST),
        _ => None,
    };
    if let (Some(status), Some(res)) = (status, use_context::<leptos_axum::ResponseOptions>()) {
        res.set_status(status);
    }
    match e {
        FlowError::Forbidden(code) => ServerFnError::new(dj_rest_auth::words(crate::shared::errors::NON_FIELD, &code)),
        FlowError::NotFound => ServerFnError::new("Not found."),
        FlowError::Invalid(p) => {
            let rendered = dj_rest_auth::render(&p);
            ServerFnError::new(
                serde_json::to_value(&rendered)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .and_then(|m| m.values().next().cloned())
                    .and_then(|v| v.get(0).and_then(|s| s.as_str().map(str::to_owned)))
                    .unwrap_or_else(|| "Invalid filter.".to_owned()),
            )
        }
        other => super::forms::failure(other),
    }
}

/// A staff member's session, for reads.
#[cfg(feature = "ssr")]
async fn staff_only(
) -> Result<(crate::core::Engine, crate::core::entities::user::Model, tower_sessions::Session), ServerFnError> {
    let engine = super::forms::engine()?;
    let (user, session) = super::forms::require_user(&engine).await?;
    engine.require_staff(&user).map_err(refused)?;
    Ok((engine, user, session))
}

fn flag(v: &Option<String>) -> Option<bool> {
    match v.as_deref().map(str::trim) {
        Some("true" | "yes" | "on" | "1") => Some(true),
        Some("false" | "no" | "0") => Some(false),
        _ => None,
    }
}

/// A page of the account list (the list page's GET form is its filter).
#[server(prefix = "/fn", endpoint = "admin_users")]
pub async fn admin_users(
    search: Option<String>,
    active: Option<String>,
    staff: Option<String>,
    verified: Option<String>,
    two_factor: Option<String>,
    ordering: Option<String>,
    cursor: Option<String>,
) -> Result<AdminUserPage, ServerFnError> {
    use crate::core::flows::admin::{Ordering, UserQuery};
    let (engine, _, _) = staff_only().await?;
    let query = UserQuery {
        search,
        email_verified: flag(&verified),
        is_active: flag(&active),
        is_staff: flag(&staff),
        has_2fa: flag(&two_factor),
        joined_after: None,
        joined_before: None,
        ordering: ordering.as_deref().and_then(Ordering::parse).unwrap_or_default(),
        cursor,
        page_size: 25,
    };
    engine.admin_list_users(&query).await.map_err(refused)
}

/// One account in full.
#[server(prefix = "/fn", endpoint = "admin_user")]
pub async fn admin_user(id: i32) -> Result<AdminUserDetail, ServerFnError> {
    let (engine, _, _) = staff_only().await?;
    engine.admin_user(id).await.map_err(refused)
}

/// The audit trail, newest first (`before`: an event id).
#[server(prefix = "/fn", endpoint = "admin_audit")]
pub async fn admin_audit(
    user: Option<i32>,
    kind: Option<String>,
    before: Option<i32>,
) -> Result<Vec<ActivityItem>, ServerFnError> {
    use crate::core::repo::audit::EventFilter;
    let (engine, _, _) = staff_only().await?;
    let kind = kind.filter(|k| crate::core::audit::EventKind::parse(k).is_some());
    let filter = EventFilter { user_id: user, kind, before_id: before, ..EventFilter::default() };
    engine.audit_events(&filter, 50).await.map_err(refused)
}

/// "Confirm it is you": the password (and a code with two-factor on).
#[server(prefix = "/fn", endpoint = "admin_reauthenticate")]
pub async fn admin_reauthenticate(
    back: String,
    password: String,
    code: Option<String>,
) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::flows::Credential;
    let engine = forms::engine()?;
    let (user, session) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let credential = Credential::Session(session::stored_key(&engine, &session).unwrap_or_default());
    let result = match engine.require_staff(&user) {
        Ok(()) => engine
            .reauthenticate(&user, &credential, Some(secrecy::SecretString::from(password)), code, &client)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    let back = crate::core::redirect::safe_next(&back, &engine.config().public_url)
        .filter(|p| p.starts_with(crate::shared::routes::ADMIN))
        .unwrap_or_else(|| crate::shared::routes::ADMIN.to_owned());
    let sep = if back.contains('?') { '&' } else { '?' };
    forms::finish(result, &[], &format!("{back}{sep}notice=reauthenticated"))
}

/// One of the account page's actions, confirmed by its checkbox.
#[server(prefix = "/fn", endpoint = "admin_act")]
pub async fn admin_act(id: i32, action: String, confirm: Option<String>) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::codes::Code;
    use crate::core::flows::admin::Staff;
    use crate::core::flows::Credential;
    use crate::core::FlowError;
    let engine = forms::engine()?;
    let (user, session) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let credential = Credential::Session(session::stored_key(&engine, &session).unwrap_or_default());
    let staff = Staff { user: &user, credential: &credential, client: &client };
    let page = format!("{}/users/{id}", crate::shared::routes::ADMIN);
    if confirm.as_deref() != Some("yes") {
        return forms::finish(Err(FlowError::field("confirm", Code::Required)), &[], &page);
    }
    let result = match action.as_str() {
        "deactivate" => engine.admin_set_active(&staff, id, false).await,
        "reactivate" => engine.admin_set_active(&staff, id, true).await,
        "send-password-reset" => engine.admin_send_reset(&staff, id).await,
        "resend-verification" => engine.admin_resend_verification(&staff, id).await,
        "revoke-sessions" => engine.admin_revoke_sessions(&staff, id).await,
        "reset-2fa" => engine.admin_reset_mfa(&staff, id).await,
        "delete" => {
            let r = engine.admin_delete_user(&staff, id).await;
            return forms::finish(r, &[], &format!("{}?notice=admin_deleted", crate::shared::routes::ADMIN));
        }
        _ => Err(FlowError::NotFound),
    };
    // the action in the address: a second action's answer is a new page, read afresh
    forms::finish(result, &[], &format!("{page}?notice=admin_done&after={action}"))
}

/// Names and flags of one account.
#[server(prefix = "/fn", endpoint = "admin_edit")]
pub async fn admin_edit(
    id: i32,
    first_name: String,
    last_name: String,
    is_staff: Option<String>,
    email_verified: Option<String>,
    was_staff: Option<String>,
    was_verified: Option<String>,
) -> Result<FormState, ServerFnError> {
    use super::{forms, session};
    use crate::core::flows::admin::{AdminChanges, Staff};
    use crate::core::flows::Credential;
    let engine = forms::engine()?;
    let (user, session) = forms::require_user(&engine).await?;
    let client = forms::client(&engine).await;
    let credential = Credential::Session(session::stored_key(&engine, &session).unwrap_or_default());
    let staff = Staff { user: &user, credential: &credential, client: &client };
    // an unticked box is absent from the form: off. Only a box the admin
    // changed is a change: a page loaded before someone else's change must
    // not undo it when saved for a name
    let ticked = |now: &Option<String>, was: &Option<String>| {
        let now = now.is_some();
        (now != (was.as_deref() == Some("on"))).then_some(now)
    };
    let changes = AdminChanges {
        first_name: Some(first_name.clone()),
        last_name: Some(last_name.clone()),
        is_active: None,
        is_staff: ticked(&is_staff, &was_staff),
        email_verified: ticked(&email_verified, &was_verified),
    };
    let result = engine.admin_update_user(&staff, id, changes).await.map(|_| ());
    let page = format!("{}/users/{id}", crate::shared::routes::ADMIN);
    forms::finish(
        result,
        &[("first_name", first_name.as_str()), ("last_name", last_name.as_str())],
        &format!("{page}?notice=admin_done&after=edit"),
    )
}

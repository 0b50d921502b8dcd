//! `/api/admin/`: the admin JSON API, for staff only (token, JWT or browser
//! session). Reads need a staff account; every change also needs a
//! password or second factor entered within the last minutes
//! (`reauthenticate/`), and is written to the audit trail. Errors in DRF's
//! shapes: 401 without credentials, 403 `{"detail", "code"}` for non-staff
//! callers or a missing re-authentication, 404 for an unknown account.

use super::auth::Authed;
use super::client::ClientOf;
use super::error::{ApiError, ApiResult};
use super::payload::Payload;
use crate::state::AppState;
use app::core::codes::{Code, Problems};
use app::core::flows::admin::{AdminChanges, Ordering, Staff, UserQuery};
use app::core::flows::throttle::Client;
use app::core::repo::audit::EventFilter;
use app::core::FlowError;
use app::shared::admin::{AdminUserDetail, AdminUserPage};
use app::shared::user::ActivityItem;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Value};

/// Query-string parameters, with DRF-shaped errors per parameter.
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
    pub(crate) errors: Problems,
}

impl Params {
    pub(crate) fn new(raw: Option<String>) -> Self {
        let pairs =
            serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or("")).unwrap_or_default();
        Self { pairs, errors: Problems::new() }
    }

    pub(crate) fn text(&mut self, name: &str) -> Option<String> {
        let v = self.pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned())?;
        if v.contains('\0') {
            self.errors.add(name, Code::NullCharacters);
            return None;
        }
        Some(v).filter(|v| !v.is_empty())
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.text(name)?.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => {
                self.errors.add(name, Code::NotABoolean);
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, name: &str) -> Option<i64> {
        let raw = self.text(name)?;
        match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.errors.add(name, Code::NotAnInteger);
                None
            }
        }
    }

    /// A date (`2026-01-31`, midnight UTC) or an RFC 3339 time, as Unix seconds.
    fn time(&mut self, name: &str) -> Option<i64> {
        use time::format_description::well_known::Rfc3339;
        let raw = self.text(name)?;
        let parsed = time::OffsetDateTime::parse(&raw, &Rfc3339).map(|t| t.unix_timestamp()).or_else(|_| {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(&raw, &format).map(|d| d.midnight().assume_utc().unix_timestamp())
        });
        match parsed {
            Ok(t) => Some(t),
            Err(_) => {
                self.errors.add(name, Code::InvalidValue);
                None
            }
        }
    }

    pub(crate) fn page_size(&mut self) -> u64 {
        match self.integer("page_size") {
            Some(n) if (1..=100).contains(&n) => n as u64,
            Some(_) => {
                self.errors.add("page_size", Code::InvalidValue);
                25
            }
            None => 25,
        }
    }

    pub(crate) fn finish(self) -> Result<(), ApiError> {
        self.errors.into_result().map_err(|p| ApiError::Flow(FlowError::Invalid(p)))
    }
}

/// A staff caller, for reads.
fn staff(state: &AppState, authed: &Authed) -> ApiResult<()> {
    Ok(state.engine.require_staff(&authed.user)?)
}

fn acting<'a>(authed: &'a Authed, client: &'a Client) -> Staff<'a> {
    Staff { user: &authed.user, credential: &authed.credential, client }
}

/// An account id from the path (anything else is not found).
fn user_id(raw: &str) -> ApiResult<i32> {
    raw.parse::<i32>().ok().filter(|n| *n > 0).ok_or(ApiError::Flow(FlowError::NotFound))
}

/// POST `reauthenticate/`: `{password}` or `{code}` (a TOTP code) →
/// `{"detail", "valid_until"}`; admin changes are allowed until then.
async fn reauthenticate(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    mut p: Payload,
) -> ApiResult<Json<Value>> {
    staff(&state, &authed)?;
    let password = p.optional_secret("password");
    let code = p.optional("code");
    p.finish()?;
    let until = state.engine.reauthenticate(&authed.user, &authed.credential, password, code, &client).await?;
    Ok(Json(json!({ "detail": "Identity confirmed.", "valid_until": app::core::rfc3339(until) })))
}

/// GET `users/`: `search`, `email_verified`, `is_active`, `is_staff`,
/// `has_2fa`, `joined_after`, `joined_before`, `ordering`, `cursor`,
/// `page_size` → `{"results", "next_cursor"}`.
async fn list(
    State(state): State<AppState>,
    authed: Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<AdminUserPage>> {
    staff(&state, &authed)?;
    let mut q = Params::new(raw);
    let ordering = match q.text("ordering") {
        None => Ordering::default(),
        Some(o) => Ordering::parse(&o).unwrap_or_else(|| {
            q.errors.add("ordering", Code::UnknownChoice);
            Ordering::default()
        }),
    };
    let query = UserQuery {
        search: q.text("search"),
        email_verified: q.boolean("email_verified"),
        is_active: q.boolean("is_active"),
        is_staff: q.boolean("is_staff"),
        has_2fa: q.boolean("has_2fa"),
        joined_after: q.time("joined_after"),
        joined_before: q.time("joined_before"),
        ordering,
        cursor: q.text("cursor"),
        page_size: q.page_size(),
    };
    q.finish()?;
    Ok(Json(state.engine.admin_list_users(&query).await?))
}

/// GET `users/{id}/`: the account in full.
async fn detail(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminUserDetail>> {
    staff(&state, &authed)?;
    Ok(Json(state.engine.admin_user(user_id(&id)?).await?))
}

/// PATCH `users/{id}/`: `first_name`, `last_name`, `is_active`, `is_staff`,
/// `email_verified` (others are ignored, as DRF does).
async fn update(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    Path(id): Path<String>,
    mut p: Payload,
) -> ApiResult<Json<AdminUserDetail>> {
    staff(&state, &authed)?;
    let id = user_id(&id)?;
    let flag = |p: &mut Payload, name: &str| p.has(name).then(|| p.boolean(name, false));
    let changes = AdminChanges {
        first_name: p.optional("first_name"),
        last_name: p.optional("last_name"),
        is_active: flag(&mut p, "is_active"),
        is_staff: flag(&mut p, "is_staff"),
        email_verified: flag(&mut p, "email_verified"),
    };
    p.finish()?;
    Ok(Json(state.engine.admin_update_user(&acting(&authed, &client), id, changes).await?))
}

/// DELETE `users/{id}/`: 204.
async fn delete(
    State(state): State<AppState>,
    ClientOf(client): ClientOf,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    staff(&state, &authed)?;
    state.engine.admin_delete_user(&acting(&authed, &client), user_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The POST actions on one account: `{"detail": ...}`.
async fn action(
    state: &AppState,
    authed: &Authed,
    client: &Client,
    id: &str,
    what: &'static str,
) -> ApiResult<Json<Value>> {
    staff(state, authed)?;
    let id = user_id(id)?;
    let engine = &state.engine;
    let by = acting(authed, client);
    let detail = match what {
        "deactivate" => {
            engine.admin_set_active(&by, id, false).await?;
            "The account was deactivated and signed out everywhere."
        }
        "reactivate" => {
            engine.admin_set_active(&by, id, true).await?;
            "The account was reactivated."
        }
        "send-password-reset" => {
            engine.admin_send_reset(&by, id).await?;
            "A password reset email was sent."
        }
        "resend-verification" => {
            engine.admin_resend_verification(&by, id).await?;
            "A verification email was sent."
        }
        "revoke-sessions" => {
            engine.admin_revoke_sessions(&by, id).await?;
            "Every session, token and JWT of the account was ended."
        }
        "reset-2fa" => {
            engine.admin_reset_mfa(&by, id).await?;
            "Two-factor authentication was turned off; the owner was told by email."
        }
        _ => return Err(ApiError::Flow(FlowError::NotFound)),
    };
    Ok(Json(json!({ "detail": detail })))
}

macro_rules! actions {
    ($($name:ident => $what:literal),* $(,)?) => {
        $(
            async fn $name(
                State(state): State<AppState>,
                ClientOf(client): ClientOf,
                authed: Authed,
                Path(id): Path<String>,
            ) -> ApiResult<Json<Value>> {
                action(&state, &authed, &client, &id, $what).await
            }
        )*
    };
}

actions!(
    deactivate => "deactivate",
    reactivate => "reactivate",
    send_reset => "send-password-reset",
    resend_verification => "resend-verification",
    revoke_sessions => "revoke-sessions",
    reset_mfa => "reset-2fa",
);

/// GET `audit/`: `user`, `actor`, `kind`, `cursor` (an event id: older
/// ones follow), `page_size` → `{"results", "next_cursor"}`.
async fn audit(State(state): State<AppState>, authed: Authed, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    staff(&state, &authed)?;
    let mut q = Params::new(raw);
    let user = q.integer("user");
    let actor = q.integer("actor");
    let kind = q.text("kind");
    if kind.as_deref().is_some_and(|k| app::core::audit::EventKind::parse(k).is_none()) {
        q.errors.add("kind", Code::UnknownChoice);
    }
    let cursor = q.integer("cursor");
    let size = q.page_size();
    q.finish()?;
    let narrow = |v: Option<i64>| v.map(|n| i32::try_from(n).unwrap_or(-1));
    let filter =
        EventFilter { user_id: narrow(user), actor_id: narrow(actor), kind, before_id: narrow(cursor), since: None };
    Ok(Json(page(state.engine.audit_events(&filter, size).await?, size)))
}

/// `{"results", "next_cursor"}` of a page of events.
pub(crate) fn page(events: Vec<ActivityItem>, size: u64) -> Value {
    let next = (events.len() as u64 >= size).then(|| events.last().map(|e| e.id.to_string())).flatten();
    json!({ "results": events, "next_cursor": next })
}

/// Routes under `/api/admin`; each answers with and without its trailing slash.
pub fn router() -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 10] = [
        ("/reauthenticate", post(reauthenticate)),
        ("/users", get(list)),
        ("/users/{id}", get(detail).patch(update).delete(delete)),
        ("/users/{id}/deactivate", post(deactivate)),
        ("/users/{id}/reactivate", post(reactivate)),
        ("/users/{id}/send-password-reset", post(send_reset)),
        ("/users/{id}/resend-verification", post(resend_verification)),
        ("/users/{id}/revoke-sessions", post(revoke_sessions)),
        ("/users/{id}/reset-2fa", post(reset_mfa)),
        ("/audit", get(audit)),
    ];
    let mut r = Router::new();
    for (path, route) in routes {
        r = super::both(r, path, super::signed_in(route));
    }
    r.fallback(super::not_found).layer(axum::extract::DefaultBodyLimit::max(super::BODY_LIMIT))
}

//! The admin pages (staff only): the account list with search, filters and
//! pages; one account with its actions, each behind a confirmation box; the
//! audit trail with filters. Plain GET forms and POST forms, so everything
//! works before (and without) the wasm; changes need the password confirmed
//! on this session in the last minutes (the form for it is on each page).

use crate::api::admin::{admin_audit, admin_user, admin_users, AdminAct, AdminEdit, AdminReauthenticate};
use crate::shared::admin::{AdminUserDetail, AdminUserItem};
use crate::shared::routes;
use crate::shared::user::ActivityItem;
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `2026-12-04 17:35` of an RFC 3339 time.
fn short(rfc3339: &str) -> String {
    rfc3339.replace('T', " ").chars().take(16).collect()
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// "Confirm it is you": the password (and a code with two-factor on).
#[component]
fn Reauthenticate(back: String) -> impl IntoView {
    let action = ServerAction::<AdminReauthenticate>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <details class="reauth" data-testid="reauth">
            <summary>"Confirm it is you (needed for changes, lasts 10 minutes)"</summary>
            <ActionForm action=action attr:data-testid="reauth-form">
                <input type="hidden" name="back" value=back/>
                <FormErrors state/>
                <Field name="password" label="Your password" kind="password" autocomplete="current-password" state/>
                <Field name="code" label="Two-factor code (if it is on)" state required=false inputmode="numeric" autocomplete="one-time-code"/>
                <Submit label="Confirm" pending=action.pending() testid="reauth-submit"/>
            </ActionForm>
        </details>
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! {
        <Title text="Accounts · Admin"/>
        <RequireAccount render=|_| view! { <UserList/> }/>
    }
}

#[component]
fn UserList() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let page = Resource::new(
        move || {
            (
                get("search"),
                get("active"),
                get("staff"),
                get("verified"),
                get("two_factor"),
                get("ordering"),
                get("cursor"),
            )
        },
        |(search, active, staff, verified, two_factor, ordering, cursor)| {
            admin_users(search, active, staff, verified, two_factor, ordering, cursor)
        },
    );
    let select = move |name: &'static str, label: &'static str| {
        let current = get(name).unwrap_or_default();
        view! {
            <div class="field">
                <label for=format!("filter-{name}")>{label}</label>
                <select id=format!("filter-{name}") name=name data-testid=format!("filter-{name}")>
                    <option value="" selected=current.is_empty()>"Any"</option>
                    <option value="true" selected=current == "true">"Yes"</option>
                    <option value="false" selected=current == "false">"No"</option>
                </select>
            </div>
        }
    };
    view! {
        <section class="card wide">
            <h1>"Accounts"</h1>
            <Notice/>
            <p><a href=routes::ADMIN_AUDIT data-testid="link-audit">"Audit trail"</a></p>
            <form method="get" action=routes::ADMIN class="filters" data-testid="user-search">
                <div class="field">
                    <label for="filter-search">"Search username, email or name"</label>
                    <input id="filter-search" name="search" type="search" maxlength="100" value=move || get("search").unwrap_or_default() data-testid="input-search"/>
                </div>
                {select("active", "Active")}
                {select("verified", "Email verified")}
                {select("staff", "Staff")}
                {select("two_factor", "Two-factor on")}
                <div class="field">
                    <label for="filter-ordering">"Sort by"</label>
                    <select id="filter-ordering" name="ordering">
                        <option value="id">"Oldest first"</option>
                        <option value="-id" selected=move || get("ordering").as_deref() == Some("-id")>"Newest first"</option>
                        <option value="username" selected=move || get("ordering").as_deref() == Some("username")>"Username"</option>
                    </select>
                </div>
                <button type="submit" data-testid="search-submit">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <p class="errors" role="alert" data-testid="admin-denied">{e.to_string().trim_start_matches("error running server function: ").to_owned()}</p> }.into_any(),
                        Ok(p) => {
                            let next = p.next_cursor.clone().map(|c| {
                                let q = query.read();
                                let mut parts: Vec<String> = ["search", "active", "staff", "verified", "two_factor", "ordering"]
                                    .iter()
                                    .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", urlencode(&v))))
                                    .collect();
                                parts.push(format!("cursor={}", urlencode(&c)));
                                format!("{}?{}", routes::ADMIN, parts.join("&"))
                            });
                            view! {
                                <table class="admin-table" data-testid="user-table">
                                    <thead><tr><th>"Username"</th><th>"Email"</th><th>"Name"</th><th>"Active"</th><th>"Verified"</th><th>"Staff"</th><th>"2FA"</th><th>"Joined"</th></tr></thead>
                                    <tbody>
                                        {p.results.into_iter().map(|u| view! { <UserRow u/> }).collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|href| view! { <p><a href=href rel="next" data-testid="next-page">"Next page"</a></p> })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn UserRow(u: AdminUserItem) -> impl IntoView {
    let href = format!("{}/users/{}", routes::ADMIN, u.id);
    view! {
        <tr data-testid="user-row">
            <td><a href=href data-testid="user-link">{u.username}</a></td>
            <td>{u.email}</td>
            <td>{format!("{} {}", u.first_name, u.last_name).trim().to_owned()}</td>
            <td>{yes_no(u.is_active)}</td>
            <td>{yes_no(u.email_verified)}</td>
            <td>{yes_no(u.is_staff)}</td>
            <td>{yes_no(u.has_2fa)}</td>
            <td>{short(&u.date_joined)}</td>
        </tr>
    }
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    view! {
        <Title text="Account · Admin"/>
        <RequireAccount render=|_| view! { <UserDetail/> }/>
    }
}

#[component]
fn UserDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i32>().ok()).unwrap_or(0);
    let detail = Resource::new(id, admin_user);
    view! {
        <section class="card wide">
            <p><a href=routes::ADMIN>"← Accounts"</a></p>
            <Notice/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <p class="errors" role="alert" data-testid="admin-denied">{e.to_string().trim_start_matches("error running server function: ").to_owned()}</p> }.into_any(),
                        Ok(d) => view! { <DetailView d/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DetailView(d: AdminUserDetail) -> impl IntoView {
    let u = d.user.clone();
    let id = u.id;
    let back = format!("{}/users/{id}", routes::ADMIN);
    let edit = ServerAction::<AdminEdit>::new();
    let edit_state = use_form_state(move || edit.value().get());
    let actions: Vec<(&'static str, &'static str, &'static str)> = [
        (!u.is_active, "reactivate", "Reactivate the account"),
        (u.is_active, "deactivate", "Deactivate (signs it out everywhere)"),
        (u.is_active, "send-password-reset", "Email a password reset link"),
        (u.is_active && !u.email_verified, "resend-verification", "Email a new verification link"),
        (true, "revoke-sessions", "Sign out every session, token and JWT"),
        (d.mfa_enabled, "reset-2fa", "Turn two-factor off (after checking who asks)"),
        (true, "delete", "Delete the account"),
    ]
    .into_iter()
    .filter(|(show, _, _)| *show)
    .map(|(_, a, l)| (a, l, if a == "delete" { "danger" } else { "secondary" }))
    .collect();
    view! {
        <h1 data-testid="admin-username">{u.username.clone()}</h1>
        <dl class="facts">
            <dt>"Email"</dt><dd data-testid="admin-email">{u.email.clone()} {if u.email_verified { " (verified)" } else { " (not verified)" }}</dd>
            <dt>"Active"</dt><dd data-testid="admin-active">{yes_no(u.is_active)}</dd>
            <dt>"Staff"</dt><dd>{yes_no(u.is_staff)}</dd>
            <dt>"Two-factor"</dt><dd data-testid="admin-2fa">{if d.mfa_enabled { "on" } else { "off" }}</dd>
            <dt>"Joined"</dt><dd>{short(&u.date_joined)}</dd>
            <dt>"Last sign-in"</dt><dd>{u.last_login.as_deref().map(short).unwrap_or_else(|| "never".to_owned())}</dd>
            <dt>"Passkeys"</dt><dd>{d.passkeys.len()}</dd>
            <dt>"Social accounts"</dt><dd>{d.social_accounts.iter().map(|s| s.provider.clone()).collect::<Vec<_>>().join(", ")}</dd>
        </dl>
        <Reauthenticate back=back.clone()/>
        <h2>"Actions"</h2>
        <div class="admin-actions">
            {actions.into_iter().map(|(action, label, class)| view! { <ActionButton id action label class/> }).collect_view()}
        </div>
        <h2>"Names and flags"</h2>
        <ActionForm action=edit attr:data-testid="admin-edit-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="was_staff" value=if u.is_staff { "on" } else { "off" }/>
            <input type="hidden" name="was_verified" value=if u.email_verified { "on" } else { "off" }/>
            <FormErrors state=edit_state/>
            <Field name="first_name" label="First name" state=edit_state initial=u.first_name.clone() required=false/>
            <Field name="last_name" label="Last name" state=edit_state initial=u.last_name.clone() required=false/>
            <div class="field checkbox">
                <input id="edit-staff" type="checkbox" name="is_staff" value="on" checked=u.is_staff data-testid="input-is_staff"/>
                <label for="edit-staff">"Staff (may use these pages)"</label>
            </div>
            <div class="field checkbox">
                <input id="edit-verified" type="checkbox" name="email_verified" value="on" checked=u.email_verified/>
                <label for="edit-verified">"Email address verified"</label>
            </div>
            <Submit label="Save" pending=edit.pending() testid="admin-edit-submit"/>
        </ActionForm>
        <h2>"Devices"</h2>
        <ul class="sessions" data-testid="admin-devices">
            {d.devices.into_iter().map(|dv| view! {
                <li><strong title=dv.user_agent.clone()>{dv.device}</strong><span class="muted">" · " {dv.kind} " · since " {short(&dv.created)}</span></li>
            }).collect_view()}
        </ul>
        <h2>"Recent events"</h2>
        <EventList events=d.recent_events/>
        <p><a href=format!("{}?user={id}", routes::ADMIN_AUDIT)>"All of this account's events"</a></p>
    }
}

/// One action: a form with its confirmation box, so a stray click (or a
/// form without JavaScript) never acts unconfirmed.
#[component]
fn ActionButton(id: i32, action: &'static str, label: &'static str, class: &'static str) -> impl IntoView {
    let act = ServerAction::<AdminAct>::new();
    let state = use_form_state(move || act.value().get());
    let box_id = format!("confirm-{action}");
    view! {
        <ActionForm action=act attr:class="admin-action" attr:data-testid=format!("action-{action}")>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="action" value=action/>
            <FormErrors state/>
            <div class="field checkbox">
                <input id=box_id.clone() type="checkbox" name="confirm" value="yes" required=true data-testid=format!("confirm-{action}")/>
                <label for=box_id>"Yes, I am sure"</label>
            </div>
            {move || {
                let errs = state.get().errors_for("confirm");
                (!errs.is_empty()).then(|| view! { <p class="error">"Tick the box to confirm."</p> })
            }}
            <button type="submit" class=class disabled=move || act.pending().get() data-testid=format!("do-{action}")>{label}</button>
        </ActionForm>
    }
}

#[component]
fn EventList(events: Vec<ActivityItem>) -> impl IntoView {
    view! {
        <ul class="sessions" data-testid="admin-events">
            {events.into_iter().map(|e| {
                let by = e.actor_id.map(|a| format!(" · by staff #{a}")).unwrap_or_default();
                let who = e.user_id.map(|u| format!(" · account #{u}")).unwrap_or_else(|| " · no account".to_owned());
                let place = e.ip_address.clone().unwrap_or_default();
                view! {
                    <li data-testid="admin-event" data-kind=e.kind.clone()>
                        <strong>{e.description.clone()}</strong>
                        <span class="muted">" · " {short(&e.created_at)} {who} {by} " · " {e.device.clone()} " " {place}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! {
        <Title text="Audit trail · Admin"/>
        <RequireAccount render=|_| view! { <AuditList/> }/>
    }
}

#[component]
fn AuditList() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let events = Resource::new(
        move || {
            (
                get("user").and_then(|v| v.parse::<i32>().ok()),
                get("kind"),
                get("before").and_then(|v| v.parse::<i32>().ok()),
            )
        },
        |(user, kind, before)| admin_audit(user, kind, before),
    );
    view! {
        <section class="card wide">
            <h1>"Audit trail"</h1>
            <p><a href=routes::ADMIN>"← Accounts"</a></p>
            <form method="get" action=routes::ADMIN_AUDIT class="filters" data-testid="audit-filter">
                <div class="field">
                    <label for="filter-user">"Account id"</label>
                    <input id="filter-user" name="user" type="number" min="1" value=move || get("user").unwrap_or_default()/>
                </div>
                <div class="field">
                    <label for="filter-kind">"Event"</label>
                    <input id="filter-kind" name="kind" type="text" placeholder="sign_in.failed" value=move || get("kind").unwrap_or_default() data-testid="input-kind"/>
                </div>
                <button type="submit">"Filter"</button>
            </form>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Err(e) => view! { <p class="errors" role="alert" data-testid="admin-denied">{e.to_string().trim_start_matches("error running server function: ").to_owned()}</p> }.into_any(),
                        Ok(list) => {
                            let next = (list.len() >= 50).then(|| list.last().map(|e| e.id)).flatten().map(|last| {
                                let mut q = vec![format!("before={last}")];
                                if let Some(u) = get("user") { q.push(format!("user={}", urlencode(&u))); }
                                if let Some(k) = get("kind") { q.push(format!("kind={}", urlencode(&k))); }
                                format!("{}?{}", routes::ADMIN_AUDIT, q.join("&"))
                            });
                            view! {
                                <EventList events=list/>
                                {next.map(|href| view! { <p><a href=href rel="next">"Older events"</a></p> })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

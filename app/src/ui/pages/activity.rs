//! "Security activity": the signed-in user's recent security events (sign-ins,
//! failed attempts, changes), with where and from what they came.

use crate::api::account::my_activity;
use crate::ui::components::account::RequireAccount;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ActivityPage() -> impl IntoView {
    view! {
        <Title text="Security activity"/>
        <RequireAccount render=|_| view! { <ActivityList/> }/>
    }
}

/// `2026-12-04 17:35 UTC` of an RFC 3339 time.
fn when(rfc3339: &str) -> String {
    let (date, rest) = rfc3339.split_once('T').unwrap_or((rfc3339, ""));
    format!("{date} {} UTC", rest.get(..5).unwrap_or(""))
}

#[component]
fn ActivityList() -> impl IntoView {
    let events = Resource::new(|| (), |_| my_activity());
    view! {
        <section class="card">
            <h1>"Security activity"</h1>
            <p class="muted">"The last 50 sign-ins and changes to your account. If something here was not you, change your password and sign out your other sessions."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = events.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p data-testid="activity-empty">"Nothing yet."</p> }.into_any();
                    }
                    view! {
                        <ul class="sessions" data-testid="activity-list">
                            {list.into_iter().map(|e| {
                                let failed = e.kind.ends_with(".failed");
                                // events made by following an emailed link have no browser or address
                                let mut parts = vec![when(&e.created_at)];
                                if !e.user_agent.is_empty() {
                                    parts.push(e.device.clone());
                                }
                                parts.extend(e.ip_address.clone());
                                view! {
                                    <li data-testid="activity" data-kind=e.kind.clone() class:warn=failed>
                                        <strong>{e.description.clone()}</strong>
                                        <span class="muted">" · " {parts.join(" · ")}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_plainly() {
        assert_eq!(super::when("2026-12-04T17:35:09Z"), "2026-12-04 17:35 UTC");
    }
}

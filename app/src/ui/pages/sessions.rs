//! The signed-in user's browser sessions, with "log out other sessions".

use crate::api::account::{my_sessions, LogoutOtherSessions};
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, FormErrors, Notice, Submit};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SessionsPage() -> impl IntoView {
    view! {
        <Title text="Your sessions"/>
        <RequireAccount render=|_| view! { <SessionList/> }/>
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp; the same on server and browser.
fn day(ts: i64) -> String {
    // Howard Hinnant's civil-from-days
    let z = ts.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_are_calendar_dates() {
        assert_eq!(super::day(0), "1970-01-01");
        assert_eq!(super::day(951_782_400), "2000-02-29");
        assert_eq!(super::day(1_795_416_626), "2026-11-23");
    }
}

#[component]
fn SessionList() -> impl IntoView {
    let action = ServerAction::<LogoutOtherSessions>::new();
    let state = use_form_state(move || action.value().get());
    let sessions = Resource::new(move || action.version().get(), |_| my_sessions());
    view! {
        <section class="card">
            <h1>"Your sessions"</h1>
            <Notice/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = sessions.await.unwrap_or_default();
                    view! {
                        <ul class="sessions" data-testid="session-list">
                            {list.into_iter().map(|s| view! {
                                <li data-testid="session">
                                    <strong title=s.user_agent.clone()>{s.device.clone()}</strong>
                                    <span class="muted">" · signed in on " {day(s.created_at)}</span>
                                    {s.current.then(|| view! { <span class="badge">" this browser"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })}
                <ActionForm action=action attr:data-testid="logout-others-form">
                    <p class="muted">"Also signs out every app that uses an API token or JWT of your account."</p>
                    <FormErrors state/>
                    <Submit label="Log out other sessions" pending=action.pending()/>
                </ActionForm>
            </Suspense>
        </section>
    }
}

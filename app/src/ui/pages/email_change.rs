//! Change email: ask (new address + password), then the landing page of the
//! confirmation link sent to the new address.

use crate::api::auth::LinkOutcome;
use crate::api::profile::{confirm_email_change, ChangeEmail};
use crate::shared::routes;
use crate::shared::user::AccountView;
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Submit};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EmailChangePage() -> impl IntoView {
    view! {
        <Title text="Change your email · Latchkey"/>
        <RequireAccount render=|account: AccountView| view! { <EmailChangeForm current=account.user.email/> }/>
    }
}

#[component]
fn EmailChangeForm(current: String) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <section class="card">
            <h1>"Change your email address"</h1>
            <p class="muted">"Your address is " <strong>{current}</strong> ". We will send a link to the new one; it replaces the old one only when you follow it."</p>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="email-change-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="new_email" label="New email" kind="email" state autocomplete="email"/>
                    <Field name="password" label="Current password" kind="password" state autocomplete="current-password"/>
                    <p class="actions">
                        <Submit label="Send confirmation" pending=action.pending()/>
                        <a href=routes::PROFILE>"Cancel"</a>
                    </p>
                </ActionForm>
            </Suspense>
        </section>
    }
}

#[component]
pub fn ConfirmEmailChangePage() -> impl IntoView {
    let params = use_params_map();
    let outcome = Resource::new(move || params.read().get("key").unwrap_or_default(), confirm_email_change);
    view! {
        <Title text="Confirm your new email · Latchkey"/>
        <section class="card" data-testid="email-change-result">
            <Suspense fallback=|| view! { <p>"Confirming…"</p> }>
                {move || Suspend::new(async move {
                    match outcome.await {
                        Ok(LinkOutcome::Done) => view! {
                            <h1>"Email address changed"</h1>
                            <p class="notice" role="status">"Your account now uses the new address."</p>
                            <p><a class="button" href=routes::PROFILE>"Back to your profile"</a></p>
                        }.into_any(),
                        _ => view! {
                            <h1>"This link does not work"</h1>
                            <p class="errors">"It was already used, has expired, or the address was taken meanwhile."</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

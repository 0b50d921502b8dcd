//! Change email: ask (new address + password), then the landing page of the
//! confirmation link sent to the new address.

use crate::api::profile::{ChangeEmail, ConfirmEmailChange};
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
        <Title text="Change your email"/>
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

/// The landing page of a confirmation link: one button confirms. Following
/// the link alone (a mail scanner, a preview) changes nothing.
#[component]
pub fn ConfirmEmailChangePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let action = ServerAction::<ConfirmEmailChange>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <Title text="Confirm your new email"/>
        <section class="card" data-testid="email-change-result">
            <h1>"Confirm your new email address"</h1>
            <p>{format!("Press the button to make this address the one your {} account uses. If you did not ask for this, close this page: nothing changes until you confirm.", crate::shared::site::Site::current().site_name)}</p>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="email-change-confirm-form">
                    <FormErrors state hidden=&["key"]/>
                    <input type="hidden" name="key" value=key/>
                    <Submit label="Confirm the new address" pending=action.pending() testid="confirm"/>
                </ActionForm>
            </Suspense>
        </section>
    }
}

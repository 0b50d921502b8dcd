//! "Check your email" (with a resend form) and the landing page of the
//! verification link, whose button verifies.

use crate::api::auth::{ResendVerification, VerifyEmail};
use crate::shared::routes;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let action = ServerAction::<ResendVerification>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <Title text="Check your email"/>
        <section class="card">
            <h1>"Check your email"</h1>
            <Notice/>
            <p>"To finish signing up, follow the link in the email we sent you. It works once and expires in 3 days."</p>
            <h2>"Didn't get it?"</h2>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="resend-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="email" label="Your email" kind="email" state autocomplete="email"/>
                    <Submit label="Send it again" pending=action.pending()/>
                </ActionForm>
            </Suspense>
        </section>
    }
}

/// The landing page of a verification link: one button confirms. Following
/// the link alone (a mail scanner, a preview) changes nothing.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let action = ServerAction::<VerifyEmail>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <Title text="Verify your email"/>
        <section class="card" data-testid="verify-result">
            <h1>"Confirm your email address"</h1>
            <p>{format!("Press the button to confirm that this address is yours. If you did not sign up for {}, close this page: nothing happens until you confirm.", crate::shared::site::Site::current().site_name)}</p>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="verify-form">
                    <FormErrors state hidden=&["key"]/>
                    <input type="hidden" name="key" value=key/>
                    <Submit label="Confirm my address" pending=action.pending() testid="confirm"/>
                </ActionForm>
            </Suspense>
            <p class="muted"><a href=routes::VERIFY_EMAIL>"Send a new verification email"</a></p>
        </section>
    }
}

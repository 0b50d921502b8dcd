//! "Check your email" (with a resend form) and the landing page of the
//! verification link, which verifies and says so.

use crate::api::auth::{verify_email, LinkOutcome, ResendVerification};
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
        <Title text="Check your email · Latchkey"/>
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

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let params = use_params_map();
    let outcome = Resource::new(move || params.read().get("key").unwrap_or_default(), verify_email);
    view! {
        <Title text="Verify your email · Latchkey"/>
        <section class="card" data-testid="verify-result">
            <Suspense fallback=|| view! { <p>"Verifying…"</p> }>
                {move || Suspend::new(async move {
                    match outcome.await {
                        Ok(LinkOutcome::Done) => view! {
                            <h1>"Email verified"</h1>
                            <p class="notice" role="status">"Thank you: your address is confirmed."</p>
                            <p><a class="button" href=routes::LOGIN>"Log in"</a></p>
                        }.into_any(),
                        Ok(LinkOutcome::Invalid) => view! {
                            <h1>"This link does not work"</h1>
                            <p class="errors">"It was already used, has expired, or was copied incompletely."</p>
                            <p><a href=routes::VERIFY_EMAIL>"Send a new verification email"</a></p>
                        }.into_any(),
                        Err(_) => view! {
                            <h1>"Something went wrong"</h1>
                            <p>"Please try the link again in a moment."</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

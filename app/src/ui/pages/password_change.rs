//! Change password (signed in).

use crate::api::password::ChangePassword;
use crate::shared::routes;
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Submit};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PasswordChangePage() -> impl IntoView {
    view! {
        <Title text="Change your password"/>
        <RequireAccount render=|_| view! { <PasswordChangeForm/> }/>
    }
}

#[component]
fn PasswordChangeForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <section class="card">
            <h1>"Change your password"</h1>
            <p class="muted">"Your other sessions will be logged out."</p>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="password-change-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="old_password" label="Current password" kind="password" state autocomplete="current-password"/>
                    <Field name="new_password1" label="New password" kind="password" state autocomplete="new-password"/>
                    <Field name="new_password2" label="New password again" kind="password" state autocomplete="new-password"/>
                    <p class="actions">
                        <Submit label="Change password" pending=action.pending()/>
                        <a href=routes::PROFILE>"Cancel"</a>
                    </p>
                </ActionForm>
            </Suspense>
        </section>
    }
}

//! Sign-up page.

use crate::api::auth::Signup;
use crate::shared::routes;
use crate::ui::components::account::RedirectSignedIn;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Submit};
use crate::ui::components::social::SocialButtons;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <Title text="Sign up · Latchkey"/>
        <RedirectSignedIn/>
        <section class="card">
            <h1>"Create your account"</h1>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="signup-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="username" label="Username" state autocomplete="username"
                        hint="Letters, digits and @ . + - _ only."/>
                    <Field name="email" label="Email" kind="email" state autocomplete="email"/>
                    <Field name="password1" label="Password" kind="password" state autocomplete="new-password"
                        hint="At least 8 characters; not a common password."/>
                    <Field name="password2" label="Password again" kind="password" state autocomplete="new-password"/>
                    <p class="actions">
                        <Submit label="Sign up" pending=action.pending()/>
                    </p>
                </ActionForm>
            </Suspense>
            <SocialButtons/>
            <p class="muted">"Already have an account? " <a href=routes::LOGIN>"Log in"</a></p>
        </section>
    }
}

//! Log-in page (username or email), with `?next=` to come back to.

use crate::api::auth::Login;
use crate::shared::routes;
use crate::ui::components::account::RedirectSignedIn;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit};
use crate::ui::components::social::SocialButtons;
use crate::ui::pages::passkeys::PasskeySignIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let state = use_form_state(move || action.value().get());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Log in"/>
        <RedirectSignedIn/>
        <section class="card">
            <h1>"Log in"</h1>
            <Notice/>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="login-form" attr:novalidate="true">
                    <FormErrors state/>
                    <input type="hidden" name="next" value=next/>
                    <Field name="login" label=crate::shared::site::Site::current().login_label() state autocomplete="username webauthn"/>
                    <Field name="password" label="Password" kind="password" state autocomplete="current-password"/>
                    <p class="actions">
                        <Submit label="Log in" pending=action.pending()/>
                        <a href=routes::PASSWORD_RESET>"Forgot your password?"</a>
                    </p>
                </ActionForm>
            </Suspense>
            <PasskeySignIn/>
            <SocialButtons/>
            <p class="muted">
                "New here? " <a href=routes::SIGNUP>"Create an account"</a> " · "
                <a href=routes::VERIFY_EMAIL>"Resend the verification email"</a>
            </p>
        </section>
    }
}

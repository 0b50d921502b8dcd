//! The second step of a sign-in: a code from the authenticator app, or a
//! recovery code. Works without JavaScript (the choice is a link, the
//! submission a plain form post).

use crate::api::auth::VerifySignIn;
use crate::shared::routes;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Submit};
use crate::ui::pages::passkeys::PasskeySignIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginVerifyPage() -> impl IntoView {
    let action = ServerAction::<VerifySignIn>::new();
    let state = use_form_state(move || action.value().get());
    let query = use_query_map();
    let recovery = move || query.read().get("recovery").is_some();
    view! {
        <Title text="Two-factor sign-in"/>
        <section class="card">
            <h1>"Two-factor sign-in"</h1>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="verify-sign-in-form" attr:novalidate="true">
                    <FormErrors state/>
                    {move || if recovery() {
                        view! {
                            <p>"Enter one of your recovery codes. Each works once."</p>
                            <Field name="code" label="Recovery code" state autocomplete="off" hint="Like 1a2b-3c4d"/>
                        }.into_any()
                    } else {
                        view! {
                            <p>"Enter the code your authenticator app shows for this account."</p>
                            <Field name="code" label="Code" state autocomplete="one-time-code" inputmode="numeric"/>
                        }.into_any()
                    }}
                    <p class="actions">
                        <Submit label="Sign in" pending=action.pending()/>
                        {move || if recovery() {
                            view! { <a href=routes::LOGIN_VERIFY data-testid="use-app">"Use your authenticator app instead"</a> }.into_any()
                        } else {
                            view! { <a href=format!("{}?recovery=1", routes::LOGIN_VERIFY) data-testid="use-recovery">"Use a recovery code instead"</a> }.into_any()
                        }}
                    </p>
                </ActionForm>
            </Suspense>
            <PasskeySignIn/>
            <p class="muted"><a href=routes::LOGIN>"Start over"</a></p>
        </section>
    }
}

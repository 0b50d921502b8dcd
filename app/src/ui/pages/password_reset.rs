//! Forgot password (ask for a link) and reset password (from the link).

use crate::api::password::{check_reset_link, ForgotPassword, ResetPassword};
use crate::shared::routes;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <Title text="Forgot your password"/>
        <section class="card">
            <h1>"Forgot your password?"</h1>
            <Notice/>
            <p>"Enter your email and we will send you a link to choose a new password."</p>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="forgot-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="email" label="Email" kind="email" state autocomplete="email"/>
                    <Submit label="Send me a link" pending=action.pending()/>
                </ActionForm>
            </Suspense>
            <p class="muted"><a href=routes::LOGIN>"Back to log in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let uid = move || params.read().get("uid").unwrap_or_default();
    let token = move || params.read().get("token").unwrap_or_default();
    let live = Resource::new(move || (uid(), token()), |(u, t)| check_reset_link(u, t));
    let action = ServerAction::<ResetPassword>::new();
    let state = use_form_state(move || action.value().get());
    view! {
        <Title text="Choose a new password"/>
        <section class="card">
            <h1>"Choose a new password"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    if live.await.unwrap_or(false) {
                        view! {
                            <ActionForm action=action attr:data-testid="reset-form" attr:novalidate="true">
                                <FormErrors state hidden=&["uid", "token"]/>
                                <input type="hidden" name="uid" value=uid/>
                                <input type="hidden" name="token" value=token/>
                                <Field name="new_password1" label="New password" kind="password" state autocomplete="new-password"/>
                                <Field name="new_password2" label="New password again" kind="password" state autocomplete="new-password"/>
                                <Submit label="Set my password" pending=action.pending()/>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! {
                            <p class="errors" data-testid="reset-invalid">"This link is invalid or has expired."</p>
                            <p><a href=routes::PASSWORD_RESET>"Ask for a new link"</a></p>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

//! Sign-up page.

use crate::api::auth::Signup;
use crate::shared::profile::FieldKind;
use crate::shared::routes;
use crate::shared::site::Site;
use crate::ui::components::account::RedirectSignedIn;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Submit};
use crate::ui::components::profile_fields::ProfileFieldInput;
use crate::ui::components::social::SocialButtons;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let state = use_form_state(move || action.value().get());
    let site = Site::current();
    let username = match site.username.as_str() {
        "none" => None,
        "optional" => Some(
            view! {
                <Field name="username" label="Username (optional)" state autocomplete="username" required=false
                    hint="Letters, digits and @ . + - _ only. Leave it empty to have one made from your email."/>
            }
            .into_any(),
        ),
        _ => Some(
            view! {
                <Field name="username" label="Username" state autocomplete="username"
                    hint="Letters, digits and @ . + - _ only."/>
            }
            .into_any(),
        ),
    };
    let extra = site
        .fields
        .iter()
        .filter(|f| f.signup)
        .cloned()
        .map(|spec| {
            let initial = if spec.kind == FieldKind::Boolean { "false".to_owned() } else { String::new() };
            view! { <ProfileFieldInput spec state initial/> }
        })
        .collect_view();
    view! {
        <Title text="Sign up"/>
        <RedirectSignedIn/>
        <section class="card">
            <h1>"Create your account"</h1>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="signup-form" attr:novalidate="true">
                    <FormErrors state/>
                    {username}
                    {if site.email_required {
                        view! { <Field name="email" label="Email" kind="email" state autocomplete="email"/> }.into_any()
                    } else {
                        view! { <Field name="email" label="Email (optional)" kind="email" state autocomplete="email" required=false
                            hint="Without one, a forgotten password cannot be reset."/> }.into_any()
                    }}
                    <Field name="password1" label="Password" kind="password" state autocomplete="new-password"
                        hint="At least 8 characters; not a common password."/>
                    <Field name="password2" label="Password again" kind="password" state autocomplete="new-password"/>
                    {extra}
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

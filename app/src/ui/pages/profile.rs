//! The profile page: who you are, your details, your picture.

use crate::api::profile::UpdateProfile;
use crate::shared::routes;
use crate::shared::user::AccountView;
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit, TextAreaField};
use crate::ui::components::social::ConnectedAccounts;
use crate::ui::pages::passkeys::PasskeysSection;
use crate::ui::pages::two_factor::TwoFactorSection;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Your profile · Latchkey"/>
        <RequireAccount render=|account: AccountView| view! { <Profile account/> }/>
    }
}

#[component]
fn Profile(account: AccountView) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    let state = use_form_state(move || action.value().get());
    let avatar_errors = move || state.get().errors_for("avatar");
    let AccountView { user, profile, email_verified, .. } = account;
    view! {
        <section class="card" data-testid="profile">
            <h1>"Your profile"</h1>
            <Notice/>
            <div class="identity">
                {match profile.avatar.clone() {
                    Some(url) => view! { <img class="avatar" src=url alt="Your picture" data-testid="avatar-img"/> }.into_any(),
                    None => view! { <div class="avatar placeholder" aria-hidden="true">{user.username.chars().next().unwrap_or('?').to_uppercase().to_string()}</div> }.into_any(),
                }}
                <div>
                    <p><strong data-testid="profile-username">{user.username.clone()}</strong></p>
                    <p class="muted" data-testid="profile-email">
                        {user.email.clone()} " · "
                        {if email_verified { "verified" } else { "not verified yet" }}
                    </p>
                </div>
            </div>
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="profile-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="first_name" label="First name" state initial=user.first_name.clone() required=false autocomplete="given-name"/>
                    <Field name="last_name" label="Last name" state initial=user.last_name.clone() required=false autocomplete="family-name"/>
                    <Field name="company_name" label="Company" state initial=profile.company_name.clone() required=false autocomplete="organization"/>
                    <Field name="phone_number" label="Phone number" kind="tel" state initial=profile.phone_number.clone() required=false autocomplete="tel"/>
                    <TextAreaField name="bio" label="About you" state initial=profile.bio.clone()/>
                    <Submit label="Save profile" pending=action.pending()/>
                </ActionForm>
                <form method="post" action=routes::AVATAR_UPLOAD enctype="multipart/form-data" class="avatar-form" data-testid="avatar-form">
                    <div class="field">
                        <label for="field-avatar">"Picture"</label>
                        <span class="muted">"PNG, JPEG, GIF or WebP, up to 2 MB."</span>
                        <input id="field-avatar" type="file" name="avatar" accept="image/png,image/jpeg,image/gif,image/webp" required=true
                            aria-describedby="field-avatar-errors" data-testid="input-avatar"/>
                        <ul class="field-errors" id="field-avatar-errors" data-testid="error-avatar">
                            {move || avatar_errors().into_iter().map(|m| view! { <li class="error">{m}</li> }).collect_view()}
                        </ul>
                    </div>
                    <button type="submit" class="secondary" data-testid="avatar-submit">"Upload picture"</button>
                </form>
            </Suspense>
            <ConnectedAccounts/>
            <TwoFactorSection/>
            <PasskeysSection/>
            <h2>"Security"</h2>
            <ul class="links">
                <li><a href=routes::PASSWORD_CHANGE data-testid="link-password-change">"Change your password"</a></li>
                <li><a href=routes::EMAIL_CHANGE data-testid="link-email-change">"Change your email address"</a></li>
                <li><a href=routes::SESSIONS>"Your sessions"</a></li>
                <li><a href=routes::ACTIVITY data-testid="link-activity">"Security activity"</a></li>
            </ul>
        </section>
    }
}

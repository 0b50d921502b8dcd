//! The profile page: who you are, your details, your picture.

use crate::api::profile::UpdateProfile;
use crate::shared::forms::FormState;
use crate::shared::profile::{FieldKind, FieldSpec};
use crate::shared::routes;
use crate::shared::site::Site;
use crate::shared::user::AccountView;
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit};
use crate::ui::components::profile_fields::{ProfileFieldInput, ProfileFieldValue};
use crate::ui::components::social::ConnectedAccounts;
use crate::ui::pages::passkeys::PasskeysSection;
use crate::ui::pages::two_factor::TwoFactorSection;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Your profile"/>
        <RequireAccount render=|account: AccountView| view! { <Profile account/> }/>
    }
}

#[component]
fn Profile(account: AccountView) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    let state = use_form_state(move || action.value().get());
    let AccountView { user, profile, email_verified, .. } = account;
    let site = Site::current();
    let initial_letter = if site.has_usernames() { user.username.clone() } else { user.email.clone() };
    let picture = site.fields.iter().any(|f| f.name == "avatar" && f.kind == FieldKind::Image);
    let editable: Vec<FieldSpec> =
        site.fields.iter().filter(|f| f.editable && f.kind != FieldKind::Image).cloned().collect();
    let fixed: Vec<FieldSpec> =
        site.fields.iter().filter(|f| !f.editable && f.kind != FieldKind::Image).cloned().collect();
    let images: Vec<FieldSpec> =
        site.fields.iter().filter(|f| f.editable && f.kind == FieldKind::Image).cloned().collect();
    let initial = {
        let profile = profile.clone();
        move |spec: &FieldSpec| match spec.kind {
            FieldKind::Boolean => profile.flag(&spec.name).to_string(),
            _ => profile.text(&spec.name),
        }
    };
    let inputs = editable
        .into_iter()
        .map(|spec| {
            let value = initial(&spec);
            view! { <ProfileFieldInput spec state initial=value/> }
        })
        .collect_view();
    let shown = fixed
        .into_iter()
        .map(|spec| {
            let value = initial(&spec);
            view! { <ProfileFieldValue spec value/> }
        })
        .collect_view();
    let uploads = images
        .into_iter()
        .map(|spec| {
            let current = profile.image(&spec.name);
            view! { <ImageUpload spec state current/> }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="profile">
            <h1>"Your profile"</h1>
            <Notice/>
            <div class="identity">
                {match profile.image("avatar").filter(|_| picture) {
                    Some(url) => view! { <img class="avatar" src=url alt="Your picture" data-testid="avatar-img"/> }.into_any(),
                    None => view! { <div class="avatar placeholder" aria-hidden="true">{initial_letter.chars().next().unwrap_or('?').to_uppercase().to_string()}</div> }.into_any(),
                }}
                <div>
                    {site.has_usernames().then(|| view! { <p><strong data-testid="profile-username">{user.username.clone()}</strong></p> })}
                    <p class="muted" data-testid="profile-email">
                        {if user.email.is_empty() {
                            "No email address: add one to be able to reset your password.".to_owned()
                        } else {
                            format!("{} · {}", user.email, if email_verified { "verified" } else { "not verified yet" })
                        }}
                    </p>
                </div>
            </div>
            {shown}
            <Suspense fallback=|| ()>
                <ActionForm action=action attr:data-testid="profile-form" attr:novalidate="true">
                    <FormErrors state/>
                    <Field name="first_name" label="First name" state initial=user.first_name.clone() required=false autocomplete="given-name"/>
                    <Field name="last_name" label="Last name" state initial=user.last_name.clone() required=false autocomplete="family-name"/>
                    {inputs}
                    <Submit label="Save profile" pending=action.pending()/>
                </ActionForm>
                {uploads}
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

/// A picture upload for one image field: a plain multipart form post
/// (works without JavaScript); its errors come back sealed in the URL.
#[component]
fn ImageUpload(spec: FieldSpec, state: Signal<FormState>, current: Option<String>) -> impl IntoView {
    let name = spec.name.clone();
    let errors = {
        let name = name.clone();
        move || state.get().errors_for(&name)
    };
    let avatar = name == "avatar";
    // the avatar keeps its own test ids (it is shown at the top)
    let testid = |what: &str| if avatar { format!("{what}-avatar") } else { format!("{what}-{name}") };
    let form_id = if avatar { "avatar-form".to_owned() } else { format!("image-form-{name}") };
    let submit_id = if avatar { "avatar-submit".to_owned() } else { format!("image-submit-{name}") };
    let label = spec.label();
    let preview = current.filter(|_| !avatar).map(|url| {
        view! { <img class="avatar" src=url alt=label.clone() data-testid=format!("image-{}", spec.name)/> }
    });
    view! {
        <form method="post" action=routes::image_upload(&name) enctype="multipart/form-data" class="avatar-form" data-testid=form_id>
            <div class="field">
                <label for=format!("field-{name}")>{spec.label()}</label>
                <span class="muted">{if spec.help.is_empty() { "PNG, JPEG, GIF or WebP, up to 2 MB.".to_owned() } else { spec.help.clone() }}</span>
                {preview}
                <input id=format!("field-{name}") type="file" name=name.clone() accept="image/png,image/jpeg,image/gif,image/webp" required=true
                    aria-describedby=format!("field-{name}-errors") data-testid=testid("input")/>
                <ul class="field-errors" id=format!("field-{name}-errors") data-testid=testid("error")>
                    {move || errors().into_iter().map(|m| view! { <li class="error">{m}</li> }).collect_view()}
                </ul>
            </div>
            <button type="submit" class="secondary" data-testid=submit_id>{format!("Upload {}", spec.label().to_lowercase())}</button>
        </form>
    }
}

//! Passkeys on the pages: the profile's section (add with a name, rename,
//! delete, when added and last used) and the "Sign in with a passkey"
//! button of the log-in pages. The ceremonies need JavaScript
//! (`public/passkeys.js`, which finds these elements by their `data-`
//! attributes); without it the pages say so, and renaming, deleting and
//! password sign-in keep working as plain forms.

use crate::api::passkeys::{passkeys, passkeys_on, DeletePasskey, RenamePasskey};
use crate::shared::user::PasskeyItem;
use crate::ui::components::form::{use_form_state, FormErrors, Submit};
use leptos::prelude::*;

/// Where the script says what it is doing, or what went wrong.
#[component]
fn CeremonyStatus(testid: &'static str) -> impl IntoView {
    view! { <p class="passkey-status" role="status" aria-live="polite" data-passkey-status="" data-testid=testid></p> }
}

/// "Sign in with a passkey", for the log-in and second-step pages (when
/// passkeys are on). The username field beside it offers passkeys as
/// autofill too (`autocomplete="username webauthn"`).
#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let on = Resource::new(|| (), |_| passkeys_on());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if !on.await.unwrap_or(false) {
                    return ().into_any();
                }
                view! {
                    <div class="passkey-sign-in">
                        <button type="button" class="secondary" data-passkey-login="" data-testid="passkey-login" hidden=true>
                            "Sign in with a passkey"
                        </button>
                        <p class="muted" data-passkey-needs-js="" data-testid="passkey-needs-js">
                            "Signing in with a passkey needs JavaScript. Your password works without it."
                        </p>
                        <CeremonyStatus testid="passkey-login-status"/>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The profile's "Passkeys" section.
#[component]
pub fn PasskeysSection() -> impl IntoView {
    let view_data = Resource::new(|| (), |_| passkeys());
    view! {
        <h2 id="passkeys">"Passkeys"</h2>
        <p class="muted">"A passkey signs you in without a password, with your device's screen lock or security key. It counts as two factors."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(data) = view_data.await else { return ().into_any() };
                let list = if data.list.is_empty() {
                    view! { <p data-testid="passkeys-none">"You have no passkeys yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="passkeys" data-testid="passkeys">
                            {data.list.into_iter().map(|p| view! { <PasskeyRow passkey=p/> }).collect_view()}
                        </ul>
                    }.into_any()
                };
                let add = if data.on {
                    view! {
                        <div class="passkey-add" data-testid="passkey-add">
                            <div class="field">
                                <label for="passkey-name">"Name for a new passkey"</label>
                                <input id="passkey-name" name="name" type="text" maxlength="255" autocomplete="off"
                                    placeholder="Passkey" data-passkey-name="" data-testid="input-passkey-name"/>
                            </div>
                            <button type="button" data-passkey-add="" data-testid="passkey-add-button" hidden=true>"Add a passkey"</button>
                            <p class="muted" data-passkey-needs-js="">"Adding a passkey needs JavaScript."</p>
                            <CeremonyStatus testid="passkey-add-status"/>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted" data-testid="passkeys-off">
                            "Passkeys need this site to be served from a host name (not an IP address): ask its operator."
                        </p>
                    }.into_any()
                };
                view! { {list} {add} }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn PasskeyRow(passkey: PasskeyItem) -> impl IntoView {
    let rename = ServerAction::<RenamePasskey>::new();
    let delete = ServerAction::<DeletePasskey>::new();
    let rename_state = use_form_state(move || rename.value().get());
    let delete_state = use_form_state(move || delete.value().get());
    let PasskeyItem { id, name, created_at, last_used_at } = passkey;
    let field_id = format!("passkey-{id}-name");
    let err_id = format!("{field_id}-errors");
    let errors = move || rename_state.get().errors_for("name");
    let invalid = move || if errors().is_empty() { "false" } else { "true" };
    view! {
        <li class="passkey" data-testid="passkey">
            <p>
                <strong data-testid="passkey-name">{name.clone()}</strong>
                <span class="muted">
                    " · added " {created_at}
                    {match last_used_at {
                        Some(t) => format!(" · last used {t}"),
                        None => " · never used yet".to_owned(),
                    }}
                </span>
            </p>
            <ActionForm action=rename attr:class="inline-form" attr:data-testid="passkey-rename-form" attr:novalidate="true">
                <input type="hidden" name="id" value=id/>
                <label for=field_id.clone()>"New name"</label>
                <input id=field_id name="name" type="text" maxlength="255" value=name required=true
                    aria-invalid=invalid aria-describedby=err_id.clone() data-testid="input-passkey-rename"/>
                <Submit label="Rename" pending=rename.pending() testid="passkey-rename"/>
                <ul class="field-errors" id=err_id aria-live="polite">
                    {move || errors().into_iter().map(|m| view! { <li class="error">{m}</li> }).collect_view()}
                </ul>
            </ActionForm>
            <ActionForm action=delete attr:class="inline-form" attr:data-testid="passkey-delete-form">
                <FormErrors state=delete_state/>
                <input type="hidden" name="id" value=id/>
                <Submit label="Delete" pending=delete.pending() testid="passkey-delete"/>
            </ActionForm>
        </li>
    }
}

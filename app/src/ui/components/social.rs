//! "Continue with ..." buttons and the connected-accounts section.

use crate::api::social::{my_social_accounts, social_providers, DisconnectSocial};
use crate::ui::components::form::{use_form_state, FormErrors};
use leptos::prelude::*;

/// One link per configured provider (plain links: no JavaScript needed).
#[component]
pub fn SocialButtons(#[prop(default = "login")] process: &'static str) -> impl IntoView {
    let providers = Resource::new(|| (), |_| social_providers());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = providers.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="social" data-testid="social-buttons">
                        <p class="muted">"Or continue with"</p>
                        {list.into_iter().map(|p| {
                            let href = format!("/accounts/{}/login?process={process}", p.id);
                            view! { <a class="button secondary" rel="external" href=href data-testid=format!("social-{}", p.id)>{p.name}</a> }
                        }).collect_view()}
                    </div>
                })
            })}
        </Suspense>
    }
}

/// The user's connected accounts, with connect links and disconnect buttons.
#[component]
pub fn ConnectedAccounts() -> impl IntoView {
    let action = ServerAction::<DisconnectSocial>::new();
    let state = use_form_state(move || action.value().get());
    let accounts = Resource::new(move || action.version().get(), |_| my_social_accounts());
    let providers = Resource::new(|| (), |_| social_providers());
    view! {
        <h2>"Connected accounts"</h2>
        <Suspense fallback=|| ()>
            <FormErrors state/>
            {move || Suspend::new(async move {
                let list = accounts.await.unwrap_or_default();
                let all = providers.await.unwrap_or_default();
                view! {
                    <ul class="sessions" data-testid="connected-accounts">
                        {list.into_iter().map(|a| {
                            let name = all.iter().find(|p| p.id == a.provider).map(|p| p.name.clone()).unwrap_or(a.provider.clone());
                            view! {
                                <li data-testid="connected-account">
                                    <strong>{name}</strong>
                                    <ActionForm action=action>
                                        <input type="hidden" name="id" value=a.id.to_string()/>
                                        <button type="submit" class="secondary">"Disconnect"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="actions">
                        {all.into_iter().map(|p| view! {
                            <a class="button secondary" rel="external" href=format!("/accounts/{}/login?process=connect", p.id)>{format!("Connect {}", p.name)}</a>
                        }).collect_view()}
                    </p>
                }
            })}
        </Suspense>
    }
}

//! The top bar: the brand, and links that depend on who is signed in.

use super::account::use_account;
use crate::shared::routes;
use leptos::prelude::*;

#[component]
pub fn NavBar() -> impl IntoView {
    let ctx = use_account();
    view! {
        <header class="topbar">
            <a class="brand" href=routes::HOME>"Latchkey"</a>
            <nav class="nav" aria-label="Account">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.account.await {
                            Ok(Some(a)) => {
                                view! {
                                    <span class="muted" data-testid="nav-user">{a.user.username}</span>
                                    <a href=routes::PROFILE data-testid="nav-profile">"Profile"</a>
                                    <a href=routes::SESSIONS>"Sessions"</a>
                                    {a.is_staff.then(|| view! { <a href=routes::ADMIN data-testid="nav-admin">"Admin"</a> })}
                                    <ActionForm action=ctx.logout>
                                        <button type="submit" class="secondary" data-testid="nav-logout">"Log out"</button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            Err(_) => view! { <span class="muted">"Unavailable"</span> }.into_any(),
                            Ok(None) => {
                                view! {
                                    <a href=routes::LOGIN data-testid="nav-login">"Log in"</a>
                                    <a href=routes::SIGNUP class="button" data-testid="nav-signup">"Sign up"</a>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

//! The top bar: the brand, and links that depend on who is signed in.

use super::account::use_account;
use crate::shared::routes;
use leptos::prelude::*;

#[component]
pub fn NavBar() -> impl IntoView {
    let ctx = use_account();
    let brand = crate::shared::site::Site::current();
    let named = brand.has_usernames();
    let members = brand.directory != "off";
    let public = brand.directory == "public";
    view! {
        <header class="topbar">
            <a class="brand" href=routes::HOME>
                {brand.logo.map(|src| view! { <img class="brand-logo" src=src alt="" width="28" height="28"/> })}
                {brand.site_name}
            </a>
            <nav class="nav" aria-label="Account">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.account.await {
                            Ok(Some(a)) => {
                                view! {
                                    <span class="muted" data-testid="nav-user">{if named { a.user.username } else { a.user.email }}</span>
                                    <a href=routes::PROFILE data-testid="nav-profile">"Profile"</a>
                                    <a href=routes::SESSIONS>"Sessions"</a>
                                    {members.then(|| view! { <a href=routes::PEOPLE data-testid="nav-people">"People"</a> })}
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
                                    {public.then(|| view! { <a href=routes::PEOPLE data-testid="nav-people">"People"</a> })}
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

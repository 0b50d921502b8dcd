//! Who is signed in, for every page: a resource refreshed on navigation and
//! after logging out, and a wrapper for pages that need a login.

use crate::api::account::current_account;
use crate::api::auth::Logout;
use crate::shared::routes;
use crate::shared::user::AccountView;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Who is signed in: `Ok(None)` nobody, `Err(..)` the service could not
/// tell (the database is down): pages say "try again", never "logged out".
pub type AccountState = Result<Option<AccountView>, String>;

#[derive(Clone, Copy)]
pub struct AccountContext {
    pub account: Resource<AccountState>,
    pub logout: ServerAction<Logout>,
}

/// Creates the context (once, in `App`).
pub fn provide_account() {
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let account = Resource::new(
        move || (location.pathname.get(), location.search.get(), logout.version().get()),
        |_| async move { current_account().await.map_err(|e| e.to_string()) },
    );
    provide_context(AccountContext { account, logout });
}

pub fn use_account() -> AccountContext {
    expect_context::<AccountContext>()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Renders `render(account)` for a signed-in user; otherwise sends the
/// browser to the login page, which brings it back here afterwards.
#[component]
pub fn RequireAccount<F, IV>(render: F) -> impl IntoView
where
    F: Fn(AccountView) -> IV + Send + Sync + Clone + 'static,
    IV: IntoView + 'static,
{
    let ctx = use_account();
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                Suspend::new(async move {
                    match ctx.account.await {
                        Ok(Some(account)) => render(account).into_any(),
                        Ok(None) => {
                            view! { <Redirect path=format!("{}?next={}", routes::LOGIN, encode(&here))/> }.into_any()
                        }
                        Err(_) => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Sends a signed-in visitor to their profile (the log-in and sign-up
/// pages have nothing for them).
#[component]
pub fn RedirectSignedIn() -> impl IntoView {
    let ctx = use_account();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match ctx.account.await {
                    Ok(Some(_)) => view! { <Redirect path=routes::PROFILE/> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

/// A "try again" notice while the service cannot tell who is signed in (the
/// server answers such a page with 503).
#[component]
pub fn ServiceStatus() -> impl IntoView {
    let ctx = use_account();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                ctx.account.await.is_err().then(|| view! {
                    <section class="card" role="alert" data-testid="unavailable">
                        <h1>"Temporarily unavailable"</h1>
                        <p>{format!("{} cannot reach its database right now. Nothing you saved is lost.", crate::shared::site::Site::current().site_name)}</p>
                        <p><a class="button" href="" data-testid="try-again">"Try again"</a></p>
                    </section>
                })
            })}
        </Transition>
    }
}

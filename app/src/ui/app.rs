//! The HTML shell, the router and the page layout.

use crate::shared::site::{Site, SiteHead};
use crate::ui::bundle::{BundleStylesheet, HydrationScript};
use crate::ui::components::account::{provide_account, ServiceStatus};
use crate::ui::components::nav::NavBar;
use crate::ui::pages::{
    activity::ActivityPage,
    admin::{AdminAuditPage, AdminUserPage, AdminUsersPage},
    email_change::{ConfirmEmailChangePage, EmailChangePage},
    home::HomePage,
    login::LoginPage,
    login_verify::LoginVerifyPage,
    password_change::PasswordChangePage,
    password_reset::{ForgotPasswordPage, ResetPasswordPage},
    people::{PeoplePage, PersonPage},
    profile::ProfilePage,
    sessions::SessionsPage,
    signup::SignupPage,
    two_factor::{RecoveryCodesPage, TwoFactorSetupPage},
    verify_email::{CheckEmailPage, VerifyEmailPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="description" content="Sign in, create an account and manage it: passwords, email, two-factor, passkeys."/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <BundleStylesheet options=options.clone()/>
                <SiteHead/>
                <AutoReload options=options.clone()/>
                <HydrationScript options/>
                // passkey ceremonies (WebAuthn); the pages work without it
                <script type="module" src="/passkeys.js"></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found"/>
        <section class="card"><h1>"Page not found"</h1><p><a href="/">"Go home"</a></p></section>
    }
}

/// The page's Content-Security-Policy: scripts only from us or carrying this
/// response's nonce, wasm allowed, nothing framed.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, v);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    let site = Site::provide();
    view! {
        <Title formatter=move |page: String| site.title(&page)/>
        <Router>
            <Shell/>
        </Router>
    }
}

/// Everything inside the router (the account context needs the location).
#[component]
fn Shell() -> impl IntoView {
    provide_account();
    // Pages render whole on the server (forms must work before the wasm
    // loads, and redirects must be real HTTP redirects).
    view! {
        <NavBar/>
        <main class="container">
            <ServiceStatus/>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/login/verify") view=LoginVerifyPage ssr=SsrMode::Async/>
                <Route path=path!("/verify-email") view=CheckEmailPage ssr=SsrMode::Async/>
                <Route path=path!("/verify-email/:key") view=VerifyEmailPage ssr=SsrMode::Async/>
                <Route path=path!("/password-reset") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/password-reset/:uid/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async/>
                <Route path=path!("/profile/two-factor") view=TwoFactorSetupPage ssr=SsrMode::Async/>
                <Route path=path!("/profile/two-factor/codes") view=RecoveryCodesPage ssr=SsrMode::Async/>
                <Route path=path!("/password-change") view=PasswordChangePage ssr=SsrMode::Async/>
                <Route path=path!("/email-change") view=EmailChangePage ssr=SsrMode::Async/>
                <Route path=path!("/email-change/:key") view=ConfirmEmailChangePage ssr=SsrMode::Async/>
                <Route path=path!("/sessions") view=SessionsPage ssr=SsrMode::Async/>
                <Route path=path!("/security-activity") view=ActivityPage ssr=SsrMode::Async/>
                <Route path=path!("/people") view=PeoplePage ssr=SsrMode::Async/>
                <Route path=path!("/people/:username") view=PersonPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=AdminUsersPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/users/:id") view=AdminUserPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async/>
            </Routes>
        </main>
    }
}

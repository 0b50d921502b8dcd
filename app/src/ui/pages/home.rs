//! The landing page.

use crate::shared::routes;
use crate::ui::components::form::Notice;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="card" data-testid="home">
            <h1>{format!("Welcome to {}", crate::shared::site::Site::current().site_name)}</h1>
            <Notice/>
            <p>"Self-hosted accounts: sign up, verify your email, log in, and manage your profile."</p>
            <p class="actions">
                <a class="button" href=routes::SIGNUP>"Create an account"</a>
                <a class="button secondary" href=routes::LOGIN>"Log in"</a>
            </p>
            <p class="muted">"Apps can use the JSON API at " <code>"/api/auth/"</code> "."</p>
        </section>
    }
}

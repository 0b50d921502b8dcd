//! The public profile directory (`/people`) and one profile
//! (`/people/<username>`): usernames and the schema's public fields, read
//! only. Shown when `LATCHKEY_PROFILE_DIRECTORY` is on.

use crate::api::directory::{list_people, show_person, Listing};
use crate::shared::profile::{FieldKind, ProfileView};
use crate::shared::routes;
use crate::shared::site::Site;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The public fields of one profile as a list of label and value.
#[component]
fn PublicFields(profile: ProfileView) -> impl IntoView {
    let site = Site::current();
    site.fields
        .into_iter()
        .filter(|f| f.public)
        .map(|f| {
            let value = match f.kind {
                FieldKind::Boolean => if profile.flag(&f.name) { "Yes" } else { "No" }.to_owned(),
                FieldKind::Image => String::new(),
                _ => profile.text(&f.name),
            };
            let picture = (f.kind == FieldKind::Image).then(|| profile.image(&f.name)).flatten();
            let label = f.label();
            view! {
                <div class="field readonly" data-testid=format!("public-{}", f.name)>
                    <span class="label">{label.clone()}</span>
                    {match picture {
                        Some(src) => view! { <img class="avatar" src=src alt=label/> }.into_any(),
                        None => view! { <span>{if value.is_empty() { "—".to_owned() } else { value }}</span> }.into_any(),
                    }}
                </div>
            }
        })
        .collect_view()
}

/// A username as one path segment: everything but letters, digits and
/// `-_~` percent-encoded (dots too, so `.` and `..` stay names).
fn path_segment(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_stay_one_segment() {
        assert_eq!(super::path_segment(".."), "%2E%2E");
        assert_eq!(super::path_segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(super::path_segment("zoë"), "zo%C3%AB");
    }
}

fn sign_in_first() -> AnyView {
    view! { <p>"Log in to see the people here. " <a href=format!("{}?next={}", routes::LOGIN, routes::PEOPLE)>"Log in"</a></p> }
        .into_any()
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let listing = Resource::new(page, list_people);
    view! {
        <Title text="People"/>
        <section class="card">
            <h1>"People"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await.unwrap_or_default() {
                        Listing::Found(found) => view! {
                            <ul class="people" data-testid="people">
                                {found.results.into_iter().map(|p| {
                                    let href = format!("{}/{}", routes::PEOPLE, path_segment(&p.username));
                                    view! {
                                        <li data-testid="person">
                                            <a href=href><strong>{p.username.clone()}</strong></a>
                                            <PublicFields profile=p.profile/>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <nav class="pager" aria-label="Pages">
                                {(found.page > 1).then(|| view! { <a href=format!("{}?page={}", routes::PEOPLE, found.page - 1) rel="prev">"Previous"</a> })}
                                <span class="muted">{format!("Page {} of {} · {} people", found.page, found.pages, found.count)}</span>
                                {(found.page < found.pages).then(|| view! { <a href=format!("{}?page={}", routes::PEOPLE, found.page + 1) rel="next" data-testid="next-page">"Next"</a> })}
                            </nav>
                        }.into_any(),
                        Listing::SignInFirst => sign_in_first(),
                        Listing::NotFound => view! { <p data-testid="not-found">"There is nothing here."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let listing = Resource::new(move || params.read().get("username").unwrap_or_default(), show_person);
    view! {
        <Title text="Profile"/>
        <section class="card">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await.unwrap_or_default() {
                        Listing::Found(p) => view! {
                            <h1 data-testid="person-username">{p.username}</h1>
                            <PublicFields profile=p.profile/>
                            <p><a href=routes::PEOPLE>"Everyone"</a></p>
                        }.into_any(),
                        Listing::SignInFirst => sign_in_first(),
                        Listing::NotFound => view! { <h1>"Not found"</h1><p data-testid="not-found">"There is no such profile here."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

//! Form building blocks: fields with their errors beside them, the form-wide
//! error list, notices, and the state a submission left (from the server
//! function's answer, or sealed into the URL after a no-JavaScript post).

use crate::api::account::load_form_state;
use crate::shared::errors::{FieldErrors, NON_FIELD};
use crate::shared::forms::{notice_text, FormState};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The state to show: the latest submission's answer, else what a plain form
/// post left in the URL. Read it inside a `<Suspense>`.
pub fn use_form_state(
    latest: impl Fn() -> Option<Result<FormState, ServerFnError>> + Send + Sync + 'static,
) -> Signal<FormState> {
    let query = use_query_map();
    let initial = Resource::new(
        move || query.read().get("form"),
        |sealed| async move {
            match sealed {
                Some(s) => load_form_state(s).await.ok().flatten(),
                None => None,
            }
        },
    );
    Signal::derive(move || match latest() {
        Some(Ok(state)) => state,
        Some(Err(_)) => FormState {
            errors: FieldErrors::non_field("Something went wrong on our side. Please try again."),
            ..Default::default()
        },
        None => initial.get().flatten().unwrap_or_default(),
    })
}

#[component]
fn Errors(id: String, testid: String, #[prop(into)] messages: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <ul class="field-errors" id=id data-testid=testid aria-live="polite">
            {move || messages.get().into_iter().map(|m| view! { <li class="error">{m}</li> }).collect_view()}
        </ul>
    }
}

/// A labelled input with its errors below it.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    state: Signal<FormState>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] initial: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    /// The keyboard a phone shows (`numeric` for codes).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The element id, when two forms of one page have a field of this name.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let id = id.map_or_else(|| format!("field-{name}"), str::to_owned);
    let err_id = format!("{id}-errors");
    let errors = Signal::derive(move || state.get().errors_for(name));
    let value = move || state.get().value(name).or_else(|| initial.clone()).unwrap_or_default();
    let invalid = move || if errors.get().is_empty() { "false" } else { "true" };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <span class="muted">{h}</span> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                aria-invalid=invalid
                aria-describedby=err_id.clone()
                inputmode=inputmode
                data-testid=format!("input-{name}")
            />
            <Errors id=err_id testid=format!("error-{name}") messages=errors/>
        </div>
    }
}

/// A labelled multi-line input with its errors below it.
#[component]
pub fn TextAreaField(
    name: &'static str,
    label: &'static str,
    state: Signal<FormState>,
    #[prop(optional, into)] initial: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let err_id = format!("{id}-errors");
    let errors = Signal::derive(move || state.get().errors_for(name));
    let value = move || state.get().value(name).or_else(|| initial.clone()).unwrap_or_default();
    let invalid = move || if errors.get().is_empty() { "false" } else { "true" };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows="4"
                aria-invalid=invalid
                aria-describedby=err_id.clone()
                data-testid=format!("input-{name}")
            >
                {value}
            </textarea>
            <Errors id=err_id testid=format!("error-{name}") messages=errors/>
        </div>
    }
}

/// Errors that belong to the whole form, plus those of `hidden` fields
/// (link tokens the user cannot edit).
#[component]
pub fn FormErrors(
    state: Signal<FormState>,
    #[prop(default = &[])] hidden: &'static [&'static str],
    /// What an error on a hidden field means here.
    #[prop(default = "This link is invalid or has expired. Please ask for a new one.")]
    hidden_message: &'static str,
) -> impl IntoView {
    let messages = move || {
        let s = state.get();
        let mut all = s.errors_for(NON_FIELD);
        for field in hidden {
            if s.errors.has(field) {
                all.push(hidden_message.to_owned());
            }
        }
        all.dedup();
        all
    };
    view! {
        <Show when=move || !messages().is_empty()>
            <ul class="errors" role="alert" data-testid="form-errors">
                {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </Show>
    }
}

/// The fixed notice named by `?notice=`, if any.
#[component]
pub fn Notice() -> impl IntoView {
    let query = use_query_map();
    let text = move || query.read().get("notice").and_then(|c| notice_text(&c));
    view! {
        <Show when=move || text().is_some()>
            <p class="notice" role="status" data-testid="notice">{text}</p>
        </Show>
    }
}

/// A submit button that is disabled while its form is being sent.
#[component]
pub fn Submit(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button type="submit" disabled=move || pending.get() aria-busy=move || pending.get().to_string() data-testid=testid.unwrap_or("submit")>
            {move || if pending.get() { "Please wait…" } else { label }}
        </button>
    }
}

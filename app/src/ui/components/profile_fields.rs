//! Inputs drawn from the profile schema: the right control for each kind
//! (text, number, checkbox, date, select, ...), labelled from the schema,
//! named `profile[<field>]` so a plain form post and the server function
//! read them alike, with the field's errors below it.

use crate::shared::forms::FormState;
use crate::shared::profile::{FieldKind, FieldSpec};
use leptos::prelude::*;

/// The form name of a profile field.
pub fn form_name(field: &str) -> String {
    format!("profile[{field}]")
}

/// One profile field's input. `initial` is the stored value as text ("true"
/// for a ticked box).
#[component]
pub fn ProfileFieldInput(spec: FieldSpec, state: Signal<FormState>, initial: String) -> impl IntoView {
    let name = spec.name.clone();
    let id = format!("field-{name}");
    let err_id = format!("{id}-errors");
    let testid = format!("input-{name}");
    let form_name = form_name(&name);
    let errors = {
        let name = name.clone();
        Signal::derive(move || state.get().errors_for(&name))
    };
    let value = {
        let name = name.clone();
        move || state.get().value(&name).unwrap_or_else(|| initial.clone())
    };
    let invalid = move || if errors.get().is_empty() { "false" } else { "true" };
    let label = spec.label();
    let help = (!spec.help.is_empty()).then(|| view! { <span class="muted">{spec.help.clone()}</span> });
    let required = spec.required;
    let input = match spec.kind {
        FieldKind::LongText => view! {
            <textarea id=id.clone() name=form_name rows="4" aria-invalid=invalid
                aria-describedby=err_id.clone() data-testid=testid>{value}</textarea>
        }
        .into_any(),
        FieldKind::Boolean => view! {
            <input id=id.clone() name=form_name type="checkbox" value="true" checked=move || value() == "true"
                aria-invalid=invalid aria-describedby=err_id.clone() data-testid=testid/>
        }
        .into_any(),
        FieldKind::Choice => {
            let choices = spec.choices.clone();
            view! {
                <select id=id.clone() name=form_name required=required aria-invalid=invalid
                    aria-describedby=err_id.clone() data-testid=testid>
                    {(!required).then(|| view! { <option value="">"—"</option> })}
                    {choices.into_iter().map(|c| {
                        let selected = { let c = c.clone(); let value = value.clone(); move || value() == c };
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        kind => {
            let (input_type, autocomplete) = match kind {
                // text, so what is not a number reaches the server (and its
                // message) instead of being sent as "" by the browser
                FieldKind::Integer => ("text", "off"),
                FieldKind::Date => ("date", "off"),
                FieldKind::Email => ("email", "email"),
                FieldKind::Url => ("url", "url"),
                FieldKind::Phone => ("tel", "tel"),
                _ => ("text", "off"),
            };
            let (min, maxnum) = (spec.min.map(|m| m.to_string()), spec.max.map(|m| m.to_string()));
            view! {
                <input id=id.clone() name=form_name type=input_type autocomplete=autocomplete required=required
                    value=value min=min max=maxnum inputmode=(kind == FieldKind::Integer).then_some("numeric") aria-invalid=invalid
                    aria-describedby=err_id.clone() data-testid=testid/>
            }
            .into_any()
        }
    };
    let class = if spec.kind == FieldKind::Boolean { "field checkbox" } else { "field" };
    view! {
        <div class=class>
            <label for=id>{label}</label>
            {help}
            {input}
            <ul class="field-errors" id=err_id data-testid=format!("error-{name}") aria-live="polite">
                {move || errors.get().into_iter().map(|m| view! { <li class="error">{m}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// A field the owner may not change, shown as text.
#[component]
pub fn ProfileFieldValue(spec: FieldSpec, value: String) -> impl IntoView {
    let shown = match spec.kind {
        FieldKind::Boolean => if value == "true" { "Yes" } else { "No" }.to_owned(),
        _ if value.is_empty() => "—".to_owned(),
        _ => value,
    };
    view! {
        <div class="field readonly" data-testid=format!("value-{}", spec.name)>
            <span class="label">{spec.label()}</span>
            <span>{shown}</span>
        </div>
    }
}

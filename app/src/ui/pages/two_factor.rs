//! Two-factor authentication: the profile's section, the page that turns
//! TOTP on (QR code inline, the secret as text, then a code), and the page
//! of unused recovery codes (with a `.txt` download).

use crate::api::mfa::{begin_totp, mfa_status, recovery_codes, ConfirmTotp, RegenerateRecoveryCodes, TurnOffTotp};
use crate::shared::routes;
use crate::ui::components::account::RequireAccount;
use crate::ui::components::form::{use_form_state, Field, FormErrors, Notice, Submit};
use leptos::prelude::*;
use leptos_meta::Title;

/// The profile's "Two-factor authentication" section.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let status = Resource::new(|| (), |_| mfa_status());
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let off = ServerAction::<TurnOffTotp>::new();
    let regenerate_state = use_form_state(move || regenerate.value().get());
    let off_state = use_form_state(move || off.value().get());
    view! {
        <h2>"Two-factor authentication"</h2>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.enabled => view! {
                        <p data-testid="mfa-status">
                            "On since " {s.created_at.unwrap_or_default()}
                            {s.last_used_at.map(|t| format!(" · last used {t}"))}
                        </p>
                        <ul class="links">
                            <li><a href=routes::RECOVERY_CODES data-testid="link-recovery-codes">"Show your recovery codes"</a></li>
                        </ul>
                        <ActionForm action=regenerate attr:data-testid="regenerate-form" attr:novalidate="true">
                            <FormErrors state=regenerate_state/>
                            <Field name="code" id="regenerate-code" label="Code to make new recovery codes" state=regenerate_state autocomplete="one-time-code" inputmode="numeric"/>
                            <Submit label="Make new recovery codes" pending=regenerate.pending() testid="regenerate"/>
                        </ActionForm>
                        <ActionForm action=off attr:data-testid="totp-off-form" attr:novalidate="true">
                            <FormErrors state=off_state/>
                            <Field name="code" id="off-code" label="Code to turn two-factor off" state=off_state autocomplete="one-time-code" inputmode="numeric"/>
                            <Submit label="Turn two-factor off" pending=off.pending() testid="totp-off"/>
                        </ActionForm>
                    }.into_any(),
                    Ok(_) => view! {
                        <p data-testid="mfa-status">"Off. With it on, signing in also asks for a code from an authenticator app."</p>
                        <p><a class="button" href=routes::TWO_FACTOR data-testid="link-two-factor">"Turn on two-factor authentication"</a></p>
                    }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn TwoFactorSetupPage() -> impl IntoView {
    view! {
        <Title text="Turn on two-factor authentication"/>
        <RequireAccount render=|_| view! { <TotpSetup/> }/>
    }
}

#[component]
fn TotpSetup() -> impl IntoView {
    let action = ServerAction::<ConfirmTotp>::new();
    let state = use_form_state(move || action.value().get());
    // after a wrong code, the same secret again (the app already holds it)
    let setup = Resource::new(move || state.get().value("activation_token"), begin_totp);
    view! {
        <section class="card" data-testid="two-factor-setup">
            <h1>"Turn on two-factor authentication"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match setup.await {
                        Ok(s) if s.already_enabled => view! {
                            <p>"Two-factor authentication is already on."</p>
                            <p><a href=routes::PROFILE>"Back to your profile"</a></p>
                        }.into_any(),
                        Ok(s) => view! {
                            <ol>
                                <li>"Scan this code with an authenticator app (or type the key below into it)."</li>
                                <li>"Enter the six-digit code the app shows."</li>
                            </ol>
                            <div class="qr" role="img" aria-label="QR code of your two-factor key" inner_html=s.qr_svg></div>
                            <p>"Key: " <code data-testid="totp-secret">{s.secret}</code></p>
                            <ActionForm action=action attr:data-testid="totp-confirm-form" attr:novalidate="true">
                                <FormErrors state hidden=&["activation_token"] hidden_message="This set-up has expired. Reload the page to start again."/>
                                <input type="hidden" name="activation_token" value=s.activation_token/>
                                <Field name="code" label="Code from the app" state autocomplete="one-time-code" inputmode="numeric"/>
                                <Field name="password" label="Your password" kind="password" state autocomplete="current-password"/>
                                <p class="actions">
                                    <Submit label="Turn on" pending=action.pending()/>
                                    <a href=routes::PROFILE>"Cancel"</a>
                                </p>
                            </ActionForm>
                        }.into_any(),
                        Err(_) => view! { <p class="errors">"Something went wrong on our side. Please try again."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    view! {
        <Title text="Recovery codes"/>
        <RequireAccount render=|_| view! { <RecoveryCodes/> }/>
    }
}

#[component]
fn RecoveryCodes() -> impl IntoView {
    let codes = Resource::new(|| (), |_| recovery_codes());
    view! {
        <section class="card" data-testid="recovery-codes">
            <h1>"Recovery codes"</h1>
            <Notice/>
            <p>"If you lose your authenticator app, sign in with one of these codes. Each works once. Keep them somewhere safe, apart from your password: this page shows them only now."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = codes.await.unwrap_or_default();
                    if list.is_empty() {
                        view! {
                            <p class="muted" data-testid="codes-gone">
                                "Recovery codes are shown once, when they are made. Lost them? Make new ones from your profile (the old ones then stop working)."
                            </p>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="codes">
                                {list.into_iter().map(|c| view! { <li><code data-testid="recovery-code">{c}</code></li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Suspense>
            <p class="actions">
                <a class="button" href=routes::RECOVERY_CODES_TXT download="latchkey-recovery-codes.txt" rel="external" data-testid="download-codes">"Download as .txt"</a>
                <a href=routes::PROFILE>"Back to your profile"</a>
            </p>
        </section>
    }
}

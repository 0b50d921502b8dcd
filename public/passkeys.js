// Passkey ceremonies for Latchkey's pages (WebAuthn needs JavaScript; every
// page works without this file). It finds its elements by data- attributes,
// so it keeps working when the client-side router swaps a page in:
//   [data-passkey-login]  "Sign in with a passkey" (log-in and second-step pages)
//   [data-passkey-add]    "Add a passkey" on the profile, named by [data-passkey-name]
//   [data-passkey-status] where progress and errors are said
//   [data-passkey-needs-js] the "needs JavaScript" notes, hidden once this runs
// An input with autocomplete="... webauthn" also offers passkeys as autofill
// (conditional mediation), where the browser supports it.
// The ceremonies go through the JSON API (/api/auth/passkeys/...); a sign-in
// is finished by the page door (/fn/passkey_sign_in), which starts a browser
// session and says where to go (a path on this site only).

const API = "/api/auth/passkeys";
const supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

const b64urlToBytes = (s) => {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};
const bytesToB64url = (buf) => {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

// The server's JSON options as the browser's API wants them (ArrayBuffers).
function creationOptions(o) {
  return {
    ...o,
    challenge: b64urlToBytes(o.challenge),
    user: { ...o.user, id: b64urlToBytes(o.user.id) },
    excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: b64urlToBytes(c.id) })),
  };
}
function requestOptions(o) {
  const { session_id, ...rest } = o;
  return {
    ...rest,
    challenge: b64urlToBytes(o.challenge),
    allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: b64urlToBytes(c.id) })),
  };
}

// A credential as JSON (PublicKeyCredential.toJSON where the browser has it).
function credentialJson(cred) {
  if (typeof cred.toJSON === "function") return cred.toJSON();
  const r = cred.response;
  const response = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bytesToB64url(r.attestationObject);
    if (typeof r.getTransports === "function") response.transports = r.getTransports();
  } else {
    response.authenticatorData = bytesToB64url(r.authenticatorData);
    response.signature = bytesToB64url(r.signature);
    if (r.userHandle) response.userHandle = bytesToB64url(r.userHandle);
  }
  return {
    id: cred.id,
    rawId: bytesToB64url(cred.rawId),
    type: cred.type,
    response,
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
  };
}

// The API's error body in its own words.
function message(body, fallback) {
  if (body && typeof body === "object") {
    if (typeof body.detail === "string") return body.detail;
    for (const v of Object.values(body)) if (Array.isArray(v) && v.length) return String(v[0]);
  }
  return fallback;
}

async function api(path, body) {
  const res = await fetch(API + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body || {}),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(message(data, "Something went wrong on our side. Please try again."));
  return data;
}

function say(near, text, isError) {
  const box = near?.closest("section, .card, body")?.querySelector("[data-passkey-status]");
  if (!box) return;
  box.textContent = text;
  box.classList.toggle("error", !!isError);
  box.setAttribute("role", isError ? "alert" : "status");
}

// The browser's own refusals, in plain words.
function ceremonyError(e) {
  if (e && e.name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
  if (e && e.name === "InvalidStateError") return "This device already holds a passkey for your account.";
  return e && e.message ? e.message : "The passkey could not be used.";
}

// Where to go after signing in: a path on this site, by the browser's own URL parser.
function localPath(location) {
  try {
    const u = new URL(location, window.location.origin);
    return u.origin === window.location.origin ? u.pathname + u.search + u.hash : "/profile";
  } catch {
    return "/profile";
  }
}

async function finishSignIn(options, cred, near) {
  const next = document.querySelector('input[name="next"]')?.value || "";
  const form = new URLSearchParams({
    session_id: options.session_id,
    credential: JSON.stringify(credentialJson(cred)),
    next,
  });
  const res = await fetch("/fn/passkey_sign_in", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: form,
  });
  const data = await res.json().catch(() => null);
  if (res.ok && data && data.location) {
    window.location.assign(localPath(data.location));
    return;
  }
  throw new Error((data && data.error) || "Something went wrong on our side. Please try again.");
}

// One conditional (autofill) request at a time; an explicit click cancels it.
let autofill = null;

async function signIn(button) {
  if (autofill) autofill.abort();
  button.disabled = true;
  say(button, "Waiting for your passkey…");
  try {
    const options = await api("/login/begin/");
    const cred = await navigator.credentials.get({ publicKey: requestOptions(options) });
    say(button, "Signing you in…");
    await finishSignIn(options, cred, button);
  } catch (e) {
    say(button, ceremonyError(e), true);
    button.disabled = false;
  }
}

async function startAutofill() {
  const input = document.querySelector('input[autocomplete~="webauthn"]');
  // only where the page offers passkeys (they are on)
  if (!input || input.dataset.passkeyAutofill || !supported || !document.querySelector("[data-passkey-login]")) return;
  // claimed before the first await: mutations meanwhile must not start a second one
  input.dataset.passkeyAutofill = "on";
  if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return;
  const controller = new AbortController();
  autofill = controller;
  try {
    const options = await api("/login/begin/");
    const cred = await navigator.credentials.get({
      publicKey: requestOptions(options),
      mediation: "conditional",
      signal: controller.signal,
    });
    say(input, "Signing you in…");
    await finishSignIn(options, cred, input).catch((e) => {
      e.signingIn = true;
      throw e;
    });
  } catch (e) {
    // autofill is offered, not asked for: only a sign-in it started speaks up
    if (e && e.signingIn) say(input, e.message, true);
  } finally {
    // once per rendered field: a page the router renders again brings a new one
    if (autofill === controller) autofill = null;
  }
}

async function add(button) {
  const nameInput = document.querySelector("[data-passkey-name]");
  const name = (nameInput?.value || "").trim();
  button.disabled = true;
  say(button, "Follow your browser's prompt to create the passkey…");
  try {
    const options = await api("/register/begin/");
    const cred = await navigator.credentials.create({ publicKey: creationOptions(options) });
    const body = { credential: credentialJson(cred) };
    if (name) body.name = name;
    await api("/register/complete/", body);
    window.location.assign("/profile?notice=passkey_added#passkeys");
  } catch (e) {
    say(button, ceremonyError(e), true);
    button.disabled = false;
  }
}

// Shows the buttons (they need this script) and hides the "needs JavaScript" notes.
function enhance() {
  if (!supported) {
    // once per element: writing text is itself a mutation the observer sees
    for (const el of document.querySelectorAll("[data-passkey-needs-js]:not([data-passkey-unsupported])")) {
      el.dataset.passkeyUnsupported = "";
      el.textContent = "This browser cannot use passkeys. Your password still works.";
    }
    return;
  }
  for (const el of document.querySelectorAll("[data-passkey-login][hidden], [data-passkey-add][hidden]")) {
    el.hidden = false;
  }
  for (const el of document.querySelectorAll("[data-passkey-needs-js]")) el.hidden = true;
  startAutofill();
}

document.addEventListener("click", (event) => {
  const login = event.target.closest?.("[data-passkey-login]");
  if (login) {
    event.preventDefault();
    signIn(login);
    return;
  }
  const addButton = event.target.closest?.("[data-passkey-add]");
  if (addButton) {
    event.preventDefault();
    add(addButton);
  }
});

// Pages the client-side router swaps in are enhanced too.
new MutationObserver(() => enhance()).observe(document.documentElement, { childList: true, subtree: true });
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
else enhance();

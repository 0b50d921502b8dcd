//! Every operation of the JSON API, for the OpenAPI document: path,
//! summary, body fields, statuses (see `openapi::Op`).

use super::openapi::Op;
use utoipa::openapi::path::HttpMethod;

const SIGNED: &[(&str, bool)] = &[("user_id", true), ("timestamp", true), ("signature", true)];
const PROFILE_PUT: &[(&str, bool)] = &[("username", true), ("first_name", false), ("last_name", false)];
const PROFILE_PATCH: &[(&str, bool)] = &[("username", false), ("first_name", false), ("last_name", false)];

const fn op(
    method: HttpMethod,
    path: &'static str,
    summary: &'static str,
    body: &'static [(&'static str, bool)],
) -> Op {
    Op {
        method,
        path,
        summary,
        body,
        ok: "200",
        list: false,
        upload: false,
        also: &[],
        auth: false,
        throttled: false,
        query: &[],
    }
}

const fn query(mut o: Op, params: &'static [(&'static str, &'static str)]) -> Op {
    o.query = params;
    o
}

const STAFF: (&str, &str) = (
    "403",
    "`{\"detail\", \"code\"}`: not staff (`permission_denied`), or no password or code \
     re-entered in the last minutes (`recent_sign_in_required`: POST /api/admin/reauthenticate/)",
);
const PAGING: &[(&str, &str)] = &[("cursor", "`next_cursor` of the page before"), ("page_size", "1 to 100 (25)")];
const USER_LIST_QUERY: &[(&str, &str)] = &[
    ("search", "Part of a username, address, first or last name (any case)"),
    ("email_verified", "true or false"),
    ("is_active", "true or false"),
    ("is_staff", "true or false"),
    ("has_2fa", "true or false"),
    ("joined_after", "A date (2026-01-31) or RFC 3339 time, inclusive"),
    ("joined_before", "A date or RFC 3339 time, exclusive"),
    ("ordering", "id, -id, username, -username, date_joined, -date_joined"),
    ("cursor", "`next_cursor` of the page before"),
    ("page_size", "1 to 100 (25)"),
];
const AUDIT_QUERY: &[(&str, &str)] = &[
    ("user", "The account's id"),
    ("actor", "The acting staff member's id"),
    ("kind", "An event kind (`sign_in.failed`, `admin.user_deactivated`, ...)"),
    ("cursor", "`next_cursor` of the page before"),
    ("page_size", "1 to 100 (25)"),
];

const fn also(mut o: Op, statuses: &'static [(&'static str, &'static str)]) -> Op {
    o.also = statuses;
    o
}

const fn list(mut o: Op) -> Op {
    o.list = true;
    o
}

const fn upload(mut o: Op) -> Op {
    o.upload = true;
    o
}

const USERNAME_RESET_OFF: (&str, &str) = ("404", "LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL is not set");
const NOT_FOUND: (&str, &str) = ("404", "Unknown, used or expired key, or unknown provider or account");
const BAD_JWT: (&str, &str) = ("401", "`{\"code\": \"token_not_valid\", ...}`: invalid, expired or revoked token");
const UPLOAD_ERRORS: &[(&str, &str)] =
    &[("413", "The picture is over the configured size"), ("415", "Not multipart/form-data with a field `avatar`")];

const fn authed(mut o: Op) -> Op {
    o.auth = true;
    o
}

const fn limited(mut o: Op) -> Op {
    o.throttled = true;
    o
}

const fn created(mut o: Op) -> Op {
    o.ok = "201";
    o
}

const fn no_content(mut o: Op) -> Op {
    o.ok = "204";
    o
}

use HttpMethod::{Delete, Get, Patch, Post, Put};

/// Every operation of the JSON API.
pub const OPERATIONS: &[Op] = &[
    limited(created(op(
        Post,
        "/api/auth/registration/",
        "Sign up",
        &[("username", true), ("email", true), ("password1", true), ("password2", true)],
    ))),
    also(
        op(
            Post,
            "/api/auth/registration/verify-email/",
            "Confirm an email address with the emailed key",
            &[("key", true)],
        ),
        &[NOT_FOUND],
    ),
    limited(op(Post, "/api/auth/registration/resend-email/", "Send the verification email again", &[("email", true)])),
    limited(op(
        Post,
        "/api/auth/login/",
        "Log in: a token, or a JWT pair, and a session cookie",
        &[("username", false), ("email", false), ("password", true)],
    )),
    op(
        Post,
        "/api/auth/logout/",
        "Log out: delete the token, revoke the refresh family, end the session",
        &[("refresh", false)],
    ),
    authed(op(Get, "/api/auth/user/", "The caller's account with its nested profile", &[])),
    authed(op(
        Put,
        "/api/auth/user/",
        "Replace the editable details",
        &[("username", true), ("first_name", false), ("last_name", false)],
    )),
    authed(op(
        Patch,
        "/api/auth/user/",
        "Update some details (and `profile`)",
        &[("username", false), ("first_name", false), ("last_name", false)],
    )),
    limited(authed(no_content(op(Delete, "/api/auth/user/", "Delete the account", &[("password", false)])))),
    authed(upload(also(
        op(Put, "/api/auth/user/avatar/", "Upload a picture (multipart field `avatar`)", &[]),
        UPLOAD_ERRORS,
    ))),
    authed(upload(also(op(Post, "/api/auth/user/avatar/", "Upload a picture (as PUT)", &[]), UPLOAD_ERRORS))),
    limited(authed(op(
        Post,
        "/api/auth/password/change/",
        "Change the password; other sessions and tokens are revoked",
        &[("old_password", true), ("new_password1", true), ("new_password2", true)],
    ))),
    limited(op(Post, "/api/auth/password/reset/", "Email a password reset link", &[("email", true)])),
    op(
        Post,
        "/api/auth/password/reset/confirm/",
        "Set a new password with the link's uid and token",
        &[("uid", true), ("token", true), ("new_password1", true), ("new_password2", true)],
    ),
    also(op(Post, "/api/auth/token/verify/", "Check a JWT", &[("token", true)]), &[BAD_JWT]),
    also(
        op(Post, "/api/auth/token/refresh/", "A new access token (and rotated refresh token)", &[("refresh", true)]),
        &[BAD_JWT],
    ),
    limited(authed(op(
        Post,
        "/api/auth/email/change/",
        "Ask to change the email address",
        &[("new_email", true), ("password", true)],
    ))),
    also(
        op(Post, "/api/auth/email/change/confirm/", "Confirm the new address with the emailed key", &[("key", true)]),
        &[NOT_FOUND],
    ),
    authed(list(op(Get, "/api/auth/socialaccounts/", "Connected social accounts", &[]))),
    also(
        query(
            op(Get, "/api/auth/profiles/", "The profile directory (LATCHKEY_PROFILE_DIRECTORY)", &[]),
            &[("page", "Page number, from 1")],
        ),
        &[("401", "The directory is for signed-in members"), ("404", "Invalid page")],
    ),
    also(
        op(Get, "/api/auth/profiles/{username}/", "One listed account's public profile", &[]),
        &[("401", "The directory is for signed-in members"), NOT_FOUND],
    ),
    authed(also(
        op(Post, "/api/auth/socialaccounts/{id}/disconnect/", "Disconnect a social account", &[]),
        &[NOT_FOUND],
    )),
    also(
        op(
            Post,
            "/api/auth/{provider}/",
            "Log in with a provider's access_token or code",
            &[("access_token", false), ("code", false), ("callback_url", false), ("code_verifier", false)],
        ),
        &[NOT_FOUND],
    ),
    authed(also(
        op(
            Post,
            "/api/auth/{provider}/connect/",
            "Connect a provider account to the caller",
            &[("access_token", false), ("code", false), ("callback_url", false), ("code_verifier", false)],
        ),
        &[NOT_FOUND],
    )),
    limited(op(
        Post,
        "/api/auth/mfa/verify/",
        "Complete a sign-in with a TOTP or recovery code: the login response",
        &[("ephemeral_token", true), ("code", true)],
    )),
    authed(op(Get, "/api/auth/mfa/totp/activate/", "A new TOTP secret, its URL and QR code, an activation token", &[])),
    limited(authed(op(
        Post,
        "/api/auth/mfa/totp/activate/",
        "Turn TOTP on with the activation token and a code: the recovery codes",
        &[("activation_token", true), ("code", true)],
    ))),
    limited(authed(op(Post, "/api/auth/mfa/totp/deactivate/", "Turn TOTP off with a TOTP code", &[("code", true)]))),
    authed(op(Get, "/api/auth/mfa/status/", "Whether two-factor is on, since when, last used", &[])),
    authed(op(Post, "/api/auth/mfa/recovery-codes/", "The unused recovery codes", &[])),
    authed(op(Post, "/api/auth/mfa/recovery-codes/regenerate/", "New recovery codes in place of the old", &[])),
    authed(op(
        Post,
        "/api/auth/passkeys/register/begin/",
        "Passkeys: options for navigator.credentials.create (user verification required)",
        &[("name", false)],
    )),
    authed(created(op(
        Post,
        "/api/auth/passkeys/register/complete/",
        "Passkeys: store the browser's new credential under `name` (\"Passkey\" by default)",
        &[("credential", true), ("name", false)],
    ))),
    limited(op(
        Post,
        "/api/auth/passkeys/login/begin/",
        "Passkeys: options for navigator.credentials.get and a `session_id` (the same for every account)",
        &[("username", false), ("email", false)],
    )),
    limited(op(
        Post,
        "/api/auth/passkeys/login/complete/",
        "Passkeys: sign in with the browser's assertion: the login response (two factors, no mfa/verify/)",
        &[("credential", true), ("session_id", true)],
    )),
    authed(list(op(Get, "/api/auth/passkeys/", "Passkeys: the caller's, newest first", &[]))),
    authed(also(op(Get, "/api/auth/passkeys/{id}/", "Passkeys: one of the caller's", &[]), &[NOT_FOUND])),
    authed(also(
        op(Patch, "/api/auth/passkeys/{id}/", "Passkeys: rename one: `{name}`", &[("name", false)]),
        &[NOT_FOUND],
    )),
    authed(also(
        op(Put, "/api/auth/passkeys/{id}/", "Passkeys: rename one: `{name}`", &[("name", true)]),
        &[NOT_FOUND],
    )),
    authed(also(no_content(op(Delete, "/api/auth/passkeys/{id}/", "Passkeys: delete one", &[])), &[NOT_FOUND])),
    authed(query(
        op(Get, "/api/auth/activity/", "Security activity: the caller's own events, newest first", &[]),
        PAGING,
    )),
    authed(list(op(
        Get,
        "/api/auth/sessions/",
        "Devices: the caller's browser sessions, API tokens and JWT families (kind, device, created, current)",
        &[],
    ))),
    authed(no_content(op(Delete, "/api/auth/sessions/others/", "Devices: end every one but the current", &[]))),
    authed(also(
        no_content(op(Delete, "/api/auth/sessions/{device}/", "Devices: end one by its `id`", &[])),
        &[NOT_FOUND],
    )),
    // the admin API (staff only)
    authed(also(
        limited(op(
            Post,
            "/api/admin/reauthenticate/",
            "Admin: confirm it is you (`password`, or a TOTP `code`); admin changes are allowed for the next minutes",
            &[("password", false), ("code", false)],
        )),
        &[STAFF],
    )),
    authed(also(
        query(
            op(Get, "/api/admin/users/", "Admin: accounts, searched, filtered, sorted, by cursor", &[]),
            USER_LIST_QUERY,
        ),
        &[STAFF],
    )),
    authed(also(op(Get, "/api/admin/users/{id}/", "Admin: one account in full", &[]), &[STAFF, NOT_FOUND])),
    authed(also(
        op(
            Patch,
            "/api/admin/users/{id}/",
            "Admin: change names and flags (turning is_active off ends every credential)",
            &[
                ("first_name", false),
                ("last_name", false),
                ("is_active", false),
                ("is_staff", false),
                ("email_verified", false),
            ],
        ),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(
        no_content(op(Delete, "/api/admin/users/{id}/", "Admin: delete the account", &[])),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(
        op(Post, "/api/admin/users/{id}/deactivate/", "Admin: deactivate; every session, token and JWT ends", &[]),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(op(Post, "/api/admin/users/{id}/reactivate/", "Admin: reactivate", &[]), &[STAFF, NOT_FOUND])),
    authed(also(
        op(Post, "/api/admin/users/{id}/send-password-reset/", "Admin: email a password reset link", &[]),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(
        op(Post, "/api/admin/users/{id}/resend-verification/", "Admin: email a new verification link", &[]),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(
        op(Post, "/api/admin/users/{id}/revoke-sessions/", "Admin: sign the account out everywhere", &[]),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(
        op(Post, "/api/admin/users/{id}/reset-2fa/", "Admin: turn two-factor off (the owner is told by email)", &[]),
        &[STAFF, NOT_FOUND],
    )),
    authed(also(
        query(op(Get, "/api/admin/audit/", "Admin: the audit trail, newest first", &[]), AUDIT_QUERY),
        &[STAFF],
    )),
    // djoser's door, at LATCHKEY_DJOSER_PREFIX (`/auth` by default)
    limited(created(op(
        Post,
        "/auth/users/",
        "djoser: sign up (`re_password` with USER_CREATE_PASSWORD_RETYPE): `{email, username, id}`",
        &[("username", true), ("email", true), ("password", true), ("re_password", false)],
    ))),
    authed(list(op(Get, "/auth/users/", "djoser: the users the caller may see (itself: HIDE_USERS)", &[]))),
    authed(op(Get, "/auth/users/me/", "djoser: the caller, `{email, id, username}`", &[])),
    authed(also(op(Get, "/auth/users/{id}/", "djoser: the caller by id (any other id: 404)", &[]), &[NOT_FOUND])),
    authed(also(op(Patch, "/auth/users/{id}/", "djoser: update the caller by id", &[("email", false)]), &[NOT_FOUND])),
    authed(also(op(Put, "/auth/users/{id}/", "djoser: update the caller by id", &[("email", false)]), &[NOT_FOUND])),
    authed(also(
        no_content(op(Delete, "/auth/users/{id}/", "djoser: delete the caller by id", &[("current_password", true)])),
        &[NOT_FOUND],
    )),
    limited(authed(no_content(op(
        Post,
        "/auth/users/set_username/",
        "djoser: a new username (`re_new_username` with SET_USERNAME_RETYPE)",
        &[("current_password", true), ("new_username", true), ("re_new_username", false)],
    )))),
    authed(op(Put, "/auth/users/me/", "djoser: update the caller (the username is read-only)", &[("email", false)])),
    authed(op(Patch, "/auth/users/me/", "djoser: update the caller (the username is read-only)", &[("email", false)])),
    limited(authed(no_content(op(
        Delete,
        "/auth/users/me/",
        "djoser: delete the account",
        &[("current_password", true)],
    )))),
    no_content(op(
        Post,
        "/auth/users/activation/",
        "djoser: activate with the emailed uid and token",
        &[("uid", true), ("token", true)],
    )),
    limited(no_content(op(
        Post,
        "/auth/users/resend_activation/",
        "djoser: send the activation email again",
        &[("email", true)],
    ))),
    limited(authed(no_content(op(
        Post,
        "/auth/users/set_password/",
        "djoser: change the password (`re_new_password` with SET_PASSWORD_RETYPE)",
        &[("current_password", true), ("new_password", true), ("re_new_password", false)],
    )))),
    limited(no_content(op(
        Post,
        "/auth/users/reset_password/",
        "djoser: email a password reset link",
        &[("email", true)],
    ))),
    limited(also(
        no_content(op(
            Post,
            "/auth/users/reset_username/",
            "djoser: email a username reset link (needs LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL)",
            &[("email", true)],
        )),
        &[USERNAME_RESET_OFF],
    )),
    also(
        no_content(op(
            Post,
            "/auth/users/reset_username_confirm/",
            "djoser: set a new username with the link's uid and token",
            &[("uid", true), ("token", true), ("new_username", true), ("re_new_username", false)],
        )),
        &[USERNAME_RESET_OFF],
    ),
    no_content(op(
        Post,
        "/auth/users/reset_password_confirm/",
        "djoser: set a new password with the link's uid and token",
        &[("uid", true), ("token", true), ("new_password", true), ("re_new_password", false)],
    )),
    limited(op(
        Post,
        "/auth/token/login/",
        "djoser: `{auth_token}` (a new token per sign-in)",
        &[("username", false), ("email", false), ("password", true)],
    )),
    authed(no_content(op(Post, "/auth/token/logout/", "djoser: end the token the request came with", &[]))),
    limited(also(
        op(
            Post,
            "/auth/jwt/create/",
            "djoser (simplejwt): `{refresh, access}`",
            &[("username", true), ("password", true)],
        ),
        &[("401", "`{\"detail\": \"No active account found with the given credentials\"}`, or two-factor required")],
    )),
    also(
        op(Post, "/auth/jwt/refresh/", "djoser (simplejwt): `{access, refresh}` (it rotates)", &[("refresh", true)]),
        &[BAD_JWT],
    ),
    also(op(Post, "/auth/jwt/verify/", "djoser (simplejwt): `{}` for a valid token", &[("token", true)]), &[BAD_JWT]),
    // django-rest-registration's door, at LATCHKEY_REST_REGISTRATION_PREFIX (`/api/v1/accounts` by default)
    limited(created(op(
        Post,
        "/api/v1/accounts/register/",
        "django-rest-registration: sign up; the user `{id, username, first_name, last_name, email}`",
        &[
            ("username", true),
            ("email", true),
            ("first_name", false),
            ("last_name", false),
            ("password", true),
            ("password_confirm", false),
        ],
    ))),
    also(
        op(
            Post,
            "/api/v1/accounts/verify-registration/",
            "django-rest-registration: verify with the signed link's parts (single use)",
            SIGNED,
        ),
        &[("404", "LATCHKEY_EMAIL_VERIFICATION=none")],
    ),
    limited(op(
        Post,
        "/api/v1/accounts/send-reset-password-link/",
        "django-rest-registration: email a signed reset link to the account `login` names (same answer for anyone)",
        &[("login", false), ("email", false)],
    )),
    op(
        Post,
        "/api/v1/accounts/reset-password/",
        "django-rest-registration: a new password with the signed link's parts",
        &[("user_id", true), ("timestamp", true), ("signature", true), ("password", true), ("password_confirm", false)],
    ),
    limited(op(
        Post,
        "/api/v1/accounts/login/",
        "django-rest-registration: `{detail, token}` and a session (a new token per sign-in)",
        &[("login", true), ("password", true)],
    )),
    authed(op(
        Post,
        "/api/v1/accounts/logout/",
        "django-rest-registration: end the session; `revoke_token` ends the token too",
        &[("revoke_token", false)],
    )),
    authed(op(Get, "/api/v1/accounts/profile/", "django-rest-registration: the caller", &[])),
    authed(op(Post, "/api/v1/accounts/profile/", "django-rest-registration: update the caller", PROFILE_PUT)),
    authed(op(Put, "/api/v1/accounts/profile/", "django-rest-registration: update the caller", PROFILE_PUT)),
    authed(op(Patch, "/api/v1/accounts/profile/", "django-rest-registration: update some fields", PROFILE_PATCH)),
    limited(authed(op(
        Post,
        "/api/v1/accounts/change-password/",
        "django-rest-registration: change the password (`password_confirm` unless its setting is off)",
        &[("old_password", true), ("password", true), ("password_confirm", false)],
    ))),
    limited(authed(op(
        Post,
        "/api/v1/accounts/register-email/",
        "django-rest-registration: email a signed link to a new address (`password` checked when given)",
        &[("email", true), ("password", false)],
    ))),
    op(
        Post,
        "/api/v1/accounts/verify-email/",
        "django-rest-registration: the new address, with the signed link's parts",
        &[("user_id", true), ("email", true), ("timestamp", true), ("signature", true)],
    ),
];

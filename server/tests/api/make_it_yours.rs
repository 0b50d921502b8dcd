//! Configuration a team adopting Latchkey changes: email-only accounts
//! (`LATCHKEY_USERNAME`), email templates and subject prefix, the site's
//! name, colour and logo, and signing out on a password change.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::json;

cases!(
    email_only_accounts_through_every_door,
    an_optional_username_is_made_when_left_out,
    accounts_without_an_address_where_allowed,
    a_template_override_changes_the_sent_email,
    a_broken_template_stops_start_up,
    pages_carry_the_sites_name_colour_and_logo,
    a_password_change_can_sign_out_its_own_session_too
);

async fn email_only_accounts_through_every_door(b: Backend) {
    let opts = Opts::new(&b)
        .env("LATCHKEY_USERNAME", "none")
        .env("LATCHKEY_REST_REGISTRATION_REGISTER_VERIFICATION_URL", "https://front.test/verify-user/");
    let app = TestApp::spawn(opts).await;
    // dj-rest-auth: no username asked; one sent is ignored
    let r = app
        .post(
            "/registration/",
            json!({"username": "ignored", "email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mail = app.smtp.wait_for_subject("ada@example.com", "Confirm your email address", 1).await;
    assert!(
        mail.text.starts_with("Hello ada@example.com,"),
        "greeted by the address, not a made-up name: {}",
        mail.text
    );
    let key = app.verification_key("ada@example.com", 1).await;
    assert_eq!(app.post("/registration/verify-email/", json!({"key": key})).await.status, 200);
    // djoser's JWT door logs in by the email, its LOGIN_FIELD here
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/jwt/create/",
            Some(json!({"email": "ada@example.com", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // django-rest-registration's PUT profile/ asks for no username
    let r = app.post("/login/", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    let rr_auth = app.auth_from(&r);
    let r = app
        .request(&app.http, Method::PUT, "/api/v1/accounts/profile/", Some(json!({"first_name": "Ada"})), &rr_auth)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.get("username").is_none());
    let r = app.post("/login/", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let auth = app.auth_from(&r);
    let me = app.get_user(&auth).await;
    assert_eq!(me.body["email"], "ada@example.com");
    assert!(me.body.get("username").is_none(), "no username is shown: {}", me.body);
    let r = app.call(Method::PATCH, "/user/", Some(json!({"username": "mallory", "first_name": "Ada"})), &auth).await;
    assert_eq!((r.status, r.body["first_name"].clone()), (200, json!("Ada")));
    assert_eq!(app.login("mallory", PASSWORD).await.status, 400, "no username to log in with");
    // djoser: users/ takes email and password; set_username/ is gone
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/users/",
            Some(json!({"email": "bob@example.com", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.get("username").is_none() && r.body["email"] == "bob@example.com", "{}", r.body);
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/users/set_username/",
            Some(json!({"current_password": PASSWORD, "new_username": "x"})),
            &auth,
        )
        .await;
    assert_eq!(r.status, 404);
    // django-rest-registration: register/ without a username
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/api/v1/accounts/register/",
            Some(json!({"email": "cy@example.com", "password": PASSWORD, "password_confirm": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.get("username").is_none());
    // two addresses with the same local part get different hidden names
    let r = app
        .post("/registration/", json!({"email": "ada@other.example", "password1": PASSWORD, "password2": PASSWORD}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // the page does not ask for one
    let html = app.http.get(format!("{}/signup", app.base)).send().await.expect("get").text().await.expect("text");
    assert!(!html.contains("name=\"username\""), "the sign-up page asks for no username");
    // a login method that needs usernames cannot be set with it
    let refused =
        TestApp::try_spawn(Opts::new(&b).env("LATCHKEY_USERNAME", "none").env("LATCHKEY_LOGIN_METHOD", "username"))
            .await
            .err()
            .unwrap_or_default();
    assert!(refused.contains("LATCHKEY_LOGIN_METHOD=email"), "{refused}");
}

async fn an_optional_username_is_made_when_left_out(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_USERNAME", "optional")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app
        .post("/registration/", json!({"email": "ada@elsewhere.example", "password1": PASSWORD, "password2": PASSWORD}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let key = app.verification_key("ada@elsewhere.example", 1).await;
    assert_eq!(app.post("/registration/verify-email/", json!({"key": key})).await.status, 200);
    let r = app.post("/login/", json!({"email": "ada@elsewhere.example", "password": PASSWORD})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let auth = app.auth_from(&r);
    let name = app.get_user(&auth).await.str("username");
    assert!(name.starts_with("user-") && !name.contains("ada"), "made up, saying nothing about the address: {name}");
    // one given is still checked
    let r = app
        .post(
            "/registration/",
            json!({"username": "ADA", "email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD}),
        )
        .await;
    assert_eq!((r.status, r.body), (400, json!({"username": ["A user with that username already exists."]})));
}

async fn a_template_override_changes_the_sent_email(b: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("base.html"), "<main>{% block body %}{% endblock %}</main>").expect("write");
    std::fs::create_dir(dir.path().join("verify_email")).expect("mkdir");
    std::fs::write(dir.path().join("verify_email/subject.txt"), "Welcome aboard, {{ username }}").expect("write");
    std::fs::write(
        dir.path().join("verify_email/body.html"),
        "{% extends \"base.html\" %}{% block body %}<a href=\"{{ link }}\">Join {{ site_name }}, {{ username }}</a>{% endblock %}",
    )
    .expect("write");
    let app = TestApp::spawn(
        Opts::new(&b)
            .env("LATCHKEY_TEMPLATES_DIR", dir.path().display().to_string())
            .env("LATCHKEY_SITE_NAME", "Acme ID")
            .env("LATCHKEY_EMAIL_SUBJECT_PREFIX", "[Acme] "),
    )
    .await;
    assert_eq!(app.register("<b>ada</b>", "ada@example.com", PASSWORD).await.status, 400, "not a username");
    assert_eq!(app.register("ada", "ada@example.com", PASSWORD).await.status, 201);
    let mail = app.smtp.wait_for_subject("ada@example.com", "[Acme] Welcome aboard, ada", 1).await;
    assert!(mail.html.contains("<main><a href=\"http://latchkey.test/verify-email/"), "{}", mail.html);
    assert!(mail.html.contains("Join Acme ID, ada</a></main>"), "{}", mail.html);
    assert!(
        mail.text.contains("Acme ID account") && mail.text.contains("expires in 3 days"),
        "the built-in text: {}",
        mail.text
    );
    // the other kinds keep theirs, with the site name and prefix
    assert_eq!(app.post("/password/reset/", json!({"email": "nobody@example.com"})).await.status, 200);
    app.smtp.wait_for_subject("nobody@example.com", "[Acme] Password reset request for Acme ID", 1).await;
}

async fn a_broken_template_stops_start_up(b: Backend) {
    for (file, body, says) in [
        ("verify_email/body.txt", "{{ link ", "verify_email/body.txt"),
        ("password_reset/subject.txt", "{{ new_email }}", "unknown variable new_email"),
        ("welcome/body.txt", "hi", "no email kind \"welcome\""),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, body).expect("write");
        let err = TestApp::try_spawn(Opts::new(&b).env("LATCHKEY_TEMPLATES_DIR", dir.path().display().to_string()))
            .await
            .err()
            .unwrap_or_default();
        assert!(err.contains(says), "{file}: {err}");
    }
}

async fn pages_carry_the_sites_name_colour_and_logo(b: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let logo = dir.path().join("logo.svg");
    std::fs::write(
        &logo,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><script>alert(1)</script></svg>",
    )
    .expect("write");
    let css = dir.path().join("extra.css");
    std::fs::write(&css, ".card { border-radius: 0; }").expect("write");
    let app = TestApp::spawn(
        Opts::new(&b)
            .env("LATCHKEY_SITE_NAME", "Acme & \"Co\"")
            .env("LATCHKEY_PRIMARY_COLOR", "#0a7d3b")
            .env("LATCHKEY_LOGO", logo.display().to_string())
            .env("LATCHKEY_EXTRA_CSS", css.display().to_string()),
    )
    .await;
    let html = app.http.get(format!("{}/login", app.base)).send().await.expect("get").text().await.expect("text");
    assert!(
        html.contains("<title>Log in · Acme &amp; &quot;Co&quot;</title>")
            || html.contains("<title>Log in · Acme & \"Co\"</title>"),
        "{html}"
    );
    assert!(html.contains("content=\"Acme &amp; &quot;Co&quot;\""), "escaped in attributes");
    let sheet =
        html.split("href=\"/branding.css?v=").nth(1).and_then(|s| s.split('"').next()).expect("stylesheet link");
    let res = app.http.get(format!("{}/branding.css?v={sheet}", app.base)).send().await.expect("get");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    let body = res.text().await.expect("css");
    assert!(body.contains("--primary: #0a7d3b") && body.contains(".card { border-radius: 0; }"), "{body}");
    let res = app.http.get(format!("{}/branding.css?v=old", app.base)).send().await.expect("get");
    assert_eq!(res.headers()["cache-control"], "no-cache", "an old version is not kept for a year");
    // what a shared cache keeps for a year never signs anyone out
    let res = app
        .http
        .get(format!("{}/branding.css?v={sheet}", app.base))
        .header("cookie", "latchkey_session=stale")
        .send()
        .await
        .expect("get");
    assert!(res.headers().get("set-cookie").is_none(), "{:?}", res.headers());
    let res = app.http.get(format!("{}/branding/logo", app.base)).send().await.expect("get");
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.headers()["content-security-policy"].to_str().unwrap_or_default().contains("sandbox"));
    assert!(html.contains("src=\"/branding/logo?v="), "the top bar shows the logo");
    // refused at start-up: a colour that could break out of the stylesheet, a missing file
    for (k, v) in [
        ("LATCHKEY_PRIMARY_COLOR", "red;}body{display:none"),
        ("LATCHKEY_LOGO", "/nonexistent/logo.png"),
        ("LATCHKEY_SITE_NAME", "Acme</title><script>alert(1)</script>"),
    ] {
        assert!(TestApp::try_spawn(Opts::new(&b).env(k, v)).await.is_err(), "{k}={v}");
    }
    // without settings there is no branding stylesheet
    let plain = TestApp::spawn(Opts::new(&b)).await;
    let html = plain.http.get(format!("{}/login", plain.base)).send().await.expect("get").text().await.expect("text");
    assert!(!html.contains("/branding.css") && html.contains("<title>Log in · Latchkey</title>"));
    let res = plain.http.get(format!("{}/branding.css", plain.base)).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 404);
}

async fn a_password_change_can_sign_out_its_own_session_too(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_LOGOUT_ON_PASSWORD_CHANGE", "true")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let other = app.login_auth("ada", PASSWORD).await;
    let change =
        json!({"old_password": PASSWORD, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"});
    let r = app.post_auth("/password/change/", change, &auth).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.get_user(&auth).await.status, 401, "the token that made the change is signed out too");
    assert_eq!(app.get_user(&other).await.status, 401);
    // a browser session: the cookie no longer signs anyone in
    let browser = app.browser();
    let r = app
        .call_with(
            &browser,
            Method::POST,
            "/login/",
            Some(json!({"username": "ada", "password": "Fresh-Latch-42"})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 200);
    let change =
        json!({"old_password": "Fresh-Latch-42", "new_password1": "Third-Latch-43", "new_password2": "Third-Latch-43"});
    let r = app.call_with(&browser, Method::POST, "/password/change/", Some(change), &Auth::None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.call_with(&browser, Method::GET, "/user/", None, &Auth::None).await.status, 401);
    // with JWT cookies, the browser's cookies go too
    let app = TestApp::spawn(
        Opts::new(&b).mode("jwt").env("LATCHKEY_LOGOUT_ON_PASSWORD_CHANGE", "true").env("LATCHKEY_JWT_COOKIES", "true"),
    )
    .await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.post("/login/", json!({"username": "ada", "password": PASSWORD})).await;
    let auth = app.auth_from(&r);
    let change =
        json!({"old_password": PASSWORD, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"});
    let r = app.post_auth("/password/change/", change, &auth).await;
    let cleared: Vec<String> =
        r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or("").to_owned()).collect();
    assert!(cleared.iter().any(|c| c.starts_with("latchkey-auth=") && c.contains("Max-Age=0")), "{cleared:?}");
    // the default keeps the caller signed in
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let change =
        json!({"old_password": PASSWORD, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"});
    assert_eq!(app.post_auth("/password/change/", change, &auth).await.status, 200);
    assert_eq!(app.get_user(&auth).await.status, 200);
}

/// `LATCHKEY_EMAIL_REQUIRED=false` (with no verification): sign-up without
/// an address through every door; two such accounts coexist (the unique
/// index on both databases), no lookup by address finds them, nothing is
/// mailed to them, and they add an address later by the usual change.
async fn accounts_without_an_address_where_allowed(b: Backend) {
    let opts = Opts::new(&b).verification("none").env("LATCHKEY_EMAIL_REQUIRED", "false");
    let app = TestApp::spawn(opts).await;
    for name in ["ada", "bob"] {
        let r =
            app.post("/registration/", json!({"username": name, "password1": PASSWORD, "password2": PASSWORD})).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/users/",
            Some(json!({"username": "cy", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/api/v1/accounts/register/",
            Some(json!({"username": "dee", "password": PASSWORD, "password_confirm": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ada = app.login_auth("ada", PASSWORD).await;
    assert_eq!(app.get_user(&ada).await.body["email"], "");
    // an empty address finds no one: not at log-in, not for a reset
    let r = app.post("/login/", json!({"email": "", "password": PASSWORD})).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = app.post("/login/", json!({"username": "", "email": "", "password": PASSWORD})).await;
    assert_eq!(r.status, 400, "{}", r.body);
    // a change of password mails no one, and works
    let change =
        json!({"old_password": PASSWORD, "new_password1": "Fresh-Latch-42", "new_password2": "Fresh-Latch-42"});
    assert_eq!(app.post_auth("/password/change/", change, &ada).await.status, 200);
    app.settled().await;
    // an address can be added later, by the usual confirm-first change
    let ada = app.login_auth("ada", "Fresh-Latch-42").await;
    let r = app
        .post_auth("/email/change/", json!({"new_email": "ada@example.com", "password": "Fresh-Latch-42"}), &ada)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = app.smtp.wait_for_subject("ada@example.com", "Confirm your new email address", 1).await;
    let key = mail.link().rsplit('/').next().expect("key").to_owned();
    assert_eq!(app.post("/email/change/confirm/", json!({"key": key})).await.status, 200);
    assert_eq!(app.get_user(&ada).await.body["email"], "ada@example.com");
    assert_eq!(
        app.post("/login/", json!({"email": "ada@example.com", "password": "Fresh-Latch-42"})).await.status,
        200
    );
    // an address given is still checked, and still unique
    let r = app
        .post(
            "/registration/",
            json!({"username": "eve", "email": "ADA@example.com", "password1": PASSWORD, "password2": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // staff cannot mail an account that has no address (and are told so)
    app.engine
        .create_staff("root", "root@example.com", secrecy::SecretString::from(PASSWORD.to_owned()))
        .await
        .expect("staff");
    let root = app.login_auth("root", PASSWORD).await;
    let r = app
        .request(&app.http, Method::POST, "/api/admin/reauthenticate/", Some(json!({"password": PASSWORD})), &root)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bob = app::core::repo::users::by_username(app.engine.db(), "bob").await.expect("db").expect("bob").id;
    let r = app
        .request(&app.http, Method::POST, &format!("/api/admin/users/{bob}/send-password-reset/"), None, &root)
        .await;
    assert_eq!((r.status, r.body["detail"].clone()), (400, json!("This account has no email address.")), "{}", r.body);
    // later settings that would lock these accounts out stop start-up
    let url = app.database_url();
    app.stop().await;
    let err = TestApp::try_spawn(Opts::new(&b).env("DATABASE_URL", url.clone())).await.err().unwrap_or_default();
    assert!(err.contains("have no email address"), "{err}");
    let again = TestApp::try_spawn(Opts::new(&b).verification("none").env("DATABASE_URL", url)).await;
    assert!(again.is_ok(), "the same settings without the flag are fine: accounts exist, new ones need an address");
    // only where nothing needs the address
    for (k, v) in
        [("LATCHKEY_EMAIL_VERIFICATION", "optional"), ("LATCHKEY_USERNAME", "none"), ("LATCHKEY_LOGIN_METHOD", "email")]
    {
        let refused =
            TestApp::try_spawn(Opts::new(&b).verification("none").env("LATCHKEY_EMAIL_REQUIRED", "false").env(k, v))
                .await;
        assert!(refused.is_err(), "{k}={v}");
    }
}

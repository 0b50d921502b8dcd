//! Profile fields from configuration (`[[profile.fields]]` /
//! `LATCHKEY_PROFILE_FIELDS`): sign-up with them in every door, checks per
//! kind, read-only and non-editable fields, the OpenAPI document, the public
//! directory, and the move of today's profile columns on both databases.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

cases!(
    sign_up_with_the_schemas_fields,
    every_kind_is_checked,
    updates_skip_read_only_fields_and_put_needs_required_ones,
    other_doors_show_and_take_a_custom_profile,
    the_openapi_document_shows_the_schema,
    the_directory_lists_public_fields_only,
    the_directory_is_off_by_default_and_members_only_when_asked,
    existing_profile_values_move_to_the_new_storage,
    broken_schemas_stop_start_up,
    a_picture_swap_deletes_only_the_owners_files,
    djoser_put_needs_the_required_fields
);

/// A school's schema: the djoser tutorial's role, a birthday, a newsletter
/// box, a required text field asked at sign-up, and fields the owner cannot
/// change.
fn schema() -> String {
    json!([
        {"name": "role", "type": "choice", "choices": ["teacher", "student"], "required": true, "signup": true, "public": true, "label": "Role"},
        {"name": "birthday", "type": "date", "signup": true},
        {"name": "newsletter", "type": "boolean", "signup": true},
        {"name": "school", "type": "text", "required": true, "signup": true, "max_length": 50, "public": true},
        {"name": "age", "type": "integer", "min": 0, "max": 150},
        {"name": "homepage", "type": "url"},
        {"name": "mobile", "type": "phone"},
        {"name": "backup_email", "type": "email"},
        {"name": "is_creator", "type": "boolean", "editable": false, "public": true},
        {"name": "motto", "type": "text", "editable": false, "signup": true},
        {"name": "photo", "type": "image", "public": true}
    ])
    .to_string()
}

fn custom(b: &Backend) -> Opts {
    Opts::new(b).env("LATCHKEY_PROFILE_FIELDS", schema())
}

fn signup_body(username: &str, email: &str) -> Value {
    json!({
        "username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD,
        "role": "teacher", "birthday": "1990-12-10", "newsletter": true, "school": "Hilltop",
        "motto": "Learn", "age": 99, "is_creator": true
    })
}

async fn verified(app: &TestApp, username: &str, email: &str) -> Auth {
    let r = app.post("/registration/", signup_body(username, email)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let key = app.verification_key(email, 1).await;
    assert_eq!(app.post("/registration/verify-email/", json!({"key": key})).await.status, 200);
    app.login_auth(username, PASSWORD).await
}

async fn sign_up_with_the_schemas_fields(b: Backend) {
    let app = TestApp::spawn(custom(&b)).await;
    let auth = verified(&app, "ada", "ada@example.com").await;
    let me = app.get_user(&auth).await;
    assert_eq!(
        me.body["profile"],
        json!({
            "role": "teacher", "birthday": "1990-12-10", "newsletter": true, "school": "Hilltop",
            "age": null, "homepage": "", "mobile": "", "backup_email": "", "is_creator": false,
            "motto": "Learn", "photo": null
        }),
        "sign-up fields are stored; others (age, is_creator) are not taken at sign-up"
    );
    // required sign-up fields, and each kind's check, in the sign-up's own shape (top level)
    let r = app
        .post(
            "/registration/",
            json!({"username": "bob", "email": "bob@example.com", "password1": PASSWORD, "password2": PASSWORD,
                   "role": "admin", "birthday": "1990-02-30"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            json!({
                "role": ["Select a valid choice."],
                "birthday": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
                "school": ["This field is required."],
            })
        )
    );
    assert_eq!(app.login("bob", PASSWORD).await.status, 400, "nothing was created");
    // the page's form, tampered with: a 400, not the server-function machinery's 500
    for tampered in ["profile=x", "profile[a][b]=1", "page=-1"] {
        let r = app
            .http
            .post(format!("{}/fn/signup", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("email=c%40example.com&password1=x&password2=x&{tampered}"))
            .send()
            .await
            .expect("post");
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or_default();
        assert!(status == 400 || status == 200, "{tampered}: {status} {body}");
        if status == 400 {
            assert_eq!(body["detail"], "The form's fields could not be read.");
        }
    }
    let r = app
        .http
        .post(format!("{}/fn/signup", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=c%40example.com&password1=x&password2=x&profile=x")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 400);
}

async fn every_kind_is_checked(b: Backend) {
    let app = TestApp::spawn(custom(&b)).await;
    let auth = verified(&app, "ada", "ada@example.com").await;
    let bad = json!({"profile": {
        "role": "", "school": "x".repeat(51), "age": 151, "homepage": "javascript:alert(1)",
        "mobile": "call me", "backup_email": "nope", "newsletter": "maybe", "birthday": "12/10/1990"
    }});
    let r = app.call(Method::PATCH, "/user/", Some(bad), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (
            400,
            json!({"profile": {
                "role": ["This field may not be blank."],
                "school": ["Ensure this field has no more than 50 characters."],
                "age": ["Ensure this value is less than or equal to 150."],
                "homepage": ["Enter a valid URL."],
                "mobile": ["Enter a valid phone number."],
                "backup_email": ["Enter a valid email address."],
                "newsletter": ["Must be a valid boolean."],
                "birthday": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
            }})
        )
    );
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": {"age": -1, "school": null}})), &auth).await;
    assert_eq!(
        r.body,
        json!({"profile": {"age": ["Ensure this value is greater than or equal to 0."], "school": ["This field may not be null."]}})
    );
    assert_eq!(app.get_user(&auth).await.body["profile"]["school"], "Hilltop", "nothing stored was lost");
    let good = json!({"profile": {
        "age": "42", "homepage": "https://ada.dev/", "mobile": "+44 20 7946 0958", "backup_email": "a@b.example",
        "newsletter": "false", "birthday": null, "role": "student"
    }});
    let r = app.call(Method::PATCH, "/user/", Some(good), &auth).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let p = &r.body["profile"];
    assert_eq!(
        (p["age"].clone(), p["newsletter"].clone(), p["birthday"].clone()),
        (json!(42), json!(false), Value::Null)
    );
    assert_eq!((p["role"].as_str(), p["mobile"].as_str()), (Some("student"), Some("+44 20 7946 0958")));
}

async fn updates_skip_read_only_fields_and_put_needs_required_ones(b: Backend) {
    let app = TestApp::spawn(custom(&b)).await;
    let auth = verified(&app, "ada", "ada@example.com").await;
    // DRF ignores read-only fields: is_creator and motto stay as they were
    let r = app
        .call(
            Method::PATCH,
            "/user/",
            Some(json!({"profile": {"is_creator": true, "motto": "Hacked", "age": 30}})),
            &auth,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["profile"]["is_creator"].clone(), r.body["profile"]["motto"].clone()),
        (json!(false), json!("Learn"))
    );
    assert_eq!(r.body["profile"]["age"], 30);
    // a full update must carry the required editable fields
    let r = app.call(Method::PUT, "/user/", Some(json!({"username": "ada", "profile": {"age": 31}})), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"profile": {"role": ["This field is required."], "school": ["This field is required."]}}))
    );
    let r = app
        .call(
            Method::PUT,
            "/user/",
            Some(json!({"username": "ada", "profile": {"role": "student", "school": "Dale"}})),
            &auth,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["profile"]["age"], 30, "PUT leaves fields it does not name");
    // a profile picture for the custom image field, as a multipart part
    let png = b"\x89PNG\r\n\x1a\n0000";
    let form = reqwest::multipart::Form::new()
        .part("profile.photo", reqwest::multipart::Part::bytes(png.to_vec()).file_name("me.png"));
    let Auth::Token(key) = &auth else { panic!("token mode") };
    let res = upload(&app, Method::PATCH, "/api/auth/user/", key, form).await;
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    let photo = body["profile"]["photo"].as_str().unwrap_or_default().to_owned();
    assert!(photo.starts_with("http://latchkey.test/media/images/"), "{photo}");
    // no avatar in this schema: its endpoint is gone
    let form = reqwest::multipart::Form::new().part("avatar", reqwest::multipart::Part::bytes(png.to_vec()));
    let res = upload(&app, Method::POST, "/api/auth/user/avatar/", key, form).await;
    assert_eq!(res.status().as_u16(), 404);
}

async fn other_doors_show_and_take_a_custom_profile(b: Backend) {
    let app = TestApp::spawn(
        custom(&b).env("LATCHKEY_REST_REGISTRATION_REGISTER_VERIFICATION_URL", "https://front.test/verify-user/"),
    )
    .await;
    // djoser's users/ takes the sign-up fields too, and says which are missing
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/users/",
            Some(json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"role": ["This field is required."], "school": ["This field is required."]}))
    );
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/auth/users/",
            Some(json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD, "role": "student", "school": "Dale"})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["profile"]["role"], "student");
    // django-rest-registration's register/ and profile/
    let r = app
        .request(
            &app.http,
            Method::POST,
            "/api/v1/accounts/register/",
            Some(
                json!({"username": "cy", "email": "cy@example.com", "password": PASSWORD, "password_confirm": PASSWORD,
                        "role": "teacher", "school": "Hilltop", "newsletter": "yes"}),
            ),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!((r.body["profile"]["newsletter"].clone(), r.body["username"].clone()), (json!(true), json!("cy")));
    let auth = verified(&app, "ada", "ada@example.com").await;
    let r = app
        .request(&app.http, Method::PATCH, "/api/v1/accounts/profile/", Some(json!({"profile": {"age": 200}})), &auth)
        .await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"profile": {"age": ["Ensure this value is less than or equal to 150."]}}))
    );
    let r =
        app.request(&app.http, Method::PATCH, "/auth/users/me/", Some(json!({"profile": {"age": 20}})), &auth).await;
    assert_eq!((r.status, r.body["profile"]["age"].clone()), (200, json!(20)));
}

async fn the_openapi_document_shows_the_schema(b: Backend) {
    let app = TestApp::spawn(custom(&b)).await;
    let doc: Value =
        app.http.get(format!("{}/api/openapi.json", app.base)).send().await.expect("get").json().await.expect("json");
    let patch = &doc["paths"]["/api/auth/user/"]["patch"]["requestBody"]["content"]["application/json"]["schema"];
    let profile = &patch["properties"]["profile"]["properties"];
    assert_eq!(profile["role"]["enum"], json!(["teacher", "student"]));
    assert_eq!((profile["age"]["minimum"].as_f64(), profile["age"]["maximum"].as_f64()), (Some(0.0), Some(150.0)));
    assert_eq!(profile["birthday"]["format"], "date");
    assert_eq!(profile["is_creator"]["readOnly"], true);
    assert!(profile.get("company_name").is_none(), "the built-in fields are gone");
    let multipart =
        &doc["paths"]["/api/auth/user/"]["patch"]["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(multipart["properties"]["profile.photo"]["contentMediaType"], "image/*");
    let signup =
        &doc["paths"]["/api/auth/registration/"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(signup["properties"]["school"]["maxLength"], 50);
    let required: Vec<&str> = signup["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert!(
        required.contains(&"role") && required.contains(&"school") && !required.contains(&"birthday"),
        "{required:?}"
    );
}

async fn the_directory_lists_public_fields_only(b: Backend) {
    let app = TestApp::spawn(custom(&b).env("LATCHKEY_PROFILE_DIRECTORY", "public")).await;
    verified(&app, "ada", "ada@example.com").await;
    // an unverified account is not listed while verification is mandatory
    assert_eq!(app.post("/registration/", signup_body("eve", "eve@example.com")).await.status, 201);
    let r = app.call(Method::GET, "/profiles/", None, &Auth::None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"count": 1, "next": null, "previous": null, "results": [
            {"username": "ada", "profile": {"role": "teacher", "school": "Hilltop", "is_creator": false, "photo": null}}
        ]})
    );
    let one = app.call(Method::GET, "/profiles/ada/", None, &Auth::None).await;
    assert_eq!(one.body, r.body["results"][0]);
    assert_eq!(app.call(Method::GET, "/profiles/eve/", None, &Auth::None).await.status, 404);
    let r = app.call(Method::GET, "/profiles/?page=2", None, &Auth::None).await;
    assert_eq!((r.status, r.body), (404, json!({"detail": "Invalid page."})));
    for bad in ["0", "-1", "x", "99999999999999999999"] {
        assert_eq!(app.call(Method::GET, &format!("/profiles/?page={bad}"), None, &Auth::None).await.status, 404);
    }
    // a page number past any database's integers is a 404 everywhere, never a dropped connection
    let huge = "18446744073709551615";
    let r = app.call(Method::GET, &format!("/profiles/?page={huge}"), None, &Auth::None).await;
    assert_eq!(r.status, 404);
    let page = app.http.get(format!("{}/people?page={huge}", app.base)).send().await.expect("no panic");
    assert_eq!(page.status().as_u16(), 404);
    let r = app
        .http
        .post(format!("{}/fn/list_people", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("page={huge}"))
        .send()
        .await
        .expect("no panic");
    assert!(r.status().as_u16() < 500, "{}", r.status());
    // staff are never listed (the directory is no list of admin logins)
    app.engine
        .create_staff("root", "root@example.com", secrecy::SecretString::from(PASSWORD.to_owned()))
        .await
        .expect("staff");
    assert_eq!(app.call(Method::GET, "/profiles/", None, &Auth::None).await.body["count"], 1);
    assert_eq!(app.call(Method::GET, "/profiles/root/", None, &Auth::None).await.status, 404);
    // the page shows the same, and no private field
    let html = app.http.get(format!("{}/people", app.base)).send().await.expect("get").text().await.expect("text");
    assert!(html.contains("ada") && html.contains("Hilltop"), "{html}");
    assert!(!html.contains("1990-12-10") && !html.contains("Learn"), "private values stay private");
}

async fn the_directory_is_off_by_default_and_members_only_when_asked(b: Backend) {
    let app = TestApp::spawn(custom(&b)).await;
    verified(&app, "ada", "ada@example.com").await;
    assert_eq!(app.call(Method::GET, "/profiles/", None, &Auth::None).await.status, 404);
    let page = app.http.get(format!("{}/people/ada", app.base)).send().await.expect("get");
    assert_eq!(page.status().as_u16(), 404);
    let app = TestApp::spawn(custom(&b).env("LATCHKEY_PROFILE_DIRECTORY", "members")).await;
    let auth = verified(&app, "ada", "ada@example.com").await;
    assert_eq!(app.call(Method::GET, "/profiles/", None, &Auth::None).await.status, 401);
    assert_eq!(app.call(Method::GET, "/profiles/", None, &auth).await.status, 200);
    let refused =
        TestApp::try_spawn(custom(&b).env("LATCHKEY_PROFILE_DIRECTORY", "public").env("LATCHKEY_USERNAME", "none"))
            .await;
    assert!(refused.is_err(), "a directory of email-only accounts would have nothing to list them by");
}

/// A database made by the previous release, with profiles in their columns,
/// upgraded by start-up: every value is where the API reads it.
async fn existing_profile_values_move_to_the_new_storage(b: Backend) {
    use migration::MigratorTrait;
    use sea_orm::ConnectionTrait;
    let first = TestApp::spawn(Opts::new(&b)).await;
    let url = first.database_url();
    first.stop().await;
    let db = sea_orm::Database::connect(&url).await.expect("db");
    migration::Migrator::down(&db, Some(1)).await.expect("back to the previous release");
    let backend = db.get_database_backend();
    let run = |sql: &str| db.execute(sea_orm::Statement::from_string(backend, sql.to_owned()));
    run("INSERT INTO users (username, username_lower, email, email_lower, email_verified, password_hash, first_name, \
         last_name, is_active, date_joined, auth_epoch, is_staff) VALUES ('old', 'old', 'old@example.com', \
         'old@example.com', true, NULL, '', '', true, 0, 0, false)")
    .await
    .expect("user");
    run("INSERT INTO profiles (user_id, company_name, phone_number, bio, avatar) \
         SELECT id, 'Acme', '+1 555 0100', 'Line one\nline two', 'avatars/1-x.png' FROM users WHERE username = 'old'")
    .await
    .expect("profile");
    run("INSERT INTO users (username, username_lower, email, email_lower, email_verified, password_hash, first_name, \
         last_name, is_active, date_joined, auth_epoch, is_staff) VALUES ('blank', 'blank', 'b@example.com', \
         'b@example.com', true, NULL, '', '', true, 0, 0, false)")
    .await
    .expect("user");
    run("INSERT INTO profiles (user_id, company_name, phone_number, bio, avatar) \
         SELECT id, '', '', '', NULL FROM users WHERE username = 'blank'")
    .await
    .expect("profile");
    migration::Migrator::up(&db, None).await.expect("upgrade");
    let app = TestApp::spawn(Opts::new(&b).env("DATABASE_URL", url.clone())).await;
    let old = app.engine.account_for_read(&user(&app, "old").await).await.expect("account");
    assert_eq!(old.profile.values["company_name"], "Acme");
    assert_eq!(old.profile.values["phone_number"], "+1 555 0100");
    assert_eq!(old.profile.values["bio"], "Line one\nline two");
    assert_eq!(old.profile.values["avatar"], "/media/avatars/1-x.png");
    let blank = app.engine.account_for_read(&user(&app, "blank").await).await.expect("account");
    assert_eq!(blank.profile.values["company_name"], "");
    assert_eq!(blank.profile.values["avatar"], Value::Null);
    // and back down: the columns get their values again
    app.stop().await;
    migration::Migrator::down(&db, Some(1)).await.expect("down");
    let row = db
        .query_one(sea_orm::Statement::from_string(
            backend,
            "SELECT company_name, bio, avatar FROM profiles p JOIN users u ON u.id = p.user_id WHERE u.username = 'old'"
                .to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    let company: String = row.try_get("", "company_name").expect("company");
    let avatar: Option<String> = row.try_get("", "avatar").expect("avatar");
    assert_eq!((company.as_str(), avatar.as_deref()), ("Acme", Some("avatars/1-x.png")));
}

async fn user(app: &TestApp, username: &str) -> app::core::entities::user::Model {
    app::core::repo::users::by_username(app.engine.db(), username).await.expect("db").expect("user")
}

async fn broken_schemas_stop_start_up(b: Backend) {
    for (fields, says) in [
        (r#"[{"name": "email", "type": "text"}]"#, "taken by the account"),
        (r#"[{"name": "x", "type": "colour"}]"#, "unknown variant"),
        (r#"[{"name": "x", "type": "text", "lable": "X"}]"#, "unknown field"),
        (r#"[{"name": "x", "type": "choice"}]"#, "choices"),
        (r#"[{"name": "x", "type": "image", "signup": true}]"#, "image"),
    ] {
        let err = TestApp::try_spawn(Opts::new(&b).env("LATCHKEY_PROFILE_FIELDS", fields)).await.err();
        assert!(err.as_deref().is_some_and(|e| e.contains(says)), "{fields}: {err:?}");
    }
    // a social sign-up asks nothing, so a required field nobody may fill later cannot be
    let fixed = r#"[{"name": "x", "type": "text", "required": true, "signup": true, "editable": false}]"#;
    assert!(TestApp::try_spawn(Opts::new(&b).env("LATCHKEY_PROFILE_FIELDS", fixed)).await.is_ok());
    let social = Opts::new(&b)
        .env("LATCHKEY_PROFILE_FIELDS", fixed)
        .env("LATCHKEY_GITHUB_CLIENT_ID", "c")
        .env("LATCHKEY_GITHUB_CLIENT_SECRET", "s");
    let err = TestApp::try_spawn(social).await.err().unwrap_or_default();
    assert!(err.contains("social sign-up"), "{err}");
}

/// A text value naming someone else's picture, in a field that later
/// becomes an image field, is not a licence to delete that picture.
async fn a_picture_swap_deletes_only_the_owners_files(b: Backend) {
    let media = tempfile::tempdir().expect("media");
    let before = r#"[{"name": "avatar", "type": "image"}, {"name": "pic", "type": "text", "max_length": 200}]"#;
    let app = TestApp::spawn(
        Opts::new(&b)
            .env("LATCHKEY_PROFILE_FIELDS", before)
            .env("LATCHKEY_MEDIA_DIR", media.path().display().to_string()),
    )
    .await;
    app.signup_verified("bob", "bob@example.com").await;
    let bob = app.login_auth("bob", PASSWORD).await;
    let Auth::Token(key) = &bob else { panic!("token mode") };
    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    let form = reqwest::multipart::Form::new().part("avatar", reqwest::multipart::Part::bytes(png.clone()));
    let res = upload(&app, Method::POST, "/api/auth/user/avatar/", key, form).await;
    let body: Value = res.json().await.expect("json");
    let url = body["avatar"].as_str().unwrap_or_default().to_owned();
    let stored = url.split("/media/").nth(1).expect("a media path").to_owned();
    assert!(media.path().join(&stored).exists());
    app.signup_verified("eve", "eve@example.com").await;
    let eve = app.login_auth("eve", PASSWORD).await;
    let r = app.call(Method::PATCH, "/user/", Some(json!({"profile": {"pic": stored}})), &eve).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let url_db = app.database_url();
    app.stop().await;
    let after = r#"[{"name": "avatar", "type": "image"}, {"name": "pic", "type": "image"}]"#;
    let app = TestApp::spawn(
        Opts::new(&b)
            .env("DATABASE_URL", url_db)
            .env("LATCHKEY_PROFILE_FIELDS", after)
            .env("LATCHKEY_MEDIA_DIR", media.path().display().to_string()),
    )
    .await;
    let eve = app.login_auth("eve", PASSWORD).await;
    let Auth::Token(key) = &eve else { panic!("token mode") };
    let form =
        reqwest::multipart::Form::new().part("profile.pic", reqwest::multipart::Part::bytes(png).file_name("p.png"));
    let res = upload(&app, Method::PATCH, "/api/auth/user/", key, form).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(media.path().join(&stored).exists(), "bob's picture is still there");
}

async fn djoser_put_needs_the_required_fields(b: Backend) {
    let app = TestApp::spawn(custom(&b)).await;
    let auth = verified(&app, "ada", "ada@example.com").await;
    let r = app.request(&app.http, Method::PUT, "/auth/users/me/", Some(json!({"profile": {"age": 3}})), &auth).await;
    assert_eq!(
        (r.status, r.body),
        (400, json!({"profile": {"role": ["This field is required."], "school": ["This field is required."]}}))
    );
    let r = app.request(&app.http, Method::PATCH, "/auth/users/me/", Some(json!({"profile": {"age": 3}})), &auth).await;
    assert_eq!(r.status, 200, "PATCH needs none: {}", r.body);
}

/// A multipart request to `path`, signed in with the token `key`.
async fn upload(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    app.http
        .request(method, format!("{}{path}", app.base))
        .header("Authorization", format!("Token {key}"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

//! `latchkey import-users`: a Django `auth_user` CSV export comes in; the old
//! hashes work and are upgraded to argon2id at the first login.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use sea_orm::{ConnectionTrait, Statement};

// Real Django 5.1 hashes of PASSWORD.
const PBKDF2: &str = "pbkdf2_sha256$870000$seasalt1234$g9Wa7oDrsBHdeLSgvD4Oi5FAIRxjNrBGNtT08ltKWXg=";
const ARGON2: &str =
    "argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdDEyMzQ$XSWy53A9XfhYVNV8InkB21BIQzPodkK6F7lh+a/YYfU";

async fn stored_hash(url: &str, username: &str) -> String {
    let db = sea_orm::Database::connect(url).await.expect("db");
    let sql = format!("SELECT password_hash FROM users WHERE username_lower = '{username}'");
    let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await.expect("query").expect("row");
    row.try_get("", "password_hash").expect("hash")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_users_import_and_upgrade() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("import.db").display());
    let csv = dir.path().join("auth_user.csv");
    std::fs::write(
        &csv,
        format!(
            "id,password,last_login,is_superuser,username,first_name,last_name,email,is_staff,is_active,date_joined\n\
             1,{PBKDF2},2024-05-01 12:00:00+00,f,ada,Ada,Lovelace,ada@example.com,f,t,2020-01-01 00:00:00+00\n\
             2,\"{ARGON2}\",,f,bob,,,bob@example.com,f,true,2021-01-01T00:00:00Z\n\
             3,!unusableXYZ,,f,carol,,,carol@example.com,f,t,\n\
             4,{PBKDF2},,f,bad name,,,dan@example.com,f,t,\n\
             5,{PBKDF2},,f,ADA,,,other@example.com,f,t,\n\
             6,{PBKDF2},,f,eve,,,not-an-email,f,t,\n\
             7,{PBKDF2},,f,gone,,,gone@example.com,f,f,\n"
        ),
    )
    .expect("csv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .args(["import-users", csv.to_str().expect("path"), "--emails-verified"])
        .env("DATABASE_URL", &url)
        .env("LATCHKEY_DATA_DIR", dir.path())
        .env("LATCHKEY_SECRET_KEY", "import-secret-key-that-is-long-enough-000")
        .output()
        .expect("run latchkey");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("imported 4 users; 1 already existed; 2 rejected"), "{stdout}");
    assert!(stdout.contains("line 5: username") && stdout.contains("line 7: email"), "{stdout}");

    let app = TestApp::spawn(Opts::new(&Backend::Sqlite).env("DATABASE_URL", url.clone())).await;
    assert_eq!(stored_hash(&url, "ada").await, PBKDF2);
    for user in ["ada", "bob"] {
        let r = app.login(user, PASSWORD).await;
        assert_eq!(r.status, 200, "{user}: {:?}", r.body);
        let upgraded = stored_hash(&url, user).await;
        assert!(upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{user}: {upgraded}");
        assert_eq!(app.login(user, PASSWORD).await.status, 200, "{user} logs in with the new hash");
    }
    assert_eq!(app.login("ada", "wrong-Pass-1").await.status, 400);
    assert_eq!(app.login("carol", PASSWORD).await.status, 400, "unusable password");
    assert_eq!(app.login("gone", PASSWORD).await.status, 400, "inactive stays inactive");
    let me = app.get_user(&app.login_auth("ada", PASSWORD).await).await;
    assert_eq!((me.body["first_name"].as_str(), me.body["last_name"].as_str()), (Some("Ada"), Some("Lovelace")));
}

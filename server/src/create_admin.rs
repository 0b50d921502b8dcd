//! `latchkey create-admin`: a staff account, like Django's
//! `createsuperuser`. Username, address and password come from flags
//! (`--username`, `--email`), the environment (`LATCHKEY_ADMIN_USERNAME`,
//! `LATCHKEY_ADMIN_EMAIL`, `LATCHKEY_ADMIN_PASSWORD`) or, at a terminal,
//! prompts (the password unechoed, asked twice). `--no-input` never prompts:
//! anything missing is an error (for scripts). The password is held to the
//! sign-up validators; the account is active and its address verified.

use app::core::{Engine, FlowError};
use app::dialects::dj_rest_auth;
use secrecy::{ExposeSecret, SecretString};
use std::io::{BufRead, IsTerminal, Write};

/// What the command was given.
#[derive(Debug, Default)]
pub struct Args {
    pub username: Option<String>,
    pub email: Option<String>,
    pub no_input: bool,
}

impl Args {
    /// Reads `--username U`, `--username=U`, `--email E`, `--no-input`.
    ///
    /// # Errors
    /// An unknown flag or a flag without its value.
    pub fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) => (f, Some(v.to_owned())),
                None => (a.as_str(), None),
            };
            let mut value = || inline.clone().or_else(|| it.next().cloned());
            match flag {
                "--username" => {
                    out.username = Some(value().ok_or_else(|| anyhow::anyhow!("--username needs a value"))?)
                }
                "--email" => out.email = Some(value().ok_or_else(|| anyhow::anyhow!("--email needs a value"))?),
                "--no-input" | "--noinput" => out.no_input = true,
                other => anyhow::bail!("unknown option {other:?} for create-admin"),
            }
        }
        Ok(out)
    }
}

fn ask(label: &str) -> anyhow::Result<String> {
    print!("{label}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

fn value(given: Option<String>, env: &str, label: &str, prompt: bool) -> anyhow::Result<String> {
    if let Some(v) = given.or_else(|| std::env::var(env).ok()).filter(|v| !v.trim().is_empty()) {
        return Ok(v);
    }
    anyhow::ensure!(prompt, "{label} is required: pass it as a flag or set {env}");
    ask(label)
}

fn password(prompt: bool) -> anyhow::Result<SecretString> {
    if let Ok(p) = std::env::var("LATCHKEY_ADMIN_PASSWORD") {
        return Ok(SecretString::from(p));
    }
    anyhow::ensure!(prompt, "the password is required: set LATCHKEY_ADMIN_PASSWORD");
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Password (again): ")?;
    anyhow::ensure!(first == again, "the two passwords didn't match");
    Ok(SecretString::from(first))
}

/// Runs the command; the new account's id.
///
/// # Errors
/// Missing values, or the engine's refusal in dj-rest-auth's words.
pub async fn run(engine: &Engine, args: Args) -> anyhow::Result<i32> {
    let prompt = !args.no_input && std::io::stdin().is_terminal();
    let username = value(args.username, "LATCHKEY_ADMIN_USERNAME", "Username", prompt)?;
    let email = value(args.email, "LATCHKEY_ADMIN_EMAIL", "Email address", prompt)?;
    let password = password(prompt)?;
    anyhow::ensure!(!password.expose_secret().is_empty(), "the password may not be blank");
    match engine.create_staff(&username, &email, password).await {
        Ok(user) => Ok(user.id),
        Err(FlowError::Invalid(problems)) => {
            let rendered = dj_rest_auth::render(&problems);
            let lines: Vec<String> = serde_json::to_value(&rendered)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default()
                .into_iter()
                .map(|(field, messages)| format!("{field}: {}", messages))
                .collect();
            anyhow::bail!("the account was not created\n  {}", lines.join("\n  "))
        }
        Err(e) => Err(anyhow::Error::new(e).context("the account was not created")),
    }
}

#[cfg(test)]
mod tests {
    use super::Args;

    #[test]
    fn flags_take_both_spellings() {
        let a = Args::parse(&["--username=ada".into(), "--email".into(), "a@x.io".into(), "--no-input".into()])
            .expect("parse");
        assert_eq!((a.username.as_deref(), a.email.as_deref(), a.no_input), (Some("ada"), Some("a@x.io"), true));
        assert!(Args::parse(&["--email".into()]).is_err());
        assert!(Args::parse(&["--superuser".into()]).is_err());
    }
}

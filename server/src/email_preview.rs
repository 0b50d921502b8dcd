//! `latchkey email-preview [KIND] [--html | --text] [--out DIR]`: an email
//! rendered with example values and the configured templates (overrides
//! included), so an operator can check a template without sending mail.
//! Without a kind it lists the kinds and the variables each may use.

use crate::settings::Settings;
use app::core::email::templates::{Templates, COMMON_VARS, FILES, KINDS};
use std::fmt::Write as _;

pub const USAGE: &str = "latchkey email-preview [KIND] [--html | --text] [--out DIR]";

/// What to print; with `--out`, the three files are written there too.
///
/// # Errors
/// A broken override (the message names the file), an unknown kind or
/// option, or a directory that cannot be written.
pub fn run(settings: &Settings, args: &[String]) -> anyhow::Result<String> {
    let templates = Templates::load(settings.engine.email.templates_dir.as_deref(), settings.engine.mail_branding())?;
    let mut kind = None;
    let mut part = None;
    let mut out_dir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--html" | "--text" => part = Some(a.clone()),
            "--out" => out_dir = Some(it.next().ok_or_else(|| anyhow::anyhow!("--out needs a directory\n{USAGE}"))?),
            other if other.starts_with('-') => anyhow::bail!("unknown option {other:?}\n{USAGE}"),
            other if kind.is_none() => kind = Some(other.to_owned()),
            other => anyhow::bail!("unexpected {other:?}\n{USAGE}"),
        }
    }
    let Some(kind) = kind else { return Ok(list(&templates)) };
    let email = templates.preview(&kind)?;
    if let Some(dir) = out_dir {
        let dir = std::path::Path::new(dir);
        std::fs::create_dir_all(dir)?;
        for (file, body) in FILES.iter().zip([&email.subject, &email.text, &email.html]) {
            std::fs::write(dir.join(file), body)?;
        }
    }
    Ok(match part.as_deref() {
        Some("--html") => email.html,
        Some(_) => email.text,
        None => {
            format!("To: {}\nSubject: {}\n\n{}\n----- HTML -----\n{}", email.to, email.subject, email.text, email.html)
        }
    })
}

fn list(templates: &Templates) -> String {
    let mut out = String::from("Email kinds (override any file in LATCHKEY_TEMPLATES_DIR/<kind>/):\n\n");
    for k in KINDS {
        let mine = templates.overridden().iter().filter(|o| o.starts_with(&format!("{}/", k.name))).count();
        let note = if mine > 0 { format!(" [{mine} file(s) overridden]") } else { String::new() };
        let _ = writeln!(out, "  {:<28} {}{note}", k.name, k.about);
        let vars = if k.vars.is_empty() { "(only the common ones)".to_owned() } else { k.vars.join(", ") };
        let _ = writeln!(out, "  {:<28} variables: {vars}", "");
    }
    let _ = writeln!(out, "\nEvery kind also has: {}.", COMMON_VARS.join(", "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(env: &[(&str, &str)]) -> anyhow::Result<(Settings, tempfile::TempDir)> {
        let data = tempfile::tempdir()?;
        let mut vars: std::collections::HashMap<String, String> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        vars.insert("LATCHKEY_DATA_DIR".into(), data.path().display().to_string());
        let s = Settings::from_source(&crate::settings::Source::from_maps(vars, Default::default()))?;
        Ok((s, data))
    }

    #[test]
    fn previews_use_the_overrides_and_the_settings() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("password_reset"))?;
        std::fs::write(dir.path().join("password_reset/subject.txt"), "Reset for {{ username }} at {{ site_name }}")?;
        let tdir = dir.path().display().to_string();
        let (s, _data) = settings(&[
            ("LATCHKEY_TEMPLATES_DIR", tdir.as_str()),
            ("LATCHKEY_SITE_NAME", "Acme ID"),
            ("LATCHKEY_EMAIL_SUBJECT_PREFIX", "[Acme] "),
        ])?;
        let text = run(&s, &["password_reset".into()])?;
        assert!(text.contains("Subject: [Acme] Reset for ada at Acme ID"), "{text}");
        assert!(text.contains("expires in 24 hours"));
        let elsewhere = tempfile::tempdir()?;
        let out = elsewhere.path().join("out");
        let html = run(&s, &["verify_email".into(), "--html".into(), "--out".into(), out.display().to_string()])?;
        assert!(html.contains("<a href=") && html.contains("Acme ID"));
        assert_eq!(std::fs::read_to_string(out.join("body.html"))?, html);
        let listing = run(&s, &[])?;
        assert!(listing.contains("password_reset") && listing.contains("[1 file(s) overridden]"), "{listing}");
        assert!(run(&s, &["nope".into()]).is_err());
        assert!(run(&s, &["verify_email".into(), "--pdf".into()]).is_err());
        Ok(())
    }
}

//! Email templates: `templates/<kind>/{subject.txt,body.txt,body.html}`,
//! compiled in. `{{ name }}` placeholders are filled in; values are
//! HTML-escaped in the HTML part.

use super::OutgoingEmail;

struct Template {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

macro_rules! template {
    ($kind:literal) => {
        Template {
            subject: include_str!(concat!("templates/", $kind, "/subject.txt")),
            text: include_str!(concat!("templates/", $kind, "/body.txt")),
            html: include_str!(concat!("templates/", $kind, "/body.html")),
        }
    };
}

fn lookup(kind: &str) -> Option<Template> {
    match kind {
        "verify_email" => Some(template!("verify_email")),
        "password_reset" => Some(template!("password_reset")),
        "unknown_account" => Some(template!("unknown_account")),
        "email_in_use" => Some(template!("email_in_use")),
        "change_email" => Some(template!("change_email")),
        "email_changed" => Some(template!("email_changed")),
        "password_changed" => Some(template!("password_changed")),
        "mfa_enabled" => Some(template!("mfa_enabled")),
        "mfa_disabled" => Some(template!("mfa_disabled")),
        "recovery_code_used" => Some(template!("recovery_code_used")),
        "recovery_codes_regenerated" => Some(template!("recovery_codes_regenerated")),
        "social_linked" => Some(template!("social_linked")),
        "username_reset" => Some(template!("username_reset")),
        "passkey_added" => Some(template!("passkey_added")),
        "passkey_removed" => Some(template!("passkey_removed")),
        _ => None,
    }
}

fn fill(template: &str, vars: &[(&str, &str)], escape: bool) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        let value = if escape { crate::core::html::escape(value) } else { (*value).to_owned() };
        out = out.replace(&format!("{{{{ {name} }}}}"), &value);
    }
    out
}

/// Renders the `kind` email to `to`. `link` is also available as `{{ link }}`.
///
/// # Errors
/// An unknown kind (a programming error, caught by tests).
pub fn render(
    kind: &'static str,
    to: &str,
    link: Option<&str>,
    vars: &[(&str, &str)],
) -> anyhow::Result<OutgoingEmail> {
    let t = lookup(kind).ok_or_else(|| anyhow::anyhow!("no email template {kind:?}"))?;
    let mut all: Vec<(&str, &str)> = vars.to_vec();
    all.push(("email", to));
    if let Some(l) = link {
        all.push(("link", l));
    }
    Ok(OutgoingEmail {
        to: to.to_owned(),
        kind,
        subject: fill(t.subject, &all, false).trim().to_owned(),
        text: fill(t.text, &all, false),
        html: fill(t.html, &all, true),
        link: link.map(str::to_owned),
        message_id: None,
    })
}

/// Kinds that tell the account's owner something changed (no link to follow).
pub const NOTICES: [&str; 9] = [
    "email_changed",
    "password_changed",
    "mfa_enabled",
    "mfa_disabled",
    "recovery_code_used",
    "recovery_codes_regenerated",
    "social_linked",
    "passkey_added",
    "passkey_removed",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_its_link() -> anyhow::Result<()> {
        for kind in
            NOTICES.iter().chain(&["verify_email", "password_reset", "unknown_account", "email_in_use", "change_email"])
        {
            let kind = *kind;
            let e = render(
                kind,
                "a@example.com",
                Some("https://x.test/a?b=1&c=2"),
                &[
                    ("username", "<ada>"),
                    ("new_email", "n@example.com"),
                    ("when", "2026-11-25T00:00:00Z"),
                    ("address", "203.0.113.7"),
                    ("browser", "Firefox"),
                    ("site", "https://id.example"),
                    ("provider", "GitHub"),
                    ("name", "<Laptop>"),
                ],
            )?;
            assert!(!e.subject.is_empty());
            assert!(!e.subject.contains("{{"), "{kind}: {}", e.subject);
            assert!(!e.text.contains("{{") && !e.html.contains("{{"), "{kind} has an unfilled placeholder");
            if !matches!(kind, "unknown_account" | "email_in_use") && !NOTICES.contains(&kind) {
                assert!(e.text.contains("https://x.test/a?b=1&c=2"));
                assert!(e.html.contains("https://x.test/a?b=1&amp;c=2"));
            }
        }
        assert!(render("verify_email", "a@example.com", Some("l"), &[("username", "<ada>")])?
            .html
            .contains("&lt;ada&gt;"));
        assert!(render("nope", "a@example.com", None, &[]).is_err());
        Ok(())
    }
}

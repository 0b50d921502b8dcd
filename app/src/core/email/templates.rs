//! Email templates: for each kind, `subject.txt`, `body.txt` and
//! `body.html`, rendered by minijinja. The built-in ones are compiled in
//! (`templates/<kind>/`); any of them can be replaced by a file of the same
//! name under `LATCHKEY_TEMPLATES_DIR/<kind>/`, and that directory's own
//! top-level `.txt`/`.html` files can be extended or included (a shared
//! layout). What goes into the HTML part is escaped, whatever file it comes
//! from (a `.txt` part included into `body.html` too); the text parts and
//! the subject are not.
//!
//! Overrides are checked when the engine starts: a syntax error, an unknown
//! kind or file, a variable the kind does not have, or a failure to render
//! the kind's examples (usual, empty and long values) stops start-up with
//! the file's name. Every variable a kind documents is always defined when
//! it is sent; should a template that passed still fail on some value at
//! send time, the built-in template is sent and the failure logged.

use super::OutgoingEmail;
use minijinja::{Environment, UndefinedBehavior, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// One kind of email and the variables its templates may use (besides
/// [`COMMON_VARS`]).
pub struct Kind {
    pub name: &'static str,
    pub about: &'static str,
    pub vars: &'static [&'static str],
}

/// Every email has these: the recipient's address, the site's name and
/// public URL.
pub const COMMON_VARS: [&str; 3] = ["email", "site_name", "public_url"];

const NOTICE_VARS: &[&str] = &["username", "when", "address", "browser", "site"];
const LINK_VARS: &[&str] = &["username", "link", "expires_in"];

/// Every kind, with what it is for.
pub const KINDS: &[Kind] = &[
    Kind { name: "verify_email", about: "confirm the address given at sign-up", vars: LINK_VARS },
    Kind { name: "password_reset", about: "a link to choose a new password", vars: LINK_VARS },
    Kind { name: "username_reset", about: "a link to choose a new username (djoser)", vars: LINK_VARS },
    Kind { name: "change_email", about: "sent to a new address: confirm the change", vars: LINK_VARS },
    Kind { name: "unknown_account", about: "a reset was asked for an address no account has", vars: &[] },
    Kind { name: "email_in_use", about: "a change was asked to an address another account has", vars: &[] },
    Kind { name: "email_changed", about: "sent to the old address after a change", vars: &["username", "new_email"] },
    Kind { name: "password_changed", about: "notice: the password changed", vars: NOTICE_VARS },
    Kind { name: "mfa_enabled", about: "notice: two-factor sign-in turned on", vars: NOTICE_VARS },
    Kind { name: "mfa_disabled", about: "notice: two-factor sign-in turned off", vars: NOTICE_VARS },
    Kind { name: "recovery_code_used", about: "notice: a recovery code was used", vars: NOTICE_VARS },
    Kind { name: "recovery_codes_regenerated", about: "notice: new recovery codes", vars: NOTICE_VARS },
    Kind {
        name: "social_linked",
        about: "notice: a social account was connected",
        vars: &["username", "when", "address", "browser", "site", "provider"],
    },
    Kind {
        name: "passkey_added",
        about: "notice: a passkey was added",
        vars: &["username", "when", "address", "browser", "site", "name"],
    },
    Kind {
        name: "passkey_removed",
        about: "notice: a passkey was removed",
        vars: &["username", "when", "address", "browser", "site", "name"],
    },
];

/// The three files of a kind.
pub const FILES: [&str; 3] = ["subject.txt", "body.txt", "body.html"];

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

macro_rules! builtin {
    ($($kind:literal),*) => {
        &[$(
            ($kind, [
                include_str!(concat!("templates/", $kind, "/subject.txt")),
                include_str!(concat!("templates/", $kind, "/body.txt")),
                include_str!(concat!("templates/", $kind, "/body.html")),
            ]),
        )*]
    };
}

const BUILTIN: &[(&str, [&str; 3])] = builtin!(
    "verify_email",
    "password_reset",
    "username_reset",
    "change_email",
    "unknown_account",
    "email_in_use",
    "email_changed",
    "password_changed",
    "mfa_enabled",
    "mfa_disabled",
    "recovery_code_used",
    "recovery_codes_regenerated",
    "social_linked",
    "passkey_added",
    "passkey_removed"
);

/// What every email says about the site.
#[derive(Clone, Debug)]
pub struct MailBranding {
    pub site_name: String,
    /// Put before every subject (allauth's `ACCOUNT_EMAIL_SUBJECT_PREFIX`).
    pub subject_prefix: String,
    pub public_url: String,
    /// How long verification and email-change links live, seconds.
    pub verification_ttl_secs: i64,
    /// How long reset links live, seconds.
    pub reset_ttl_secs: i64,
}

impl MailBranding {
    /// The defaults: Latchkey, no prefix.
    pub fn plain(public_url: &str) -> Self {
        Self {
            site_name: "Latchkey".into(),
            subject_prefix: String::new(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            verification_ttl_secs: 3 * 24 * 3600,
            reset_ttl_secs: 24 * 3600,
        }
    }
}

/// One set of templates, loaded twice: every value escaped for the HTML
/// part, none for the text parts.
struct Envs {
    html: Environment<'static>,
    text: Environment<'static>,
}

impl Envs {
    fn builtin() -> Self {
        let mut envs = Self { html: environment(true), text: environment(false) };
        for (kind, files) in BUILTIN {
            for (file, source) in FILES.iter().zip(files) {
                // compiled in and checked by the tests below
                if let Err(e) = envs.add(format!("{kind}/{file}"), (*source).to_owned()) {
                    tracing::error!(error = %e, "built-in email template {kind}/{file}");
                }
            }
        }
        envs
    }

    fn add(&mut self, name: String, source: String) -> Result<(), minijinja::Error> {
        self.html.add_template_owned(name.clone(), source.clone())?;
        self.text.add_template_owned(name, source)
    }

    fn part(&self, file: &str) -> &Environment<'static> {
        if file == "body.html" {
            &self.html
        } else {
            &self.text
        }
    }
}

/// The templates in use: the built-in ones with the overrides on top.
pub struct Templates {
    env: Envs,
    builtin: Envs,
    branding: MailBranding,
    /// `kind/file` names that come from the override directory.
    overridden: Vec<String>,
}

/// An environment that escapes every value for HTML (`html`), or none.
fn environment(html: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // a file's last newline is part of the message, as it always was
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(move |_| if html { minijinja::AutoEscape::Html } else { minijinja::AutoEscape::None });
    // escaped as the rest of Latchkey escapes HTML (`/` stays `/`, so a link
    // reads as itself in the message)
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() && !value.is_undefined() {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
            return out
                .write_str(&crate::core::html::escape(&text))
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "writing an email"));
        }
        minijinja::escape_formatter(out, state, value)
    });
    // a loop in an operator's template cannot hold a worker forever
    env.set_fuel(Some(200_000));
    env
}

fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// "3 days", "24 hours", "30 minutes".
fn duration_words(secs: i64) -> String {
    let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    if secs >= 2 * 86_400 && secs % 86_400 == 0 {
        plural(secs / 86_400, "day")
    } else if secs >= 3600 && secs % 3600 == 0 {
        plural(secs / 3600, "hour")
    } else {
        plural((secs + 59) / 60, "minute")
    }
}

/// Example values, for the start-up check and `latchkey email-preview`.
fn example(var: &str, public_url: &str) -> String {
    match var {
        "username" => "ada".into(),
        "email" => "ada@example.com".into(),
        "new_email" => "ada.lovelace@example.com".into(),
        "when" => "2026-12-07T09:30:00Z".into(),
        "address" => "203.0.113.7".into(),
        "browser" => "Firefox on Linux".into(),
        "provider" => "GitHub".into(),
        "name" => "YubiKey 5".into(),
        "link" => format!("{public_url}/verify-email/EXAMPLE-KEY"),
        _ => String::new(),
    }
}

impl Templates {
    /// The built-in templates only.
    pub fn builtin(branding: MailBranding) -> Self {
        Self { env: Envs::builtin(), builtin: Envs::builtin(), branding, overridden: Vec::new() }
    }

    /// The built-in templates with `dir`'s overrides, each checked.
    ///
    /// # Errors
    /// The first problem found, naming the file.
    pub fn load(dir: Option<&Path>, branding: MailBranding) -> anyhow::Result<Self> {
        let mut t = Self::builtin(branding);
        let Some(dir) = dir else { return Ok(t) };
        let entries =
            std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("LATCHKEY_TEMPLATES_DIR {}: {e}", dir.display()))?;
        let mut found: Vec<(String, String)> = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                if kind(&name).is_none() {
                    let known: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
                    anyhow::bail!("{}: no email kind {name:?} (kinds: {})", path.display(), known.join(", "));
                }
                for file in std::fs::read_dir(&path)? {
                    let file = file?;
                    let fname = file.file_name().to_string_lossy().into_owned();
                    if fname.starts_with('.') {
                        continue;
                    }
                    anyhow::ensure!(
                        FILES.contains(&fname.as_str()),
                        "{}: expected one of {}",
                        file.path().display(),
                        FILES.join(", ")
                    );
                    found.push((format!("{name}/{fname}"), read(&file.path())?));
                }
            } else if name.ends_with(".html") || name.ends_with(".txt") {
                // a layout or a part other templates extend or include
                found.push((name, read(&path)?));
            }
        }
        for (name, source) in found {
            t.env.add(name.clone(), source).map_err(|e| anyhow::anyhow!("{}: {e:#}", dir.join(&name).display()))?;
            if name.contains('/') {
                t.overridden.push(name);
            }
        }
        t.overridden.sort();
        t.check(dir)?;
        Ok(t)
    }

    /// Every overridden file uses only its kind's variables and renders
    /// the kind's examples: usual values, empty ones, and long ones.
    fn check(&self, dir: &Path) -> anyhow::Result<()> {
        for name in &self.overridden {
            let (kind_name, file) = name.split_once('/').unwrap_or((name, ""));
            let Some(k) = kind(kind_name) else { continue };
            let template = self.env.part(file).get_template(name)?;
            let mut unknown: Vec<String> = template
                .undeclared_variables(false)
                .into_iter()
                .filter(|v| !k.vars.contains(&v.as_str()) && !COMMON_VARS.contains(&v.as_str()))
                .collect();
            unknown.sort();
            if !unknown.is_empty() {
                let mut allowed: Vec<&str> = k.vars.iter().chain(COMMON_VARS.iter()).copied().collect();
                allowed.sort_unstable();
                anyhow::bail!(
                    "{}: unknown variable {} (a {kind_name} email has: {})",
                    dir.join(name).display(),
                    unknown.join(", "),
                    allowed.join(", ")
                );
            }
            let usual = self.example_vars(k);
            let empty: Vec<(&str, String)> = usual.iter().map(|(n, _)| (*n, String::new())).collect();
            let long: Vec<(&str, String)> = usual
                .iter()
                .map(|(n, v)| (*n, if *n == "address" { "2001:db8::1".to_owned() } else { v.repeat(20) }))
                .collect();
            for vars in [usual, empty, long] {
                let ctx = self.context(k, "ada@example.com", &vars);
                template.render(&ctx).map_err(|e| anyhow::anyhow!("{}: {e:#}", dir.join(name).display()))?;
            }
        }
        Ok(())
    }

    /// The `kind/file` names that come from the override directory.
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }

    fn example_vars(&self, k: &Kind) -> Vec<(&'static str, String)> {
        let base = &self.branding.public_url;
        let link = match k.name {
            "password_reset" => format!("{base}/password-reset/MQ/EXAMPLE-TOKEN"),
            "username_reset" => format!("{base}/username-reset/MQ/EXAMPLE-TOKEN"),
            "change_email" => format!("{base}/email-change/EXAMPLE-KEY"),
            _ => format!("{base}/verify-email/EXAMPLE-KEY"),
        };
        k.vars.iter().map(|v| (*v, if *v == "link" { link.clone() } else { example(v, base) })).collect()
    }

    fn context(&self, k: &Kind, to: &str, vars: &[(&str, String)]) -> Value {
        let mut ctx: BTreeMap<&str, String> = BTreeMap::new();
        // every documented variable is defined, if only as ""
        for v in k.vars {
            ctx.insert(v, String::new());
        }
        for (name, value) in vars {
            if let Some(v) = k.vars.iter().find(|v| *v == name) {
                ctx.insert(v, value.clone());
            }
        }
        // what the engine knows better than any caller
        if k.vars.contains(&"expires_in") {
            let ttl = match k.name {
                "password_reset" | "username_reset" => self.branding.reset_ttl_secs,
                _ => self.branding.verification_ttl_secs,
            };
            ctx.insert("expires_in", duration_words(ttl));
        }
        if k.vars.contains(&"site") {
            ctx.insert("site", self.branding.public_url.clone());
        }
        ctx.insert("email", to.to_owned());
        ctx.insert("site_name", self.branding.site_name.clone());
        ctx.insert("public_url", self.branding.public_url.clone());
        Value::from_serialize(&ctx)
    }

    fn render_with(&self, envs: &Envs, k: &Kind, ctx: &Value) -> Result<[String; 3], minijinja::Error> {
        let one = |file: &str| envs.part(file).get_template(&format!("{}/{file}", k.name))?.render(ctx);
        Ok([one("subject.txt")?, one("body.txt")?, one("body.html")?])
    }

    /// Renders the `kind` email to `to`. `link`, when given, is `{{ link }}`.
    ///
    /// # Errors
    /// An unknown kind (a programming error, caught by tests).
    pub fn render(
        &self,
        kind_name: &'static str,
        to: &str,
        link: Option<&str>,
        vars: &[(&str, &str)],
    ) -> anyhow::Result<OutgoingEmail> {
        let k = kind(kind_name).ok_or_else(|| anyhow::anyhow!("no email template {kind_name:?}"))?;
        let mut all: Vec<(&str, String)> = vars.iter().map(|(n, v)| (*n, (*v).to_owned())).collect();
        if let Some(l) = link {
            all.push(("link", l.to_owned()));
        }
        let ctx = self.context(k, to, &all);
        let [subject, text, html] = match self.render_with(&self.env, k, &ctx) {
            Ok(parts) => parts,
            Err(e) => {
                tracing::error!(kind = kind_name, error = %e, "email template override failed; sending the built-in one");
                self.render_with(&self.builtin, k, &ctx)?
            }
        };
        Ok(OutgoingEmail {
            to: to.to_owned(),
            kind: kind_name,
            subject: self.subject(&subject),
            text,
            html,
            link: link.map(str::to_owned),
            message_id: None,
        })
    }

    /// One line, the prefix in front, at most 200 characters.
    fn subject(&self, rendered: &str) -> String {
        let line = rendered.split_whitespace().collect::<Vec<_>>().join(" ");
        let full = format!("{}{line}", self.branding.subject_prefix);
        full.chars().filter(|c| !c.is_control()).take(200).collect()
    }

    /// The `kind` email with example values (`latchkey email-preview`).
    ///
    /// # Errors
    /// An unknown kind.
    pub fn preview(&self, kind_name: &str) -> anyhow::Result<OutgoingEmail> {
        let k = kind(kind_name).ok_or_else(|| {
            let known: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
            anyhow::anyhow!("no email kind {kind_name:?} (kinds: {})", known.join(", "))
        })?;
        let vars = self.example_vars(k);
        let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let link = vars.iter().find(|(n, _)| *n == "link").map(|(_, v)| *v);
        self.render(k.name, "ada@example.com", link, &vars)
    }
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Templates {
        Templates::builtin(MailBranding::plain("https://id.example"))
    }

    #[test]
    fn every_kind_has_its_templates_and_renders_its_link() -> anyhow::Result<()> {
        let t = templates();
        assert_eq!(KINDS.len(), BUILTIN.len());
        for k in KINDS {
            let e = t.render(
                k.name,
                "a@example.com",
                Some("https://x.test/a?b=1&c=2"),
                &[("username", "<ada>"), ("name", "<Laptop>"), ("provider", "GitHub")],
            )?;
            assert!(!e.subject.is_empty() && e.subject.contains("Latchkey"), "{}: {}", k.name, e.subject);
            if k.vars.contains(&"link") {
                assert!(e.text.contains("https://x.test/a?b=1&c=2"));
                assert!(e.html.contains("https://x.test/a?b=1&amp;c=2"));
            }
            if k.vars.contains(&"username") {
                assert!(e.html.contains("&lt;ada&gt;") && e.text.contains("<ada>"), "{}", k.name);
            }
        }
        assert!(t.render("nope", "a@example.com", None, &[]).is_err());
        // each part ends with its file's last newline, as before minijinja
        let e = t.preview("password_reset")?;
        assert!(e.text.ends_with(".\n") && e.html.ends_with("</html>\n"), "{:?}", &e.text[e.text.len() - 10..]);
        Ok(())
    }

    #[test]
    fn links_say_how_long_they_live() -> anyhow::Result<()> {
        let mut b = MailBranding::plain("https://id.example");
        b.reset_ttl_secs = 2 * 3600;
        let t = Templates::builtin(b);
        assert!(t.preview("verify_email")?.text.contains("expires in 3 days"));
        assert!(t.preview("password_reset")?.text.contains("expires in 2 hours"));
        assert_eq!(duration_words(1800), "30 minutes");
        assert_eq!(duration_words(86_400), "24 hours");
        Ok(())
    }

    #[test]
    fn subjects_are_one_prefixed_line() {
        let mut b = MailBranding::plain("https://id.example");
        b.subject_prefix = "[Acme] ".into();
        let t = Templates::builtin(b);
        assert_eq!(t.subject("Hello\r\nBcc: x@evil.test\n"), "[Acme] Hello Bcc: x@evil.test");
        assert_eq!(t.subject(&"x".repeat(500)).chars().count(), 200);
    }

    fn dir_with(files: &[(&str, &str)]) -> anyhow::Result<tempfile::TempDir> {
        let dir = tempfile::tempdir()?;
        for (name, body) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, body)?;
        }
        Ok(dir)
    }

    #[test]
    fn an_override_replaces_one_file_and_keeps_the_rest() -> anyhow::Result<()> {
        let dir = dir_with(&[
            ("layout.html", "<main>{% block body %}{% endblock %}</main>"),
            ("verify_email/subject.txt", "Welcome to {{ site_name }}, {{ username }}"),
            (
                "verify_email/body.html",
                "{% extends \"layout.html\" %}{% block body %}<a href=\"{{ link }}\">{{ username }}</a>{% endblock %}",
            ),
        ])?;
        let t = Templates::load(Some(dir.path()), MailBranding::plain("https://id.example"))?;
        let e = t.render("verify_email", "a@example.com", Some("https://l.test/?a=1&b=2"), &[("username", "<b>")])?;
        assert_eq!(e.subject, "Welcome to Latchkey, <b>");
        assert_eq!(e.html, "<main><a href=\"https://l.test/?a=1&amp;b=2\">&lt;b&gt;</a></main>");
        assert!(e.text.contains("https://l.test/?a=1&b=2"), "the built-in text part stays");
        assert_eq!(t.overridden(), ["verify_email/body.html", "verify_email/subject.txt"]);
        Ok(())
    }

    #[test]
    fn a_text_part_included_in_the_html_is_escaped_there() -> anyhow::Result<()> {
        let dir = dir_with(&[
            ("footer.txt", "Seen from {{ browser }}"),
            ("password_changed/body.html", "<p>{% include \"footer.txt\" %}</p>"),
            ("password_changed/body.txt", "{% include \"footer.txt\" %}"),
        ])?;
        let t = Templates::load(Some(dir.path()), MailBranding::plain("https://id.example"))?;
        let e =
            t.render("password_changed", "a@example.com", None, &[("browser", "<a href=\"https://evil.test\">x</a>")])?;
        assert_eq!(e.html, "<p>Seen from &lt;a href=&quot;https://evil.test&quot;&gt;x&lt;/a&gt;</p>");
        assert_eq!(e.text, "Seen from <a href=\"https://evil.test\">x</a>");
        Ok(())
    }

    #[test]
    fn broken_overrides_are_refused_with_the_file_named() -> anyhow::Result<()> {
        let cases: [(&str, &str, &str); 7] = [
            // fine with the usual example, broken for an IPv6 address or a long value
            ("password_changed/body.txt", "{{ (address|split(\".\")|list)[3] }}", "body.txt"),
            ("verify_email/body.txt", "{{ link ", "body.txt"),
            ("verify_email/body.txt", "{{ usernme }}", "unknown variable usernme"),
            ("unknown_account/body.txt", "{{ link }}", "unknown variable link"),
            ("verfy_email/body.txt", "x", "no email kind \"verfy_email\""),
            ("verify_email/body.htm", "x", "expected one of"),
            ("verify_email/body.html", "{% include \"missing.html\" %}", "body.html"),
        ];
        for (file, body, says) in cases {
            let dir = dir_with(&[(file, body)])?;
            let err = Templates::load(Some(dir.path()), MailBranding::plain("https://id.example"))
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default();
            assert!(err.contains(says), "{file}: {err}");
        }
        let missing = Templates::load(Some(Path::new("/nonexistent/latchkey")), MailBranding::plain("https://x"));
        assert!(missing.is_err());
        Ok(())
    }
}

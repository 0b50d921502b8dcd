//! The site's own look and wording from settings, without a rebuild:
//!
//! - `LATCHKEY_SITE_NAME`: in page titles, the top bar and every email;
//! - `LATCHKEY_EMAIL_SUBJECT_PREFIX`, `LATCHKEY_TEMPLATES_DIR`: emails
//!   (see `app::core::email::templates`);
//! - `LATCHKEY_LOGO`: an image file (PNG, JPEG, WebP or SVG) shown in the
//!   top bar, served at `/branding/logo`;
//! - `LATCHKEY_PRIMARY_COLOR` (`#rrggbb`) and `LATCHKEY_EXTRA_CSS` (a CSS
//!   file): one stylesheet served at `/branding.css`, after the built-in one.
//!
//! Files are read once at start-up; a missing or unfit one stops it.

use crate::settings::Source;
use anyhow::{bail, Context};
use app::core::config::EmailConfig;
use app::core::config::EngineConfig;
use app::shared::site::Site;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;

pub const STYLESHEET: &str = "/branding.css";
pub const LOGO: &str = "/branding/logo";

/// The branding files, in memory.
#[derive(Clone, Debug, Default)]
pub struct Branding {
    /// What the pages are told (the profile's fields and modes too).
    pub site: Site,
    css: Option<Asset>,
    logo: Option<Asset>,
}

#[derive(Clone, Debug)]
struct Asset {
    body: Bytes,
    content_type: &'static str,
    /// A hash of the content: the `v` of its address.
    version: String,
}

impl Asset {
    fn new(body: Vec<u8>, content_type: &'static str) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&body);
        let version = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        Self { body: body.into(), content_type, version }
    }
}

const NAME_MAX: usize = 60;
const CSS_MAX: usize = 256 * 1024;
const LOGO_MAX: usize = 512 * 1024;

/// The site name, subject prefix and templates directory.
///
/// # Errors
/// A name or prefix that is too long or holds control characters.
pub fn email(src: &Source) -> anyhow::Result<EmailConfig> {
    let site_name = src.get("LATCHKEY_SITE_NAME").map_or_else(|| "Latchkey".to_owned(), |n| n.trim().to_owned());
    // no `<` or `>`: the name goes into page titles, which are raw text in HTML
    if site_name.is_empty()
        || site_name.chars().count() > NAME_MAX
        || site_name.chars().any(|c| c.is_control() || c == '<' || c == '>')
    {
        bail!("LATCHKEY_SITE_NAME must be 1 to {NAME_MAX} characters on one line, without < or >");
    }
    let subject_prefix = src.get("LATCHKEY_EMAIL_SUBJECT_PREFIX").unwrap_or_default();
    if subject_prefix.chars().count() > NAME_MAX || subject_prefix.chars().any(char::is_control) {
        bail!("LATCHKEY_EMAIL_SUBJECT_PREFIX must be at most {NAME_MAX} characters on one line");
    }
    let templates_dir = src.get("LATCHKEY_TEMPLATES_DIR").map(PathBuf::from);
    if let Some(dir) = &templates_dir {
        if !dir.is_dir() {
            bail!("LATCHKEY_TEMPLATES_DIR={}: not a directory", dir.display());
        }
    }
    Ok(EmailConfig { site_name, subject_prefix, templates_dir })
}

/// `#rgb` or `#rrggbb` as three bytes.
fn parse_color(raw: &str) -> Option<[u8; 3]> {
    let hex = raw.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let full: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_owned(),
        _ => return None,
    };
    let byte = |i: usize| u8::from_str_radix(&full[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG contrast of white text on `rgb`.
fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    1.05 / (l + 0.05)
}

/// The custom properties for a primary colour: the colour, a darker one
/// for hover, and the focus ring.
fn color_rules(rgb: [u8; 3]) -> String {
    let [r, g, b] = rgb;
    // 70% of each channel, rounded down
    let dark = |c: u8| u8::try_from(u16::from(c) * 7 / 10).unwrap_or(c);
    format!(
        ":root {{ --primary: #{r:02x}{g:02x}{b:02x}; --primary-dark: #{:02x}{:02x}{:02x}; \
         --focus: 0 0 0 3px rgba({r}, {g}, {b}, 0.35); }}\n",
        dark(r),
        dark(g),
        dark(b)
    )
}

fn logo_type(path: &std::path::Path, body: &[u8]) -> anyhow::Result<&'static str> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let (content_type, magic_ok) = match ext.as_str() {
        "png" => ("image/png", body.starts_with(b"\x89PNG\r\n\x1a\n")),
        "jpg" | "jpeg" => ("image/jpeg", body.starts_with(&[0xff, 0xd8, 0xff])),
        "webp" => ("image/webp", body.len() > 12 && &body[..4] == b"RIFF" && &body[8..12] == b"WEBP"),
        "svg" => ("image/svg+xml", std::str::from_utf8(body).is_ok_and(|s| s.contains("<svg"))),
        _ => bail!("LATCHKEY_LOGO={}: expected a .png, .jpg, .webp or .svg file", path.display()),
    };
    if !magic_ok {
        bail!("LATCHKEY_LOGO={}: the file is not a {ext} image", path.display());
    }
    Ok(content_type)
}

fn read(var: &str, path: &std::path::Path, max: usize) -> anyhow::Result<Vec<u8>> {
    let body = std::fs::read(path).with_context(|| format!("{var}={}", path.display()))?;
    if body.len() > max {
        bail!("{var}={}: {} bytes; at most {max}", path.display(), body.len());
    }
    Ok(body)
}

/// The page branding from settings, its files read and checked.
///
/// # Errors
/// A colour that is not `#rrggbb`, or a file that is missing, too large or
/// not what its name says.
pub fn pages(src: &Source, engine: &EngineConfig) -> anyhow::Result<Branding> {
    let mut css = String::new();
    if let Some(raw) = src.get("LATCHKEY_PRIMARY_COLOR") {
        let Some(rgb) = parse_color(&raw) else {
            bail!("LATCHKEY_PRIMARY_COLOR={raw:?}: expected a colour like #2b59c3");
        };
        let contrast = contrast_with_white(rgb);
        if contrast < 4.5 {
            tracing::warn!(
                color = raw,
                contrast = format!("{contrast:.1}:1"),
                "LATCHKEY_PRIMARY_COLOR: white button text on it is below the 4.5:1 contrast WCAG asks for"
            );
        }
        css.push_str(&color_rules(rgb));
    }
    if let Some(path) = src.get("LATCHKEY_EXTRA_CSS").map(PathBuf::from) {
        let body = read("LATCHKEY_EXTRA_CSS", &path, CSS_MAX)?;
        let text = String::from_utf8(body)
            .map_err(|_| anyhow::anyhow!("LATCHKEY_EXTRA_CSS={}: not UTF-8 text", path.display()))?;
        css.push_str(&text);
    }
    let logo = match src.get("LATCHKEY_LOGO").map(PathBuf::from) {
        Some(path) => {
            let body = read("LATCHKEY_LOGO", &path, LOGO_MAX)?;
            let content_type = logo_type(&path, &body)?;
            Some(Asset::new(body, content_type))
        }
        None => None,
    };
    let css = (!css.is_empty()).then(|| Asset::new(css.into_bytes(), "text/css; charset=utf-8"));
    let site = Site {
        site_name: engine.email.site_name.clone(),
        logo: logo.as_ref().map(|l| format!("{LOGO}?v={}", l.version)),
        stylesheet: css.as_ref().map(|c| format!("{STYLESHEET}?v={}", c.version)),
        fields: engine.profile.fields().to_vec(),
        username: format!("{:?}", engine.username).to_ascii_lowercase(),
        directory: format!("{:?}", engine.directory).to_ascii_lowercase(),
        login: match engine.login_method {
            app::core::config::LoginMethod::Username => "username",
            app::core::config::LoginMethod::Email => "email",
            app::core::config::LoginMethod::UsernameEmail => "username_email",
        }
        .into(),
        email_required: engine.email_required,
    };
    Ok(Branding { site, css, logo })
}

#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

async fn serve(asset: Option<&Asset>, asked: Option<&str>) -> Response {
    let Some(asset) = asset else { return crate::rest::not_found().await.into_response() };
    let mut res = asset.body.clone().into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    // an SVG opened on its own runs nothing and loads nothing
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    let cache = if asked == Some(asset.version.as_str()) { "public, max-age=31536000, immutable" } else { "no-cache" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// `GET /branding.css`.
pub async fn stylesheet(State(state): State<crate::state::AppState>, Query(q): Query<Version>) -> Response {
    serve(state.settings.branding.css.as_ref(), q.v.as_deref()).await
}

/// `GET /branding/logo`.
pub async fn logo(State(state): State<crate::state::AppState>, Query(q): Query<Version>) -> Response {
    serve(state.settings.branding.logo.as_ref(), q.v.as_deref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_strictly() {
        assert_eq!(parse_color("#2b59c3"), Some([0x2b, 0x59, 0xc3]));
        assert_eq!(parse_color("#abc"), Some([0xaa, 0xbb, 0xcc]));
        for bad in ["2b59c3", "#2b59c", "red", "#12345g", "#fff;}body{x:y", "#ff ff ff"] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
        assert!(color_rules([0x2b, 0x59, 0xc3]).contains("--primary: #2b59c3; --primary-dark: #1e3e88;"));
    }

    #[test]
    fn contrast_is_wcag_s() {
        assert!((contrast_with_white([0, 0, 0]) - 21.0).abs() < 0.01);
        assert!(contrast_with_white([0x2b, 0x59, 0xc3]) > 4.5);
        assert!(contrast_with_white([0xff, 0xcc, 0x00]) < 2.0);
    }

    #[test]
    fn logos_must_be_what_their_names_say() {
        let p = std::path::Path::new;
        assert_eq!(logo_type(p("a.png"), b"\x89PNG\r\n\x1a\nrest").ok(), Some("image/png"));
        assert!(logo_type(p("a.png"), b"<svg/>").is_err());
        assert!(logo_type(p("a.gif"), b"GIF89a").is_err());
        assert_eq!(logo_type(p("a.SVG"), b"<svg xmlns='http://www.w3.org/2000/svg'/>").ok(), Some("image/svg+xml"));
    }
}

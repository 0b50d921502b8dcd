//! What the pages need to know about the deployment: its name, logo and
//! extra stylesheet (`LATCHKEY_SITE_NAME`, `LATCHKEY_LOGO`,
//! `LATCHKEY_PRIMARY_COLOR`, `LATCHKEY_EXTRA_CSS`), the profile's fields,
//! whether accounts have usernames and whether the profile directory is on,
//! so a deployment looks and asks like its own without a rebuild.
//!
//! The server provides it as context; the shell writes it into the head as
//! a JSON data block (never run as a script), and the browser reads it back
//! from there when it hydrates, so both render the same page.

use crate::shared::profile::FieldSpec;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub site_name: String,
    /// The logo's address (`/branding/logo?v=…`), when there is one.
    pub logo: Option<String>,
    /// The branding stylesheet's address (`/branding.css?v=…`): the primary
    /// colour and the operator's CSS.
    pub stylesheet: Option<String>,
    /// The profile's fields, in order.
    pub fields: Vec<FieldSpec>,
    /// `required`, `optional` or `none` (`LATCHKEY_USERNAME`).
    pub username: String,
    /// Who may open the profile directory: `off`, `members` or `public`.
    pub directory: String,
    /// What people log in with: `username`, `email` or `username_email`.
    pub login: String,
    /// Sign-up needs an address.
    pub email_required: bool,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            site_name: "Latchkey".into(),
            logo: None,
            stylesheet: None,
            fields: Vec::new(),
            username: "required".into(),
            directory: "off".into(),
            login: "username_email".into(),
            email_required: true,
        }
    }
}

const DATA_ID: &str = "latchkey-site";

impl Site {
    /// The site in context (the server's settings, or what the shell wrote).
    pub fn current() -> Self {
        use_context::<Self>().unwrap_or_default()
    }

    /// Provides the site for the page: the server's context, or in the
    /// browser the data the server wrote into the head.
    pub fn provide() -> Self {
        let site = use_context::<Self>().unwrap_or_else(Self::from_document);
        provide_context(site.clone());
        site
    }

    #[cfg(not(feature = "ssr"))]
    fn from_document() -> Self {
        document()
            .get_element_by_id(DATA_ID)
            .and_then(|e| e.text_content())
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    #[cfg(feature = "ssr")]
    fn from_document() -> Self {
        Self::default()
    }

    /// A page title: "Log in · Acme".
    pub fn title(&self, page: &str) -> String {
        if page.is_empty() {
            self.site_name.clone()
        } else {
            format!("{page} · {}", self.site_name)
        }
    }

    /// Whether accounts have usernames people see and type.
    pub fn has_usernames(&self) -> bool {
        self.username != "none"
    }

    /// The log-in field's label.
    pub fn login_label(&self) -> &'static str {
        match self.login.as_str() {
            "username" => "Username",
            "email" => "Email",
            _ => "Username or email",
        }
    }

    /// The JSON the head carries, safe inside `<script>` (no `<`, `>` or `&`).
    fn data(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_default()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

/// The head's part of the site (server-rendered only, outside hydration).
#[component]
pub fn SiteHead() -> impl IntoView {
    let site = Site::current();
    let sheet = site.stylesheet.clone().map(|href| view! { <link rel="stylesheet" href=href/> });
    view! {
        <meta name="application-name" content=site.site_name.clone()/>
        {sheet}
        <script type="application/json" id=DATA_ID inner_html=site.data()></script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_data_cannot_close_its_script() {
        let site = Site { site_name: "</script><script>alert(1)</script>&".into(), ..Site::default() };
        let data = site.data();
        assert!(!data.contains('<') && !data.contains('>') && !data.contains('&'));
        assert_eq!(serde_json::from_str::<Site>(&data).ok(), Some(site));
    }
}

//! The one HTML escaping function for text Latchkey writes into HTML by hand
//! (email bodies, the social-login failure page): `& < > " '` escaped, so
//! a value is safe in element text and in quoted attributes alike.

/// `s` with every character that matters in HTML escaped.
pub fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_text_and_both_quotes() {
        assert_eq!(
            super::escape(r#"<a href="x" onclick='y'>&"#),
            "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;"
        );
        assert_eq!(super::escape("plain"), "plain");
    }
}

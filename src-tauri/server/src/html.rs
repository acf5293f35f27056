//! Pages as text, with everything that came from a person (a restaurant's name, the campaign's
//! words) escaped: nothing a teammate typed is ever read as markup.

/// `text` safe between tags and inside a double-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A catalogue text with its `{name}`s filled in (raw: escape the result).
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(template.to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// The one policy of every page: its own stylesheet, nothing else loaded, never framed.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_text() {
        let cases = [
            ("Zaza Kitchen", "Zaza Kitchen"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
            ("Tom & Jerry's", "Tom &amp; Jerry&#39;s"),
        ];
        for (raw, want) in cases {
            assert_eq!(escape(raw), want);
        }
        // Filled first, escaped after: a value cannot smuggle a placeholder's markup in.
        assert_eq!(
            escape(&fill("You found {headline} at {name}", &[("headline", "#MC"), ("name", "<b>")])),
            "You found #MC at &lt;b&gt;"
        );
    }
}

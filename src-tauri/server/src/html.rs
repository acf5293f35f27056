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

/// A catalogue text with its `{name}`s filled in, in one pass (a value that holds `{name}` stays
/// as it is); a placeholder with no value stays too. Raw: escape the result, or use `sentence`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| args.iter().find(|(n, _)| *n == &after[..close]).map(|(_, v)| (close, *v)));
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A catalogue text as markup: the text escaped, each value escaped and isolated in `<bdi>` (a
/// Latin name in an Arabic sentence keeps its own direction, and so does the sentence).
pub fn sentence(template: &str, args: &[(&str, &str)]) -> String {
    let isolated: Vec<(&str, String)> =
        args.iter().map(|(n, v)| (*n, format!("<bdi>{}</bdi>", escape(v)))).collect();
    let pairs: Vec<(&str, &str)> = isolated.iter().map(|(n, v)| (*n, v.as_str())).collect();
    fill(&escape(template), &pairs)
}

/// Text a person typed, escaped and isolated: its direction is its own, whatever the page's.
pub fn isolated(text: &str) -> String {
    format!("<bdi>{}</bdi>", escape(text))
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
        // Each value escaped on its own and isolated; a value that looks like a placeholder
        // stays text.
        assert_eq!(
            sentence("You found {headline} at {name}", &[("headline", "{name}"), ("name", "<b>")]),
            "You found <bdi>{name}</bdi> at <bdi>&lt;b&gt;</bdi>"
        );
        assert_eq!(isolated("A & B"), "<bdi>A &amp; B</bdi>");
        let fills = [
            ("{a} and {b}", "1 and 2"),
            ("{a}{a}", "11"),
            ("{c} stays", "{c} stays"),
            ("{ {a} }", "{ 1 }"),
            ("{a", "{a"),
            ("", ""),
        ];
        for (template, want) in fills {
            assert_eq!(fill(template, &[("a", "1"), ("b", "2")]), want, "{template}");
        }
    }
}

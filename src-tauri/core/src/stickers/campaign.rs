//! The campaign's words and look on every sticker, and where its QR codes point.

use crate::domain::validation::{invalid, optional_text, required_text, ValidationResult};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Campaign {
    pub name: String,
    /// Where codes point: `BASE/CODE`. https only.
    pub base_url: String,
    /// Appended to every code's URL, e.g. `utm_source=sticker` (without the `?`).
    pub query: Option<String>,
    pub headline: String,
    pub second_line: Option<String>,
    /// `#rrggbb`
    pub text_colour: String,
    /// `#rrggbb`: the headline and the code.
    pub accent_colour: String,
    #[serde(default)]
    pub font: super::text::FontFamily,
}

impl Default for Campaign {
    fn default() -> Self {
        Campaign {
            name: "Migrants Contribute".into(),
            base_url: "https://migrantscontribute.example/S".into(),
            query: None,
            headline: "#MigrantsContribute".into(),
            second_line: Some("This business is proud to be part of our town".into()),
            text_colour: "#1b1f23".into(),
            accent_colour: "#0f5f5a".into(),
            font: super::text::FontFamily::Sans,
        }
    }
}

/// What the window shows next to the URL field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UrlCheck {
    /// The URL as it will be printed (host in ASCII/punycode form).
    pub normalised: String,
    /// The host as a person reads it, and its punycode form when they differ.
    pub host: String,
    pub host_ascii: String,
    /// An example sticker URL.
    pub example: String,
}

/// Parses and checks a base URL with a real URL parser: https, a host, no user or password,
/// no query or fragment (the fixed query is separate). Returns it normalised, without a
/// trailing slash.
pub fn check_base_url(input: &str) -> ValidationResult<UrlCheck> {
    let parsed = match url::Url::parse(input.trim()) {
        Ok(u) => u,
        Err(e) => return invalid("base_url", format!("is not a web address ({e})")),
    };
    if parsed.scheme() != "https" {
        return invalid(
            "base_url",
            "must start with https:// (stickers last for years; plain http can be hijacked)",
        );
    }
    let Some(host_ascii) = parsed.host_str().map(str::to_string) else {
        return invalid("base_url", "has no host name");
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return invalid("base_url", "must not contain a user name or password");
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return invalid("base_url", "must not contain ? or #: put the query in the fixed query field");
    }
    let normalised = parsed.as_str().trim_end_matches('/').to_string();
    let (host, _) = idna::domain_to_unicode(&host_ascii);
    Ok(UrlCheck { example: format!("{normalised}/7K3M9QZ"), normalised, host, host_ascii })
}

/// `name=value&…` without a leading `?`; letters, digits and `-._~=&%+` only.
pub fn check_query(query: Option<String>) -> ValidationResult<Option<String>> {
    let q = optional_text("query", query.map(|q| q.trim_start_matches('?').to_string()), 100)?;
    if let Some(q) = &q {
        if !q.chars().all(|c| c.is_ascii_alphanumeric() || "-._~=&%+".contains(c)) {
            return invalid("query", "may contain only letters, digits and - . _ ~ = & % +");
        }
    }
    Ok(q)
}

fn check_colour(field: &'static str, c: &str) -> ValidationResult<String> {
    let c = c.trim().to_ascii_lowercase();
    if c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) {
        Ok(c)
    } else {
        invalid(field, "must be a colour like #0f5f5a")
    }
}

impl Campaign {
    pub fn validate(self) -> ValidationResult<Campaign> {
        Ok(Campaign {
            name: required_text("name", &self.name, 80)?,
            base_url: check_base_url(&self.base_url)?.normalised,
            query: check_query(self.query)?,
            headline: required_text("headline", &self.headline, 60)?,
            second_line: optional_text("second_line", self.second_line, 120)?,
            text_colour: check_colour("text_colour", &self.text_colour)?,
            accent_colour: check_colour("accent_colour", &self.accent_colour)?,
            font: self.font,
        })
    }

    /// The URL a sticker's QR code opens.
    pub fn sticker_url(&self, code: &str) -> String {
        match &self.query {
            Some(q) => format!("{}/{code}?{q}", self.base_url),
            None => format!("{}/{code}", self.base_url),
        }
    }
}

/// `#rrggbb` as PDF's 0–1 RGB triple (black when malformed).
pub fn rgb(colour: &str) -> (f64, f64, f64) {
    let hex = colour.trim_start_matches('#');
    let part = |i: usize| {
        hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).map_or(0.0, |v| f64::from(v) / 255.0)
    };
    (part(0), part(2), part(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("https://migrantscontribute.org/s", Ok("https://migrantscontribute.org/s")),
            ("https://migrantscontribute.org/s/", Ok("https://migrantscontribute.org/s")),
            ("  HTTPS://MC.ORG.UK/S  ", Ok("https://mc.org.uk/S")),
            ("https://bücher.de/s", Ok("https://xn--bcher-kva.de/s")),
            ("http://migrantscontribute.org/s", Err("https")),
            ("ftp://x.org", Err("https")),
            ("migrantscontribute.org/s", Err("not a web address")),
            ("https://user:pw@x.org/s", Err("user name")),
            ("https://x.org/s?utm=1", Err("fixed query")),
            ("https://x.org/s#top", Err("fixed query")),
            ("javascript:alert(1)", Err("https")),
            // A prefix check would accept this; the parser sees the host is evil.example.
            ("https://migrantscontribute.org@evil.example/s", Err("user name")),
        ];
        for (input, want) in cases {
            match (check_base_url(input), want) {
                (Ok(c), Ok(w)) => assert_eq!(c.normalised, *w, "{input}"),
                (Err(e), Err(w)) => assert!(e.reason.contains(w), "{input}: {}", e.reason),
                (got, _) => panic!("{input}: got {got:?}, wanted {want:?}"),
            }
        }
        let c = check_base_url("https://bücher.de/s").unwrap();
        assert_eq!((c.host.as_str(), c.host_ascii.as_str()), ("bücher.de", "xn--bcher-kva.de"));
    }

    #[test]
    fn sticker_urls_and_queries() {
        let mut c = Campaign { base_url: "https://mc.org.uk/S".into(), ..Campaign::default() };
        assert_eq!(c.sticker_url("7K3M9QZ"), "https://mc.org.uk/S/7K3M9QZ");
        c.query = check_query(Some("?utm_source=sticker".into())).unwrap();
        assert_eq!(c.sticker_url("7K3M9QZ"), "https://mc.org.uk/S/7K3M9QZ?utm_source=sticker");
        assert!(check_query(Some("a=<b>".into())).is_err());
    }

    #[test]
    fn colours() {
        assert_eq!(rgb("#ff8000"), (1.0, 128.0 / 255.0, 0.0));
        assert!(Campaign { accent_colour: "red".into(), ..Campaign::default() }.validate().is_err());
        assert!(Campaign::default().validate().is_ok());
    }
}

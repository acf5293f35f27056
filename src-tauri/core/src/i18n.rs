//! The window's catalogues (`ui/src/lib/i18n/*.json`) read on the Rust side, for the words Rust
//! itself shows in the window's language (the native dialogs' titles): one source of words for
//! the webview and for Rust. Keys are the UI's flat dotted keys; a key a language lacks falls
//! back to English, as in the UI (`catalogue.ts`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Every language the window has, with its catalogue.
const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../../../ui/src/lib/i18n/en.json")),
    ("ar", include_str!("../../../ui/src/lib/i18n/ar.json")),
];

type Catalogue = HashMap<String, String>;

fn catalogues() -> &'static HashMap<&'static str, Catalogue> {
    static PARSED: OnceLock<HashMap<&'static str, Catalogue>> = OnceLock::new();
    PARSED.get_or_init(|| {
        CATALOGUES
            .iter()
            // A catalogue that does not parse is caught by the tests; here it is just empty.
            .map(|(lang, json)| (*lang, serde_json::from_str(json).unwrap_or_default()))
            .collect()
    })
}

/// The catalogue's language for a language tag (`ar-EG` -> `ar`), English when there is none:
/// the same choice as the UI's `pickLanguage`.
pub fn pick(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_', '.', '@']).next().unwrap_or("").to_ascii_lowercase();
    CATALOGUES.iter().map(|(lang, _)| *lang).find(|lang| *lang == primary).unwrap_or("en")
}

/// The language the window shows: the one chosen in Settings, or else the system's (the
/// locale's environment variables, as the webview reads them).
pub fn window_language(chosen: &str) -> &'static str {
    if !chosen.trim().is_empty() {
        return pick(chosen.trim());
    }
    let system = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty() && v != "C" && v != "POSIX")
        .unwrap_or_default();
    pick(&system)
}

/// The language a web visitor reads, from their browser's `Accept-Language` (`ar-EG,ar;q=0.9,
/// en;q=0.8`): the catalogue of the first tag by preference that has one, else English.
pub fn from_accept_language(header: &str) -> &'static str {
    let mut tags: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q=").map(|v| v.trim().parse::<f32>().unwrap_or(0.0)))
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.iter()
        .map(|(_, _, tag)| tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase())
        .find_map(|primary| languages().find(|lang| *lang == primary))
        .unwrap_or("en")
}

/// Whether `language` is written right to left.
pub fn right_to_left(language: &str) -> bool {
    matches!(pick(language), "ar")
        || language.starts_with("ur")
        || language.starts_with("he")
        || language.starts_with("fa")
}

/// The text of `key` in `language`, else in English, else the key itself (a missing key shows
/// up rather than an empty title).
pub fn text(language: &str, key: &str) -> String {
    let all = catalogues();
    all.get(pick(language))
        .and_then(|c| c.get(key))
        .or_else(|| all.get("en").and_then(|c| c.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// The languages the window has.
pub fn languages() -> impl Iterator<Item = &'static str> {
    CATALOGUES.iter().map(|(lang, _)| *lang)
}

/// Whether `language`'s own catalogue has `key` (no fallback): for tests of the keys Rust uses.
pub fn has(language: &str, key: &str) -> bool {
    catalogues().get(language).is_some_and(|c| c.contains_key(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses() {
        for (lang, json) in CATALOGUES {
            let parsed: Result<Catalogue, _> = serde_json::from_str(json);
            assert!(parsed.as_ref().is_ok_and(|c| c.len() > 100), "{lang}: {parsed:?}");
        }
    }

    #[test]
    fn picks_a_catalogue_as_the_window_does() {
        let cases = [
            ("en", "en"),
            ("en-GB", "en"),
            ("ar-EG", "ar"),
            ("AR", "ar"),
            ("ar_EG.UTF-8", "ar"),
            ("fr", "en"),
            ("", "en"),
        ];
        for (tag, want) in cases {
            assert_eq!(pick(tag), want, "{tag}");
        }
        assert_eq!(window_language("ar"), "ar");
        assert_eq!(window_language(" en-GB "), "en");
    }

    #[test]
    fn a_visitors_language_from_their_browser() {
        let cases = [
            ("ar-EG,ar;q=0.9,en;q=0.8", "ar"),
            ("fr-FR,fr;q=0.9,ar;q=0.8,en;q=0.5", "ar"),
            ("en;q=0.5, ar;q=0.9", "ar"),
            ("ar;q=0, en", "en"),
            ("*", "en"),
            ("", "en"),
            ("de", "en"),
            ("AR", "ar"),
            ("x;q=abc, ar", "ar"),
        ];
        for (header, want) in cases {
            assert_eq!(from_accept_language(header), want, "{header}");
        }
        assert!(right_to_left("ar") && !right_to_left("en"));
    }

    #[test]
    fn text_in_the_language_else_english_else_the_key() {
        assert_eq!(text("ar", "save.folderTitle"), "مجلد الإخراج");
        assert_eq!(text("ar-EG", "save.folderTitle"), "مجلد الإخراج");
        assert_eq!(text("fr", "save.folderTitle"), "Output folder");
        assert_eq!(text("en", "no.such.key"), "no.such.key");
    }
}

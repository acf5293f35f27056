//! What is wrong with something a person typed, named by field so the window can put the message
//! next to the right input.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// The input's name as the UI and CLI know it (`name`, `lat`, `stickers_left`, ...).
    pub field: &'static str,
    /// A sentence that says what to do.
    pub reason: String,
}

pub type ValidationResult<T> = Result<T, ValidationError>;

pub fn invalid<T>(field: &'static str, reason: impl Into<String>) -> ValidationResult<T> {
    Err(ValidationError { field, reason: reason.into() })
}

/// Trims `value`; an empty result becomes `None`. Longer than `max` characters is an error.
pub fn optional_text(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> ValidationResult<Option<String>> {
    match value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > max => invalid(field, format!("is longer than {max} characters")),
        other => Ok(other),
    }
}

/// Trims `value`; it must not be empty nor longer than `max` characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> ValidationResult<String> {
    match optional_text(field, Some(value.to_string()), max)? {
        Some(v) => Ok(v),
        None => invalid(field, "is required"),
    }
}

/// Splits a `;`- or `,`-separated list (OpenStreetMap writes `cuisine=turkish;kebab`), trims and
/// drops empty and repeated entries, keeping the first spelling.
pub fn tag_list(field: &'static str, values: &[String], max_each: usize) -> ValidationResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in values {
        for part in raw.split([';', ',']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if part.chars().count() > max_each {
                return invalid(field, format!("has an entry longer than {max_each} characters"));
            }
            if !out.iter().any(|o| o.eq_ignore_ascii_case(part)) {
                out.push(part.to_string());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists() {
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["turkish;kebab"], &["turkish", "kebab"]),
            (&[" Turkish ", "turkish", "kebab,"], &["Turkish", "kebab"]),
            (&[";;", " "], &[]),
        ];
        for (input, expected) in cases {
            let input: Vec<String> = input.iter().map(|s| s.to_string()).collect();
            assert_eq!(tag_list("cuisines", &input, 40).unwrap(), *expected, "{input:?}");
        }
    }

    #[test]
    fn text_rules() {
        assert_eq!(required_text("name", "  Ok  ", 10).unwrap(), "Ok");
        assert_eq!(required_text("name", "   ", 10).unwrap_err().reason, "is required");
        assert!(required_text("name", "elevenchars", 10).is_err());
        assert_eq!(optional_text("note", Some("  ".into()), 5).unwrap(), None);
    }
}

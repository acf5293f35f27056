//! A problem in an imported file, at the place a person would look for it: the line, and the
//! column (the n-th field of the row, with its header) or, for damage below the level of fields,
//! the character.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Problem {
    /// 1-based line of the file (a quoted field may span lines; this is where the field starts).
    pub line: usize,
    /// 1-based: the field's column in the row when `header` is set or `in_field` is true,
    /// else the character within the line.
    pub column: usize,
    /// True when `column` counts fields (CSV columns), false when it counts characters.
    pub in_field: bool,
    /// The column's header, when there is one.
    pub header: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn at_char(line: usize, column: usize, message: impl Into<String>) -> Self {
        Problem { line, column, in_field: false, header: None, message: message.into() }
    }

    pub fn at_field(line: usize, column: usize, header: Option<&str>, message: impl Into<String>) -> Self {
        Problem { line, column, in_field: true, header: header.map(str::to_string), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.header, self.in_field) {
            (Some(h), _) => write!(f, "line {}, column {} ({h}): {}", self.line, self.column, self.message),
            (None, true) => write!(f, "line {}, column {}: {}", self.line, self.column, self.message),
            (None, false) => write!(f, "line {}, character {}: {}", self.line, self.column, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_where() {
        let cases = [
            (Problem::at_field(7, 3, Some("Postcode"), "too long"), "line 7, column 3 (Postcode): too long"),
            (Problem::at_field(2, 5, None, "extra field"), "line 2, column 5: extra field"),
            (Problem::at_char(1, 12, "NUL byte"), "line 1, character 12: NUL byte"),
        ];
        for (p, want) in cases {
            assert_eq!(p.to_string(), want);
        }
    }
}

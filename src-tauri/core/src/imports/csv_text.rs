//! Reads CSV text (RFC 4180, as spreadsheets write it) into a header and records, keeping the
//! line every field starts on so a problem can be shown where a person would look for it.
//! Strict where a guess could lose or shift data (an unclosed quote, text after a closing quote,
//! a row longer than the header, a repeated header); lenient where nothing is lost (a stray quote
//! inside an unquoted field, blank lines, trailing empty fields, CR, LF or CRLF line ends).

use super::problem::Problem;

/// The longest field accepted, in bytes. Nothing Tablemap keeps is near this; a longer field is
/// almost always a quote that was never closed.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub delimiter: u8,
    pub headers: Vec<String>,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The line the record starts on.
    pub line: usize,
    pub fields: Vec<String>,
    /// The line each field starts on (differs from `line` after a field with a line break).
    pub field_lines: Vec<usize>,
}

/// The delimiter used in the first line: comma, semicolon (Excel in much of Europe), tab or
/// pipe, whichever occurs most outside quotes; comma when there is none.
pub fn guess_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if quoted => {}
            b',' => counts[0] += 1,
            b';' => counts[1] += 1,
            b'\t' => counts[2] += 1,
            b'|' => counts[3] += 1,
            _ => {}
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t', b'|'][best]
    }
}

/// Excel writes `sep=;` as the first line when it names its delimiter. Blanks that line (it
/// stays an empty line, so line numbers still match the file) and returns the delimiter.
pub fn take_excel_sep_line(text: &mut String) -> Option<u8> {
    let first = text.split(['\r', '\n']).next().unwrap_or("");
    let d = first.strip_prefix("sep=").or_else(|| first.strip_prefix("SEP="))?;
    let delimiter = super::delimiter_byte(d).ok()?;
    let len = first.len();
    text.replace_range(..len, "");
    Some(delimiter)
}

/// Parses the whole text. The first record is the header.
pub fn parse(text: &str, delimiter: u8) -> Result<Table, Problem> {
    let mut reader = Reader { text, bytes: text.as_bytes(), pos: 0, line: 1, line_start: 0, delimiter };
    let mut header: Option<Record> = None;
    let mut records = Vec::new();
    while let Some(record) = reader.record()? {
        if record.fields.iter().all(|f| f.trim().is_empty()) {
            continue; // a blank line, or a row of empty cells
        }
        match &header {
            None => {
                check_header(&record)?;
                header = Some(record);
            }
            Some(h) => records.push(fit_to_header(record, h)?),
        }
    }
    let Some(header) = header else {
        return Err(Problem::at_char(1, 1, "the file is empty: there is no header row"));
    };
    if records.is_empty() {
        return Err(Problem::at_char(header.line + 1, 1, "the file has a header but no rows below it"));
    }
    let headers = header.fields.into_iter().map(|h| h.trim().to_string()).collect();
    Ok(Table { delimiter, headers, records })
}

fn check_header(h: &Record) -> Result<(), Problem> {
    for (i, name) in h.fields.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if let Some(first) = h.fields[..i].iter().position(|n| n.trim().eq_ignore_ascii_case(name)) {
            return Err(Problem::at_field(
                h.line,
                i + 1,
                Some(name),
                format!("the header \u{201c}{name}\u{201d} is also column {}: rename one of them", first + 1),
            ));
        }
    }
    Ok(())
}

/// Trailing empty fields beyond the header are dropped (spreadsheets add them); anything else
/// that does not line up with the header is refused rather than shifted.
fn fit_to_header(mut r: Record, h: &Record) -> Result<Record, Problem> {
    let width = h.fields.len();
    while r.fields.len() > width && r.fields.last().is_some_and(|f| f.trim().is_empty()) {
        r.fields.pop();
        r.field_lines.pop();
    }
    if r.fields.len() > width {
        return Err(Problem::at_field(
            r.field_lines[width],
            width + 1,
            None,
            format!(
                "this row has {} fields but the header has {width}: a delimiter inside a value needs quotes around the value",
                r.fields.len()
            ),
        ));
    }
    if r.fields.len() < width {
        let missing = width - r.fields.len();
        return Err(Problem::at_field(
            *r.field_lines.last().unwrap_or(&r.line),
            r.fields.len() + 1,
            None,
            format!(
                "this row has {} fields but the header has {width} ({missing} missing): the row is cut short or a quote is misplaced",
                r.fields.len()
            ),
        ));
    }
    Ok(r)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    delimiter: u8,
}

impl Reader<'_> {
    fn char_column(&self, at: usize) -> usize {
        self.text[self.line_start..at].chars().count() + 1
    }

    fn newline(&mut self) {
        // At a CR or LF: consume CRLF as one line end.
        if self.bytes[self.pos] == b'\r' && self.bytes.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 1;
        }
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    fn record(&mut self) -> Result<Option<Record>, Problem> {
        if self.pos >= self.bytes.len() {
            return Ok(None);
        }
        let line = self.line;
        let mut fields = Vec::new();
        let mut field_lines = Vec::new();
        loop {
            field_lines.push(self.line);
            let column = fields.len() + 1;
            let value = if self.bytes.get(self.pos) == Some(&b'"') {
                self.quoted(column)?
            } else {
                self.unquoted(column)?
            };
            fields.push(value);
            match self.bytes.get(self.pos) {
                None => break,
                Some(&b) if b == self.delimiter => self.pos += 1,
                Some(b'\r' | b'\n') => {
                    self.newline();
                    break;
                }
                Some(_) => unreachable!("a field ends at a delimiter, a line end or the end"),
            }
        }
        Ok(Some(Record { line, fields, field_lines }))
    }

    fn unquoted(&mut self, column: usize) -> Result<String, Problem> {
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == self.delimiter || b == b'\r' || b == b'\n' {
                break;
            }
            self.pos += 1;
        }
        if self.pos - start > MAX_FIELD_BYTES {
            return Err(self.too_long(self.line, column));
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn quoted(&mut self, column: usize) -> Result<String, Problem> {
        let (open_line, open_char) = (self.line, self.char_column(self.pos));
        self.pos += 1;
        let mut value = String::new();
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(Problem::at_field(
                    open_line,
                    column,
                    None,
                    format!(
                        "a quote opened at character {open_char} is never closed, so the rest of the file would be one value: add the closing quote"
                    ),
                ));
            };
            match b {
                b'"' if self.bytes.get(self.pos + 1) == Some(&b'"') => {
                    value.push_str(&self.text[run..=self.pos]);
                    self.pos += 2;
                    run = self.pos;
                }
                b'"' => {
                    value.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    break;
                }
                b'\r' | b'\n' => {
                    value.push_str(&self.text[run..self.pos]);
                    value.push('\n');
                    self.newline();
                    run = self.pos;
                }
                _ => self.pos += 1,
            }
            if value.len() + (self.pos - run) > MAX_FIELD_BYTES {
                return Err(self.too_long(open_line, column));
            }
        }
        match self.bytes.get(self.pos) {
            None | Some(b'\r' | b'\n') => Ok(value),
            Some(&b) if b == self.delimiter => Ok(value),
            Some(_) => Err(Problem::at_field(
                self.line,
                column,
                None,
                format!(
                    "text follows the closing quote at character {}: a quote inside a quoted value must be doubled (\"\")",
                    self.char_column(self.pos)
                ),
            )),
        }
    }

    /// `line` is where the field starts: a quoted value may have run over many lines by now.
    fn too_long(&self, line: usize, column: usize) -> Problem {
        Problem::at_field(
            line,
            column,
            None,
            format!("a value longer than {} MB: is a quote left open?", MAX_FIELD_BYTES >> 20),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        let t = parse(text, guess_delimiter(text)).unwrap();
        let mut out = vec![t.headers];
        out.extend(t.records.into_iter().map(|r| r.fields));
        out
    }

    #[test]
    fn accepted_cases() {
        let cases: &[(&str, &str, &[&[&str]])] = &[
            ("simple", "a,b\n1,2\n", &[&["a", "b"], &["1", "2"]]),
            ("no final newline", "a,b\n1,2", &[&["a", "b"], &["1", "2"]]),
            ("crlf", "a,b\r\n1,2\r\n", &[&["a", "b"], &["1", "2"]]),
            ("old mac cr", "a,b\r1,2\r", &[&["a", "b"], &["1", "2"]]),
            ("semicolon", "a;b\n1,5;2\n", &[&["a", "b"], &["1,5", "2"]]),
            ("tab", "a\tb\n1\t2\n", &[&["a", "b"], &["1", "2"]]),
            ("quoted comma", "a,b\n\"x, y\",2\n", &[&["a", "b"], &["x, y", "2"]]),
            ("doubled quote", "a,b\n\"say \"\"hi\"\"\",2\n", &[&["a", "b"], &["say \"hi\"", "2"]]),
            ("line break in value", "a,b\n\"1\r\n2\",3\n", &[&["a", "b"], &["1\n2", "3"]]),
            ("stray quote unquoted", "a,b\n5\" pizza,2\n", &[&["a", "b"], &["5\" pizza", "2"]]),
            ("blank lines", "a,b\n\n1,2\n,\n\n", &[&["a", "b"], &["1", "2"]]),
            ("trailing empty fields", "a,b\n1,2,,\n", &[&["a", "b"], &["1", "2"]]),
            ("empty values", "a,b\n,2\n", &[&["a", "b"], &["", "2"]]),
            (
                "unicode",
                "nom,ville\nCafé Zahlé,Manchester\n",
                &[&["nom", "ville"], &["Café Zahlé", "Manchester"]],
            ),
            ("header trimmed", " a , b \n1,2\n", &[&["a", "b"], &["1", "2"]]),
        ];
        for (what, text, want) in cases {
            let want: Vec<Vec<String>> =
                want.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect();
            assert_eq!(rows(text), want, "{what}");
        }
    }

    #[test]
    fn refused_cases() {
        // (what, text, line, column, words in the message)
        let cases: &[(&str, &str, usize, usize, &str)] = &[
            ("empty", "", 1, 1, "empty"),
            ("only blank lines", "\n\n", 1, 1, "empty"),
            ("header only", "a,b\n", 2, 1, "no rows"),
            ("unclosed quote", "a,b\n1,2\n3,\"open\n4,5\n", 3, 2, "never closed"),
            ("text after quote", "a,b\n\"x\"y,2\n", 2, 1, "doubled"),
            ("too many fields", "a,b\n1,2,3\n", 2, 3, "3 fields"),
            ("too few fields", "a,b,c\n1,2\n", 2, 3, "missing"),
            ("duplicate header", "Name,lat,name\nx,1,y\n", 1, 3, "also column 1"),
        ];
        for (what, text, line, column, says) in cases {
            let p = parse(text, guess_delimiter(text)).unwrap_err();
            assert_eq!((p.line, p.column), (*line, *column), "{what}: {p}");
            assert!(p.message.contains(says), "{what}: {p}");
        }
    }

    #[test]
    fn lines_follow_multiline_values() {
        let t = parse("a,b\n\"x\ny\",2\n3,4\n", b',').unwrap();
        assert_eq!(t.records[0].line, 2);
        assert_eq!(t.records[0].field_lines, vec![2, 3]);
        assert_eq!(t.records[1].line, 4);
    }

    #[test]
    fn a_huge_value_is_refused_not_swallowed() {
        let text = format!("a,b\n1,\"{}\"\n", "x".repeat(MAX_FIELD_BYTES + 10));
        let p = parse(&text, b',').unwrap_err();
        assert_eq!((p.line, p.column), (2, 2));
        // Named where the value starts, not where it grew too long.
        let text = format!("a,b\n1,\"{}\"\n", "x\n".repeat(MAX_FIELD_BYTES));
        let p = parse(&text, b',').unwrap_err();
        assert_eq!((p.line, p.column), (2, 2));
    }

    #[test]
    fn excel_sep_lines() {
        let cases: &[(&str, Option<u8>, &str)] = &[
            ("sep=;\r\na;b\r\n", Some(b';'), "\r\na;b\r\n"),
            ("sep=\t\na\tb\n", Some(b'\t'), "\na\tb\n"),
            ("sep=,", Some(b','), ""),
            ("separator,b\n1,2\n", None, "separator,b\n1,2\n"),
            ("sep=x\na\n", None, "sep=x\na\n"),
        ];
        for (text, want, left) in cases {
            let mut t = text.to_string();
            assert_eq!(take_excel_sep_line(&mut t), *want, "{text:?}");
            assert_eq!(t, *left, "{text:?}");
        }
        // The header is still line 2 and the first row line 3.
        let mut t = "sep=;\nname;lat\n;51,5\n".to_string();
        let d = take_excel_sep_line(&mut t).unwrap();
        let table = parse(&t, d).unwrap();
        assert_eq!((table.headers.len(), table.records[0].line), (2, 3));
    }

    #[test]
    fn delimiter_guesses() {
        let cases =
            [("a,b;c,d", b','), ("a;b;c", b';'), ("a\tb", b'\t'), ("\"x;y\",b", b','), ("single", b',')];
        for (line, want) in cases {
            assert_eq!(guess_delimiter(line), want, "{line}");
        }
    }
}

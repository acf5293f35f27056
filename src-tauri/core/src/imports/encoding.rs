//! Text encodings of the files people bring: UTF-8 with or without a byte-order mark,
//! Windows-1252 (what Excel on Windows writes as "CSV"), and UTF-16 in either byte order
//! ("Unicode text" from Excel). Detected where the bytes say so; the person can override.

use super::problem::Problem;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Encoding {
    Utf8,
    Windows1252,
    Utf16le,
    Utf16be,
}

impl Encoding {
    pub const ALL: [Encoding; 4] =
        [Encoding::Utf8, Encoding::Windows1252, Encoding::Utf16le, Encoding::Utf16be];

    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Utf16le => "utf-16le",
            Encoding::Utf16be => "utf-16be",
        }
    }

    /// Accepts the usual spellings: `utf8`, `UTF-8`, `cp1252`, `latin1`, `utf-16le`, ...
    pub fn parse(name: &str) -> Option<Encoding> {
        let n: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
        match n.as_str() {
            "utf8" | "utf8bom" | "utf8sig" => Some(Encoding::Utf8),
            "windows1252" | "cp1252" | "win1252" | "latin1" | "iso88591" | "ansi" => {
                Some(Encoding::Windows1252)
            }
            "utf16le" | "utf16" | "unicode" => Some(Encoding::Utf16le),
            "utf16be" => Some(Encoding::Utf16be),
            _ => None,
        }
    }
}

/// What the bytes say about their encoding, and how sure that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    /// A byte-order mark was present (and is skipped when decoding).
    pub bom: bool,
}

pub fn detect(bytes: &[u8]) -> Detected {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Detected { encoding: Encoding::Utf8, bom: true };
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Detected { encoding: Encoding::Utf16le, bom: true };
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Detected { encoding: Encoding::Utf16be, bom: true };
    }
    // UTF-16 without a mark: mostly-ASCII text leaves every other byte zero.
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() >= 4 {
        let zeros_at = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
        let half = sample.len() / 2;
        if zeros_at(1) * 10 >= half * 6 && zeros_at(0) * 10 < half {
            return Detected { encoding: Encoding::Utf16le, bom: false };
        }
        if zeros_at(0) * 10 >= half * 6 && zeros_at(1) * 10 < half {
            return Detected { encoding: Encoding::Utf16be, bom: false };
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        Detected { encoding: Encoding::Utf8, bom: false }
    } else {
        Detected { encoding: Encoding::Windows1252, bom: false }
    }
}

/// Decodes `bytes` as `encoding`, skipping that encoding's byte-order mark. A byte sequence the
/// encoding cannot hold is an error at its line and column; so is a NUL character, which no
/// spreadsheet writes into text (it usually means the wrong encoding was chosen).
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, Problem> {
    let text = match encoding {
        Encoding::Utf8 => {
            let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            match std::str::from_utf8(body) {
                Ok(s) => s.to_string(),
                Err(e) => {
                    let good = &body[..e.valid_up_to()];
                    // Safe: `valid_up_to` marks the end of valid UTF-8.
                    let before = std::str::from_utf8(good).unwrap_or_default();
                    let (line, column) = position_at_end(before);
                    // Point at the encoding the bytes suggest: UTF-16 has a mark or zero bytes.
                    let likely = match detect(bytes).encoding {
                        Encoding::Utf16le => "UTF-16 LE",
                        Encoding::Utf16be => "UTF-16 BE",
                        _ => "Windows-1252",
                    };
                    return Err(Problem::at_char(
                        line,
                        column,
                        format!(
                            "byte 0x{:02X} is not UTF-8; the file is probably {likely}: choose that encoding",
                            body[e.valid_up_to()]
                        ),
                    ));
                }
            }
        }
        Encoding::Windows1252 => bytes.iter().map(|&b| windows_1252(b)).collect(),
        Encoding::Utf16le | Encoding::Utf16be => {
            let (bom, le) = match encoding {
                Encoding::Utf16le => ([0xFF, 0xFE], true),
                _ => ([0xFE, 0xFF], false),
            };
            let body = bytes.strip_prefix(&bom).unwrap_or(bytes);
            if body.len() % 2 == 1 {
                let approx =
                    String::from_utf16_lossy(&units(&body[..body.len() - 1], le).collect::<Vec<_>>());
                let (line, column) = position_at_end(&approx);
                return Err(Problem::at_char(
                    line,
                    column,
                    "the file ends half-way through a UTF-16 character: it is cut short or not UTF-16",
                ));
            }
            let mut out = String::with_capacity(body.len() / 2);
            for (i, c) in char::decode_utf16(units(body, le)).enumerate() {
                match c {
                    Ok(c) => out.push(c),
                    Err(_) => {
                        let (line, column) = position_at_end(&out);
                        let _ = i;
                        return Err(Problem::at_char(
                            line,
                            column,
                            "an unpaired UTF-16 surrogate: the file is damaged or not UTF-16",
                        ));
                    }
                }
            }
            out
        }
    };
    if let Some(at) = text.find('\0') {
        let (line, column) = position_at_end(&text[..at]);
        return Err(Problem::at_char(
            line,
            column,
            "a NUL byte: this is not a text file in this encoding (try UTF-16, or save it again as CSV)",
        ));
    }
    Ok(text)
}

fn units(body: &[u8], le: bool) -> impl Iterator<Item = u16> + '_ {
    body.chunks_exact(2).map(move |p| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    })
}

/// The 1-based line and character column just after `text`, counting line ends as the CSV
/// parser does (CRLF, LF, or a lone CR as old Excel for Mac writes), so both name one line.
fn position_at_end(text: &str) -> (usize, usize) {
    let (mut line, mut column) = (1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => (line, column) = (line + 1, 1),
            _ => column += 1,
        }
    }
    (line, column)
}

/// Windows-1252: Latin-1 except 0x80–0x9F, which hold curly quotes, the euro sign and friends.
/// The five bytes it leaves undefined decode to the C1 controls, as browsers do.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn detection_cases() {
        let cases: Vec<(&str, Vec<u8>, Encoding, bool)> = vec![
            ("plain ascii", b"name,lat\nA,1\n".to_vec(), Encoding::Utf8, false),
            ("utf-8 accents", "name\nCafé\n".as_bytes().to_vec(), Encoding::Utf8, false),
            ("utf-8 bom", b"\xEF\xBB\xBFname\n".to_vec(), Encoding::Utf8, true),
            ("cp1252 e-acute", b"name\nCaf\xE9\n".to_vec(), Encoding::Windows1252, false),
            ("utf-16le bom", utf16("name\nA\n", true, true), Encoding::Utf16le, true),
            ("utf-16be bom", utf16("name\nA\n", false, true), Encoding::Utf16be, true),
            ("utf-16le no bom", utf16("name,lat\nA,1\n", true, false), Encoding::Utf16le, false),
            ("utf-16be no bom", utf16("name,lat\nA,1\n", false, false), Encoding::Utf16be, false),
            ("empty", Vec::new(), Encoding::Utf8, false),
        ];
        for (what, bytes, encoding, bom) in cases {
            assert_eq!(detect(&bytes), Detected { encoding, bom }, "{what}");
        }
    }

    #[test]
    fn decoding_cases() {
        let ok: Vec<(Vec<u8>, Encoding, &str)> = vec![
            (b"\xEF\xBB\xBFCaf\xC3\xA9".to_vec(), Encoding::Utf8, "Café"),
            (b"Caf\xE9 \x80 \x96 \x93".to_vec(), Encoding::Windows1252, "Café € – \u{201c}"),
            (utf16("Zahlé ☕", true, true), Encoding::Utf16le, "Zahlé ☕"),
            (utf16("Zahlé ☕", false, false), Encoding::Utf16be, "Zahlé ☕"),
        ];
        for (bytes, enc, want) in ok {
            assert_eq!(decode(&bytes, enc).unwrap(), want, "{enc:?}");
        }
        let bad: Vec<(Vec<u8>, Encoding, usize, usize, &str)> = vec![
            (b"name\nCaf\xE9\n".to_vec(), Encoding::Utf8, 2, 4, "Windows-1252"),
            (b"name\rA\rCaf\xE9\r".to_vec(), Encoding::Utf8, 3, 4, "Windows-1252"),
            (b"name\r\nCaf\xE9\r\n".to_vec(), Encoding::Utf8, 2, 4, "Windows-1252"),
            (utf16("name\n", true, true), Encoding::Utf8, 1, 1, "UTF-16 LE"),
            (b"name\nA\0B\n".to_vec(), Encoding::Utf8, 2, 2, "NUL"),
            (b"a\x00b".to_vec(), Encoding::Utf16le, 1, 2, "half-way"),
            (vec![0x00, 0xD8, 0x41, 0x00], Encoding::Utf16le, 1, 1, "surrogate"),
        ];
        for (bytes, enc, line, column, says) in bad {
            let p = decode(&bytes, enc).unwrap_err();
            assert_eq!((p.line, p.column), (line, column), "{says}");
            assert!(p.message.contains(says), "{}", p.message);
        }
    }

    #[test]
    fn names() {
        for e in Encoding::ALL {
            assert_eq!(Encoding::parse(e.label()), Some(e));
        }
        assert_eq!(Encoding::parse("CP1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("klingon"), None);
    }
}

//! Bringing restaurants in from files: decoding, CSV parsing, column mapping, row validation and
//! duplicate judging; and areas from GeoJSON (`geojson`). Plain Rust over bytes and text;
//! `api::imports` and `api::areas` run it against the store.

pub mod columns;
pub mod csv_text;
pub mod duplicates;
pub mod encoding;
pub mod geojson;
pub mod problem;
pub mod rows;

use columns::Field;
use duplicates::DuplicateAction;
use encoding::Encoding;
use problem::Problem;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the person chose in the wizard (or on the command line). Anything left out is detected
/// or guessed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CsvOptions {
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// One character: `,` `;` tab or `|`.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// The field each column holds, by column; `None` guesses from the headers.
    #[serde(default)]
    pub mapping: Option<Vec<Option<Field>>>,
    #[serde(default)]
    pub duplicates: DuplicateAction,
}

/// A decoded, parsed file with the mapping that applies to it.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub encoding: Encoding,
    pub detected: Encoding,
    pub bom: bool,
    pub table: csv_text::Table,
    pub mapping: Vec<Option<Field>>,
}

impl ReadFile {
    /// Whether the mapping can import anything (it names the restaurant and can place it).
    pub fn check_mapping(&self) -> Result<(), String> {
        columns::check(&self.mapping)
    }

    pub fn row_reader(&self) -> rows::RowReader<'_> {
        rows::RowReader {
            headers: &self.table.headers,
            mapping: &self.mapping,
            decimal_comma: self.table.delimiter != b',',
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// The file itself is damaged: where, and what to do.
    File { encoding: Encoding, detected: Encoding, problem: Problem },
    /// The options do not fit the file (a wrong delimiter, a mapping that cannot work).
    Options(String),
}

pub fn delimiter_byte(d: &str) -> Result<u8, String> {
    match d {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        "|" => Ok(b'|'),
        other => Err(format!("the delimiter \u{201c}{other}\u{201d} is not one of , ; tab |")),
    }
}

/// Decodes and parses `bytes`, then settles the mapping: the options' own, else guessed from
/// the headers, then `overrides` (`field=Header`) on top. The mapping is not judged here (the
/// wizard shows a file whose mapping is still incomplete): see [`ReadFile::check_mapping`].
pub fn read(bytes: &[u8], options: &CsvOptions, overrides: &[String]) -> Result<ReadFile, ReadError> {
    let detected = encoding::detect(bytes);
    let encoding = options.encoding.unwrap_or(detected.encoding);
    let file_error = |problem| ReadError::File { encoding, detected: detected.encoding, problem };
    let mut text = encoding::decode(bytes, encoding).map_err(file_error)?;
    let named = csv_text::take_excel_sep_line(&mut text);
    let delimiter = match (&options.delimiter, named) {
        (Some(d), _) => delimiter_byte(d).map_err(ReadError::Options)?,
        (None, Some(d)) => d,
        (None, None) => csv_text::guess_delimiter(&text),
    };
    let table = csv_text::parse(&text, delimiter).map_err(file_error)?;
    let mut mapping = match &options.mapping {
        Some(m) if m.len() == table.headers.len() => m.clone(),
        Some(m) => {
            return Err(ReadError::Options(format!(
                "the mapping has {} columns but the file has {}: choose the columns again",
                m.len(),
                table.headers.len()
            )))
        }
        None => columns::guess_all(&table.headers),
    };
    for (i, h) in table.headers.iter().enumerate() {
        if columns::refused(h) {
            mapping[i] = None;
        }
    }
    columns::apply_overrides(&table.headers, &mut mapping, overrides).map_err(ReadError::Options)?;
    let bom = detected.bom && detected.encoding == encoding;
    Ok(ReadFile { encoding, detected: detected.encoding, bom, table, mapping })
}

//! CSV for spreadsheets: UTF-8 with a byte-order mark (so accents open right), CRLF lines, and
//! every cell that a spreadsheet could take for a formula neutralised with a leading `'`
//! (OWASP's CSV-injection advice: cells starting with `=`, `+`, `-`, `@`, tab or CR). The reader
//! here undoes that, so an export read back gives the same data.

use crate::store::restaurants::ExportRow;
use std::io::{self, Write};

pub const HEADERS: [&str; 18] = [
    "id",
    "name",
    "address",
    "postcode",
    "lat",
    "lon",
    "cuisines",
    "languages",
    "opening_hours",
    "phone",
    "website",
    "status",
    "last_visit_at",
    "follow_up_on",
    "stickers_left",
    "listed_publicly",
    "source",
    "external_ref",
];

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written: prefixed with `'` when it starts with a formula trigger (or with `'`
/// itself, so reading back can tell an added quote from one that was there).
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some(c) if TRIGGERS.contains(&c) || c == '\'' => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The inverse of [`neutralise`].
pub fn restore(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c: char| TRIGGERS.contains(&c) || c == '\'') => rest.to_string(),
        _ => cell.to_string(),
    }
}

pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvExport<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
        writer.write_record(HEADERS).map_err(io::Error::other)?;
        Ok(CsvExport { writer })
    }

    pub fn row(&mut self, r: &ExportRow) -> io::Result<()> {
        let x = &r.restaurant;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            x.id.to_string(),
            x.name.clone(),
            opt(&x.address),
            opt(&x.postcode),
            format!("{}", x.lat),
            format!("{}", x.lon),
            x.cuisines.join(";"),
            x.languages.join(";"),
            opt(&x.opening_hours),
            opt(&x.phone),
            opt(&x.website),
            r.status.as_str().to_string(),
            r.last_visit_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            r.stickers_left.to_string(),
            match r.listed_publicly {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            x.source.clone(),
            opt(&x.external_ref),
        ];
        self.writer.write_record(cells.iter().map(|c| neutralise(c))).map_err(io::Error::other)
    }

    pub fn finish(self) -> io::Result<W> {
        self.writer.into_inner().map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Writes any table the same way (BOM, CRLF, formula triggers neutralised), whole or not at all.
pub fn write_table(out: &std::path::Path, headers: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut file = crate::atomic_file::AtomicFile::create(out)?;
    let w = file.take_writer().ok_or_else(|| io::Error::other("no writer"))?;
    let mut w = w;
    w.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(w);
    writer.write_record(headers).map_err(io::Error::other)?;
    for row in rows {
        writer.write_record(row.iter().map(|c| neutralise(c))).map_err(io::Error::other)?;
    }
    let w = writer.into_inner().map_err(|e| io::Error::other(e.to_string()))?;
    file.commit_with(w)
}

/// Reads an export back: the header and each row's cells, restored.
pub fn read(data: &[u8]) -> Result<Vec<Vec<String>>, csv::Error> {
    let data = data.strip_prefix("\u{feff}".as_bytes()).unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(data);
    reader.records().map(|r| r.map(|rec| rec.iter().map(restore).collect())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn neutralising_cases() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+44 20", "'+44 20"),
            ("-0.1278", "'-0.1278"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'quoted", "''quoted"),
            ("Café", "Café"),
            ("", ""),
            ("a=b", "a=b"),
        ];
        for (cell, want) in cases {
            assert_eq!(neutralise(cell), want, "{cell:?}");
            assert_eq!(restore(want), cell, "{want:?}");
        }
    }

    proptest! {
        /// Whatever a cell holds, the written cell starts with no trigger and reads back the same.
        #[test]
        fn any_cell_is_safe_and_round_trips(cell in "\\PC*") {
            let written = neutralise(&cell);
            prop_assert!(!written.starts_with(|c: char| TRIGGERS.contains(&c)));
            prop_assert_eq!(restore(&written), cell);
        }
    }
}

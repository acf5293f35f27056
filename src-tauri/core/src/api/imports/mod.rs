//! CSV import: preview a file as the wizard shows it, then import it in one transaction (or
//! rehearse it and roll back, for `--dry-run`). A file with any problem changes nothing.
//!
//! The preview and the import (`write.rs`) read a file through the same steps here (decode, map
//! columns, check rows, judge duplicates), so the preview stays an exact rehearsal of the import.

use super::{ApiError, Result};
use crate::domain::RestaurantId;
use crate::imports::columns::{self, Field};
use crate::imports::duplicates::{DuplicateIndex, Known, MatchReason};
use crate::imports::encoding::Encoding;
use crate::imports::problem::Problem;
use crate::imports::rows::{Candidate, Position};
use crate::imports::{self, CsvOptions, ReadError, ReadFile};
use crate::store::duplicates as lookup;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

mod write;
pub use write::{import_csv, CsvImport};

/// Positions found for rows without coordinates, by the row's line.
pub type Located = HashMap<usize, (f64, f64)>;

/// Rows shown in the wizard's preview.
pub const SAMPLE_ROWS: usize = 50;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DuplicateHit {
    /// The restaurant already in Tablemap, or `None` for an earlier row of the same file.
    pub id: Option<RestaurantId>,
    /// The earlier row's line, when the match is in the file itself.
    pub line: Option<usize>,
    pub name: String,
    pub reason: MatchReason,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewRow {
    pub line: usize,
    pub cells: Vec<String>,
    pub problems: Vec<Problem>,
    pub duplicate: Option<DuplicateHit>,
    /// No coordinates in the row, and none found yet.
    pub needs_lookup: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CsvPreview {
    pub encoding: Encoding,
    pub detected_encoding: Encoding,
    pub bom: bool,
    pub delimiter: String,
    pub headers: Vec<String>,
    pub mapping: Vec<Option<Field>>,
    /// Columns Tablemap never imports (about where owners come from), by index.
    pub refused_columns: Vec<usize>,
    /// The file cannot be read as it is (with these options): where and why.
    pub file_problem: Option<Problem>,
    /// The mapping cannot import yet: what to choose.
    pub mapping_problem: Option<String>,
    pub rows: usize,
    pub sample: Vec<PreviewRow>,
    pub problem_rows: usize,
    pub first_problem: Option<Problem>,
    /// Rows already in Tablemap by one of the duplicate signs.
    pub duplicates: usize,
    /// Rows without coordinates: found already, and still to look up (by postcode, by address only).
    pub located: usize,
    pub lookup_postcodes: usize,
    pub lookup_addresses: usize,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CsvImportSummary {
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub skipped: usize,
    pub encoding: Encoding,
    /// Nothing was kept: the import was rehearsed.
    pub dry_run: bool,
}

/// A row still to be placed: the postcode or address to look up.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Lookup {
    pub line: usize,
    pub postcode: Option<String>,
    pub address: Option<String>,
}

fn options_error(message: String) -> ApiError {
    ApiError::Invalid(crate::domain::ValidationError { field: "mapping", reason: message })
}

fn read(bytes: &[u8], options: &CsvOptions, overrides: &[String]) -> Result<ReadFile> {
    imports::read(bytes, options, overrides).map_err(|e| match e {
        ReadError::File { problem, .. } => ApiError::BadFile(problem),
        ReadError::Options(m) => options_error(m),
    })
}

/// What the wizard shows for `bytes` read with `options`: never an error for a bad file, which
/// is described in the preview so the person can pick another encoding or fix the file.
pub fn preview(store: &Store, bytes: &[u8], options: &CsvOptions, located: &Located) -> Result<CsvPreview> {
    let file = match imports::read(bytes, options, &[]) {
        Ok(file) => file,
        Err(ReadError::Options(m)) => return Err(options_error(m)),
        Err(ReadError::File { encoding, detected, problem }) => {
            return Ok(CsvPreview {
                encoding,
                detected_encoding: detected,
                bom: false,
                delimiter: options.delimiter.clone().unwrap_or_else(|| ",".into()),
                headers: Vec::new(),
                mapping: Vec::new(),
                refused_columns: Vec::new(),
                first_problem: Some(problem.clone()),
                file_problem: Some(problem),
                mapping_problem: None,
                rows: 0,
                sample: Vec::new(),
                problem_rows: 0,
                duplicates: 0,
                located: 0,
                lookup_postcodes: 0,
                lookup_addresses: 0,
            });
        }
    };
    let mapping_problem = file.check_mapping().err();
    let reader = file.row_reader();
    let mut index = DuplicateIndex::new(lookup::all(store.conn())?);
    let mut p = CsvPreview {
        encoding: file.encoding,
        detected_encoding: file.detected,
        bom: file.bom,
        delimiter: char::from(file.table.delimiter).to_string(),
        headers: file.table.headers.clone(),
        mapping: file.mapping.clone(),
        refused_columns: (0..file.table.headers.len())
            .filter(|&i| columns::refused(&file.table.headers[i]))
            .collect(),
        file_problem: None,
        mapping_problem: mapping_problem.clone(),
        rows: file.table.records.len(),
        sample: Vec::new(),
        problem_rows: 0,
        first_problem: None,
        duplicates: 0,
        located: 0,
        lookup_postcodes: 0,
        lookup_addresses: 0,
    };
    for record in &file.table.records {
        let (problems, duplicate, needs_lookup) = if mapping_problem.is_some() {
            (Vec::new(), None, false)
        } else {
            match reader.read(record) {
                Err(problems) => (problems, None, false),
                Ok(c) => {
                    let position = match &c.position {
                        Position::Known { lat, lon } => Some((*lat, *lon)),
                        Position::Lookup { postcode, .. } => {
                            if let Some(&pos) = located.get(&c.line) {
                                p.located += 1;
                                Some(pos)
                            } else {
                                if postcode.is_some() {
                                    p.lookup_postcodes += 1;
                                } else {
                                    p.lookup_addresses += 1;
                                }
                                None
                            }
                        }
                    };
                    let hit = find(&index, &c, position).map(|(i, reason)| {
                        let k = index.get(i);
                        DuplicateHit { id: k.id.clone(), line: k.line, name: k.name.clone(), reason }
                    });
                    if hit.is_none() {
                        // Later rows that repeat this one are shown as duplicates of it.
                        let (lat, lon) = position.unwrap_or((f64::NAN, f64::NAN));
                        index.add(known(&c, lat, lon), c.external_ref.clone());
                    }
                    (Vec::new(), hit, position.is_none())
                }
            }
        };
        if !problems.is_empty() {
            p.problem_rows += 1;
            if p.first_problem.is_none() {
                p.first_problem = Some(problems[0].clone());
            }
        }
        p.duplicates += usize::from(duplicate.is_some());
        if p.sample.len() < SAMPLE_ROWS {
            p.sample.push(PreviewRow {
                line: record.line,
                cells: record.fields.clone(),
                problems,
                duplicate,
                needs_lookup,
            });
        }
    }
    Ok(p)
}

/// The rows that need a position looked up before they can be imported.
pub fn lookups(bytes: &[u8], options: &CsvOptions, overrides: &[String]) -> Result<Vec<Lookup>> {
    let file = read(bytes, options, overrides)?;
    file.check_mapping().map_err(options_error)?;
    let reader = file.row_reader();
    Ok(file
        .table
        .records
        .iter()
        .filter_map(|r| match reader.read(r) {
            Ok(Candidate { line, position: Position::Lookup { postcode, address }, .. }) => {
                Some(Lookup { line, postcode, address })
            }
            _ => None,
        })
        .collect())
}

fn find(index: &DuplicateIndex, c: &Candidate, position: Option<(f64, f64)>) -> Option<(usize, MatchReason)> {
    let d = &c.draft.0;
    index.find(c.external_ref.as_deref(), &d.name, d.postcode.as_deref(), position)
}

/// A row as the duplicate index knows it once imported.
fn known(c: &Candidate, lat: f64, lon: f64) -> Known {
    let d = &c.draft.0;
    Known { id: None, line: Some(c.line), name: d.name.clone(), postcode: d.postcode.clone(), lat, lon }
}

/// Addresses looked up per go-ahead. Nominatim allows one request a second and no bulk jobs;
/// a hundred is under two minutes. Asking again continues (answers are cached).
pub const MAX_ADDRESS_LOOKUPS: usize = 100;

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct LocateReport {
    /// Rows given a position by their postcode, and by their address.
    pub by_postcode: usize,
    pub by_address: usize,
    /// Rows whose postcode and address were both not found.
    pub not_found: Vec<usize>,
    /// Address rows left for another go (over `MAX_ADDRESS_LOOKUPS`).
    pub remaining: usize,
}

/// Finds positions for `rows`: UK postcodes in bulk through postcodes.io first; rows whose
/// postcode is unknown, or that have only an address, through Nominatim, at most
/// `MAX_ADDRESS_LOOKUPS` of them. Adds what it finds to `located`. `progress(done, total)`
/// returning false stops after the current request, keeping what was found.
pub async fn locate(
    geocoder: &super::geocode::Geocoder,
    rows: &[Lookup],
    located: &mut Located,
    now: DateTime<Utc>,
    progress: &mut (dyn FnMut(u32, u32) -> bool + Send),
) -> Result<LocateReport> {
    let mut report = LocateReport::default();
    let todo: Vec<&Lookup> = rows.iter().filter(|r| !located.contains_key(&r.line)).collect();
    let with_postcode: Vec<&Lookup> = todo.iter().copied().filter(|r| r.postcode.is_some()).collect();
    let postcodes: Vec<String> = with_postcode.iter().filter_map(|r| r.postcode.clone()).collect();
    let total = todo.len() as u32;
    if !progress(0, total) {
        return Err(ApiError::Cancelled);
    }
    let found = if postcodes.is_empty() { Vec::new() } else { geocoder.postcodes(&postcodes, now).await? };
    let mut by_address: Vec<&Lookup> = Vec::new();
    for (row, hit) in with_postcode.iter().zip(found) {
        match hit {
            Some(pos) => {
                located.insert(row.line, pos);
                report.by_postcode += 1;
            }
            None if row.address.is_some() => by_address.push(row),
            None => report.not_found.push(row.line),
        }
    }
    by_address.extend(todo.iter().copied().filter(|r| r.postcode.is_none() && r.address.is_some()));
    by_address.sort_by_key(|r| r.line);
    let mut done = report.by_postcode + report.not_found.len();
    if by_address.len() > MAX_ADDRESS_LOOKUPS {
        report.remaining = by_address.len() - MAX_ADDRESS_LOOKUPS;
        by_address.truncate(MAX_ADDRESS_LOOKUPS);
    }
    for row in by_address {
        if !progress(done as u32, total) {
            break;
        }
        let query = match (&row.address, &row.postcode) {
            (Some(a), Some(pc)) if !a.to_uppercase().contains(pc.as_str()) => format!("{a}, {pc}"),
            (Some(a), _) => a.clone(),
            (None, _) => continue,
        };
        match geocoder.search(&query, now).await? {
            Some(pos) => {
                located.insert(row.line, pos);
                report.by_address += 1;
            }
            None => report.not_found.push(row.line),
        }
        done += 1;
    }
    progress(done as u32, total);
    report.not_found.sort_unstable();
    Ok(report)
}

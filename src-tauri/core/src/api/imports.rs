//! CSV import: preview a file as the wizard shows it, then import it in one transaction (or
//! rehearse it and roll back, for `--dry-run`). A file with any problem changes nothing.
//!
//! Over 400 lines on purpose: the preview and the import read a file through the same private
//! steps (decode, map columns, check rows, judge duplicates), and keeping them in one file keeps
//! the preview an exact rehearsal of the import.

use super::{ApiError, Result};
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::restaurant::ValidDraft;
use crate::domain::{RestaurantDraft, RestaurantId};
use crate::imports::columns::{self, Field};
use crate::imports::duplicates::{DuplicateAction, DuplicateIndex, Known, MatchReason};
use crate::imports::encoding::Encoding;
use crate::imports::problem::Problem;
use crate::imports::rows::{Candidate, Position};
use crate::imports::{self, CsvOptions, ReadError, ReadFile};
use crate::store::duplicates as lookup;
use crate::store::restaurants as table;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

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

/// The row's values over the existing restaurant's: what the row leaves empty is kept.
fn merged(existing: &crate::domain::Restaurant, row: &ValidDraft) -> ValidDraft {
    let r = &row.0;
    let or = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
    let list = |new: &Vec<String>, old: &Vec<String>| if new.is_empty() { old.clone() } else { new.clone() };
    ValidDraft(RestaurantDraft {
        name: r.name.clone(),
        address: or(&r.address, &existing.address),
        postcode: or(&r.postcode, &existing.postcode),
        lat: r.lat,
        lon: r.lon,
        cuisines: list(&r.cuisines, &existing.cuisines),
        languages: list(&r.languages, &existing.languages),
        opening_hours: or(&r.opening_hours, &existing.opening_hours),
        phone: or(&r.phone, &existing.phone),
        website: or(&r.website, &existing.website),
    })
}

/// Everything the import needs from its caller.
pub struct CsvImport<'a> {
    pub bytes: &'a [u8],
    pub options: &'a CsvOptions,
    /// `field=Header` overrides on top of the options' mapping (the CLI's `--map`).
    pub overrides: &'a [String],
    pub located: &'a Located,
    /// Positions were looked up for this file (so a row still without one was not found).
    pub looked_up: bool,
    /// Rehearse: do everything, then roll back.
    pub dry_run: bool,
    pub now: DateTime<Utc>,
}

/// Imports every row or none. Refuses the file at its first problem (line, column, what is
/// wrong), including a row still without a position. `progress(done, total)` returning false
/// cancels, and the transaction is rolled back.
pub fn import_csv(
    store: &mut Store,
    job: CsvImport<'_>,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<CsvImportSummary> {
    access::require(store.conn(), Action::EditRestaurants)?;
    let file = read(job.bytes, job.options, job.overrides)?;
    file.check_mapping().map_err(options_error)?;
    let reader = file.row_reader();
    let mut rows = Vec::with_capacity(file.table.records.len());
    let mut problems = 0usize;
    let mut first: Option<Problem> = None;
    for record in &file.table.records {
        match reader.read(record) {
            Ok(c) => {
                let position = match &c.position {
                    Position::Known { lat, lon } => Some((*lat, *lon)),
                    Position::Lookup { .. } => job.located.get(&c.line).copied(),
                };
                match position {
                    Some((lat, lon)) => rows.push((c.located(lat, lon), c)),
                    None => {
                        problems += 1;
                        if first.is_none() {
                            first = Some(unplaced(&file, &c, job.looked_up));
                        }
                    }
                }
            }
            Err(p) => {
                problems += 1;
                if first.is_none() {
                    first = p.into_iter().next();
                }
            }
        }
    }
    if let Some(mut p) = first {
        if problems > 1 {
            let more = problems - 1;
            p.message.push_str(&if more == 1 {
                " (and 1 more row with a problem)".to_string()
            } else {
                format!(" (and {more} more rows with problems)")
            });
        }
        return Err(ApiError::BadFile(p));
    }

    let total = rows.len() as u32;
    let action = job.options.duplicates;
    let work = |tx: &rusqlite::Transaction<'_>| -> Result<CsvImportSummary> {
        let mut index = DuplicateIndex::new(lookup::all(tx)?);
        let mut s = CsvImportSummary {
            rows: rows.len(),
            added: 0,
            updated: 0,
            skipped: 0,
            encoding: file.encoding,
            dry_run: job.dry_run,
        };
        for (i, (draft, c)) in rows.iter().enumerate() {
            if i % 256 == 0 && !progress(i as u32, total) {
                return Err(ApiError::Cancelled);
            }
            let (lat, lon) = (draft.0.lat, draft.0.lon);
            let hit = find(&index, c, Some((lat, lon)));
            match (hit, action) {
                (Some(_), DuplicateAction::Skip) => s.skipped += 1,
                (Some((i, _)), DuplicateAction::Update) => {
                    let id = index
                        .get(i)
                        .id
                        .clone()
                        .ok_or(ApiError::Inconsistent { what: "a row matched itself" })?;
                    let before = table::get(tx, &id)?;
                    let new = merged(&before, draft);
                    table::update(tx, &id, &new, job.now)?;
                    crate::store::outbox::restaurant_updated(tx, &before, job.now)?;
                    index.replace(i, &new.0.name, new.0.postcode.as_deref(), new.0.lat, new.0.lon);
                    s.updated += 1;
                }
                (hit, _) => {
                    // A reference already taken stays with the restaurant that has it.
                    let reference = match hit {
                        Some((_, MatchReason::SameReference)) => None,
                        _ => c.external_ref.clone(),
                    };
                    let id = RestaurantId::generate(job.now);
                    table::insert(tx, &id, draft, "csv", reference.as_deref(), job.now)?;
                    crate::store::outbox::restaurant_inserted(tx, &id, job.now)?;
                    index.add(Known { id: Some(id), ..known(c, lat, lon) }, reference);
                    s.added += 1;
                }
            }
        }
        progress(total, total);
        Ok(s)
    };
    if job.dry_run {
        store.rehearse(work)
    } else {
        store.write(work)
    }
}

fn unplaced(file: &ReadFile, c: &Candidate, looked_up: bool) -> Problem {
    let col = file
        .mapping
        .iter()
        .position(|m| *m == Some(Field::Postcode))
        .or_else(|| file.mapping.iter().position(|m| *m == Some(Field::Address)))
        .unwrap_or(0);
    let header = file.table.headers.get(col).filter(|h| !h.is_empty()).map(String::as_str);
    let what = match &c.position {
        Position::Lookup { postcode: Some(pc), .. } => format!("postcode {pc}"),
        Position::Lookup { address: Some(a), .. } => format!("the address \u{201c}{a}\u{201d}"),
        _ => "this row".into(),
    };
    let message = if looked_up {
        format!("no coordinates, and {what} was not found: check it, or fill in latitude and longitude")
    } else {
        format!(
            "no coordinates for {what}: look positions up (Find positions in the wizard, --geocode on the \
             command line) or fill in latitude and longitude"
        )
    };
    Problem::at_field(c.line, col + 1, header, message)
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

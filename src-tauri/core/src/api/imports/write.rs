//! The CSV import itself: every row or none, in one transaction. Two threads share the work:
//! one reads and judges the rows (problems, duplicates) and hands them on in chunks; the other,
//! which holds the transaction, writes them. A 50,000-row file spends about as long judging as
//! writing, so on two cores the import takes the longer of the two, not their sum.

use super::{find, known, options_error, read, ApiError, CsvImportSummary, Located, Result};
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::restaurant::ValidDraft;
use crate::domain::{RestaurantDraft, RestaurantId};
use crate::imports::columns::Field;
use crate::imports::duplicates::{DuplicateAction, DuplicateIndex, Known, MatchReason};
use crate::imports::problem::Problem;
use crate::imports::rows::{Candidate, Position};
use crate::imports::{CsvOptions, ReadFile};
use crate::store::duplicates as lookup;
use crate::store::restaurants::{self as table, bulk_indexes, search_index};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rusqlite::Transaction;
use std::sync::mpsc;

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

/// What the judging thread decided for one row.
enum Write {
    Add {
        id: RestaurantId,
        draft: ValidDraft,
        reference: Option<String>,
    },
    /// `id` is `None` only if the index held a restaurant without one: a bug, refused.
    Update {
        id: Option<RestaurantId>,
        row: ValidDraft,
    },
    Skip,
}

/// Rows judged per hand-over (and per progress report).
const CHUNK: usize = 256;

/// What the judging thread found once every row is read.
struct Judged {
    rows: usize,
    problems: usize,
    first: Option<Problem>,
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
    let total = file.table.records.len() as u32;
    let work = |tx: &Transaction<'_>| -> Result<CsvImportSummary> {
        let index = DuplicateIndex::new(lookup::all(tx)?);
        search_index::in_bulk(tx, |tx| {
            bulk_indexes::deferred(tx, total as usize, |tx| {
                std::thread::scope(|scope| {
                    let (send, receive) = mpsc::sync_channel::<Vec<Write>>(4);
                    let judge = scope.spawn(|| judge(&file, &job, index, send));
                    let written = write(tx, &job, receive, file.encoding, total, progress);
                    // A judge that panicked is a bug; say so rather than import half a file.
                    let judged = judge
                        .join()
                        .map_err(|_| ApiError::Inconsistent { what: "the import's reader stopped" })?;
                    let mut s = written?;
                    if let Some(mut p) = judged.first {
                        if judged.problems > 1 {
                            let more = judged.problems - 1;
                            p.message.push_str(&if more == 1 {
                                " (and 1 more row with a problem)".to_string()
                            } else {
                                format!(" (and {more} more rows with problems)")
                            });
                        }
                        return Err(ApiError::BadFile(p));
                    }
                    s.rows = judged.rows;
                    Ok(s)
                })
            })
        })
    };
    if job.dry_run {
        store.rehearse(work)
    } else {
        store.write(work)
    }
}

/// Reads every row, judges it against what Tablemap has and what the file added before it, and
/// sends the decisions on. After the first problem it only counts problems.
fn judge(
    file: &ReadFile,
    job: &CsvImport<'_>,
    mut index: DuplicateIndex,
    send: mpsc::SyncSender<Vec<Write>>,
) -> Judged {
    let reader = file.row_reader();
    let mut ids = ulid::Generator::new();
    let mut out = Judged { rows: 0, problems: 0, first: None };
    let mut chunk = Vec::with_capacity(CHUNK);
    for record in &file.table.records {
        let c = match reader.read(record) {
            Ok(c) => c,
            Err(p) => {
                out.problems += 1;
                out.first = out.first.or_else(|| p.into_iter().next());
                continue;
            }
        };
        let position = match &c.position {
            Position::Known { lat, lon } => Some((*lat, *lon)),
            Position::Lookup { .. } => job.located.get(&c.line).copied(),
        };
        let Some((lat, lon)) = position else {
            out.problems += 1;
            if out.first.is_none() {
                out.first = Some(unplaced(file, &c, job.looked_up));
            }
            continue;
        };
        out.rows += 1;
        if out.first.is_some() {
            continue;
        }
        chunk.push(decide(&mut index, &mut ids, c, lat, lon, job));
        if chunk.len() == CHUNK
            && send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err()
        {
            // The writer stopped (cancelled, or a database error it will report).
            return out;
        }
    }
    if out.first.is_none() && !chunk.is_empty() {
        let _ = send.send(chunk);
    }
    out
}

/// What to do with one placed row, with the duplicate index brought up to date.
fn decide(
    index: &mut DuplicateIndex,
    ids: &mut ulid::Generator,
    c: Candidate,
    lat: f64,
    lon: f64,
    job: &CsvImport<'_>,
) -> Write {
    let hit = find(index, &c, Some((lat, lon)));
    match (hit, job.options.duplicates) {
        (Some(_), DuplicateAction::Skip) => Write::Skip,
        (Some((i, _)), DuplicateAction::Update) => {
            let k = index.get(i);
            let row = c.located(lat, lon);
            // The index judges later rows by the merged values: the row's, or what it left empty.
            let postcode = row.0.postcode.clone().or_else(|| k.postcode.clone());
            let id = k.id.clone();
            index.replace(i, &row.0.name, postcode.as_deref(), lat, lon);
            Write::Update { id, row }
        }
        (hit, _) => {
            // A reference already taken stays with the restaurant that has it.
            let reference = match hit {
                Some((_, MatchReason::SameReference)) => None,
                _ => c.external_ref.clone(),
            };
            let id = RestaurantId::generate_next(ids, job.now);
            index.add(Known { id: Some(id.clone()), ..known(&c, lat, lon) }, reference.clone());
            Write::Add { id, draft: c.located(lat, lon), reference }
        }
    }
}

/// Writes what the judge decided, chunk by chunk, reporting progress.
fn write(
    tx: &Transaction<'_>,
    job: &CsvImport<'_>,
    receive: mpsc::Receiver<Vec<Write>>,
    file_encoding: crate::imports::encoding::Encoding,
    total: u32,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<CsvImportSummary> {
    let mut s = CsvImportSummary {
        rows: 0,
        added: 0,
        updated: 0,
        skipped: 0,
        encoding: file_encoding,
        dry_run: job.dry_run,
    };
    let mut batch = table::Batch::new("csv", job.now);
    // Asked once: joined or not cannot change during the import.
    let sharing = crate::store::outbox::sharing(tx)?;
    let queued = |written: Vec<RestaurantId>| -> Result<()> {
        for id in written.iter().filter(|_| sharing) {
            crate::store::outbox::restaurant_inserted(tx, id, job.now)?;
        }
        Ok(())
    };
    if !progress(0, total) {
        return Err(ApiError::Cancelled);
    }
    let mut done = 0u32;
    for chunk in receive {
        for w in chunk {
            done += 1;
            match w {
                Write::Skip => s.skipped += 1,
                Write::Add { id, draft, reference } => {
                    queued(batch.push(tx, id, &draft, reference.as_deref())?)?;
                    s.added += 1;
                }
                Write::Update { id, row } => {
                    // The restaurant may be one this file added: write those first.
                    queued(batch.flush(tx)?)?;
                    let id = id.ok_or(ApiError::Inconsistent { what: "a row matched itself" })?;
                    let before = table::get(tx, &id)?;
                    let new = merged(&before, &row);
                    table::update(tx, &id, &new, job.now)?;
                    crate::store::outbox::restaurant_updated(tx, &before, job.now)?;
                    s.updated += 1;
                }
            }
        }
        if !progress(done, total) {
            return Err(ApiError::Cancelled);
        }
    }
    queued(batch.flush(tx)?)?;
    progress(total, total);
    Ok(s)
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

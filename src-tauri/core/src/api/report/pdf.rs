//! The report for the monthly meeting: the same [`Report`] the dashboard shows, on one or two A4
//! pages. Counts only: no visit notes, no owners' words, and volunteers as a number unless the
//! report was asked for with their figures. Drawn as vectors with the walk sheet's pen and the
//! sticker fonts, so every word and figure stays text (searchable, and read by pdftotext in the
//! tests); the charts are our own bars, as the PDF has no charting library.

use super::super::{ApiError, FileAction, Result};
use super::{report, Report, ReportRequest};
use crate::atomic_file::AtomicFile;
use crate::stickers::text::{FontBook, Weight};
use crate::stickers::MM;
use crate::store::Store;
use crate::walk::sheet::pen::{write_document, Mark, Pen};
use crate::walk::sheet::SheetError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

mod charts;
mod table;

/// A4 portrait, in points.
const PAGE: (f64, f64) = (595.276, 841.89);
const MARGIN: f64 = 14.0 * MM;
const LEFT: f64 = MARGIN;
const RIGHT: f64 = PAGE.0 - MARGIN;
const WIDTH: f64 = RIGHT - LEFT;
const TOP: f64 = PAGE.1 - MARGIN;
/// Blocks stay above this; the footer sits below it.
const BOTTOM: f64 = MARGIN + 16.0;

pub(crate) type Colour = (f64, f64, f64);
const BLACK: Colour = (0.1, 0.1, 0.1);
const GREY: Colour = (0.4, 0.4, 0.4);

/// What was written.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReportPdf {
    #[ts(type = "string")]
    pub out: PathBuf,
    pub pages: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The figures the PDF shows.
    pub report: Report,
}

/// The report for `request` as a PDF at `out`, whole or not at all.
pub fn write_pdf(
    store: &Store,
    request: &ReportRequest,
    now: DateTime<Utc>,
    out: &Path,
) -> Result<ReportPdf> {
    let r = report(store, request, now)?;
    let made = super::period::local_day(&super::time_zone(store)?, now);
    let mut file = AtomicFile::create(out).map_err(|e| ApiError::file(FileAction::Create, out, e))?;
    let writer = super::super::take_writer(&mut file, out)?;
    let (writer, pages) = write(writer, &r, made).map_err(ApiError::ReportPdf)?;
    file.commit_with(writer).map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    Ok(ReportPdf {
        out: out.to_path_buf(),
        pages,
        bytes: std::fs::metadata(out).map(|m| m.len()).unwrap_or(0),
        report: r,
    })
}

/// The name the window offers: "report for the meeting November 2026".
pub fn pdf_file_name(request: &ReportRequest, store: &Store, now: DateTime<Utc>) -> String {
    let tz = super::time_zone(store).unwrap_or(chrono_tz::Europe::London);
    match request.period.days(store, &tz, now) {
        Ok((from, to)) => format!("report for the meeting {}", period_text(from, to)),
        Err(_) => "report for the meeting".to_string(),
    }
}

/// Draws `r` (made on `made`, the campaign's local day) to `out`; hands `out` back with the
/// number of pages.
pub fn write<W: std::io::Write>(
    out: W,
    r: &Report,
    made: NaiveDate,
) -> std::result::Result<(W, u32), SheetError> {
    let mut book = FontBook::new()?;
    let pages = layout(&mut book, r, made);
    let n = pages.len() as u32;
    let title = format!("{}: report for {}", r.campaign, period_text(r.from, r.to));
    let out = write_document(out, &book, &pages, PAGE, &title)?;
    Ok((out, n))
}

/// "November 2026" for a whole calendar month, else "3 November 2026 to 9 November 2026".
pub fn period_text(from: NaiveDate, to: NaiveDate) -> String {
    let whole_month = from.day() == 1
        && to.succ_opt().is_some_and(|next| next.day() == 1)
        && (from.year(), from.month()) == (to.year(), to.month());
    if whole_month {
        from.format("%B %Y").to_string()
    } else if from == to {
        day_text(from)
    } else {
        format!("{} to {}", day_text(from), day_text(to))
    }
}

fn day_text(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A block: marks relative to its top (y negative downwards) and its height.
struct Block {
    marks: Vec<Mark>,
    height: f64,
    /// Moves to the next page with the block after it (a heading, a table's header).
    keep_with_next: bool,
    /// Drawn first when this block starts a page (a table's header over its rows).
    repeat: Option<Box<Block>>,
}

impl Block {
    fn new(marks: Vec<Mark>, height: f64) -> Block {
        Block { marks, height, keep_with_next: false, repeat: None }
    }
}

impl Clone for Block {
    fn clone(&self) -> Block {
        Block {
            marks: self.marks.clone(),
            height: self.height,
            keep_with_next: self.keep_with_next,
            repeat: self.repeat.clone(),
        }
    }
}

fn layout(book: &mut FontBook, r: &Report, made: NaiveDate) -> Vec<Vec<Mark>> {
    let mut pen = Pen::new(book);
    let blocks = blocks(&mut pen, r);
    let mut pages: Vec<Vec<Mark>> = Vec::new();
    let mut y = header(&mut pen, r, made);
    let mut i = 0;
    while i < blocks.len() {
        // A heading moves with what follows it.
        let mut j = i;
        let mut height = blocks[i].height;
        while blocks[j].keep_with_next && j + 1 < blocks.len() {
            j += 1;
            height += blocks[j].height;
        }
        if y - height < BOTTOM && !pen.marks.is_empty() {
            pages.push(std::mem::take(&mut pen.marks));
            y = TOP;
            if let Some(head) = &blocks[i].repeat {
                pen.marks.extend(head.marks.iter().cloned().map(|m| m.shift(y)));
                y -= head.height;
            }
        }
        for b in &blocks[i..=j] {
            pen.marks.extend(b.marks.iter().cloned().map(|m| m.shift(y)));
            y -= b.height;
        }
        i = j + 1;
    }
    pages.push(std::mem::take(&mut pen.marks));
    let total = pages.len();
    for (n, page) in pages.iter_mut().enumerate() {
        footer(&mut pen, r, n + 1, total);
        page.append(&mut pen.marks);
    }
    pages
}

/// The first page's title; returns where the first block starts.
fn header(pen: &mut Pen<'_>, r: &Report, made: NaiveDate) -> f64 {
    let mut y = TOP - 18.0;
    let (line, size) =
        pen.fit(&format!("{}: report for the meeting", r.campaign), Weight::Bold, 18.0, 11.0, WIDTH);
    pen.text(line, size, LEFT, y, BLACK);
    y -= 18.0;
    let place = r.area.as_deref().map_or_else(|| "all areas".to_string(), |a| format!("area: {a}"));
    pen.pieces(
        &[
            (&period_text(r.from, r.to), Weight::Bold, BLACK),
            (&format!("  ·  {place}  ·  {}", r.time_zone), Weight::Regular, GREY),
        ],
        11.0,
        LEFT,
        y,
        WIDTH,
    );
    y -= 14.0;
    let people = if r.volunteers.is_some() { "volunteers by name" } else { "volunteers as a number" };
    for text in [
        format!(
            "Statuses and follow-ups as of {}. Made by Tablemap on {}.",
            day_text(r.as_of),
            day_text(made)
        ),
        format!("Counts only: no visit notes, no owners' words, {people}."),
    ] {
        let (line, size) = pen.fit(&text, Weight::Regular, 8.5, 7.0, WIDTH);
        pen.text(line, size, LEFT, y, GREY);
        y -= 11.0;
    }
    y
}

fn footer(pen: &mut Pen<'_>, r: &Report, page: usize, pages: usize) {
    let numbers = pen.shape(&format!("page {page} of {pages}"), Weight::Regular);
    let w = numbers.width_at(8.0);
    pen.text(numbers, 8.0, RIGHT - w, MARGIN, GREY);
    let (line, size) = pen.fit(
        &format!("{} · {}", r.campaign, period_text(r.from, r.to)),
        Weight::Regular,
        8.0,
        6.0,
        WIDTH - w - 20.0,
    );
    pen.text(line, size, LEFT, MARGIN, GREY);
}

/// Every block in reading order.
fn blocks(pen: &mut Pen<'_>, r: &Report) -> Vec<Block> {
    let mut out = vec![
        heading(pen, "Outreach", "restaurants, each counted in every stage it reached"),
        charts::funnel(pen, r),
        heading(pen, "Week by week", "visits, agreements and stickers placed (weeks start on Monday)"),
        charts::weeks(pen, &r.weeks),
    ];
    if !r.areas.is_empty() {
        out.push(heading(pen, "Areas", "share of each area's restaurants visited in the period"));
        out.extend(charts::areas(pen, &r.areas));
    }
    out.push(heading(
        pen,
        "Sticker stock",
        &format!("every sticker code printed, as of {}", day_text(r.as_of)),
    ));
    out.extend(charts::stickers(pen, &r.stickers));
    out.push(heading(pen, "Follow-ups", &format!("as of {}", day_text(r.as_of))));
    out.push(charts::follow_ups(pen, &r.follow_ups, r.as_of));
    out.push(heading(pen, "Volunteers", "for thanking and planning, not for ranking"));
    out.extend(charts::volunteers(pen, r));
    out
}

/// A section's title with a line saying what its figures are.
fn heading(pen: &mut Pen<'_>, title: &str, what: &str) -> Block {
    let outer = std::mem::take(&mut pen.marks);
    let mut y = -22.0;
    let line = pen.shape(title, Weight::Bold);
    let w = pen.text(line, 13.0, LEFT, y, BLACK);
    let (line, size) = pen.fit(what, Weight::Regular, 8.5, 7.0, WIDTH - w - 10.0);
    pen.text(line, size, LEFT + w + 10.0, y, GREY);
    y -= 6.0;
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y, line: 0.5, grey: 0.6 });
    let marks = std::mem::replace(&mut pen.marks, outer);
    Block { keep_with_next: true, ..Block::new(marks, -y + 8.0) }
}

/// "1,234".
fn count(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "42%" of `whole`; "-" when there is nothing to share.
fn share(part: u32, whole: u32) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{}%", (f64::from(part) * 100.0 / f64::from(whole)).round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_counts_read_as_people_write_them() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let periods = [
            ("2026-11-01", "2026-11-30", "November 2026"),
            ("2026-02-01", "2026-02-28", "February 2026"),
            ("2026-11-01", "2026-11-29", "1 November 2026 to 29 November 2026"),
            ("2026-11-02", "2026-12-01", "2 November 2026 to 1 December 2026"),
            ("2026-11-05", "2026-11-05", "5 November 2026"),
        ];
        for (from, to, want) in periods {
            assert_eq!(period_text(d(from), d(to)), want);
        }
        let counts =
            [(0, "0"), (999, "999"), (1000, "1,000"), (100_000, "100,000"), (1_234_567, "1,234,567")];
        for (n, want) in counts {
            assert_eq!(count(n as u32), want);
        }
        assert_eq!(share(1, 3), "33%");
        assert_eq!(share(0, 0), "-");
    }
}

//! The walk sheet: what a volunteer carries on the street. A4 portrait; a header with the walk's
//! facts, then one block per stop in route order (what to know before going in, boxes to tick,
//! a box for the sticker code, lines for notes, and a QR code to the campaign's site for the
//! owner to scan). Blocks never break across pages.
//!
//! Written with the sticker sheets' PDF writer and fonts (names in any script the fonts cover
//! are shaped, embedded as subsets and stay searchable), to any `io::Write` the caller gives.
//!
//! Over 400 lines on purpose: the header, each stop's block and the footer are laid out against
//! one set of page measures (margins, columns, the QR code's side) and one pen; split into files,
//! they would hand those measures back and forth. The drawing itself is `sheet/pen.rs`.

use super::hours::Openness;
use super::quiet::{Rush, TimeWindow};
use crate::stickers::pdf::{embed_used_fonts, FontIds, PdfWriter};
use crate::stickers::qr::{self, EcLevel};
use crate::stickers::text::{FontBook, FontError, Weight};
use crate::stickers::{codes, MM};
use std::fmt::Write as _;
use std::io::Write;

pub(crate) mod pen;
use pen::{draw, Mark, Pen};

/// A4 portrait, in points.
const PAGE_W: f64 = 595.276;
const PAGE_H: f64 = 841.89;

/// The outcomes a volunteer ticks, as the visit log names them.
pub const OUTCOMES: [&str; 7] =
    ["no answer", "spoke", "come back", "agreed", "sticker placed", "declined", "do not contact"];

pub const DEFAULT_PITCH: &str = "Hello! We're volunteers with a local campaign celebrating the restaurants \
     migrants run here. Would you like a free window sticker that says you're part of it?";

#[derive(Debug, Clone, PartialEq)]
pub struct WalkSheet {
    /// The area's or route's name.
    pub title: String,
    pub volunteer: Option<String>,
    /// When the walk starts, as it should read (e.g. "Monday 1 June 2026, from 14:00").
    pub when: String,
    pub total_m: f64,
    pub minutes: f64,
    pub minutes_per_stop: f64,
    pub campaign: String,
    /// Where every stop's QR code points.
    pub site_url: String,
    /// What to say at the door, printed in every block.
    pub pitch: String,
    pub stops: Vec<SheetStop>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SheetStop {
    /// A short reference to match the paper to the restaurant when typing results in.
    pub reference: String,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub opening_hours: Option<String>,
    /// Expected arrival, local `HH:MM`.
    pub arrive: String,
    pub open: Openness,
    /// When that changes, as it should read ("opens 17:30", "closes Sat 02:00").
    pub changes: Option<String>,
    pub rush: Option<Rush>,
    pub quiet: Option<TimeWindow>,
    /// The status as a volunteer reads it ("follow up, due 30 May").
    pub status: String,
    /// Metres from the previous stop (or the start).
    pub leg_m: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetReport {
    pub pages: u32,
    pub stops: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("the campaign address is too long for a QR code")]
    TooLong,
    #[error("cannot write the PDF: {0}")]
    Io(#[from] std::io::Error),
}

/// "240 m", "3.4 km".
pub fn distance_text(m: f64) -> String {
    if m < 1000.0 {
        format!("{} m", (m / 10.0).round() as i64 * 10)
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// "35 min", "2 h 40 min".
pub fn minutes_text(minutes: f64) -> String {
    let total = (minutes / 5.0).round() as i64 * 5;
    match (total / 60, total % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

const BLACK: (f64, f64, f64) = (0.1, 0.1, 0.1);
const GREY: (f64, f64, f64) = (0.4, 0.4, 0.4);
const WARN: (f64, f64, f64) = (0.7, 0.05, 0.05);

const MARGIN: f64 = 14.0 * MM;
const LEFT: f64 = MARGIN;
const RIGHT: f64 = PAGE_W - MARGIN;
const TOP: f64 = PAGE_H - MARGIN;
/// Blocks stay above this; the footer sits below it.
const BOTTOM: f64 = MARGIN + 14.0;
const NUMBER_W: f64 = 30.0;
const TEXT_X: f64 = LEFT + NUMBER_W;
const QR_SIDE: f64 = 20.0 * MM;
const QR_X: f64 = RIGHT - QR_SIDE;
/// The width under it.
const WIDE: f64 = RIGHT - TEXT_X;

/// Writes the walk sheet to `out` and hands `out` back.
pub fn write_sheet<W: Write>(out: W, sheet: &WalkSheet) -> Result<(W, SheetReport), SheetError> {
    let qr_shape = qr::encode(&qr::qr_text(&sheet.site_url), EcLevel::M).map_err(|_| SheetError::TooLong)?;
    let mut book = FontBook::new()?;
    let pages = layout(&mut book, sheet);
    let total = pages.len();

    // Draw: every glyph is shaped by now, so the fonts' widths are complete.
    let widths = book.widths();
    let mut pdf = PdfWriter::new(out)?;
    let catalog = pdf.reserve();
    let pages_id = pdf.reserve();
    let resources = pdf.reserve();
    let qr_form = pdf.reserve();
    let info = pdf.reserve();
    let font_ids: Vec<FontIds> = book.fonts.iter().map(|_| FontIds::reserve(&mut pdf)).collect();
    let mut kids = Vec::with_capacity(total);
    for page in &pages {
        let content = pdf.reserve();
        pdf.stream(content, "", draw(page, &widths).as_bytes(), true)?;
        let id = pdf.reserve();
        pdf.page(id, pages_id, resources, content, PAGE_W, PAGE_H)?;
        kids.push(id);
    }
    // The QR code once, as a form in a unit square, placed in every block.
    let module = 1.0 / f64::from(qr_shape.size_with_quiet_zone());
    let mut form = format!(
        "1 g 0 0 1 1 re f 0 g {} 0 0 {} {} {} cm ",
        module,
        -module,
        module * f64::from(qr::QUIET_ZONE),
        1.0 - module * f64::from(qr::QUIET_ZONE)
    );
    for &(x, y, w, h) in &qr_shape.rects {
        let _ = write!(form, "{x} {y} {w} {h} re ");
    }
    form.push_str("f\n");
    pdf.stream(qr_form, "/Type /XObject /Subtype /Form /BBox [0 0 1 1]", form.as_bytes(), true)?;

    let font_dict = embed_used_fonts(&mut pdf, &font_ids, &book)?;
    pdf.object(resources, &format!("<< /Font << {font_dict}>> /XObject << /Qr {qr_form} 0 R >> >>"))?;
    let out = pdf.close(catalog, pages_id, &kids, info, &format!("Walk sheet: {}", sheet.title))?;
    Ok((out, SheetReport { pages: total as u32, stops: sheet.stops.len() as u32 }))
}

/// Every page's marks, footers included. Blocks fill pages top-down and move whole to the next
/// page when they do not fit, so none is ever split.
fn layout(book: &mut FontBook, sheet: &WalkSheet) -> Vec<Vec<Mark>> {
    let mut pen = Pen::new(book);
    let mut pages: Vec<Vec<Mark>> = Vec::new();
    let mut y = header(&mut pen, sheet);
    for (i, stop) in sheet.stops.iter().enumerate() {
        let (marks, height) = block(&mut pen, sheet, i, stop);
        if y - height < BOTTOM {
            pages.push(std::mem::take(&mut pen.marks));
            y = running_header(&mut pen, sheet);
        }
        pen.marks.extend(marks.into_iter().map(|m| m.shift(y)));
        y -= height;
    }
    pages.push(std::mem::take(&mut pen.marks));
    let total = pages.len();
    for (n, page) in pages.iter_mut().enumerate() {
        footer(&mut pen, sheet, n + 1, total);
        page.append(&mut pen.marks);
    }
    pages
}

/// The first page's header; returns where the first block starts.
fn header(pen: &mut Pen<'_>, sheet: &WalkSheet) -> f64 {
    let width = RIGHT - LEFT;
    let mut y = TOP - 16.0;
    let (line, size) = pen.fit(&format!("Walk sheet: {}", sheet.title), Weight::Bold, 17.0, 10.0, width);
    pen.text(line, size, LEFT, y, BLACK);
    y -= 17.0;
    let volunteer = sheet.volunteer.as_deref().filter(|v| !v.trim().is_empty()).unwrap_or("________________");
    pen.pieces(
        &[
            ("Volunteer: ", Weight::Regular, GREY),
            (volunteer, Weight::Bold, BLACK),
            ("      When: ", Weight::Regular, GREY),
            (&sheet.when, Weight::Bold, BLACK),
        ],
        10.0,
        LEFT,
        y,
        width,
    );
    y -= 14.0;
    let stops = sheet.stops.len();
    let facts = format!(
        "{stops} stop{}, {} on foot; about {} with {} at each stop",
        if stops == 1 { "" } else { "s" },
        distance_text(sheet.total_m),
        minutes_text(sheet.minutes),
        minutes_text(sheet.minutes_per_stop),
    );
    let (line, size) = pen.fit(&facts, Weight::Regular, 10.0, 7.0, width);
    pen.text(line, size, LEFT, y, BLACK);
    y -= 13.0;
    let site = format!("{} · {}", sheet.campaign, sheet.site_url);
    let (line, size) = pen.fit(&site, Weight::Regular, 9.0, 6.0, width);
    pen.text(line, size, LEFT, y, GREY);
    y -= 9.0;
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y, line: 1.2, grey: 0.1 });
    y
}

/// The top of later pages: the walk's name and date, small.
fn running_header(pen: &mut Pen<'_>, sheet: &WalkSheet) -> f64 {
    let y = TOP - 8.0;
    let (line, size) =
        pen.fit(&format!("{} · {}", sheet.title, sheet.when), Weight::Regular, 8.5, 6.0, RIGHT - LEFT);
    pen.text(line, size, LEFT, y, GREY);
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y: y - 5.0, line: 0.8, grey: 0.1 });
    y - 5.0
}

fn footer(pen: &mut Pen<'_>, sheet: &WalkSheet, page: usize, pages: usize) {
    let y = MARGIN;
    let numbers = pen.shape(&format!("page {page} of {pages}"), Weight::Regular);
    let w = numbers.width_at(8.0);
    pen.text(numbers, 8.0, RIGHT - w, y, GREY);
    let (line, size) = pen.fit(
        &format!("Tablemap walk sheet · {}", sheet.title),
        Weight::Regular,
        8.0,
        6.0,
        RIGHT - LEFT - w - 20.0,
    );
    pen.text(line, size, LEFT, y, GREY);
}

/// One stop's block, y relative to its top (so negative); returns its marks and height.
fn block(pen: &mut Pen<'_>, sheet: &WalkSheet, index: usize, stop: &SheetStop) -> (Vec<Mark>, f64) {
    let outer = std::mem::take(&mut pen.marks);
    let top_pad = 9.0;
    let mut y = -top_pad;

    // The number, large, in a box at the left.
    let number = pen.shape(&(index + 1).to_string(), Weight::Bold);
    let size = if index + 1 >= 100 { 11.0 } else { 14.0 };
    let w = number.width_at(size);
    pen.marks.push(Mark::Box { x: LEFT, y: y - 22.0, w: 22.0, h: 22.0, line: 1.2, grey: 0.1 });
    pen.text(number, size, LEFT + 11.0 - w / 2.0, y - 16.0, BLACK);

    // The QR code to the campaign's site, top right, with the site's name under it.
    pen.marks.push(Mark::Qr { x: QR_X, y: y - QR_SIDE, side: QR_SIDE });
    // Its site under it, centred, or right-aligned when wider than the code.
    let host = host_of(&sheet.site_url);
    let (line, size) = pen.fit(host, Weight::Regular, 6.5, 5.0, QR_SIDE + 40.0);
    let w = line.width_at(size);
    let x = (QR_X + (QR_SIDE - w) / 2.0).min(RIGHT - w);
    pen.text(line, size, x, y - QR_SIDE - 5.0, GREY);
    let qr_bottom = y - QR_SIDE - 8.0;
    // A line whose top (about 8 pt over its baseline) clears the code and its site can run
    // under it; higher up, lines keep to the column beside it.
    let narrow = x.min(QR_X) - 8.0 - TEXT_X;
    let width_at = |baseline: f64| if baseline + 8.0 > qr_bottom { narrow } else { WIDE };

    y -= 12.0;
    let (lines, size) = pen.lines(&stop.name, Weight::Bold, 12.5, 10.5, width_at(y), 2);
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            y -= size * 1.15;
        }
        pen.text(line, size, TEXT_X, y, BLACK);
    }

    y -= 12.5;
    let place: Vec<&str> = [stop.address.as_deref(), stop.postcode.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    let place = if place.is_empty() { "no address recorded".to_string() } else { place.join(", ") };
    let (lines, size) = pen.lines(&place, Weight::Regular, 9.5, 8.5, width_at(y), 2);
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            y -= size * 1.2;
        }
        pen.text(line, size, TEXT_X, y, BLACK);
    }

    y -= 11.5;
    let hours = stop.opening_hours.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let label = pen.shape("Hours: ", Weight::Regular);
    let label_w = pen.text(label, 8.5, TEXT_X, y, GREY);
    let hours_lines =
        pen.wrap(hours.unwrap_or("not recorded"), Weight::Regular, 8.5, width_at(y) - label_w, 2);
    for (i, line) in hours_lines.into_iter().enumerate() {
        if i > 0 {
            y -= 10.0;
        }
        pen.text(line, 8.5, TEXT_X + label_w, y, BLACK);
    }

    y -= 11.0;
    let state = match stop.open {
        Openness::Open => ("open", Weight::Regular, BLACK),
        Openness::Closed => ("CLOSED at that time", Weight::Bold, WARN),
        Openness::Unknown => ("open or closed: not known", Weight::Regular, BLACK),
    };
    let arrive = format!("About {}: ", stop.arrive);
    // A closing time matters when it comes within the hour; an opening time always.
    let soon = |text: &String| stop.open == Openness::Closed || closes_within_an_hour(&stop.arrive, text);
    let changes = stop.changes.as_ref().filter(|t| soon(t)).map(|t| format!(" ({t})")).unwrap_or_default();
    let rush = match (stop.rush, stop.open) {
        (_, Openness::Closed) | (None, _) => "",
        (Some(Rush::Lunch), _) => " · lunch rush",
        (Some(Rush::Dinner), _) => " · dinner rush",
    };
    let quiet = match stop.quiet {
        Some(w) => format!(" · quieter {w}"),
        None => String::new(),
    };
    pen.pieces(
        &[
            (&arrive, Weight::Regular, GREY),
            state,
            (&changes, Weight::Regular, BLACK),
            (rush, Weight::Bold, BLACK),
            (&quiet, Weight::Regular, BLACK),
        ],
        8.5,
        TEXT_X,
        y,
        width_at(y),
    );

    y -= 11.0;
    let from = if index == 0 { "from the start".to_string() } else { format!("from stop {index}") };
    let walk = if index == 0 && stop.leg_m == 0.0 {
        "start here".to_string()
    } else {
        format!("{} {from}", distance_text(stop.leg_m))
    };
    let status = format!(" · {walk} · ref {}", stop.reference);
    pen.pieces(
        &[
            ("Status: ", Weight::Regular, GREY),
            (&stop.status, Weight::Bold, BLACK),
            (&status, Weight::Regular, GREY),
        ],
        8.5,
        TEXT_X,
        y,
        width_at(y),
    );

    if !sheet.pitch.trim().is_empty() {
        y -= 11.0;
        let label = pen.shape("Say: ", Weight::Regular);
        let label_w = pen.text(label, 8.5, TEXT_X, y, GREY);
        let lines = pen.wrap(sheet.pitch.trim(), Weight::Regular, 8.5, width_at(y) - label_w, 3);
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                y -= 10.0;
            }
            pen.text(line, 8.5, TEXT_X + label_w, y, GREY);
        }
    }

    // Outcome boxes, flowing onto a second row when the column is narrow.
    y -= 15.0;
    let label = pen.shape("Outcome:", Weight::Bold);
    let mut x = TEXT_X + pen.text(label, 8.5, TEXT_X, y, BLACK) + 8.0;
    for outcome in OUTCOMES {
        let line = pen.shape(outcome, Weight::Regular);
        let w = 11.0 + line.width_at(8.5);
        if x + w > TEXT_X + width_at(y) {
            y -= 14.0;
            x = TEXT_X + 46.0;
        }
        pen.marks.push(Mark::Box { x, y: y - 1.0, w: 8.0, h: 8.0, line: 0.7, grey: 0.1 });
        pen.text(line, 8.5, x + 11.0, y, BLACK);
        x += w + 10.0;
    }

    // The sticker code, a box per character, and the time of the visit.
    y -= 20.0;
    let label = pen.shape("Sticker code:", Weight::Bold);
    let mut x = TEXT_X + pen.text(label, 8.5, TEXT_X, y, BLACK) + 8.0;
    for _ in 0..codes::LENGTH {
        pen.marks.push(Mark::Box { x, y: y - 4.0, w: 13.0, h: 15.0, line: 0.6, grey: 0.2 });
        x += 13.0;
    }
    x += 24.0;
    let label = pen.shape("Time:", Weight::Bold);
    x += pen.text(label, 8.5, x, y, BLACK) + 6.0;
    pen.marks.push(Mark::Box { x, y: y - 4.0, w: 44.0, h: 15.0, line: 0.6, grey: 0.2 });
    let colon = pen.shape(":", Weight::Regular);
    pen.text(colon, 9.0, x + 20.5, y, GREY);

    // Lines for notes.
    y -= 17.0;
    let label = pen.shape("Notes:", Weight::Bold);
    let label_w = pen.text(label, 8.5, TEXT_X, y, BLACK);
    pen.marks.push(Mark::Rule { x1: TEXT_X + label_w + 6.0, x2: RIGHT, y: y - 2.0, line: 0.4, grey: 0.55 });
    y -= 17.0;
    pen.marks.push(Mark::Rule { x1: TEXT_X, x2: RIGHT, y, line: 0.4, grey: 0.55 });

    y -= 8.0;
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y, line: 0.8, grey: 0.5 });
    let marks = std::mem::replace(&mut pen.marks, outer);
    (marks, -y)
}

/// Whether "closes HH:MM" (same day) comes less than an hour after `arrive` (`HH:MM`).
fn closes_within_an_hour(arrive: &str, change: &str) -> bool {
    let minutes = |t: &str| super::quiet::hhmm::parse(t).map(i32::from);
    match (minutes(arrive), change.strip_prefix("closes ").and_then(minutes)) {
        (Some(a), Some(c)) => (0..60).contains(&(c - a).rem_euclid(24 * 60)),
        _ => false,
    }
}

/// The host of a URL, for printing under its QR code.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(name: &str, open: Openness) -> SheetStop {
        SheetStop {
            reference: "7K3M9Q".into(),
            name: name.into(),
            address: Some("12 Kingsland High Street, Hackney".into()),
            postcode: Some("E8 2AB".into()),
            opening_hours: Some("Mo-Fr 11:30-15:00,17:30-22:30; Sa,Su 12:00-22:30".into()),
            arrive: "14:25".into(),
            open,
            changes: None,
            rush: None,
            quiet: Some(TimeWindow::new(15, 0, 17, 30)),
            status: "not contacted".into(),
            leg_m: 240.0,
        }
    }

    fn sheet(stops: Vec<SheetStop>) -> WalkSheet {
        WalkSheet {
            title: "Dalston".into(),
            volunteer: Some("Amina".into()),
            when: "Monday 1 June 2026, from 14:00".into(),
            total_m: 3400.0,
            minutes: 160.0,
            minutes_per_stop: 10.0,
            campaign: "Migrants Contribute".into(),
            site_url: "https://migrantscontribute.example/".into(),
            pitch: DEFAULT_PITCH.into(),
            stops,
        }
    }

    #[test]
    fn texts() {
        let cases =
            [(0.0, "0 m"), (243.0, "240 m"), (999.0, "1000 m"), (1000.0, "1.0 km"), (3449.0, "3.4 km")];
        for (m, want) in cases {
            assert_eq!(distance_text(m), want, "{m}");
        }
        let cases = [(0.0, "0 min"), (34.0, "35 min"), (60.0, "1 h"), (161.0, "2 h 40 min")];
        for (m, want) in cases {
            assert_eq!(minutes_text(m), want, "{m}");
        }
        assert_eq!(host_of("https://migrantscontribute.example/"), "migrantscontribute.example");
        assert_eq!(host_of("https://mc.org.uk?x=1"), "mc.org.uk");
    }

    #[test]
    fn pages_grow_with_stops_and_blocks_never_split() {
        let long = "The Extraordinarily Long-Named Family Restaurant, Grill, Bakery and Late-Night Café";
        let mut last = 0;
        for n in [0usize, 1, 3, 4, 8, 20, 50] {
            // Every third stop has a name and an address that wrap, so blocks differ in height.
            let stops: Vec<SheetStop> = (0..n)
                .map(|i| {
                    let mut s = stop(&format!("Stop {i}"), Openness::Open);
                    if i % 3 == 2 {
                        s.name = format!("{long} {i}");
                        s.address = Some(format!("Unit {i}, The Arches, {long}, Kingsland High Street"));
                    }
                    s
                })
                .collect();
            let doc = sheet(stops);
            let pages = layout(&mut FontBook::new().expect("fonts"), &doc);
            // A block placed whole above the footer line never reaches the page below it: every
            // mark is either in the body or the footer's own line.
            for (p, page) in pages.iter().enumerate() {
                for mark in page {
                    let y = match mark {
                        Mark::Text { y, .. }
                        | Mark::Box { y, .. }
                        | Mark::Rule { y, .. }
                        | Mark::Qr { y, .. }
                        | Mark::Fill { y, .. } => *y,
                    };
                    assert!(y >= BOTTOM - 1e-9 || y == MARGIN, "{n} stops, page {}: {mark:?}", p + 1);
                    assert!(y <= TOP, "{n} stops, page {}: {mark:?}", p + 1);
                }
            }
            let numbers: usize = pages
                .iter()
                .map(|page| page.iter().filter(|m| matches!(m, Mark::Box { w, .. } if *w == 22.0)).count())
                .sum();
            assert_eq!(numbers, n, "every stop's block, once");

            let (bytes, report) = write_sheet(Vec::new(), &doc).expect("sheet");
            assert_eq!((report.stops as usize, report.pages as usize), (n, pages.len()));
            assert!(report.pages >= 1 && report.pages >= last, "{n} stops: {} pages", report.pages);
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(text.matches("/Type /Page ").count() as u32, report.pages);
            // At least three blocks to a page.
            assert!(report.pages as usize <= n.div_ceil(3).max(1), "{n} stops on {} pages", report.pages);
            last = report.pages;
        }
    }
}

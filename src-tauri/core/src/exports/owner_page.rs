//! The one page an owner can be handed (GDPR arts. 15 and 20): what Tablemap holds about their
//! restaurant, in plain words. A4 portrait, written with the walk sheet's pen and the sticker
//! fonts (a name in any script the fonts cover is shaped and stays searchable). One page always:
//! a long history ends with how many more entries the JSON file holds.

use crate::stickers::text::{FontBook, FontError, Weight};
use crate::stickers::MM;
use crate::walk::sheet::pen::{write_document, Mark, Pen};
use std::io::Write;

const PAGE_W: f64 = 595.276;
const PAGE_H: f64 = 841.89;
const MARGIN: f64 = 16.0 * MM;
const LEFT: f64 = MARGIN;
const RIGHT: f64 = PAGE_W - MARGIN;
const WIDTH: f64 = RIGHT - LEFT;
const BOTTOM: f64 = MARGIN + 40.0;
const LABEL_W: f64 = 38.0 * MM;
const BLACK: (f64, f64, f64) = (0.1, 0.1, 0.1);
const GREY: (f64, f64, f64) = (0.4, 0.4, 0.4);

/// What the page says, already in words (the caller knows the campaign's language).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerPage {
    pub restaurant: String,
    pub campaign: String,
    /// "7 December 2026".
    pub date: String,
    /// (label, value) lines: address, phone, cuisines, status...
    pub facts: Vec<(String, String)>,
    /// Each titled list of one-line entries, newest first: visits, consent answers, stickers.
    pub sections: Vec<(String, Vec<String>)>,
    /// Who to ask to correct or erase (the campaign's web address or contact).
    pub contact: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OwnerPageError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("cannot write the PDF: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the page to `out` and hands `out` back.
pub fn write_page<W: Write>(out: W, page: &OwnerPage) -> Result<W, OwnerPageError> {
    let mut book = FontBook::new()?;
    let marks = layout(&mut book, page);
    let title = format!("What Tablemap holds about {}", page.restaurant);
    Ok(write_document(out, &book, &[marks], (PAGE_W, PAGE_H), &title)?)
}
fn layout(book: &mut FontBook, page: &OwnerPage) -> Vec<Mark> {
    let mut pen = Pen::new(book);
    let mut y = PAGE_H - MARGIN - 14.0;
    let (line, size) =
        pen.fit(&format!("What we hold about {}", page.restaurant), Weight::Bold, 17.0, 10.0, WIDTH);
    pen.text(line, size, LEFT, y, BLACK);
    y -= 16.0;
    let (line, size) =
        pen.fit(&format!("{} · {}", page.campaign, page.date), Weight::Regular, 10.0, 7.0, WIDTH);
    pen.text(line, size, LEFT, y, GREY);
    y -= 8.0;
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y, line: 1.2, grey: 0.1 });
    y -= 16.0;
    for (label, value) in &page.facts {
        let (line, size) = pen.fit(label, Weight::Regular, 9.5, 7.0, LABEL_W - 6.0);
        pen.text(line, size, LEFT, y, GREY);
        for (i, line) in pen.wrap(value, Weight::Regular, 9.5, WIDTH - LABEL_W, 3).into_iter().enumerate() {
            if i > 0 {
                y -= 12.0;
            }
            pen.text(line, 9.5, LEFT + LABEL_W, y, BLACK);
        }
        y -= 13.0;
    }
    // What is left for the lists, shared out so every section shows its newest entries.
    let reserved = 16.0 * page.sections.len() as f64;
    let mut room = ((y - BOTTOM - reserved) / 12.0).floor().max(0.0) as usize;
    let sections = page.sections.len().max(1);
    for (n, (title, entries)) in page.sections.iter().enumerate() {
        y -= 6.0;
        let (line, size) = pen.fit(title, Weight::Bold, 11.0, 8.0, WIDTH);
        pen.text(line, size, LEFT, y, BLACK);
        y -= 14.0;
        if entries.is_empty() {
            let (line, size) = pen.fit("None.", Weight::Regular, 9.0, 7.0, WIDTH);
            pen.text(line, size, LEFT, y, GREY);
            y -= 12.0;
            room = room.saturating_sub(1);
            continue;
        }
        let share = (room / (sections - n)).max(1);
        let shown = if entries.len() <= share { entries.len() } else { share.saturating_sub(1).max(1) };
        for entry in &entries[..shown] {
            let (line, size) = pen.fit(entry, Weight::Regular, 9.0, 7.0, WIDTH);
            pen.text(line, size, LEFT, y, BLACK);
            y -= 12.0;
        }
        room = room.saturating_sub(shown);
        if shown < entries.len() {
            let more = format!(
                "…and {} more (all of them are in the JSON file given with this page)",
                entries.len() - shown
            );
            let (line, size) = pen.fit(&more, Weight::Regular, 9.0, 7.0, WIDTH);
            pen.text(line, size, LEFT, y, GREY);
            y -= 12.0;
            room = room.saturating_sub(1);
        }
    }
    let foot = format!(
        "This is everything Tablemap holds about your restaurant. To have anything corrected or \
         erased, ask {}. Nobody's nationality or immigration status is ever recorded.",
        page.contact
    );
    let mut fy = MARGIN + 26.0;
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y: fy + 12.0, line: 0.8, grey: 0.1 });
    for line in pen.wrap(&foot, Weight::Regular, 8.5, WIDTH, 3) {
        pen.text(line, 8.5, LEFT, fy, GREY);
        fy -= 11.0;
    }
    std::mem::take(&mut pen.marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(visits: usize) -> OwnerPage {
        OwnerPage {
            restaurant: "Café Zahlé".into(),
            campaign: "#MigrantsContribute".into(),
            date: "7 December 2026".into(),
            facts: vec![
                ("Address".into(), "12 Kingsland Road, London".into()),
                ("Status".into(), "agreed".into()),
            ],
            sections: vec![
                (
                    "Visits".into(),
                    (0..visits).map(|i| format!("1 June 2026 · spoke · Amina · visit {i}")).collect(),
                ),
                ("Consent answers".into(), vec!["display a sticker: yes (Amina, 1 June 2026)".into()]),
                ("Stickers".into(), vec![]),
            ],
            contact: "hello@campaign.example".into(),
        }
    }

    #[test]
    fn one_page_whatever_the_history() {
        for visits in [0, 3, 500] {
            let bytes = write_page(Vec::new(), &page(visits)).expect("pdf");
            let text = String::from_utf8_lossy(&bytes);
            assert!(text.starts_with("%PDF-") && text.trim_end().ends_with("%%EOF"));
            assert_eq!(text.matches("/Type /Page ").count(), 1, "{visits} visits");
        }
        let mut book = FontBook::new().expect("fonts");
        let marks = layout(&mut book, &page(500));
        let lowest = marks
            .iter()
            .filter_map(|m| match m {
                Mark::Text { y, .. } => Some(*y),
                _ => None,
            })
            .fold(f64::MAX, f64::min);
        assert!(lowest > MARGIN - 1.0, "nothing below the margin: {lowest}");
    }
}

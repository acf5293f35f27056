//! Putting text and lines on a walk-sheet page: text shaped with the sticker fonts and fitted
//! to a width (shrunk, wrapped, or cut short with "…"), boxes and rules, and the page's content
//! stream drawn from them.

use crate::stickers::pdf::fmt;
use crate::stickers::sheet::show;
use crate::stickers::text::{FontBook, Line, Weight};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Something drawn: y is a baseline or a bottom edge, relative to the block's top until placed.
#[derive(Debug, Clone)]
pub(crate) enum Mark {
    Text {
        line: Line,
        size: f64,
        x: f64,
        y: f64,
        colour: (f64, f64, f64),
    },
    Box {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        line: f64,
        grey: f64,
    },
    Rule {
        x1: f64,
        x2: f64,
        y: f64,
        line: f64,
        grey: f64,
    },
    Qr {
        x: f64,
        y: f64,
        side: f64,
    },
    /// A filled rectangle (a chart's bar).
    Fill {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        colour: (f64, f64, f64),
    },
}

impl Mark {
    pub(crate) fn shift(mut self, dy: f64) -> Mark {
        match &mut self {
            Mark::Text { y, .. }
            | Mark::Box { y, .. }
            | Mark::Rule { y, .. }
            | Mark::Qr { y, .. }
            | Mark::Fill { y, .. } => *y += dy,
        }
        self
    }
}

/// Shapes and places text, and keeps what has been placed.
pub(crate) struct Pen<'b> {
    book: &'b mut FontBook,
    pub(crate) marks: Vec<Mark>,
    /// Lines already shaped: every block repeats the same labels and pitch, and fitting text
    /// shapes the same candidates again.
    shaped: HashMap<(String, bool), Line>,
}

impl<'b> Pen<'b> {
    pub(crate) fn new(book: &'b mut FontBook) -> Self {
        Pen { book, marks: Vec::new(), shaped: HashMap::new() }
    }
}

impl Pen<'_> {
    pub(crate) fn shape(&mut self, text: &str, weight: Weight) -> Line {
        let key = (text.to_string(), weight == Weight::Bold);
        if let Some(line) = self.shaped.get(&key) {
            return line.clone();
        }
        let line = self.book.shape(text, weight);
        self.shaped.insert(key, line.clone());
        line
    }

    /// One line at `size`, shrunk down to `min` to fit `width`, then cut short with "…".
    pub(crate) fn fit(&mut self, text: &str, weight: Weight, size: f64, min: f64, width: f64) -> (Line, f64) {
        let line = self.shape(text, weight);
        let fitting = if line.width > 0.0 { width * 1000.0 / line.width } else { size };
        let size = size.min(fitting).max(min);
        if line.width_at(size) <= width {
            return (line, size);
        }
        (self.truncate(text, weight, size, width), size)
    }

    /// One line at `size` (shrunk to `min` if that makes it fit), else up to `max_lines`
    /// lines at `min`.
    pub(crate) fn lines(
        &mut self,
        text: &str,
        weight: Weight,
        size: f64,
        min: f64,
        width: f64,
        max_lines: usize,
    ) -> (Vec<Line>, f64) {
        let line = self.shape(text, weight);
        let fitting = if line.width > 0.0 { width * 1000.0 / line.width } else { size };
        if fitting >= min {
            let size = size.min(fitting);
            return (vec![line], size);
        }
        (self.wrap(text, weight, min, width, max_lines), min)
    }

    /// The longest start of `text` that fits with "…" after it.
    pub(crate) fn truncate(&mut self, text: &str, weight: Weight, size: f64, width: f64) -> Line {
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let candidate: String = chars[..mid].iter().collect::<String>() + "…";
            if self.shape(&candidate, weight).width_at(size) <= width {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let kept: String = chars[..lo].iter().collect::<String>().trim_end().to_string();
        self.shape(&(kept + "…"), weight)
    }

    /// Words into at most `max_lines` lines of `width`; what does not fit ends with "…".
    pub(crate) fn wrap(
        &mut self,
        text: &str,
        weight: Weight,
        size: f64,
        width: f64,
        max_lines: usize,
    ) -> Vec<Line> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for (i, word) in words.iter().enumerate() {
            let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
            if current.is_empty() || self.shape(&candidate, weight).width_at(size) <= width {
                current = candidate;
                continue;
            }
            if lines.len() + 1 == max_lines {
                // The last line allowed: everything left, cut to fit.
                let rest = words[i..].join(" ");
                lines.push(format!("{current} {rest}"));
                current.clear();
                break;
            }
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
        if !current.is_empty() {
            lines.push(current);
        }
        lines
            .iter()
            .map(|l| {
                let line = self.shape(l, weight);
                if line.width_at(size) <= width {
                    line
                } else {
                    self.truncate(l, weight, size, width)
                }
            })
            .collect()
    }

    /// `text` shaped and put on one line as it is; answers its width.
    pub(crate) fn say(
        &mut self,
        text: &str,
        weight: Weight,
        size: f64,
        x: f64,
        y: f64,
        colour: (f64, f64, f64),
    ) -> f64 {
        let line = self.shape(text, weight);
        self.text(line, size, x, y, colour)
    }

    pub(crate) fn text(&mut self, line: Line, size: f64, x: f64, y: f64, colour: (f64, f64, f64)) -> f64 {
        let width = line.width_at(size);
        self.marks.push(Mark::Text { line, size, x, y, colour });
        width
    }

    /// Pieces in different weights and colours on one baseline, left to right, cut off at
    /// `width`.
    pub(crate) fn pieces(
        &mut self,
        pieces: &[(&str, Weight, (f64, f64, f64))],
        size: f64,
        x: f64,
        y: f64,
        width: f64,
    ) {
        let mut pen = x;
        for (text, weight, colour) in pieces {
            let room = x + width - pen;
            if room <= size {
                break;
            }
            let line = self.shape(text, *weight);
            let line =
                if line.width_at(size) <= room { line } else { self.truncate(text, *weight, size, room) };
            pen += self.text(line, size, pen, y, *colour);
        }
    }
}

/// Writes `pages` (text, boxes, rules and fills; no QR codes) as a PDF of `width` x `height`
/// points titled `title`, and hands `out` back. Every glyph must be shaped by now.
pub(crate) fn write_document<W: std::io::Write>(
    out: W,
    book: &FontBook,
    pages: &[Vec<Mark>],
    (width, height): (f64, f64),
    title: &str,
) -> std::io::Result<W> {
    use crate::stickers::pdf::{embed_used_fonts, FontIds, PdfWriter};
    let widths = book.widths();
    let mut pdf = PdfWriter::new(out)?;
    let catalog = pdf.reserve();
    let pages_id = pdf.reserve();
    let resources = pdf.reserve();
    let info = pdf.reserve();
    let font_ids: Vec<FontIds> = book.fonts.iter().map(|_| FontIds::reserve(&mut pdf)).collect();
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        let content = pdf.reserve();
        pdf.stream(content, "", draw(page, &widths).as_bytes(), true)?;
        let id = pdf.reserve();
        pdf.page(id, pages_id, resources, content, width, height)?;
        kids.push(id);
    }
    let font_dict = embed_used_fonts(&mut pdf, &font_ids, book)?;
    pdf.object(resources, &format!("<< /Font << {font_dict}>> >>"))?;
    pdf.close(catalog, pages_id, &kids, info, title)
}

pub(crate) fn draw(page: &[Mark], widths: &[HashMap<u16, f64>]) -> String {
    let mut s = String::new();
    for mark in page {
        match mark {
            Mark::Text { line, size, x, y, colour } => {
                let _ = write!(s, "{} {} {} rg ", fmt(colour.0), fmt(colour.1), fmt(colour.2));
                show(&mut s, line, widths, *size, *x, *y);
            }
            Mark::Box { x, y, w, h, line, grey } => {
                let _ = writeln!(
                    s,
                    "q {} G {} w {} {} {} {} re S Q",
                    fmt(*grey),
                    fmt(*line),
                    fmt(*x),
                    fmt(*y),
                    fmt(*w),
                    fmt(*h)
                );
            }
            Mark::Rule { x1, x2, y, line, grey } => {
                let _ = writeln!(
                    s,
                    "q {} G {} w {} {} m {} {} l S Q",
                    fmt(*grey),
                    fmt(*line),
                    fmt(*x1),
                    fmt(*y),
                    fmt(*x2),
                    fmt(*y)
                );
            }
            Mark::Fill { x, y, w, h, colour } => {
                let _ = writeln!(
                    s,
                    "{} {} {} rg {} {} {} {} re f",
                    fmt(colour.0),
                    fmt(colour.1),
                    fmt(colour.2),
                    fmt(*x),
                    fmt(*y),
                    fmt(*w),
                    fmt(*h)
                );
            }
            Mark::Qr { x, y, side } => {
                let _ =
                    writeln!(s, "q {} 0 0 {} {} {} cm /Qr Do Q", fmt(*side), fmt(*side), fmt(*x), fmt(*y));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_fit() {
        let mut book = FontBook::new().expect("fonts");
        let mut pen = Pen::new(&mut book);
        let long =
            "The Very Long Name of a Family Restaurant and Grill and Bakery and Café on the High Street";
        let (line, size) = pen.fit(long, Weight::Bold, 12.0, 8.0, 200.0);
        assert_eq!(size, 8.0);
        assert!(line.width_at(size) <= 200.0);
        let lines = pen.wrap(long, Weight::Regular, 9.0, 150.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.width_at(9.0) <= 150.0));
        // A single word wider than the column is cut too.
        let (line, _) = pen.fit(&"W".repeat(200), Weight::Regular, 9.0, 9.0, 100.0);
        assert!(line.width_at(9.0) <= 100.0);
    }
}

//! The report's layout helpers: a block drawn on its own, text aligned right, and tables in
//! columns (the first for names and dates, the rest for figures) that carry onto the next page
//! with their header.

use super::{Block, Colour, BLACK, LEFT, RIGHT, WIDTH};
use crate::stickers::text::Weight;
use crate::walk::sheet::pen::{Mark, Pen};

/// Runs `f` on a fresh page of marks and hands them back as a block of `f`'s height.
pub(super) fn block(pen: &mut Pen<'_>, f: impl FnOnce(&mut Pen<'_>) -> f64) -> Block {
    let outer = std::mem::take(&mut pen.marks);
    let height = f(pen);
    let marks = std::mem::replace(&mut pen.marks, outer);
    Block::new(marks, height)
}

/// Text ending at `right`.
pub(super) fn right_aligned(
    pen: &mut Pen<'_>,
    text: &str,
    weight: Weight,
    size: f64,
    right: f64,
    y: f64,
    colour: Colour,
) {
    let line = pen.shape(text, weight);
    let w = line.width_at(size);
    pen.text(line, size, right - w, y, colour);
}

pub(super) fn right_aligned_line(pen: &mut Pen<'_>, line: crate::stickers::text::Line, size: f64, y: f64) {
    let w = line.width_at(size);
    pen.text(line, size, RIGHT - w, y, BLACK);
}

/// A compact table (first column left, the rest right), starting under `y`; returns the y
/// under its last row.
pub(super) fn small_table(pen: &mut Pen<'_>, y: f64, header: &[&str], rows: Vec<Vec<String>>) -> f64 {
    let mut y = table_header(pen, y, header);
    for row in rows {
        y = table_row(pen, y, header.len(), &row);
    }
    y - 3.0
}

/// The first column's width: names and dates, wider than the figures.
pub(super) fn first_width(columns: usize) -> f64 {
    WIDTH * if columns > 5 { 0.28 } else { 0.4 }
}

/// Where column `c` of `columns` ends (the first starts at the left margin and is wider).
pub(super) fn column_end(c: usize, columns: usize) -> f64 {
    let first_w = first_width(columns);
    LEFT + first_w + (WIDTH - first_w) / (columns - 1).max(1) as f64 * c as f64
}

pub(super) fn table_header(pen: &mut Pen<'_>, y: f64, header: &[&str]) -> f64 {
    let y = y - 12.0;
    for (c, title) in header.iter().enumerate() {
        if c == 0 {
            pen.say(title, Weight::Bold, 8.5, LEFT, y, BLACK);
        } else {
            right_aligned(pen, title, Weight::Bold, 8.5, column_end(c, header.len()), y, BLACK);
        }
    }
    pen.marks.push(Mark::Rule { x1: LEFT, x2: RIGHT, y: y - 4.0, line: 0.4, grey: 0.5 });
    y - 4.0
}

pub(super) fn table_row(pen: &mut Pen<'_>, y: f64, columns: usize, row: &[String]) -> f64 {
    let y = y - 11.0;
    for (c, cell) in row.iter().enumerate() {
        if c == 0 {
            let (line, size) = pen.fit(cell, Weight::Regular, 8.5, 7.0, first_width(columns) - 8.0);
            pen.text(line, size, LEFT, y, BLACK);
        } else {
            right_aligned(pen, cell, Weight::Regular, 8.5, column_end(c, columns), y, BLACK);
        }
    }
    y
}

/// A table of any length as blocks: the header moves with the first row, rows fill pages.
pub(super) fn table_blocks(pen: &mut Pen<'_>, header: &[&str], rows: Vec<Vec<String>>) -> Vec<Block> {
    let mut head = block(pen, |pen| -table_header(pen, 0.0, header));
    head.keep_with_next = true;
    let mut out = vec![head.clone()];
    for row in rows {
        let mut b = block(pen, |pen| -table_row(pen, 0.0, header.len(), &row) + 3.0);
        b.repeat = Some(Box::new(head.clone()));
        out.push(b);
    }
    out
}

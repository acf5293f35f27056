//! What a sticker sheet is drawn with, as PDF content: the printer's calibration, QR codes as
//! rectangles, shaped text placed and fitted, outlines and cut marks, the campaign's artwork.

use super::super::campaign::{rgb, Campaign};
use super::super::design::{Align, Area, Design};
use super::super::mm;
use super::super::pdf::fmt;
use super::super::qr::{self, QrShape};
use super::super::template::{LabelShape, Template};
use super::super::text::{FontBook, Line, Weight};
use super::{Artwork, Calibration};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Page-wide correction for a printer: scale about the page's centre, then shift.
pub(super) fn open_calibration(s: &mut String, t: &Template, c: &Calibration) {
    let (cx, cy) = (t.page.width / 2.0, t.page.height / 2.0);
    let tx = cx * (1.0 - c.scale) + mm(c.offset_x_mm);
    // Offsets are measured downwards, as on the sheet; PDF's y goes up.
    let ty = cy * (1.0 - c.scale) - mm(c.offset_y_mm);
    let _ = writeln!(s, "q {} 0 0 {} {} {} cm", fmt(c.scale), fmt(c.scale), fmt(tx), fmt(ty));
}

/// Where the logo goes on a QR code: a white square in the middle (a share of the code's side)
/// and the logo fitted inside it, keeping its proportions.
pub fn logo_boxes(qr_area: &Area, shape: &QrShape, logo: &super::super::logo::Logo) -> (Area, Area) {
    let module = qr_area.width / f64::from(shape.size_with_quiet_zone());
    let inner = module * f64::from(shape.size);
    let side = inner * super::super::logo::SHARE_OF_QR;
    let (cx, cy) = (qr_area.x + qr_area.width / 2.0, qr_area.y + qr_area.height / 2.0);
    let back = Area { x: cx - side / 2.0, y: cy - side / 2.0, width: side, height: side };
    let fit = side * 0.86;
    let (w, h) = if logo.width >= logo.height {
        (fit, fit * f64::from(logo.height) / f64::from(logo.width))
    } else {
        (fit * f64::from(logo.width) / f64::from(logo.height), fit)
    };
    (back, Area { x: cx - w / 2.0, y: cy - h / 2.0, width: w, height: h })
}

/// The QR code: one path of rectangles in module units, under a transform that maps modules
/// to the area (y flipped, quiet zone skipped), filled once in black.
pub(super) fn draw_qr(s: &mut String, shape: &QrShape, area: &Area) {
    let module = area.width / f64::from(shape.size_with_quiet_zone());
    let quiet = f64::from(qr::QUIET_ZONE) * module;
    let _ = writeln!(
        s,
        "q 0 g {} 0 0 {} {} {} cm",
        fmt4(module),
        fmt4(-module),
        fmt(area.x + quiet),
        fmt(area.y + area.height - quiet)
    );
    for &(x, y, w, h) in &shape.rects {
        let _ = write!(s, "{x} {y} {w} {h} re ");
    }
    s.push_str("f Q\n");
}

/// More precision for the module size: rounding it to 0.001 pt would drift by up to 0.05 pt
/// over a large code.
pub(super) fn fmt4(v: f64) -> String {
    let s = format!("{v:.5}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A shaped line placed on a label: where its baseline starts, how big, what colour. The PDF
/// and the window's preview both draw from these.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub line: Line,
    pub size: f64,
    pub x: f64,
    pub baseline: f64,
    pub colour: (f64, f64, f64),
}

/// Places a line in `area` at `size`, vertically centred on its capital height.
pub fn place(line: Line, size: f64, area: &Area, align: Align, colour: (f64, f64, f64)) -> Placed {
    let width = line.width_at(size);
    let x = match align {
        Align::Start => area.x,
        Align::Centre => area.x + (area.width - width) / 2.0,
    };
    let baseline = area.y + (area.height - size * 0.714) / 2.0;
    Placed { line, size, x, baseline, colour }
}

pub(super) fn draw_placed(s: &mut String, p: &Placed, widths: &[HashMap<u16, f64>]) {
    let _ = write!(s, "{} {} {} rg ", fmt(p.colour.0), fmt(p.colour.1), fmt(p.colour.2));
    show(s, &p.line, widths, p.size, p.x, p.baseline);
}

/// The per-sticker lines: the printed code and, when pre-assigned, the restaurant's name.
pub fn sticker_lines(design: &Design, campaign: &Campaign, code: Line, name: Option<Line>) -> Vec<Placed> {
    let mut out =
        vec![place(code, design.code_size, &design.code, design.align, rgb(&campaign.accent_colour))];
    if let (Some(area), Some(name)) = (design.restaurant, name) {
        let size = fit_size(&name, design.code_size * 0.9, &area);
        out.push(place(name, size, &area, design.align, rgb(&campaign.text_colour)));
    }
    out
}

/// A code as a line, from the shaped alphabet.
pub fn code_line(code: &str, alphabet: &HashMap<char, Line>) -> Line {
    Line {
        glyphs: code.chars().filter_map(|c| alphabet.get(&c)).flat_map(|l| l.glyphs.clone()).collect(),
        width: code.chars().filter_map(|c| alphabet.get(&c)).map(|l| l.width).sum(),
    }
}

/// Text operators for a shaped line: runs of one font as TJ arrays, with adjustments where the
/// shaped advance differs from the glyph's width; glyphs with offsets placed one by one.
/// (The walk sheet draws its text with it too.)
pub fn show(s: &mut String, line: &Line, widths: &[HashMap<u16, f64>], size: f64, x: f64, y: f64) {
    if line.glyphs.is_empty() {
        return;
    }
    let _ = write!(s, "BT 1 0 0 1 {} {} Tm ", fmt(x), fmt(y));
    let offsets = line.glyphs.iter().any(|g| g.x_offset != 0.0 || g.y_offset != 0.0);
    let mut font = usize::MAX;
    let mut pen = 0.0;
    let mut open = false;
    for g in &line.glyphs {
        if g.font != font || offsets {
            if open {
                s.push_str("] TJ ");
                open = false;
            }
            if g.font != font {
                let _ = write!(s, "/F{} {} Tf ", g.font, fmt(size));
                font = g.font;
            }
            if offsets {
                let _ = write!(
                    s,
                    "1 0 0 1 {} {} Tm ",
                    fmt(x + (pen + g.x_offset) * size / 1000.0),
                    fmt(y + g.y_offset * size / 1000.0)
                );
            }
        }
        if !open {
            s.push('[');
            open = true;
        }
        let _ = write!(s, "<{:04X}>", g.cid);
        let w = widths[g.font].get(&g.cid).copied().unwrap_or(g.advance);
        let adjust = w - g.advance;
        if adjust.abs() > 0.5 && !offsets {
            let _ = write!(s, "{}", fmt(adjust));
        }
        pen += g.advance;
    }
    if open {
        s.push_str("] TJ ");
    }
    s.push_str("ET\n");
}

/// The largest size up to `max` at which `line` fits `area`.
pub fn fit_size(line: &Line, max: f64, area: &Area) -> f64 {
    let by_width = if line.width > 0.0 { area.width * 1000.0 / line.width } else { max };
    max.min(by_width).min(area.height / 0.9).max(1.0)
}

/// Marks 3 mm long, 1 mm clear of each corner, along the label's edges.
pub(super) fn cut_marks(s: &mut String, w: f64, h: f64) {
    let (gap, len) = (mm(1.0), mm(3.0));
    s.push_str("q 0 G 0.25 w ");
    for (x, y, dx, dy) in [(0.0, 0.0, -1.0, -1.0), (w, 0.0, 1.0, -1.0), (0.0, h, -1.0, 1.0), (w, h, 1.0, 1.0)]
    {
        let _ = write!(
            s,
            "{} {} m {} {} l {} {} m {} {} l ",
            fmt(x + dx * gap),
            fmt(y),
            fmt(x + dx * (gap + len)),
            fmt(y),
            fmt(x),
            fmt(y + dy * gap),
            fmt(x),
            fmt(y + dy * (gap + len))
        );
    }
    s.push_str("S Q\n");
}

pub(crate) fn outline(s: &mut String, shape: &LabelShape) {
    s.push_str("q 0.6 G 0.3 w ");
    match *shape {
        LabelShape::Rectangle { width, height, corner_radius } => {
            rounded_rect(s, width, height, corner_radius)
        }
        LabelShape::Round { diameter } => circle(s, diameter / 2.0, diameter / 2.0, diameter / 2.0),
    }
    s.push_str("S Q\n");
}

pub(super) fn rounded_rect(s: &mut String, w: f64, h: f64, r: f64) {
    let r = r.min(w / 2.0).min(h / 2.0);
    if r <= 0.0 {
        let _ = write!(s, "0 0 {} {} re ", fmt(w), fmt(h));
        return;
    }
    let k = 0.5523 * r;
    let _ = write!(
        s,
        "{r0} 0 m {a} 0 l {a2} 0 {w} {k0} {w} {r0} c {w} {b} l {w} {b2} {a2} {h} {a} {h} c {r0} {h} l {k1} {h} 0 {b2} 0 {b} c 0 {r0} l 0 {k0} {k1} 0 {r0} 0 c h ",
        r0 = fmt(r),
        a = fmt(w - r),
        a2 = fmt(w - r + k),
        w = fmt(w),
        k0 = fmt(r - k),
        b = fmt(h - r),
        b2 = fmt(h - r + k),
        h = fmt(h),
        k1 = fmt(r - k),
    );
}

pub(super) fn circle(s: &mut String, cx: f64, cy: f64, r: f64) {
    let k = 0.5523 * r;
    let _ = write!(
        s,
        "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c h ",
        fmt(cx + r),
        fmt(cy),
        fmt(cx + r),
        fmt(cy + k),
        fmt(cx + k),
        fmt(cy + r),
        fmt(cx),
        fmt(cy + r),
        fmt(cx - k),
        fmt(cy + r),
        fmt(cx - r),
        fmt(cy + k),
        fmt(cx - r),
        fmt(cy),
        fmt(cx - r),
        fmt(cy - k),
        fmt(cx - k),
        fmt(cy - r),
        fmt(cx),
        fmt(cy - r),
        fmt(cx + k),
        fmt(cy - r),
        fmt(cx + r),
        fmt(cy - k),
        fmt(cx + r),
        fmt(cy),
    );
}

/// The campaign's words, laid out for the design's areas.
pub fn artwork_lines(book: &mut FontBook, campaign: &Campaign, design: &Design) -> Vec<Placed> {
    let headline = book.shape(&campaign.headline, Weight::Bold);
    let size = fit_size(&headline, design.headline_max, &design.headline);
    let mut placed =
        vec![place(headline, size, &design.headline, design.align, rgb(&campaign.accent_colour))];
    if let (Some(text), Some(area)) = (campaign.second_line.as_deref(), design.second_line) {
        // The largest size at which the text wraps into the area, never above the headline's.
        let mut body = design.body_max.min(size * 0.8);
        while body >= 3.5 {
            let max_lines = (area.height / (body * 1.2)).floor().max(1.0) as usize;
            if let Some(lines) = book.wrap(text, Weight::Regular, body, area.width, max_lines) {
                let block = lines.len() as f64 * body * 1.2;
                let mut y = area.y + (area.height + block) / 2.0 - body * 1.2;
                for line in lines {
                    let slot = Area { x: area.x, y, width: area.width, height: body * 1.2 };
                    placed.push(place(line, body, &slot, design.align, rgb(&campaign.text_colour)));
                    y -= body * 1.2;
                }
                break;
            }
            body -= 0.25;
        }
    }
    placed
}

pub(super) fn artwork(book: &mut FontBook, campaign: &Campaign, design: &Design) -> Artwork {
    let placed = artwork_lines(book, campaign, design);
    let widths: Vec<HashMap<u16, f64>> = book.widths();
    let mut s = String::new();
    for p in &placed {
        draw_placed(&mut s, p, &widths);
    }
    Artwork { content: s }
}

/// Each character a code can have, shaped once in the bold font.
pub fn code_alphabet(book: &mut FontBook) -> HashMap<char, Line> {
    super::super::codes::ALPHABET
        .iter()
        .map(|b| char::from(*b))
        .map(|c| (c, book.shape(&c.to_string(), Weight::Bold)))
        .collect()
}

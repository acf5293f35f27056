//! The calibration page: a sheet of label outlines to hold against the real labels.

use super::super::design::{Align, Area};
use super::super::mm;
use super::super::pdf::{embed_used_fonts, fmt, text_string, FontIds, PdfWriter};
use super::super::template::Template;
use super::super::text::{FontBook, Weight};
use super::draw::*;
use super::{Calibration, SheetError};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// A page for checking a printer against a real label sheet: every label's outline, ticks at
/// its corners and a cross at its centre, drawn with the same calibration as the stickers.
pub fn write_calibration<W: Write>(
    out: W,
    template: &Template,
    calibration: &Calibration,
) -> Result<W, SheetError> {
    template.validate()?;
    let mut book = FontBook::new()?;
    let note = book.shape(
        &format!(
            "Tablemap calibration: {}. Print at 100% (no “fit to page”), hold against a label sheet.",
            template.name
        ),
        Weight::Regular,
    );
    let widths: Vec<HashMap<u16, f64>> = book.widths();
    let mut s = String::new();
    open_calibration(&mut s, template, calibration);
    let tick = mm(3.0);
    for i in 0..template.count() {
        let Some(r) = template.label_rect(i) else { break };
        let _ = write!(s, "q 1 0 0 1 {} {} cm ", fmt(r.x), fmt(r.y));
        outline(&mut s, &template.shape);
        let (w, h) = (r.width, r.height);
        s.push_str("0 G 0.5 w ");
        for (x, y, dx, dy) in
            [(0.0, 0.0, 1.0, 1.0), (w, 0.0, -1.0, 1.0), (0.0, h, 1.0, -1.0), (w, h, -1.0, -1.0)]
        {
            let _ = write!(
                s,
                "{} {} m {} {} l {} {} m {} {} l ",
                fmt(x),
                fmt(y),
                fmt(x + dx * tick),
                fmt(y),
                fmt(x),
                fmt(y),
                fmt(x),
                fmt(y + dy * tick)
            );
        }
        let _ = writeln!(
            s,
            "{} {} m {} {} l {} {} m {} {} l S Q",
            fmt(w / 2.0 - tick),
            fmt(h / 2.0),
            fmt(w / 2.0 + tick),
            fmt(h / 2.0),
            fmt(w / 2.0),
            fmt(h / 2.0 - tick),
            fmt(w / 2.0),
            fmt(h / 2.0 + tick)
        );
    }
    let size = 7.0;
    let area = Area { x: mm(8.0), y: mm(3.0), width: template.page.width - mm(16.0), height: size * 1.2 };
    let size = fit_size(&note, size, &area);
    draw_placed(&mut s, &place(note, size, &area, Align::Start, (0.0, 0.0, 0.0)), &widths);
    s.push_str("Q\n");

    let mut pdf = PdfWriter::new(out)?;
    let catalog = pdf.reserve();
    let pages = pdf.reserve();
    let page = pdf.reserve();
    let content = pdf.reserve();
    let resources = pdf.reserve();
    let info = pdf.reserve();
    let font_ids: Vec<FontIds> = book.fonts.iter().map(|_| FontIds::reserve(&mut pdf)).collect();
    pdf.stream(content, "", s.as_bytes(), true)?;
    let font_dict = embed_used_fonts(&mut pdf, &font_ids, &book)?;
    pdf.object(resources, &format!("<< /Font << {font_dict}>> >>"))?;
    pdf.object(page, &format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {} {}] /Resources {resources} 0 R /Contents {content} 0 R >>",
        fmt(template.page.width), fmt(template.page.height)
    ))?;
    pdf.object(pages, &format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"))?;
    pdf.object(catalog, &format!("<< /Type /Catalog /Pages {pages} 0 R >>"))?;
    pdf.object(
        info,
        &format!(
            "<< /Title {} /Producer (Tablemap) >>",
            text_string(&format!("Calibration, {}", template.name))
        ),
    )?;
    Ok(pdf.finish(catalog, info)?)
}

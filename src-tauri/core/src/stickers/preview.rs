//! Previews for the window, from the same layout code as the PDF: the design's areas, the same
//! shaped and fitted text (drawn as the fonts' own glyph outlines), the same QR rectangles.
//! Output is SVG with no text in it at all, so nothing typed can become markup.

use super::campaign::Campaign;
use super::design::layout;
use super::qr::{self, EcLevel};
use super::sheet::{artwork_lines, code_alphabet, code_line, sticker_lines, Placed};
use super::template::{LabelShape, Template};
use super::text::{FontBook, FontError, Weight};
use super::to_mm;
use std::fmt::Write as _;

fn colour(c: (f64, f64, f64)) -> String {
    format!(
        "#{:02x}{:02x}{:02x}",
        (c.0 * 255.0).round() as u8,
        (c.1 * 255.0).round() as u8,
        (c.2 * 255.0).round() as u8
    )
}

/// Draws placed lines as glyph paths; `height` flips PDF's y-up to SVG's y-down.
fn text(out: &mut String, book: &FontBook, placed: &[Placed], height: f64) {
    for p in placed {
        let _ = write!(out, "<g fill=\"{}\">", colour(p.colour));
        let mut pen = 0.0;
        for g in &p.line.glyphs {
            let x = p.x + (pen + g.x_offset) * p.size / 1000.0;
            let y = height - (p.baseline + g.y_offset * p.size / 1000.0);
            let k = p.size / 1000.0;
            let d = book.outline(g.font, g.gid);
            if !d.is_empty() {
                let _ =
                    write!(out, "<path transform=\"matrix({k:.5} 0 0 {:.5} {x:.2} {y:.2})\" d=\"{d}\"/>", -k);
            }
            pen += g.advance;
        }
        out.push_str("</g>");
    }
}

fn qr_svg(out: &mut String, url: &str, ec: EcLevel, area: &super::design::Area, height: f64) {
    if let Ok(shape) = qr::encode(&qr::qr_text(url), ec) {
        let module = area.width / f64::from(shape.size_with_quiet_zone());
        let quiet = f64::from(qr::QUIET_ZONE) * module;
        let (x0, y0) = (area.x + quiet, height - (area.y + area.height) + quiet);
        let _ = write!(
            out,
            "<path fill=\"#000\" transform=\"matrix({module:.5} 0 0 {module:.5} {x0:.2} {y0:.2})\" d=\""
        );
        for (x, y, w, h) in &shape.rects {
            let _ = write!(out, "M{x} {y}h{w}v{h}h-{w}z");
        }
        out.push_str("\"/>");
    }
}

fn label_outline(out: &mut String, shape: &LabelShape, x: f64, y: f64) {
    match *shape {
        LabelShape::Rectangle { width, height, corner_radius } => {
            let _ = write!(out, "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{width:.2}\" height=\"{height:.2}\" rx=\"{corner_radius:.2}\" fill=\"#fff\" stroke=\"#b9c1c6\" stroke-width=\"0.6\"/>");
        }
        LabelShape::Round { diameter } => {
            let r = diameter / 2.0;
            let _ = write!(out, "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"{r:.2}\" fill=\"#fff\" stroke=\"#b9c1c6\" stroke-width=\"0.6\"/>", x + r, y + r);
        }
    }
}

/// What the preview found worth saying (shown under it).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Preview {
    pub svg: String,
    pub width_mm: f64,
    pub height_mm: f64,
    pub module_mm: f64,
    pub qr_version: u8,
}

/// One sticker on `template`, with a sample code.
pub fn sticker(
    template: &Template,
    campaign: &Campaign,
    ec: EcLevel,
    restaurant: Option<&str>,
    logo: Option<&super::logo::Logo>,
) -> Result<Preview, FontError> {
    let (w, h) = (template.shape.width(), template.shape.height());
    let design = layout(&template.shape, restaurant.is_some());
    let mut book = FontBook::with_family(campaign.font)?;
    let mut placed = artwork_lines(&mut book, campaign, &design);
    let alphabet = code_alphabet(&mut book);
    let sample = "7K3M9QZ";
    let name = restaurant.map(|n| book.shape(n, Weight::Regular));
    placed.extend(sticker_lines(&design, campaign, code_line(sample, &alphabet), name));
    let mut svg =
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-2 -2 {:.2} {:.2}\">", w + 4.0, h + 4.0);
    label_outline(&mut svg, &template.shape, 0.0, 0.0);
    let url = campaign.sticker_url(sample);
    qr_svg(&mut svg, &url, ec, &design.qr, h);
    if let (Some(logo), Ok(shape)) = (logo, qr::encode(&qr::qr_text(&url), ec)) {
        use base64::Engine as _;
        let (back, image) = super::sheet::logo_boxes(&design.qr, &shape, logo);
        let data = base64::engine::general_purpose::STANDARD.encode(&logo.png);
        let _ = write!(
            svg,
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"#fff\"/><image x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" href=\"data:image/png;base64,{data}\"/>",
            back.x, h - back.y - back.height, back.width, back.height, image.x, h - image.y - image.height, image.width, image.height
        );
    }
    text(&mut svg, &book, &placed, h);
    svg.push_str("</svg>");
    let shape = qr::encode(&qr::qr_text(&url), ec).ok();
    Ok(Preview {
        svg,
        width_mm: to_mm(w),
        height_mm: to_mm(h),
        module_mm: shape.as_ref().map_or(0.0, |s| s.module_mm(to_mm(design.qr.width))),
        qr_version: shape.map_or(0, |s| s.version),
    })
}

/// The first page of a batch: every label's outline, and stickers from `start_at` on.
pub fn first_page(
    template: &Template,
    campaign: &Campaign,
    ec: EcLevel,
    start_at: u32,
    count: u32,
    logo: Option<&super::logo::Logo>,
) -> Result<Preview, FontError> {
    let one = sticker(template, campaign, ec, None, logo)?;
    let (pw, ph) = (template.page.width, template.page.height);
    let (w, h) = (template.shape.width(), template.shape.height());
    let inner = one
        .svg
        .trim_start_matches(|c| c != '>')
        .trim_start_matches('>')
        .trim_end_matches("</svg>")
        .to_string();
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {pw:.2} {ph:.2}\"><rect width=\"{pw:.2}\" height=\"{ph:.2}\" fill=\"#fff\"/>");
    let skip = start_at.saturating_sub(1);
    for slot in 0..template.count() {
        let Some((x, top)) = template.label_origin(slot) else { break };
        if slot < skip || slot >= skip + count {
            label_outline(&mut svg, &template.shape, x, top);
        } else {
            let _ = write!(svg, "<g transform=\"translate({x:.2} {top:.2})\"><svg width=\"{w:.2}\" height=\"{h:.2}\" viewBox=\"0 0 {w:.2} {h:.2}\" overflow=\"visible\">{inner}</svg></g>");
        }
    }
    svg.push_str("</svg>");
    Ok(Preview { svg, width_mm: to_mm(pw), height_mm: to_mm(ph), ..one })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stickers::builtin;

    #[test]
    fn previews_draw_text_as_paths_only() {
        let evil = Campaign { headline: "<script>alert(1)</script>".into(), ..Campaign::default() };
        for t in builtin::all() {
            let p = sticker(&t, &evil, EcLevel::Q, Some("<b>Café</b>"), None).unwrap();
            assert!(p.svg.starts_with("<svg") && p.svg.ends_with("</svg>"));
            assert!(
                !p.svg.contains("script") && !p.svg.contains("<b>") && !p.svg.contains("<text"),
                "{}",
                t.id
            );
            assert!(p.svg.matches("<path").count() > 10, "{}: glyphs and QR drawn", t.id);
            assert!(p.module_mm > 0.0 && p.qr_version >= 1);
        }
        let page =
            first_page(&builtin::find("avery-l7160").unwrap(), &Campaign::default(), EcLevel::Q, 20, 5, None)
                .unwrap();
        assert_eq!(page.svg.matches("<g transform=\"translate").count(), 2, "labels 20 and 21 hold stickers");
    }
}

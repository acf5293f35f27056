//! Sticker sheets as PDF: the campaign's artwork drawn once (a form XObject) and placed on
//! every label; each label's QR code and printed code drawn on top. Pages are built on all
//! cores a window at a time and streamed to the output in order, so memory stays flat
//! however long the batch.

use super::campaign::{rgb, Campaign};
use super::design::{layout, Align, Area, Design};
use super::pdf::{embed_used_fonts, fmt, text_string, FontIds, PdfWriter};
use super::qr::{self, EcLevel, QrShape};
use super::template::{LabelShape, Template};
use super::text::{FontBook, Line, Weight};
use super::{mm, to_mm};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// One sticker to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Sticker {
    pub code: String,
    pub url: String,
    /// Printed small when the sticker is meant for one restaurant.
    pub restaurant: Option<String>,
}

/// Per-printer correction, saved in settings: where the printer really puts things.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub offset_x_mm: f64,
    pub offset_y_mm: f64,
    /// 1.0 = true size.
    pub scale: f64,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration { offset_x_mm: 0.0, offset_y_mm: 0.0, scale: 1.0 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrintOptions {
    pub ec: EcLevel,
    /// Drawn in the middle of every QR code (callers print such codes at level H).
    pub logo: Option<super::logo::Logo>,
    /// The first label to use on the first sheet, counting from 1 (for part-used sheets).
    pub start_at: u32,
    /// Draw each label's outline (for plain paper, or to check alignment).
    pub outlines: bool,
    /// Short marks just outside each label's corners, for cutting plain paper or card.
    pub cut_marks: bool,
    pub calibration: Calibration,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            ec: EcLevel::Q,
            logo: None,
            start_at: 1,
            outlines: false,
            cut_marks: false,
            calibration: Calibration::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SheetReport {
    pub pages: u32,
    pub stickers: u32,
    /// The smallest printed QR module, in mm.
    pub smallest_module_mm: f64,
    pub largest_version: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("cancelled")]
    Cancelled,
    #[error("label {start_at} does not exist on {template} ({count} labels a sheet)")]
    StartAt { start_at: u32, template: String, count: u32 },
    #[error("{0}")]
    Template(#[from] super::template::TemplateError),
    #[error(transparent)]
    Font(#[from] super::text::FontError),
    #[error("the URL for code {code} is too long for a QR code at level {ec}")]
    TooLong { code: String, ec: EcLevel },
    #[error("cannot write the PDF: {0}")]
    Io(#[from] std::io::Error),
}

/// Pages built in parallel before they are written, per core.
const PAGES_PER_WORKER: usize = 6;

/// Text laid out once for every label: the campaign's words.
struct Artwork {
    content: String,
}

/// Writes the sheets for `stickers` to `out`. `progress(done, total)` is called as pages are
/// written; returning false cancels (the output is then incomplete and must be discarded).
pub fn write_sheets<W: Write>(
    out: W,
    template: &Template,
    campaign: &Campaign,
    stickers: &[Sticker],
    options: &PrintOptions,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<(W, SheetReport), SheetError> {
    template.validate()?;
    let per_sheet = template.count();
    if options.start_at == 0 || options.start_at > per_sheet {
        return Err(SheetError::StartAt {
            start_at: options.start_at,
            template: template.name.clone(),
            count: per_sheet,
        });
    }
    let skip = options.start_at - 1;
    let slots = skip as usize + stickers.len();
    let pages = slots.div_ceil(per_sheet as usize).max(1) as u32;
    let with_restaurant = stickers.iter().any(|s| s.restaurant.is_some());
    let design = layout(&template.shape, with_restaurant);

    // Everything that is text is shaped here, before the parallel part, so the fonts' record
    // of glyphs used is complete and the workers only look things up.
    let mut book = FontBook::with_family(campaign.font)?;
    let artwork = artwork(&mut book, campaign, &design);
    let code_glyphs = code_alphabet(&mut book);
    let mut names: HashMap<&str, Line> = HashMap::new();
    for s in stickers {
        if let Some(name) = s.restaurant.as_deref() {
            names.entry(name).or_insert_with(|| book.shape(name, Weight::Regular));
        }
    }
    let widths: Vec<HashMap<u16, f64>> = book.widths();
    let ctx = PageContext {
        template,
        design: &design,
        campaign,
        options,
        code_glyphs: &code_glyphs,
        names: &names,
        widths: &widths,
        skip,
    };

    let mut pdf = PdfWriter::new(out)?;
    let catalog = pdf.reserve();
    let pages_id = pdf.reserve();
    let resources = pdf.reserve();
    let art_id = pdf.reserve();
    let info = pdf.reserve();
    let logo_ids = options.logo.as_ref().map(|_| (pdf.reserve(), pdf.reserve()));
    let font_ids: Vec<FontIds> = book.fonts.iter().map(|_| FontIds::reserve(&mut pdf)).collect();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let window = threads * PAGES_PER_WORKER;
    let mut kids = Vec::with_capacity(pages as usize);
    let mut report = SheetReport {
        pages,
        stickers: stickers.len() as u32,
        smallest_module_mm: f64::INFINITY,
        largest_version: 0,
    };
    let mut page = 0u32;
    while page < pages {
        let end = (page + window as u32).min(pages);
        let built = build_pages(&ctx, stickers, page..end, threads)?;
        for b in built {
            report.smallest_module_mm = report.smallest_module_mm.min(b.smallest_module_mm);
            report.largest_version = report.largest_version.max(b.largest_version);
            let content = pdf.reserve();
            pdf.stream_deflated(content, "", &b.content)?;
            let id = pdf.reserve();
            pdf.object(id, &format!(
                "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {} {}] /Resources {resources} 0 R /Contents {content} 0 R >>",
                fmt(template.page.width), fmt(template.page.height)
            ))?;
            kids.push(id);
        }
        page = end;
        if !progress(page, pages) {
            return Err(SheetError::Cancelled);
        }
    }

    pdf.stream(
        art_id,
        &format!(
            "/Type /XObject /Subtype /Form /BBox [0 0 {} {}] /Resources {resources} 0 R",
            fmt(template.shape.width()),
            fmt(template.shape.height())
        ),
        artwork.content.as_bytes(),
        true,
    )?;
    let font_dict = embed_used_fonts(&mut pdf, &font_ids, &book)?;
    let mut xobjects = format!("/Art {art_id} 0 R");
    if let (Some(logo), Some((image, mask))) = (&options.logo, logo_ids) {
        let smask = match &logo.alpha {
            Some(alpha) => {
                pdf.stream(mask, &format!("/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray /BitsPerComponent 8", logo.width, logo.height), alpha, true)?;
                format!(" /SMask {mask} 0 R")
            }
            None => {
                pdf.object(mask, "null")?;
                String::new()
            }
        };
        pdf.stream(image, &format!("/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB /BitsPerComponent 8{smask}", logo.width, logo.height), &logo.rgb, true)?;
        let _ = write!(xobjects, " /Logo {image} 0 R");
    }
    pdf.object(resources, &format!("<< /Font << {font_dict}>> /XObject << {xobjects} >> >>"))?;
    let kids_list: String = kids.iter().map(|k| format!("{k} 0 R ")).collect();
    pdf.object(pages_id, &format!("<< /Type /Pages /Kids [{kids_list}] /Count {} >>", kids.len()))?;
    pdf.object(catalog, &format!("<< /Type /Catalog /Pages {pages_id} 0 R >>"))?;
    pdf.object(
        info,
        &format!(
            "<< /Title {} /Producer (Tablemap {}) /Creator (Tablemap) >>",
            text_string(&format!("{} stickers, {}", campaign.name, template.name)),
            env!("CARGO_PKG_VERSION")
        ),
    )?;
    let out = pdf.finish(catalog, info)?;
    if report.smallest_module_mm.is_infinite() {
        report.smallest_module_mm = 0.0;
    }
    Ok((out, report))
}

struct PageContext<'a> {
    template: &'a Template,
    design: &'a Design,
    campaign: &'a Campaign,
    options: &'a PrintOptions,
    code_glyphs: &'a HashMap<char, Line>,
    names: &'a HashMap<&'a str, Line>,
    widths: &'a [HashMap<u16, f64>],
    skip: u32,
}

struct BuiltPage {
    content: Vec<u8>,
    smallest_module_mm: f64,
    largest_version: u8,
}

fn build_pages(
    ctx: &PageContext<'_>,
    stickers: &[Sticker],
    range: std::ops::Range<u32>,
    threads: usize,
) -> Result<Vec<BuiltPage>, SheetError> {
    let pages: Vec<u32> = range.collect();
    let chunk = pages.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pages
            .chunks(chunk)
            .map(|mine| {
                scope.spawn(move || {
                    mine.iter().map(|p| build_page(ctx, stickers, *p)).collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(pages.len());
        for h in handles {
            out.extend(
                h.join().map_err(|_| SheetError::Io(std::io::Error::other("a page builder panicked")))??,
            );
        }
        Ok(out)
    })
}

fn build_page(ctx: &PageContext<'_>, stickers: &[Sticker], page: u32) -> Result<BuiltPage, SheetError> {
    let t = ctx.template;
    let d = ctx.design;
    let per_sheet = t.count();
    let mut s = String::with_capacity(per_sheet as usize * 1200);
    let mut smallest = f64::INFINITY;
    let mut largest = 0u8;
    open_calibration(&mut s, t, &ctx.options.calibration);
    for slot in 0..per_sheet {
        let global = page as usize * per_sheet as usize + slot as usize;
        let Some(index) = global.checked_sub(ctx.skip as usize) else { continue };
        let Some(sticker) = stickers.get(index) else { break };
        let Some(rect) = t.label_rect(slot) else { break };
        let _ = writeln!(s, "q 1 0 0 1 {} {} cm /Art Do", fmt(rect.x), fmt(rect.y));
        let shape = qr::encode(&qr::qr_text(&sticker.url), ctx.options.ec)
            .map_err(|_| SheetError::TooLong { code: sticker.code.clone(), ec: ctx.options.ec })?;
        smallest = smallest.min(shape.module_mm(to_mm(d.qr.width)));
        largest = largest.max(shape.version);
        draw_qr(&mut s, &shape, &d.qr);
        if let Some(logo) = &ctx.options.logo {
            let (back, image) = logo_boxes(&d.qr, &shape, logo);
            let _ = writeln!(
                s,
                "q 1 g {} {} {} {} re f {} 0 0 {} {} {} cm /Logo Do Q",
                fmt(back.x),
                fmt(back.y),
                fmt(back.width),
                fmt(back.height),
                fmt(image.width),
                fmt(image.height),
                fmt(image.x),
                fmt(image.y)
            );
        }
        let name = sticker.restaurant.as_deref().and_then(|n| ctx.names.get(n)).cloned();
        for p in sticker_lines(d, ctx.campaign, code_line(&sticker.code, ctx.code_glyphs), name) {
            draw_placed(&mut s, &p, ctx.widths);
        }
        if ctx.options.outlines {
            outline(&mut s, &t.shape);
        }
        if ctx.options.cut_marks {
            cut_marks(&mut s, rect.width, rect.height);
        }
        s.push_str("Q\n");
    }
    s.push_str("Q\n");
    // Compressed here, on the worker, rather than by the single writer.
    Ok(BuiltPage {
        content: super::pdf::deflate(s.as_bytes()),
        smallest_module_mm: smallest,
        largest_version: largest,
    })
}

/// Page-wide correction for a printer: scale about the page's centre, then shift.
fn open_calibration(s: &mut String, t: &Template, c: &Calibration) {
    let (cx, cy) = (t.page.width / 2.0, t.page.height / 2.0);
    let tx = cx * (1.0 - c.scale) + mm(c.offset_x_mm);
    // Offsets are measured downwards, as on the sheet; PDF's y goes up.
    let ty = cy * (1.0 - c.scale) - mm(c.offset_y_mm);
    let _ = writeln!(s, "q {} 0 0 {} {} {} cm", fmt(c.scale), fmt(c.scale), fmt(tx), fmt(ty));
}

/// Where the logo goes on a QR code: a white square in the middle (a share of the code's side)
/// and the logo fitted inside it, keeping its proportions.
pub fn logo_boxes(qr_area: &Area, shape: &QrShape, logo: &super::logo::Logo) -> (Area, Area) {
    let module = qr_area.width / f64::from(shape.size_with_quiet_zone());
    let inner = module * f64::from(shape.size);
    let side = inner * super::logo::SHARE_OF_QR;
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
fn draw_qr(s: &mut String, shape: &QrShape, area: &Area) {
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
fn fmt4(v: f64) -> String {
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

fn draw_placed(s: &mut String, p: &Placed, widths: &[HashMap<u16, f64>]) {
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
fn cut_marks(s: &mut String, w: f64, h: f64) {
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

fn rounded_rect(s: &mut String, w: f64, h: f64, r: f64) {
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

fn circle(s: &mut String, cx: f64, cy: f64, r: f64) {
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

fn artwork(book: &mut FontBook, campaign: &Campaign, design: &Design) -> Artwork {
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
    super::codes::ALPHABET
        .iter()
        .map(|b| char::from(*b))
        .map(|c| (c, book.shape(&c.to_string(), Weight::Bold)))
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stickers::builtin;

    fn stickers(n: usize) -> Vec<Sticker> {
        super::super::codes::generate(n)
            .unwrap()
            .into_iter()
            .map(|code| Sticker { url: format!("https://mc.org.uk/S/{code}"), code, restaurant: None })
            .collect()
    }

    #[test]
    fn pages_count_and_start_at() {
        let t = builtin::find("avery-l7160").unwrap();
        let cases = [(21, 1, 1), (22, 1, 2), (21, 2, 2), (1, 21, 1), (2, 21, 2), (0, 1, 1)];
        for (n, start_at, pages) in cases {
            let options = PrintOptions { start_at, ..PrintOptions::default() };
            let (bytes, report) =
                write_sheets(Vec::new(), &t, &Campaign::default(), &stickers(n), &options, &mut |_, _| true)
                    .unwrap();
            assert_eq!(report.pages, pages, "{n} stickers from label {start_at}");
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(text.matches("/Type /Page ").count() as u32, pages);
        }
        let options = PrintOptions { start_at: 22, ..PrintOptions::default() };
        assert!(matches!(
            write_sheets(Vec::new(), &t, &Campaign::default(), &stickers(1), &options, &mut |_, _| true),
            Err(SheetError::StartAt { .. })
        ));
    }

    #[test]
    fn cancelling_stops_the_writer() {
        let t = builtin::find("avery-l7651").unwrap();
        let mut calls = 0;
        let result = write_sheets(
            Vec::new(),
            &t,
            &Campaign::default(),
            &stickers(2000),
            &PrintOptions::default(),
            &mut |_, _| {
                calls += 1;
                false
            },
        );
        assert!(matches!(result, Err(SheetError::Cancelled)));
        assert_eq!(calls, 1);
    }
}

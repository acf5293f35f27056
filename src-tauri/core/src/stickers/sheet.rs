//! Sticker sheets as PDF: the campaign's artwork drawn once (a form XObject) and placed on
//! every label; each label's QR code and printed code drawn on top. Pages are built on all
//! cores a window at a time and streamed to the output in order, so memory stays flat
//! however long the batch.

use super::campaign::Campaign;
use super::design::{layout, Design};
use super::pdf::{embed_used_fonts, fmt, text_string, FontIds, PdfWriter};
use super::qr::{self, EcLevel};
use super::template::Template;
use super::text::{FontBook, Line, Weight};
use super::to_mm;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

mod calibration;
mod draw;
pub use calibration::write_calibration;
use draw::*;
pub use draw::{
    artwork_lines, code_alphabet, code_line, fit_size, logo_boxes, place, show, sticker_lines, Placed,
};

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

//! The campaign's logo (a PNG), drawn in the middle of every QR code. A logo hides modules, so
//! codes with a logo are always printed at level H (30% of the code can be lost) and the logo
//! covers about 5% of the code's area, well clear of the finder squares in the corners.

use std::io::Cursor;

/// The logo's side as a share of the QR code's side (0.22² ≈ 5% of the area).
pub const SHARE_OF_QR: f64 = 0.22;
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_PIXELS: u32 = 2000;

/// A decoded logo, ready for PDF: 8-bit RGB and, when it has one, its alpha channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
    pub alpha: Option<Vec<u8>>,
    /// The PNG as given (the preview shows it as is).
    pub png: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LogoError {
    #[error("the logo is larger than 2 MB")]
    TooBig,
    #[error("the logo is not a PNG or SVG image the app can read ({0})")]
    NotPng(String),
    #[error("the logo is {0}×{1} pixels; use one at most 2000 pixels a side")]
    TooManyPixels(u32, u32),
}

/// The pixel size an SVG logo is drawn at (its longer side): sharp at any sticker size.
pub const SVG_PIXELS: u32 = 600;

/// Takes a logo as uploaded, a PNG or an SVG, and gives the PNG to keep. SVGs are drawn to a
/// PNG here, with no access to files or the network; text in them is drawn with the shipped
/// Noto fonts (sans for sans-serif and any family not shipped, serif for serif).
pub fn from_upload(bytes: &[u8]) -> Result<Vec<u8>, LogoError> {
    if bytes.len() > MAX_BYTES {
        return Err(LogoError::TooBig);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.trim_start().starts_with('<') && (head.contains("<svg") || head.contains("<?xml")) {
        let tree = resvg::usvg::Tree::from_data(bytes, &svg_options())
            .map_err(|e| LogoError::NotPng(format!("not an SVG either: {e}")))?;
        let size = tree.size();
        let scale = f64::from(SVG_PIXELS) / f64::from(size.width().max(size.height()));
        let (w, h) = (
            (f64::from(size.width()) * scale).ceil() as u32,
            (f64::from(size.height()) * scale).ceil() as u32,
        );
        let mut pixmap =
            resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or(LogoError::TooManyPixels(w, h))?;
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(scale as f32, scale as f32),
            &mut pixmap.as_mut(),
        );
        let png = pixmap.encode_png().map_err(|e| LogoError::NotPng(e.to_string()))?;
        decode(&png)?;
        return Ok(png);
    }
    decode(bytes)?;
    Ok(bytes.to_vec())
}

/// Reading options for SVG logos: the shipped fonts only (never the system's, so a logo draws
/// the same on every machine), Noto Sans where a family is not shipped.
fn svg_options() -> resvg::usvg::Options<'static> {
    use std::sync::{Arc, LazyLock};
    static FONTS: LazyLock<Arc<resvg::usvg::fontdb::Database>> = LazyLock::new(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        for bytes in crate::stickers::text::font_files() {
            db.load_font_data(bytes.to_vec());
        }
        db.set_sans_serif_family("Noto Sans");
        db.set_serif_family("Noto Serif");
        db.set_monospace_family("Noto Sans");
        db.set_cursive_family("Noto Sans");
        db.set_fantasy_family("Noto Sans");
        Arc::new(db)
    });
    let mut options =
        resvg::usvg::Options { font_family: "Noto Sans".into(), fontdb: FONTS.clone(), ..Default::default() };
    options.font_resolver.select_font = Box::new(select_font);
    options
}

/// The families the SVG asks for, then Noto Sans (usvg's own choice ends with serif, which
/// would turn a logo set in Helvetica or Arial into a serif one).
fn select_font(
    font: &resvg::usvg::Font,
    db: &mut std::sync::Arc<resvg::usvg::fontdb::Database>,
) -> Option<resvg::usvg::fontdb::ID> {
    use resvg::usvg::fontdb::{Family, Query, Stretch, Style, Weight};
    use resvg::usvg::{FontFamily, FontStyle};
    let mut families: Vec<Family<'_>> = font
        .families()
        .iter()
        .map(|f| match f {
            FontFamily::Serif => Family::Serif,
            FontFamily::SansSerif => Family::SansSerif,
            FontFamily::Cursive => Family::Cursive,
            FontFamily::Fantasy => Family::Fantasy,
            FontFamily::Monospace => Family::Monospace,
            FontFamily::Named(name) => Family::Name(name),
        })
        .collect();
    families.push(Family::SansSerif);
    let style = match font.style() {
        FontStyle::Normal => Style::Normal,
        FontStyle::Italic => Style::Italic,
        FontStyle::Oblique => Style::Oblique,
    };
    db.query(&Query { families: &families, weight: Weight(font.weight()), stretch: Stretch::Normal, style })
}

pub fn decode(png_bytes: &[u8]) -> Result<Logo, LogoError> {
    if png_bytes.len() > MAX_BYTES {
        return Err(LogoError::TooBig);
    }
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    // Palettes, low bit depths and 16-bit channels all become plain 8-bit samples.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| LogoError::NotPng(e.to_string()))?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w > MAX_PIXELS || h > MAX_PIXELS || w == 0 || h == 0 {
        return Err(LogoError::TooManyPixels(w, h));
    }
    let mut buf = vec![0; reader.output_buffer_size().ok_or_else(|| LogoError::NotPng("too large".into()))?];
    let frame = reader.next_frame(&mut buf).map_err(|e| LogoError::NotPng(e.to_string()))?;
    let data = &buf[..frame.buffer_size()];
    let pixels = (w * h) as usize;
    let (mut rgb, mut alpha) = (Vec::with_capacity(pixels * 3), None);
    match frame.color_type {
        png::ColorType::Rgb => rgb.extend_from_slice(data),
        png::ColorType::Rgba => {
            let mut a = Vec::with_capacity(pixels);
            for px in data.chunks_exact(4) {
                rgb.extend_from_slice(&px[..3]);
                a.push(px[3]);
            }
            alpha = Some(a);
        }
        png::ColorType::Grayscale => data.iter().for_each(|g| rgb.extend_from_slice(&[*g, *g, *g])),
        png::ColorType::GrayscaleAlpha => {
            let mut a = Vec::with_capacity(pixels);
            for px in data.chunks_exact(2) {
                rgb.extend_from_slice(&[px[0], px[0], px[0]]);
                a.push(px[1]);
            }
            alpha = Some(a);
        }
        png::ColorType::Indexed => return Err(LogoError::NotPng("unexpanded palette".into())),
    }
    Ok(Logo { width: w, height: h, rgb, alpha, png: png_bytes.to_vec() })
}

#[cfg(test)]
pub(crate) fn sample_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("header");
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let inside = (x as i64 - w as i64 / 2).pow(2) + (y as i64 - h as i64 / 2).pow(2)
                    < (w as i64 / 2).pow(2);
                data.extend_from_slice(&[15, 95, 90, if inside { 255 } else { 0 }]);
            }
        }
        writer.write_image_data(&data).expect("data");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses() {
        let logo = decode(&sample_png(40, 30)).unwrap();
        assert_eq!((logo.width, logo.height), (40, 30));
        assert_eq!(logo.rgb.len(), 40 * 30 * 3);
        assert_eq!(logo.alpha.as_ref().map(Vec::len), Some(40 * 30));
        assert!(matches!(decode(b"GIF89a not a png"), Err(LogoError::NotPng(_))));
        assert_eq!(decode(&vec![0; MAX_BYTES + 1]), Err(LogoError::TooBig));
    }

    #[test]
    fn svg_logos_are_drawn_to_png() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><circle cx="10" cy="10" r="9" fill="#0f5f5a"/><rect x="22" y="2" width="16" height="16" fill="#f4c430"/></svg>"##;
        let png = from_upload(svg).unwrap();
        let logo = decode(&png).unwrap();
        assert_eq!((logo.width, logo.height), (SVG_PIXELS, SVG_PIXELS / 2));
        // The circle's middle is painted, the corner between the shapes is not.
        let alpha = logo.alpha.unwrap();
        assert_eq!(alpha[(150 * SVG_PIXELS + 150) as usize], 255);
        assert_eq!(alpha[(5 * SVG_PIXELS + 300) as usize], 0);
        assert!(from_upload(b"<svg not closed").is_err());
        assert_eq!(from_upload(&sample_png(8, 8)).unwrap(), sample_png(8, 8));
    }

    /// Painted pixels in a row band of a logo drawn at `SVG_PIXELS` wide.
    fn inked(svg: &str, rows: std::ops::Range<u32>) -> usize {
        let logo = decode(&from_upload(svg.as_bytes()).unwrap()).unwrap();
        let alpha = logo.alpha.unwrap();
        rows.flat_map(|y| (0..logo.width).map(move |x| (y * logo.width + x) as usize))
            .filter(|&i| alpha[i] > 128)
            .count()
    }

    #[test]
    fn text_in_svg_logos_is_drawn_with_the_shipped_fonts() {
        // (family asked for, text) -> ink in the text's band; an empty text draws nothing.
        let cases = [
            ("Noto Sans", "MIGRANTS"),
            ("sans-serif", "MIGRANTS"),
            ("serif", "Welcome"),
            ("Helvetica Neue", "MIGRANTS"), // not shipped: Noto Sans instead
            ("Arial", "مرحبا"),             // Arabic, shaped by the Arabic face
        ];
        for (family, text) in cases {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><text x="5" y="35" font-family="{family}" font-size="24" fill="black">{text}</text></svg>"#
            );
            assert!(inked(&svg, 0..300) > 2000, "{family}: {text} left no ink");
        }
        // A family not shipped draws exactly as Noto Sans does, not as the serif face.
        let drawn = |family: &str| {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><text x="5" y="35" font-family="{family}" font-size="24">Rag</text></svg>"#
            );
            from_upload(svg.as_bytes()).unwrap()
        };
        assert_eq!(drawn("Helvetica Neue"), drawn("Noto Sans"));
        assert_ne!(drawn("Helvetica Neue"), drawn("Noto Serif"));
        let empty = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><text x="5" y="35" font-size="24"></text></svg>"#;
        assert_eq!(inked(empty, 0..300), 0);
    }
}

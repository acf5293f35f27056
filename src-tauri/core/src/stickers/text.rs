//! Text for stickers: the shipped Noto fonts, shaping with rustybuzz (so Arabic joins and reads
//! right to left), font fallback per run, and a record of the glyphs used so the PDF embeds
//! only those (a subset).

use rustybuzz::{Direction, Face, UnicodeBuffer};
use subsetter::GlyphRemapper;
use unicode_bidi::BidiInfo;

/// The shipped fonts (OFL-licensed, assets/fonts/OFL.txt): a Latin and an Arabic face for each
/// family, then faces for other scripts the campaign's languages use, shared by both families.
const FONTS: [(&str, &[u8]); 20] = [
    ("NotoSans-Regular", include_bytes!("../../../../assets/fonts/NotoSans-Regular.ttf")),
    ("NotoSans-Bold", include_bytes!("../../../../assets/fonts/NotoSans-Bold.ttf")),
    ("NotoSansArabic-Regular", include_bytes!("../../../../assets/fonts/NotoSansArabic-Regular.ttf")),
    ("NotoSansArabic-Bold", include_bytes!("../../../../assets/fonts/NotoSansArabic-Bold.ttf")),
    ("NotoSerif-Regular", include_bytes!("../../../../assets/fonts/NotoSerif-Regular.ttf")),
    ("NotoSerif-Bold", include_bytes!("../../../../assets/fonts/NotoSerif-Bold.ttf")),
    ("NotoNaskhArabic-Regular", include_bytes!("../../../../assets/fonts/NotoNaskhArabic-Regular.ttf")),
    ("NotoNaskhArabic-Bold", include_bytes!("../../../../assets/fonts/NotoNaskhArabic-Bold.ttf")),
    ("NotoSansEthiopic-Regular", include_bytes!("../../../../assets/fonts/NotoSansEthiopic-Regular.ttf")),
    ("NotoSansEthiopic-Bold", include_bytes!("../../../../assets/fonts/NotoSansEthiopic-Bold.ttf")),
    ("NotoSansBengali-Regular", include_bytes!("../../../../assets/fonts/NotoSansBengali-Regular.ttf")),
    ("NotoSansBengali-Bold", include_bytes!("../../../../assets/fonts/NotoSansBengali-Bold.ttf")),
    ("NotoSansDevanagari-Regular", include_bytes!("../../../../assets/fonts/NotoSansDevanagari-Regular.ttf")),
    ("NotoSansDevanagari-Bold", include_bytes!("../../../../assets/fonts/NotoSansDevanagari-Bold.ttf")),
    ("NotoSansGeorgian-Regular", include_bytes!("../../../../assets/fonts/NotoSansGeorgian-Regular.ttf")),
    ("NotoSansGeorgian-Bold", include_bytes!("../../../../assets/fonts/NotoSansGeorgian-Bold.ttf")),
    ("NotoSansTamil-Regular", include_bytes!("../../../../assets/fonts/NotoSansTamil-Regular.ttf")),
    ("NotoSansTamil-Bold", include_bytes!("../../../../assets/fonts/NotoSansTamil-Bold.ttf")),
    ("NotoSansHebrew-Regular", include_bytes!("../../../../assets/fonts/NotoSansHebrew-Regular.ttf")),
    ("NotoSansHebrew-Bold", include_bytes!("../../../../assets/fonts/NotoSansHebrew-Bold.ttf")),
];

/// Every shipped font file's bytes (for drawing text inside SVG logos too).
pub fn font_files() -> impl Iterator<Item = &'static [u8]> {
    FONTS.iter().map(|(_, bytes)| *bytes)
}

/// The sticker's typeface family: the campaign picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FontFamily {
    #[default]
    Sans,
    Serif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn offset(self) -> usize {
        match self {
            Weight::Regular => 0,
            Weight::Bold => 1,
        }
    }
}

/// Fonts to try for a family and weight, in order: Latin, Arabic, then the other scripts.
fn chain(family: FontFamily, weight: Weight) -> Vec<usize> {
    let base = match family {
        FontFamily::Sans => 0,
        FontFamily::Serif => 4,
    };
    let mut out = vec![base + weight.offset(), base + 2 + weight.offset()];
    out.extend((8..FONTS.len()).step_by(2).map(|i| i + weight.offset()));
    out
}

pub struct Font {
    pub name: &'static str,
    pub data: &'static [u8],
    face: Face<'static>,
    pub units_per_em: f64,
    pub ascender: f64,
    pub descender: f64,
    pub cap_height: f64,
}

/// One shaped glyph. Lengths are in 1/1000 em (PDF text space).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub font: usize,
    /// The glyph's id in the font (what the preview draws).
    pub gid: u16,
    /// The glyph's id in the subset (what the PDF writes).
    pub cid: u16,
    pub advance: f64,
    pub x_offset: f64,
    pub y_offset: f64,
}

/// A shaped line, glyphs in visual order (left to right on the page).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub glyphs: Vec<Glyph>,
    /// Width in 1/1000 em: multiply by font size / 1000 for points.
    pub width: f64,
}

impl Line {
    pub fn width_at(&self, size: f64) -> f64 {
        self.width * size / 1000.0
    }
}

/// Per font: the glyphs used so far (old id → subset id), their widths, and the text each
/// stands for (for the PDF's ToUnicode map, so text can be searched and copied).
pub struct Used {
    pub remapper: GlyphRemapper,
    /// subset id → (advance in 1/1000 em, text)
    pub glyphs: Vec<(u16, f64, String)>,
}

pub struct FontBook {
    pub fonts: Vec<Font>,
    pub used: Vec<Used>,
    family: FontFamily,
}

#[derive(Debug, thiserror::Error)]
#[error("a shipped font could not be read: {0}")]
pub struct FontError(&'static str);

impl FontBook {
    pub fn new() -> Result<Self, FontError> {
        Self::with_family(FontFamily::Sans)
    }

    pub fn with_family(family: FontFamily) -> Result<Self, FontError> {
        let mut fonts = Vec::new();
        for (name, data) in FONTS {
            let face = Face::from_slice(data, 0).ok_or(FontError(name))?;
            let upem = f64::from(face.units_per_em());
            fonts.push(Font {
                name,
                data,
                units_per_em: upem,
                ascender: f64::from(face.ascender()) * 1000.0 / upem,
                descender: f64::from(face.descender()) * 1000.0 / upem,
                cap_height: f64::from(face.capital_height().unwrap_or(face.ascender())) * 1000.0 / upem,
                face,
            });
        }
        let used =
            fonts.iter().map(|_| Used { remapper: GlyphRemapper::new(), glyphs: Vec::new() }).collect();
        Ok(FontBook { fonts, used, family })
    }

    pub fn cap_height(&self, weight: Weight) -> f64 {
        self.fonts[chain(self.family, weight)[0]].cap_height
    }

    /// Shapes one line of text: bidi runs in visual order, each split where the font changes.
    pub fn shape(&mut self, text: &str, weight: Weight) -> Line {
        let mut line = Line::default();
        let bidi = BidiInfo::new(text, None);
        for para in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(para, para.range.clone());
            for run in runs {
                let rtl = levels[run.start].is_rtl();
                let mut pieces = self.split_by_font(&text[run.clone()], weight);
                if rtl {
                    pieces.reverse();
                }
                for (font, piece) in pieces {
                    self.shape_piece(&mut line, font, piece, rtl);
                }
            }
        }
        line
    }

    /// Splits text into pieces that one font can draw; spaces and punctuation stay with the
    /// piece before them.
    fn split_by_font<'t>(&self, text: &'t str, weight: Weight) -> Vec<(usize, &'t str)> {
        let chain = chain(self.family, weight);
        let mut pieces: Vec<(usize, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<usize> = None;
        for (i, c) in text.char_indices() {
            let neutral = c.is_whitespace() || c.is_ascii_punctuation();
            let font = if neutral && current.is_some_and(|f| self.fonts[f].face.glyph_index(c).is_some()) {
                current
            } else {
                Some(
                    chain
                        .iter()
                        .copied()
                        .find(|f| self.fonts[*f].face.glyph_index(c).is_some())
                        .unwrap_or(chain[0]),
                )
            };
            if font != current {
                if let Some(f) = current {
                    pieces.push((f, &text[start..i]));
                }
                start = i;
                current = font;
            }
        }
        if let Some(f) = current {
            pieces.push((f, &text[start..]));
        }
        pieces
    }

    fn shape_piece(&mut self, line: &mut Line, font: usize, text: &str, rtl: bool) {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
        buffer.guess_segment_properties();
        let f = &self.fonts[font];
        let scale = 1000.0 / f.units_per_em;
        let shaped = rustybuzz::shape(&f.face, &[], buffer);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        // Cluster boundaries, to give each glyph the text it stands for.
        let mut bounds: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        bounds.sort_unstable();
        bounds.dedup();
        for (info, pos) in infos.iter().zip(positions) {
            let cluster = info.cluster as usize;
            let end = bounds.iter().copied().find(|b| *b > cluster).unwrap_or(text.len());
            let gid = info.glyph_id as u16;
            let advance = f64::from(pos.x_advance) * scale;
            let used = &mut self.used[font];
            let known = used.remapper.get(gid).is_some();
            let cid = used.remapper.remap(gid);
            if !known {
                // The glyph's own advance (its width in the font), not the shaped one.
                let width = f
                    .face
                    .glyph_hor_advance(ttf_parser::GlyphId(gid))
                    .map_or(advance, |a| f64::from(a) * scale);
                used.glyphs.push((cid, width, text[cluster..end].to_string()));
            }
            line.glyphs.push(Glyph {
                font,
                gid,
                cid,
                advance,
                x_offset: f64::from(pos.x_offset) * scale,
                y_offset: f64::from(pos.y_offset) * scale,
            });
            line.width += advance;
        }
    }

    /// Splits `text` into at most `max_lines` lines no wider than `width` points at `size`.
    /// `None` when it does not fit.
    pub fn wrap(
        &mut self,
        text: &str,
        weight: Weight,
        size: f64,
        width: f64,
        max_lines: usize,
    ) -> Option<Vec<Line>> {
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
            if self.shape(&candidate, weight).width_at(size) <= width || current.is_empty() {
                current = candidate;
            } else {
                lines.push(std::mem::replace(&mut current, word.to_string()));
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines {
            return None;
        }
        let shaped: Vec<Line> = lines.iter().map(|l| self.shape(l, weight)).collect();
        shaped.iter().all(|l| l.width_at(size) <= width + 0.01).then_some(shaped)
    }

    /// The outline of glyph `gid` of `font` as SVG path data, in 1/1000 em with y up.
    pub fn outline(&self, font: usize, gid: u16) -> String {
        struct Path(String, f64);
        impl ttf_parser::OutlineBuilder for Path {
            fn move_to(&mut self, x: f32, y: f32) {
                let k = self.1;
                self.0.push_str(&format!("M{:.1} {:.1}", f64::from(x) * k, f64::from(y) * k));
            }
            fn line_to(&mut self, x: f32, y: f32) {
                let k = self.1;
                self.0.push_str(&format!("L{:.1} {:.1}", f64::from(x) * k, f64::from(y) * k));
            }
            fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
                let k = self.1;
                self.0.push_str(&format!(
                    "Q{:.1} {:.1} {:.1} {:.1}",
                    f64::from(x1) * k,
                    f64::from(y1) * k,
                    f64::from(x) * k,
                    f64::from(y) * k
                ));
            }
            fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
                let k = self.1;
                self.0.push_str(&format!(
                    "C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}",
                    f64::from(x1) * k,
                    f64::from(y1) * k,
                    f64::from(x2) * k,
                    f64::from(y2) * k,
                    f64::from(x) * k,
                    f64::from(y) * k
                ));
            }
            fn close(&mut self) {
                self.0.push('Z');
            }
        }
        let f = &self.fonts[font];
        let mut path = Path(String::new(), 1000.0 / f.units_per_em);
        f.face.outline_glyph(ttf_parser::GlyphId(gid), &mut path);
        path.0
    }

    /// Each font's recorded glyph widths, by subset id (what the PDF's text operators need).
    pub fn widths(&self) -> Vec<std::collections::HashMap<u16, f64>> {
        self.used.iter().map(|u| u.glyphs.iter().map(|(cid, w, _)| (*cid, *w)).collect()).collect()
    }

    /// The subset font program for `font`, holding only the glyphs used.
    pub fn subset(&self, font: usize) -> Result<Vec<u8>, FontError> {
        subsetter::subset(self.fonts[font].data, 0, &self.used[font].remapper)
            .map_err(|_| FontError(self.fonts[font].name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_arabic_and_mixed_lines_shape_with_the_right_fonts() {
        let mut book = FontBook::new().unwrap();
        let latin = book.shape("Migrants Contribute", Weight::Bold);
        assert!(latin.glyphs.iter().all(|g| g.font == 1));
        assert_eq!(latin.glyphs.len(), "Migrants Contribute".chars().count());

        // Arabic letters join: fewer or equal glyphs, all from the Arabic font, and laid out
        // right to left (the first letter's glyph is last in visual order).
        let arabic = book.shape("المهاجرون يساهمون", Weight::Regular);
        assert!(arabic.glyphs.iter().all(|g| g.font == 2));
        assert!(arabic.width > 0.0);

        let mixed = book.shape("#MigrantsContribute المهاجرون", Weight::Bold);
        let fonts: Vec<usize> = mixed.glyphs.iter().map(|g| g.font).collect();
        assert!(fonts.contains(&1) && fonts.contains(&3), "{fonts:?}");
    }

    #[test]
    fn other_scripts_and_the_serif_family() {
        let mut book = FontBook::new().unwrap();
        // Amharic, Bengali, Hindi, Georgian, Tamil and Hebrew each find their own face.
        for (text, font) in
            [("ሰላም", 8), ("স্বাগতম", 10), ("स्वागत", 12), ("გამარჯობა", 14), ("வணக்கம்", 16), ("שלום", 18)]
        {
            let line = book.shape(text, Weight::Regular);
            assert!(
                line.glyphs.iter().all(|g| g.font == font),
                "{text}: {:?}",
                line.glyphs.iter().map(|g| g.font).collect::<Vec<_>>()
            );
            assert!(line.glyphs.iter().all(|g| g.gid != 0), "{text} has no missing glyphs");
        }
        // Punctuation stays with its neighbours' face only when that face has it.
        let mut serif_book = FontBook::with_family(FontFamily::Serif).unwrap();
        let line = serif_book.shape("#المهاجرون_يساهمون", Weight::Bold);
        assert!(line.glyphs.iter().all(|g| g.gid != 0), "no missing glyphs: {:?}", line.glyphs);
        let mut serif = FontBook::with_family(FontFamily::Serif).unwrap();
        assert!(serif.shape("Welcome", Weight::Bold).glyphs.iter().all(|g| g.font == 5));
        assert!(serif.shape("أهلا", Weight::Regular).glyphs.iter().all(|g| g.font == 6));
    }

    #[test]
    fn glyphs_used_are_recorded_once_with_their_text() {
        let mut book = FontBook::new().unwrap();
        book.shape("ABBA", Weight::Regular);
        let used = &book.used[0].glyphs;
        assert_eq!(used.len(), 2);
        assert_eq!(used.iter().map(|(_, _, t)| t.as_str()).collect::<Vec<_>>(), vec!["A", "B"]);
        let subset = book.subset(0).unwrap();
        assert!(subset.len() < FONTS[0].1.len() / 20, "subset is {} bytes", subset.len());
    }

    #[test]
    fn wrapping_fits_width_and_line_count() {
        let mut book = FontBook::new().unwrap();
        let text = "This business is proud to be part of our town";
        let lines = book.wrap(text, Weight::Regular, 8.0, 100.0, 3).expect("fits in three lines");
        assert!(lines.len() >= 2 && lines.len() <= 3);
        assert!(lines.iter().all(|l| l.width_at(8.0) <= 100.01));
        assert!(book.wrap(text, Weight::Regular, 8.0, 40.0, 2).is_none());
    }
}

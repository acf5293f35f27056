//! A small streaming PDF writer: objects go to the file as soon as they are made, so a batch
//! of 10,000 stickers never sits in memory whole. Only what sticker sheets need: streams
//! (optionally deflated), dictionaries written as text, embedded subset TrueType fonts.

use super::text::FontBook;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct PdfWriter<W: Write> {
    out: W,
    written: u64,
    /// Byte offset of each object, by id (index 0 unused).
    offsets: Vec<Option<u64>>,
}

impl<W: Write> PdfWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        // The binary comment tells transfer tools the file is not text.
        let header = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
        out.write_all(header)?;
        Ok(PdfWriter { out, written: header.len() as u64, offsets: vec![None] })
    }

    /// An id for an object that will be written later.
    pub fn reserve(&mut self) -> u32 {
        self.offsets.push(None);
        (self.offsets.len() - 1) as u32
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Writes object `id` whose body is `dict` (a dictionary or any PDF value, as text).
    pub fn object(&mut self, id: u32, body: &str) -> io::Result<()> {
        self.offsets[id as usize] = Some(self.written);
        self.put(format!("{id} 0 obj\n{body}\nendobj\n").as_bytes())
    }

    /// Writes a stream object; `dict` holds the entries besides /Length and /Filter.
    pub fn stream(&mut self, id: u32, dict: &str, data: &[u8], deflate: bool) -> io::Result<()> {
        let packed;
        let (data, filter) = if deflate {
            packed = self::deflate(data);
            (packed.as_slice(), " /Filter /FlateDecode")
        } else {
            (data, "")
        };
        self.offsets[id as usize] = Some(self.written);
        self.put(format!("{id} 0 obj\n<< {dict} /Length {}{filter} >>\nstream\n", data.len()).as_bytes())?;
        self.put(data)?;
        self.put(b"\nendstream\nendobj\n")
    }

    /// Writes a stream whose data the caller already deflated (so pages can be compressed on
    /// the workers that build them).
    pub fn stream_deflated(&mut self, id: u32, dict: &str, zlib: &[u8]) -> io::Result<()> {
        self.offsets[id as usize] = Some(self.written);
        self.put(
            format!("{id} 0 obj\n<< {dict} /Length {} /Filter /FlateDecode >>\nstream\n", zlib.len())
                .as_bytes(),
        )?;
        self.put(zlib)?;
        self.put(b"\nendstream\nendobj\n")
    }

    /// A page of `width` x `height` points drawing `content` with `resources`.
    pub fn page(
        &mut self,
        id: u32,
        parent: u32,
        resources: u32,
        content: u32,
        width: f64,
        height: f64,
    ) -> io::Result<()> {
        self.object(
            id,
            &format!(
                "<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 {} {}] /Resources {resources} 0 R \
                 /Contents {content} 0 R >>",
                fmt(width),
                fmt(height)
            ),
        )
    }

    /// The page tree over `kids`, the catalog and the document information (titled `title`),
    /// then the cross-reference table: the end of a document.
    pub fn close(mut self, catalog: u32, pages: u32, kids: &[u32], info: u32, title: &str) -> io::Result<W> {
        let list: String = kids.iter().map(|k| format!("{k} 0 R ")).collect();
        self.object(pages, &format!("<< /Type /Pages /Kids [{list}] /Count {} >>", kids.len()))?;
        self.object(catalog, &format!("<< /Type /Catalog /Pages {pages} 0 R >>"))?;
        self.object(
            info,
            &format!(
                "<< /Title {} /Producer (Tablemap {}) /Creator (Tablemap) >>",
                text_string(title),
                env!("CARGO_PKG_VERSION")
            ),
        )?;
        self.finish(catalog, info)
    }

    /// Writes the cross-reference table and trailer, and hands back the output.
    pub fn finish(mut self, catalog: u32, info: u32) -> io::Result<W> {
        let xref_at = self.written;
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len());
        for (id, offset) in self.offsets.iter().enumerate().skip(1) {
            let offset = offset
                .ok_or_else(|| io::Error::other(format!("PDF object {id} was reserved but never written")))?;
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root {catalog} 0 R /Info {info} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            self.offsets.len()
        );
        self.put(table.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// zlib-deflates stream data (level 6: a good size for little time).
pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// A PDF string literal with `(`, `)` and `\` escaped; non-ASCII as octal escapes.
pub fn text_string(s: &str) -> String {
    // Document info strings: UTF-16BE with a byte-order mark when not plain ASCII.
    if s.is_ascii() {
        let mut out = String::from("(");
        for c in s.chars() {
            match c {
                '(' | ')' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_ascii_control() => {}
                c => out.push(c),
            }
        }
        out.push(')');
        out
    } else {
        let mut out = String::from("<FEFF");
        for unit in s.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push('>');
        out
    }
}

/// Ids reserved for one embedded font: the Type0 font (what pages name) and its parts.
pub struct FontIds {
    pub type0: u32,
    cid_font: u32,
    descriptor: u32,
    file: u32,
    to_unicode: u32,
}

impl FontIds {
    /// For a font that drew nothing: its reserved objects become null.
    pub fn fill_unused<W: Write>(&self, pdf: &mut PdfWriter<W>) -> io::Result<()> {
        for id in [self.type0, self.cid_font, self.descriptor, self.file, self.to_unicode] {
            pdf.object(id, "null")?;
        }
        Ok(())
    }

    pub fn reserve<W: Write>(pdf: &mut PdfWriter<W>) -> Self {
        FontIds {
            type0: pdf.reserve(),
            cid_font: pdf.reserve(),
            descriptor: pdf.reserve(),
            file: pdf.reserve(),
            to_unicode: pdf.reserve(),
        }
    }
}

/// Embeds font `index` of the book as a subset CID font (Identity-H, CIDs = subset glyph ids).
/// `tag` is the six capital letters PDF puts before a subset font's name.
pub fn embed_font<W: Write>(
    pdf: &mut PdfWriter<W>,
    ids: &FontIds,
    book: &FontBook,
    index: usize,
    tag: &str,
) -> io::Result<()> {
    let font = &book.fonts[index];
    let used = &book.used[index];
    let name = format!("{tag}+{}", font.name);
    let program = book.subset(index).map_err(|e| io::Error::other(e.to_string()))?;

    let mut glyphs = used.glyphs.clone();
    glyphs.sort_by_key(|g| g.0);
    let mut widths = String::new();
    for (cid, width, _) in &glyphs {
        let _ = write!(widths, "{cid} [{}] ", fmt(*width));
    }
    pdf.object(ids.type0, &format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
        ids.cid_font, ids.to_unicode
    ))?;
    pdf.object(ids.cid_font, &format!(
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
         /FontDescriptor {} 0 R /DW 0 /W [{widths}] /CIDToGIDMap /Identity >>",
        ids.descriptor
    ))?;
    pdf.object(
        ids.descriptor,
        &format!(
        "<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [-1000 -500 2500 1200] /ItalicAngle 0 \
         /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {} 0 R >>",
        fmt(font.ascender), fmt(font.descender), fmt(font.cap_height), ids.file
    ),
    )?;
    pdf.stream(ids.file, &format!("/Length1 {}", program.len()), &program, true)?;

    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    let mapped: Vec<&(u16, f64, String)> = glyphs.iter().filter(|g| !g.2.is_empty()).collect();
    for chunk in mapped.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (cid, _, text) in chunk {
            let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            let _ = writeln!(cmap, "<{cid:04X}> <{hex}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    pdf.stream(ids.to_unicode, "", cmap.as_bytes(), true)
}

/// A number as PDF writes it: at most 3 decimals, no trailing zeros.
pub fn fmt(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        let s = format!("{r:.3}");
        s.trim_end_matches('0').to_string()
    }
}

/// Embeds the fonts that drew something and returns the /Font dictionary's entries. Ids
/// reserved for the others are filled with null so the cross-reference table stays whole.
pub fn embed_used_fonts<W: Write>(
    pdf: &mut PdfWriter<W>,
    font_ids: &[FontIds],
    book: &FontBook,
) -> io::Result<String> {
    let mut dict = String::new();
    for (i, ids) in font_ids.iter().enumerate() {
        if book.used[i].glyphs.is_empty() {
            ids.fill_unused(pdf)?;
            continue;
        }
        embed_font(pdf, ids, book, i, &subset_tag(i))?;
        let _ = write!(dict, "/F{i} {} 0 R ", ids.type0);
    }
    Ok(dict)
}

/// Six capital letters before a subset font's name, different per font (PDF's convention).
fn subset_tag(i: usize) -> String {
    let mut n = i as u32 + 7;
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (n % 26) as u8);
            n = n / 26 + 3;
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_tags_are_six_capitals_and_distinct() {
        let tags: Vec<String> = (0..4).map(subset_tag).collect();
        assert!(tags.iter().all(|t| t.len() == 6 && t.chars().all(|c| c.is_ascii_uppercase())));
        assert_eq!(tags.iter().collect::<std::collections::HashSet<_>>().len(), 4);
    }

    #[test]
    fn numbers_and_strings() {
        let cases = [(1.0, "1"), (0.5, "0.5"), (-2.25, "-2.25"), (1.23456, "1.235"), (0.0004, "0")];
        for (v, want) in cases {
            assert_eq!(fmt(v), want, "{v}");
        }
        assert_eq!(text_string("a(b)\\"), "(a\\(b\\)\\\\)");
        assert_eq!(text_string("é"), "<FEFF00E9>");
    }

    #[test]
    fn a_minimal_document_has_a_valid_xref() {
        let mut pdf = PdfWriter::new(Vec::new()).unwrap();
        let catalog = pdf.reserve();
        let pages = pdf.reserve();
        let page = pdf.reserve();
        let info = pdf.reserve();
        pdf.object(page, &format!("<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 100 100] >>")).unwrap();
        pdf.object(pages, &format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>")).unwrap();
        pdf.object(catalog, &format!("<< /Type /Catalog /Pages {pages} 0 R >>")).unwrap();
        pdf.object(info, "<< /Producer (Tablemap) >>").unwrap();
        let bytes = pdf.finish(catalog, info).unwrap();
        // Each xref entry points at "N 0 obj" (offsets count bytes, header's binary ones too).
        let xref = bytes.windows(5).position(|w| w == b"xref\n").unwrap();
        let table = String::from_utf8(bytes[xref..].to_vec()).unwrap();
        for (i, line) in table.lines().skip(3).take(4).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(bytes[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
        let unwritten = PdfWriter::new(Vec::new()).map(|mut p| {
            p.reserve();
            p.finish(1, 1)
        });
        assert!(unwritten.unwrap().is_err());
    }
}

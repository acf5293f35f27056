//! Imports gLabels template files (the XML that Debian's glabels-data installs under
//! /usr/share/libglabels-3.0/templates), so every product gLabels knows prints here too.
//! Lengths: a bare number is points; `pt`, `mm`, `cm`, `in` and `pc` suffixes are allowed.
//! `y0` counts from the top of the page, as here. `equiv="…"` makes an alias of another part
//! of the same brand.

use super::template::{LabelShape, Layout, PageSize, Template};
use super::{mm, INCH};
use roxmltree::{Document, Node};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GlabelsError {
    #[error("line {line}, column {column}: {reason}")]
    At { line: u32, column: u32, reason: String },
}

/// What a file held: the templates that can be used, and the ones passed over and why.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub templates: Vec<Template>,
    pub skipped: Vec<(String, String)>,
}

fn at(doc: &Document<'_>, node: Node<'_, '_>, reason: impl Into<String>) -> GlabelsError {
    let pos = doc.text_pos_at(node.range().start);
    GlabelsError::At { line: pos.row, column: pos.col, reason: reason.into() }
}

/// A gLabels length in points.
pub fn length(text: &str) -> Option<f64> {
    let t = text.trim();
    // The unit is a suffix; the number may be in exponent form (3.9e-16pt is in the data).
    let units = [("pt", 1.0), ("mm", mm(1.0)), ("cm", mm(10.0)), ("in", INCH), ("pc", 12.0)];
    let (number, factor) =
        units.iter().find_map(|(u, f)| t.strip_suffix(u).map(|n| (n, *f))).unwrap_or((t, 1.0));
    let value: f64 = number.trim().parse().ok()?;
    value.is_finite().then_some(value * factor)
}

fn paper(id: &str) -> Option<PageSize> {
    let (w, h) = match id {
        "A3" => (mm(297.0), mm(420.0)),
        "A4" => return Some(PageSize::a4()),
        "A5" => (mm(148.0), mm(210.0)),
        "A6" => (mm(105.0), mm(148.0)),
        "SRA3" => (mm(320.0), mm(450.0)),
        "US-Letter" => return Some(PageSize::letter()),
        "US-Legal" => (612.0, 1008.0),
        "US-Executive" => (522.0, 756.0),
        _ => return None,
    };
    Some(PageSize { name: id.to_string(), width: w, height: h })
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Reads one gLabels templates file. Malformed XML is an error with its line and column
/// (nothing from the file is used). A template Tablemap cannot print on (CDs, unknown paper,
/// a value that is not a length, labels off the page) is passed over with the reason and,
/// for a bad value, where it is.
pub fn parse(xml: &str) -> Result<Parsed, GlabelsError> {
    let doc = Document::parse(xml).map_err(|e| {
        let p = e.pos();
        GlabelsError::At { line: p.row, column: p.col, reason: e.to_string() }
    })?;
    let mut out = Parsed::default();
    let mut by_part: HashMap<(String, String), Template> = HashMap::new();
    let mut aliases = Vec::new();
    for node in doc.root_element().children().filter(|n| n.has_tag_name("Template")) {
        let brand = node.attribute("brand").unwrap_or("").to_string();
        let part = node.attribute("part").or_else(|| node.attribute("name")).unwrap_or("").to_string();
        let name = format!("{brand} {part}").trim().to_string();
        if let Some(equiv) = node.attribute("equiv") {
            aliases.push((brand.clone(), part.clone(), name, equiv.to_string(), node));
            continue;
        }
        match template(&doc, node, &brand, &part, &name) {
            Ok(t) => {
                by_part.insert((brand.clone(), part.clone()), t.clone());
                out.templates.push(t);
            }
            Err(reason) => out.skipped.push((name, reason)),
        }
    }
    // Aliases may point at aliases: resolve until nothing more resolves.
    let mut pending = aliases;
    loop {
        let before = pending.len();
        let mut still = Vec::new();
        for (brand, part, name, equiv, node) in pending {
            match by_part.get(&(brand.clone(), equiv.clone())).cloned() {
                Some(original) => {
                    let description = node
                        .attribute("_description")
                        .or_else(|| node.attribute("description"))
                        .map_or_else(|| original.description.clone(), str::to_string);
                    let t = Template {
                        id: format!("glabels-{}", slug(&name)),
                        name: name.clone(),
                        description,
                        ..original
                    };
                    by_part.insert((brand.clone(), part.clone()), t.clone());
                    out.templates.push(t);
                }
                None => still.push((brand, part, name, equiv, node)),
            }
        }
        pending = still;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    let passed_over: std::collections::HashSet<String> = out.skipped.iter().map(|(n, _)| n.clone()).collect();
    for (brand, _, name, equiv, _) in pending {
        let target = format!("{brand} {equiv}");
        let why = if passed_over.contains(&target) {
            format!("an alias of {target}, which was passed over")
        } else {
            format!("an alias of {target}, which this file does not define")
        };
        out.skipped.push((name, why));
    }
    Ok(out)
}

/// One `<Template>`, or why it cannot be used (with the line and column of a bad value).
fn template(
    doc: &Document<'_>,
    node: Node<'_, '_>,
    brand: &str,
    part: &str,
    name: &str,
) -> Result<Template, String> {
    let len = |n: Node<'_, '_>, attr: &str| -> Result<Option<f64>, String> {
        match n.attribute(attr) {
            None => Ok(None),
            Some(v) => length(v)
                .map(Some)
                .ok_or_else(|| at(doc, n, format!("'{v}' is not a length (for {attr})")).to_string()),
        }
    };
    let size = node.attribute("size").unwrap_or("");
    let page = if size == "Other" || size.is_empty() {
        match (len(node, "width")?, len(node, "height")?) {
            (Some(w), Some(h)) => PageSize { name: "custom".into(), width: w, height: h },
            _ => return Err("no page size".into()),
        }
    } else {
        match paper(size) {
            Some(p) => p,
            None => return Err(format!("paper size {size} is not supported")),
        }
    };
    let Some(label) = node.children().find(|n| n.is_element() && n.tag_name().name().starts_with("Label-"))
    else {
        return Err("no label".into());
    };
    let shape = match label.tag_name().name() {
        "Label-rectangle" => LabelShape::Rectangle {
            width: len(label, "width")?.unwrap_or(0.0),
            height: len(label, "height")?.unwrap_or(0.0),
            corner_radius: len(label, "round")?.unwrap_or(0.0),
        },
        "Label-round" => LabelShape::Round { diameter: 2.0 * len(label, "radius")?.unwrap_or(0.0) },
        // An ellipse prints like a rectangle whose corners are as round as they can be.
        "Label-ellipse" => {
            let (w, h) = (len(label, "width")?.unwrap_or(0.0), len(label, "height")?.unwrap_or(0.0));
            LabelShape::Rectangle { width: w, height: h, corner_radius: w.min(h) / 2.0 }
        }
        other => return Err(format!("{other} labels are not supported")),
    };
    let mut layouts = Vec::new();
    for l in label.children().filter(|n| n.has_tag_name("Layout")) {
        let count = |attr: &str| l.attribute(attr).and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(1);
        layouts.push(Layout {
            columns: count("nx"),
            rows: count("ny"),
            left: len(l, "x0")?.unwrap_or(0.0),
            top: len(l, "y0")?.unwrap_or(0.0),
            h_pitch: len(l, "dx")?.unwrap_or(0.0),
            v_pitch: len(l, "dy")?.unwrap_or(0.0),
        });
    }
    let description =
        node.attribute("_description").or_else(|| node.attribute("description")).unwrap_or("").to_string();
    let t = Template {
        id: format!("glabels-{}", slug(&format!("{brand} {part}"))),
        name: name.to_string(),
        description,
        page,
        shape,
        layouts,
    };
    t.validate().map_err(|e| e.to_string())?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stickers::to_mm;

    #[test]
    fn lengths() {
        let cases: &[(&str, Option<f64>)] = &[
            ("72", Some(72.0)),
            ("72pt", Some(72.0)),
            ("1in", Some(72.0)),
            (" 25.4mm ", Some(72.0)),
            ("2.54cm", Some(72.0)),
            ("6pc", Some(72.0)),
            ("1ft", None),
            ("", None),
            ("mm", None),
            ("3.93386e-16pt", Some(3.93386e-16)),
            ("1e2", Some(100.0)),
        ];
        for (text, want) in cases {
            let got = length(text);
            assert!(
                match (got, want) {
                    (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                    (None, None) => true,
                    _ => false,
                },
                "{text}: {got:?}"
            );
        }
    }

    const SAMPLE: &str = r#"<?xml version="1.0"?>
<Glabels-templates>
  <Template brand="Acme" part="100" size="A4" _description="Address labels">
    <Label-rectangle id="0" width="63.5mm" height="38.1mm" round="2mm">
      <Layout nx="3" ny="7" x0="7.21mm" y0="15.15mm" dx="66.04mm" dy="38.1mm"/>
    </Label-rectangle>
  </Template>
  <Template brand="Acme" part="100-B" equiv="100"/>
  <Template brand="Acme" part="R" size="US-Letter" _description="Round">
    <Label-round id="0" radius="0.75in"><Layout nx="4" ny="5" x0="0.5in" y0="0.75in" dx="2in" dy="2in"/></Label-round>
  </Template>
  <Template brand="Acme" part="CD" size="A4"><Label-cd id="0" radius="58mm" hole="11mm"/></Template>
  <Template brand="Acme" part="Ghost" equiv="missing"/>
</Glabels-templates>"#;

    #[test]
    fn a_sample_file() {
        let parsed = parse(SAMPLE).unwrap();
        let names: Vec<&str> = parsed.templates.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["Acme 100", "Acme R", "Acme 100-B"]);
        let t = &parsed.templates[0];
        assert_eq!(t.count(), 21);
        assert!((to_mm(t.shape.width()) - 63.5).abs() < 1e-9);
        assert_eq!(parsed.templates[2].layouts, t.layouts);
        assert_eq!(parsed.templates[2].id, "glabels-acme-100-b");
        assert!(parsed.templates[1].shape.is_round());
        let skipped: Vec<&str> = parsed.skipped.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(skipped, vec!["Acme CD", "Acme Ghost"]);
    }

    #[test]
    fn problems_are_reported_where_they_are() {
        let bad_length = SAMPLE.replace("width=\"63.5mm\"", "width=\"63.5 furlongs\"");
        let parsed = parse(&bad_length).unwrap();
        let (name, why) = &parsed.skipped[0];
        assert_eq!(name, "Acme 100");
        assert!(why.starts_with("line 4, column 5") && why.contains("63.5 furlongs"), "{why}");
        let broken = SAMPLE.replace("</Label-rectangle>", "");
        assert!(parse(&broken).unwrap_err().to_string().starts_with("line "), "malformed XML names a line");
    }
}

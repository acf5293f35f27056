//! The label sheets Tablemap knows out of the box. Figures are the manufacturer's published
//! layout (Avery rounds to 0.1 mm; where it publishes inch-derived sizes such as 21.17 mm,
//! those are used, since 13 rows of rounding add up). Sources and confidence are in
//! ARCHITECTURE.md; the tests below check each against its published figures.

use super::template::{LabelShape, Layout, PageSize, Template};
use super::{mm, INCH};

fn rect(w: f64, h: f64, r: f64) -> LabelShape {
    LabelShape::Rectangle { width: w, height: h, corner_radius: r }
}

fn grid(columns: u32, rows: u32, left: f64, top: f64, h_pitch: f64, v_pitch: f64) -> Vec<Layout> {
    vec![Layout { columns, rows, left, top, h_pitch, v_pitch }]
}

fn template(
    id: &str,
    name: &str,
    description: &str,
    page: PageSize,
    shape: LabelShape,
    layouts: Vec<Layout>,
) -> Template {
    Template { id: id.into(), name: name.into(), description: description.into(), page, shape, layouts }
}

/// Every built-in template, in the order the window lists them.
pub fn all() -> Vec<Template> {
    let inch = |v: f64| v * INCH;
    vec![
        template(
            "avery-l7160",
            "Avery L7160",
            "A4, 21 labels, 63.5 × 38.1 mm",
            PageSize::a4(),
            rect(mm(63.5), mm(38.1), mm(1.5)),
            grid(3, 7, mm(7.21), mm(15.15), mm(66.04), mm(38.1)),
        ),
        template(
            "avery-l7163",
            "Avery L7163",
            "A4, 14 labels, 99.1 × 38.1 mm",
            PageSize::a4(),
            rect(mm(99.1), mm(38.1), mm(1.5)),
            grid(2, 7, mm(4.65), mm(15.15), mm(101.6), mm(38.1)),
        ),
        template(
            "avery-l7651",
            "Avery L7651",
            "A4, 65 labels, 38.1 × 21.2 mm",
            PageSize::a4(),
            rect(mm(38.1), mm(21.17), mm(1.5)),
            grid(5, 13, mm(4.67), mm(10.9), mm(40.64), mm(21.17)),
        ),
        template(
            "avery-l7670",
            "Avery L7670",
            "A4, 12 round labels, 63.5 mm across",
            PageSize::a4(),
            LabelShape::Round { diameter: mm(63.5) },
            grid(3, 4, mm(5.25), mm(14.75), mm(68.0), mm(68.0)),
        ),
        template(
            "avery-5160",
            "Avery 5160",
            "US Letter, 30 labels, 2⅝ × 1 in",
            PageSize::letter(),
            rect(inch(2.625), inch(1.0), inch(0.0625)),
            grid(3, 10, inch(0.1875), inch(0.5), inch(2.75), inch(1.0)),
        ),
        template(
            "avery-22806",
            "Avery 22806",
            "US Letter, 12 square labels, 2 × 2 in",
            PageSize::letter(),
            rect(inch(2.0), inch(2.0), inch(0.125)),
            grid(3, 4, inch(0.625), inch(0.625), inch(2.625), inch(31.0 / 12.0)),
        ),
        template(
            "a4-page",
            "A4 page",
            "One poster per A4 page",
            PageSize::a4(),
            rect(mm(210.0), mm(297.0), 0.0),
            grid(1, 1, 0.0, 0.0, mm(210.0), mm(297.0)),
        ),
        template(
            "letter-page",
            "US Letter page",
            "One poster per Letter page",
            PageSize::letter(),
            rect(612.0, 792.0, 0.0),
            grid(1, 1, 0.0, 0.0, 612.0, 792.0),
        ),
    ]
}

pub fn find(id: &str) -> Option<Template> {
    all().into_iter().find(|t| t.id.eq_ignore_ascii_case(id) || t.name.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stickers::to_mm;

    /// Published figures, in mm: (id, per sheet, label w, label h, first label's left and top,
    /// last label's left and top, page w, page h).
    #[test]
    fn templates_match_published_figures() {
        #[rustfmt::skip]
        let cases: &[(&str, u32, f64, f64, (f64, f64), (f64, f64), (f64, f64))] = &[
            ("avery-l7160", 21, 63.5, 38.1, (7.21, 15.15), (139.29, 243.75), (210.0, 297.0)),
            ("avery-l7163", 14, 99.1, 38.1, (4.65, 15.15), (106.25, 243.75), (210.0, 297.0)),
            ("avery-l7651", 65, 38.1, 21.17, (4.67, 10.9), (167.23, 264.94), (210.0, 297.0)),
            ("avery-l7670", 12, 63.5, 63.5, (5.25, 14.75), (141.25, 218.75), (210.0, 297.0)),
            ("avery-5160", 30, 66.675, 25.4, (4.7625, 12.7), (144.4625, 241.3), (215.9, 279.4)),
            ("avery-22806", 12, 50.8, 50.8, (15.875, 15.875), (149.225, 212.725), (215.9, 279.4)),
            ("a4-page", 1, 210.0, 297.0, (0.0, 0.0), (0.0, 0.0), (210.0, 297.0)),
            ("letter-page", 1, 215.9, 279.4, (0.0, 0.0), (0.0, 0.0), (215.9, 279.4)),
        ];
        let close = |a: f64, b: f64| (a - b).abs() < 0.01;
        for &(id, count, w, h, first, last, page) in cases {
            let t = find(id).unwrap_or_else(|| panic!("no template {id}"));
            assert_eq!(t.count(), count, "{id}");
            assert!(close(to_mm(t.shape.width()), w) && close(to_mm(t.shape.height()), h), "{id} label size");
            assert!(close(to_mm(t.page.width), page.0) && close(to_mm(t.page.height), page.1), "{id} page");
            let (x0, y0) = t.label_origin(0).unwrap();
            assert!(
                close(to_mm(x0), first.0) && close(to_mm(y0), first.1),
                "{id} first label at {}, {}",
                to_mm(x0),
                to_mm(y0)
            );
            let (xn, yn) = t.label_origin(count - 1).unwrap();
            assert!(
                close(to_mm(xn), last.0) && close(to_mm(yn), last.1),
                "{id} last label at {}, {}",
                to_mm(xn),
                to_mm(yn)
            );
            t.validate().unwrap_or_else(|e| panic!("{id}: {e}"));
            // Sheets are laid out symmetrically: the margins left and right match, as do top and bottom.
            let right = to_mm(t.page.width) - (to_mm(xn) + w);
            let bottom = to_mm(t.page.height) - (to_mm(yn) + h);
            assert!((right - first.0).abs() < 0.1, "{id}: left {} right {right}", first.0);
            assert!((bottom - first.1).abs() < 0.1, "{id}: top {} bottom {bottom}", first.1);
        }
        assert_eq!(all().len(), cases.len());
    }

    #[test]
    fn pdf_page_sizes_are_exact() {
        let a4 = find("avery-l7160").unwrap().page;
        assert!((a4.width - 595.2756).abs() < 1e-3 && (a4.height - 841.8898).abs() < 1e-3);
        let letter = find("avery-5160").unwrap().page;
        assert_eq!((letter.width, letter.height), (612.0, 792.0));
    }

    #[test]
    fn find_by_id_or_name() {
        assert_eq!(find("Avery L7160").map(|t| t.id), Some("avery-l7160".to_string()));
        assert_eq!(find("AVERY-L7160").map(|t| t.id), Some("avery-l7160".to_string()));
        assert!(find("L9999").is_none());
    }
}

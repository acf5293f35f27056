//! A label sheet: page size, label shape, and where each label sits. Lengths are in points
//! (1/72 inch); positions are measured from the page's top-left corner, as manufacturers
//! publish them. `label_rect` converts to PDF coordinates (origin bottom-left).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageSize {
    /// "A4", "US-Letter" or "custom".
    pub name: String,
    pub width: f64,
    pub height: f64,
}

impl PageSize {
    pub fn a4() -> Self {
        PageSize { name: "A4".into(), width: super::mm(210.0), height: super::mm(297.0) }
    }
    pub fn letter() -> Self {
        PageSize { name: "US-Letter".into(), width: 612.0, height: 792.0 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum LabelShape {
    Rectangle { width: f64, height: f64, corner_radius: f64 },
    Round { diameter: f64 },
}

impl LabelShape {
    pub fn width(&self) -> f64 {
        match self {
            LabelShape::Rectangle { width, .. } => *width,
            LabelShape::Round { diameter } => *diameter,
        }
    }
    pub fn height(&self) -> f64 {
        match self {
            LabelShape::Rectangle { height, .. } => *height,
            LabelShape::Round { diameter } => *diameter,
        }
    }
    pub fn is_round(&self) -> bool {
        matches!(self, LabelShape::Round { .. })
    }
}

/// A grid of labels: `columns` × `rows`, the first label's top-left corner at (`left`, `top`)
/// from the page's top-left, each next one `h_pitch` / `v_pitch` further.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Layout {
    pub columns: u32,
    pub rows: u32,
    pub left: f64,
    pub top: f64,
    pub h_pitch: f64,
    pub v_pitch: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Template {
    /// Stable id: `avery-l7160`, `glabels-avery-7160`, `custom-…`.
    pub id: String,
    /// What people call it: "Avery L7160".
    pub name: String,
    pub description: String,
    pub page: PageSize,
    pub shape: LabelShape,
    /// Usually one grid; some sheets (gLabels knows them) have several.
    pub layouts: Vec<Layout>,
}

/// A label's box in PDF coordinates: `x`, `y` are its bottom-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("{what} must be a positive length")]
    NotPositive { what: &'static str },
    #[error("label {index} ({column}, {row}) lies outside the page")]
    OffPage { index: u32, column: u32, row: u32 },
    #[error("labels {a} and {b} overlap")]
    Overlap { a: u32, b: u32 },
    #[error("the template has no labels")]
    Empty,
}

/// Slack for rounding in published figures (0.05 mm).
const TOLERANCE: f64 = 0.05 * super::MM;
/// How far a label may reach past the page's edge: gLabels' data rounds some sheets to whole
/// points (two 298 pt labels on a 595.3 pt page); no printer prints that close to the edge.
const EDGE_TOLERANCE: f64 = 1.0 * super::MM;

impl Template {
    /// Labels per sheet.
    pub fn count(&self) -> u32 {
        self.layouts.iter().map(|l| l.columns * l.rows).sum()
    }

    /// The top-left corner (from the page's top-left) of label `index`, counting across each
    /// row first, then down, then through the next layout.
    pub fn label_origin(&self, index: u32) -> Option<(f64, f64)> {
        let mut i = index;
        for l in &self.layouts {
            let n = l.columns * l.rows;
            if i < n {
                let (row, column) = (i / l.columns, i % l.columns);
                return Some((l.left + f64::from(column) * l.h_pitch, l.top + f64::from(row) * l.v_pitch));
            }
            i -= n;
        }
        None
    }

    /// Label `index`'s box in PDF coordinates (origin at the page's bottom-left).
    pub fn label_rect(&self, index: u32) -> Option<Rect> {
        let (x, top) = self.label_origin(index)?;
        let (width, height) = (self.shape.width(), self.shape.height());
        Some(Rect { x, y: self.page.height - top - height, width, height })
    }

    /// Every label inside the page and none overlapping another.
    pub fn validate(&self) -> Result<(), TemplateError> {
        let positive = [
            ("page width", self.page.width),
            ("page height", self.page.height),
            ("label width", self.shape.width()),
            ("label height", self.shape.height()),
        ];
        for (what, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(TemplateError::NotPositive { what });
            }
        }
        let n = self.count();
        if n == 0 {
            return Err(TemplateError::Empty);
        }
        let rects: Vec<Rect> = (0..n).filter_map(|i| self.label_rect(i)).collect();
        for (i, r) in rects.iter().enumerate() {
            let inside = r.x >= -EDGE_TOLERANCE
                && r.y >= -EDGE_TOLERANCE
                && r.x + r.width <= self.page.width + EDGE_TOLERANCE
                && r.y + r.height <= self.page.height + EDGE_TOLERANCE;
            if !inside {
                let columns = self.layouts.first().map_or(1, |l| l.columns.max(1));
                let index = i as u32;
                return Err(TemplateError::OffPage { index, column: index % columns, row: index / columns });
            }
        }
        // Neighbours in a grid are enough to find overlaps: pitch smaller than the label.
        for l in &self.layouts {
            if (l.columns > 1 && l.h_pitch + TOLERANCE < self.shape.width())
                || (l.rows > 1 && l.v_pitch + TOLERANCE < self.shape.height())
            {
                return Err(TemplateError::Overlap { a: 0, b: 1 });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stickers::mm;

    fn grid(columns: u32, rows: u32) -> Template {
        Template {
            id: "t".into(),
            name: "T".into(),
            description: String::new(),
            page: PageSize::a4(),
            shape: LabelShape::Rectangle { width: mm(60.0), height: mm(30.0), corner_radius: 0.0 },
            layouts: vec![Layout {
                columns,
                rows,
                left: mm(10.0),
                top: mm(20.0),
                h_pitch: mm(65.0),
                v_pitch: mm(32.0),
            }],
        }
    }

    #[test]
    fn origins_count_across_then_down() {
        let t = grid(3, 2);
        assert_eq!(t.count(), 6);
        let cases =
            [(0, (10.0, 20.0)), (1, (75.0, 20.0)), (2, (140.0, 20.0)), (3, (10.0, 52.0)), (5, (140.0, 52.0))];
        for (i, (x, y)) in cases {
            let (ox, oy) = t.label_origin(i).unwrap();
            assert!((ox - mm(x)).abs() < 1e-9 && (oy - mm(y)).abs() < 1e-9, "label {i}");
        }
        assert_eq!(t.label_origin(6), None);
        // PDF coordinates: bottom-left corner, y up.
        let r = t.label_rect(0).unwrap();
        assert!((r.y - (mm(297.0) - mm(20.0) - mm(30.0))).abs() < 1e-9);
    }

    #[test]
    fn validation_cases() {
        let cases: Vec<(Template, Option<&str>)> = vec![
            (grid(3, 8), None),
            (grid(4, 8), Some("outside")),
            (grid(3, 9), Some("outside")),
            (Template { layouts: vec![], ..grid(1, 1) }, Some("no labels")),
            (
                Template {
                    shape: LabelShape::Rectangle { width: mm(70.0), height: mm(30.0), corner_radius: 0.0 },
                    ..grid(2, 1)
                },
                Some("overlap"),
            ),
            (Template { shape: LabelShape::Round { diameter: -1.0 }, ..grid(1, 1) }, Some("positive")),
        ];
        for (t, want) in cases {
            let got = t.validate().err().map(|e| e.to_string());
            match want {
                None => assert_eq!(got, None),
                Some(w) => assert!(got.as_deref().is_some_and(|g| g.contains(w)), "{got:?} should say {w}"),
            }
        }
    }
}

//! Where things go on one sticker: the QR code as large as the label allows, the campaign's
//! headline and second line, the code in print (so a volunteer can type it), and the
//! restaurant's name when stickers are pre-assigned. Pure geometry in label-local points
//! (origin at the label's bottom-left), the same for the PDF and the window's preview.

use super::mm;
use super::template::LabelShape;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Area {
    fn right(&self) -> f64 {
        self.x + self.width
    }
    fn top(&self) -> f64 {
        self.y + self.height
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Start,
    Centre,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The QR code's square, quiet zone included.
    pub qr: Area,
    pub headline: Area,
    pub second_line: Option<Area>,
    /// The printed code: one line.
    pub code: Area,
    pub restaurant: Option<Area>,
    pub align: Align,
    /// Largest font sizes, in points; text shrinks to fit its area.
    pub headline_max: f64,
    pub body_max: f64,
    pub code_size: f64,
}

/// Lays out a sticker on a label of `shape`.
pub fn layout(shape: &LabelShape, with_restaurant: bool) -> Design {
    let (w, h) = (shape.width(), shape.height());
    let short = w.min(h);
    if short > mm(150.0) {
        return poster(w, h, with_restaurant);
    }
    let pad = (short * 0.06).max(mm(1.2));
    match shape {
        LabelShape::Round { diameter } => round(*diameter, with_restaurant),
        _ if w >= h * 1.35 => wide(w, h, pad, with_restaurant),
        _ => square(w, h, pad, with_restaurant),
    }
}

/// Wide labels: the QR code on the left, words on the right. On labels tall enough, the
/// headline runs across the whole width above both.
fn wide(w: f64, h: f64, pad: f64, with_restaurant: bool) -> Design {
    let banner = h >= mm(30.0);
    let headline_h = if banner { h * 0.2 } else { 0.0 };
    let side = h - 2.0 * pad - if banner { headline_h + pad * 0.4 } else { 0.0 };
    let qr = Area { x: pad, y: pad, width: side, height: side };
    let text = Area { x: qr.right() + pad * 0.6, y: pad, width: w - qr.right() - pad * 1.6, height: side };
    let code_size = (h * 0.11).clamp(5.0, 11.0);
    let code = Area { x: text.x, y: text.y, width: text.width, height: code_size * 1.2 };
    let headline = if banner {
        Area { x: pad, y: h - pad - headline_h, width: w - 2.0 * pad, height: headline_h }
    } else {
        Area { x: text.x, y: text.top() - text.height * 0.3, width: text.width, height: text.height * 0.3 }
    };
    let top = if banner { text.top() } else { headline.y };
    let restaurant = with_restaurant.then(|| Area {
        x: text.x,
        y: code.top(),
        width: text.width,
        height: code_size * 1.1,
    });
    let floor = restaurant.map_or(code.top(), |r| r.top());
    let second_line = Some(Area {
        x: text.x,
        y: floor + pad * 0.3,
        width: text.width,
        height: (top - floor - pad * 0.6).max(0.0),
    });
    Design {
        qr,
        headline,
        second_line,
        code,
        restaurant,
        align: Align::Start,
        headline_max: (h * 0.3).clamp(5.0, 28.0),
        body_max: (h * 0.09).clamp(4.5, 12.0),
        code_size,
    }
}

/// Square and tall labels: headline on top, the QR code centred, the code underneath.
fn square(w: f64, h: f64, pad: f64, with_restaurant: bool) -> Design {
    let code_size = (h * 0.07).clamp(5.0, 10.0);
    let headline_h = h * 0.13;
    let below = code_size * 1.3 + if with_restaurant { code_size * 1.2 } else { 0.0 };
    let side = (h - 2.0 * pad - headline_h - below).min(w - 2.0 * pad);
    let qr = Area { x: (w - side) / 2.0, y: pad + below, width: side, height: side };
    let headline = Area { x: pad, y: qr.top(), width: w - 2.0 * pad, height: h - pad - qr.top() };
    let code =
        Area { x: pad, y: pad + below - code_size * 1.3, width: w - 2.0 * pad, height: code_size * 1.2 };
    let restaurant =
        with_restaurant.then_some(Area { x: pad, y: pad, width: w - 2.0 * pad, height: code_size * 1.1 });
    Design {
        qr,
        headline,
        second_line: None,
        code,
        restaurant,
        align: Align::Centre,
        headline_max: (h * 0.09).clamp(5.0, 20.0),
        body_max: (h * 0.06).clamp(4.5, 10.0),
        code_size,
    }
}

/// Round labels: everything inside the circle. The QR code's corners stay inside it.
fn round(d: f64, with_restaurant: bool) -> Design {
    let r = d / 2.0;
    let side = d * 0.5;
    let qr = Area { x: r - side / 2.0, y: r - side / 2.0 - d * 0.04, width: side, height: side };
    let chord = |y: f64| 2.0 * (r * r - (y - r).powi(2)).max(0.0).sqrt();
    // The headline band sits above the code, where the circle is still wide.
    let band_bottom = qr.top() + d * 0.02;
    let band_top = d * 0.86;
    let headline_w = chord(band_top) * 0.92;
    let headline =
        Area { x: r - headline_w / 2.0, y: band_bottom, width: headline_w, height: band_top - band_bottom };
    let code_size = (d * 0.055).clamp(5.0, 10.0);
    let code_y = qr.y - code_size * 1.35;
    let code_w = chord(code_y) * 0.9;
    let code = Area { x: r - code_w / 2.0, y: code_y, width: code_w, height: code_size * 1.2 };
    let restaurant = with_restaurant.then(|| {
        let y = code.y - code_size * 1.2;
        let rw = chord(y) * 0.85;
        Area { x: r - rw / 2.0, y, width: rw, height: code_size * 1.1 }
    });
    Design {
        qr,
        headline,
        second_line: None,
        code,
        restaurant,
        align: Align::Centre,
        headline_max: (d * 0.08).clamp(5.0, 16.0),
        body_max: (d * 0.05).clamp(4.5, 10.0),
        code_size,
    }
}

/// A whole page: a big headline, the code in the middle, the second line and code below.
fn poster(w: f64, h: f64, with_restaurant: bool) -> Design {
    let margin = mm(18.0);
    let side = (w - 2.0 * margin).min(h * 0.5);
    let qr = Area { x: (w - side) / 2.0, y: h * 0.3, width: side, height: side };
    let headline = Area {
        x: margin,
        y: qr.top() + mm(8.0),
        width: w - 2.0 * margin,
        height: h - margin - qr.top() - mm(8.0),
    };
    let second_line =
        Some(Area { x: margin, y: h * 0.3 - mm(42.0), width: w - 2.0 * margin, height: mm(34.0) });
    let code = Area { x: margin, y: margin + mm(12.0), width: w - 2.0 * margin, height: mm(10.0) };
    let restaurant =
        with_restaurant.then(|| Area { x: margin, y: margin, width: w - 2.0 * margin, height: mm(8.0) });
    Design {
        qr,
        headline,
        second_line,
        code,
        restaurant,
        align: Align::Centre,
        headline_max: 54.0,
        body_max: 24.0,
        code_size: 20.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stickers::{builtin, qr, to_mm};

    fn inside(a: &Area, w: f64, h: f64) -> bool {
        a.x >= -1e-6
            && a.y >= -1e-6
            && a.right() <= w + 1e-6
            && a.top() <= h + 1e-6
            && a.width >= 0.0
            && a.height >= 0.0
    }

    fn inside_circle(a: &Area, d: f64) -> bool {
        let r = d / 2.0;
        [(a.x, a.y), (a.right(), a.y), (a.x, a.top()), (a.right(), a.top())]
            .iter()
            .all(|(x, y)| ((x - r).powi(2) + (y - r).powi(2)).sqrt() <= r + 1e-6)
    }

    fn overlap(a: &Area, b: &Area) -> bool {
        a.x < b.right() - 1e-6 && b.x < a.right() - 1e-6 && a.y < b.top() - 1e-6 && b.y < a.top() - 1e-6
    }

    #[test]
    fn every_builtin_template_fits_its_sticker() {
        // A short campaign URL at level Q: the module size each template gives.
        let shape = qr::encode("HTTPS://MC.ORG.UK/S/7K3M9QZ", qr::EcLevel::Q).unwrap();
        for t in builtin::all() {
            for with_restaurant in [false, true] {
                let d = layout(&t.shape, with_restaurant);
                let (w, h) = (t.shape.width(), t.shape.height());
                let mut areas = vec![("qr", d.qr), ("headline", d.headline), ("code", d.code)];
                areas.extend(d.second_line.map(|a| ("second line", a)));
                areas.extend(d.restaurant.map(|a| ("restaurant", a)));
                for (name, a) in &areas {
                    assert!(inside(a, w, h), "{}: {name} {a:?} outside {w}×{h}", t.id);
                    if t.shape.is_round() {
                        assert!(inside_circle(a, w), "{}: {name} {a:?} outside the circle", t.id);
                    }
                }
                for (i, (na, a)) in areas.iter().enumerate() {
                    for (nb, b) in &areas[i + 1..] {
                        assert!(!overlap(a, b), "{}: {na} overlaps {nb}", t.id);
                    }
                }
                assert!((d.qr.width - d.qr.height).abs() < 1e-9, "{}: the QR area is square", t.id);
                let module = shape.module_mm(to_mm(d.qr.width));
                assert!(module >= qr::MIN_MODULE_MM, "{}: {module:.2} mm modules", t.id);
            }
        }
    }
}

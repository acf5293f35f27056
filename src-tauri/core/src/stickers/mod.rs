//! Sticker sheets: label templates and their layout maths, sticker codes, QR codes drawn as
//! vector paths, the campaign's words and fonts, and the PDF writer that puts them together.
//! Pure Rust with no Tauri: the window and the CLI reach it through `api::stickers`.

pub mod builtin;
pub mod campaign;
pub mod codes;
pub mod design;

pub mod glabels;
pub mod logo;
pub mod pdf;
pub mod preview;
pub mod qr;
pub mod sheet;

pub mod template;
pub mod text;

pub use template::{LabelShape, Layout, PageSize, Template};

/// Points per millimetre (PDF works in points, 1/72 inch).
pub const MM: f64 = 72.0 / 25.4;
/// Points per inch.
pub const INCH: f64 = 72.0;

pub fn mm(v: f64) -> f64 {
    v * MM
}

pub fn to_mm(points: f64) -> f64 {
    points / MM
}

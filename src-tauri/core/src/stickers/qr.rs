//! QR codes for stickers: encoded with the smallest segments that fit (the URL's scheme and
//! host upper-cased so they use the denser alphanumeric mode), drawn as merged rectangles:
//! horizontal runs of dark modules, stacked where the same run repeats on the next row.

use qrcodegen::{QrCode, QrCodeEcc, QrSegment, Version};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

/// The quiet zone around every code, in modules (the standard's minimum).
pub const QUIET_ZONE: u32 = 4;
/// Below this printed module size, phone cameras struggle (especially behind glass).
pub const MIN_MODULE_MM: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum EcLevel {
    L,
    M,
    Q,
    H,
}

impl EcLevel {
    fn ecc(self) -> QrCodeEcc {
        match self {
            EcLevel::L => QrCodeEcc::Low,
            EcLevel::M => QrCodeEcc::Medium,
            EcLevel::Q => QrCodeEcc::Quartile,
            EcLevel::H => QrCodeEcc::High,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            EcLevel::L => "L",
            EcLevel::M => "M",
            EcLevel::Q => "Q",
            EcLevel::H => "H",
        }
    }
}

impl fmt::Display for EcLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EcLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "L" => Ok(EcLevel::L),
            "M" => Ok(EcLevel::M),
            "Q" => Ok(EcLevel::Q),
            "H" => Ok(EcLevel::H),
            _ => Err(format!("unknown error-correction level '{s}'; use L, M, Q or H")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the text is too long for a QR code at level {0}")]
pub struct TooLong(EcLevel);

/// A QR code's dark modules as rectangles, in module units from the top-left of the symbol
/// (quiet zone not included).
#[derive(Debug, Clone, PartialEq)]
pub struct QrShape {
    /// Modules per side.
    pub size: u32,
    pub version: u8,
    /// (x, y, width, height)
    pub rects: Vec<(u16, u16, u16, u16)>,
}

impl QrShape {
    /// Modules per side including the quiet zone on both sides.
    pub fn size_with_quiet_zone(&self) -> u32 {
        self.size + 2 * QUIET_ZONE
    }

    /// How big one module prints when the whole code (with its quiet zone) is `side_mm` wide.
    pub fn module_mm(&self, side_mm: f64) -> f64 {
        side_mm / f64::from(self.size_with_quiet_zone())
    }
}

const ALNUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The text the QR carries for `url`: scheme and host upper-cased (they are case-insensitive),
/// so more of it fits the alphanumeric mode. Path and query keep their case.
pub fn qr_text(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                scheme.to_ascii_uppercase(),
                rest[..host_end].to_ascii_uppercase(),
                &rest[host_end..]
            )
        }
        None => url.to_string(),
    }
}

/// Segments for `text`: the longest alphanumeric-mode prefix, then bytes, when that is
/// shorter than bytes alone.
fn segments(text: &str) -> Vec<QrSegment> {
    let split = text.find(|c: char| !ALNUM.contains(c)).unwrap_or(text.len());
    let bytes_only = vec![QrSegment::make_bytes(text.as_bytes())];
    if split == 0 {
        return bytes_only;
    }
    let mut mixed = vec![QrSegment::make_alphanumeric(&text[..split])];
    if split < text.len() {
        mixed.push(QrSegment::make_bytes(&text.as_bytes()[split..]));
    }
    // Bits at versions 10-26 (count fields: alphanumeric 11 bits, bytes 16), mode headers included.
    let alnum_bits = |n: usize| 4 + 11 + 11 * (n / 2) + 6 * (n % 2);
    let byte_bits = |n: usize| if n == 0 { 0 } else { 4 + 16 + 8 * n };
    if alnum_bits(split) + byte_bits(text.len() - split) < byte_bits(text.len()) {
        mixed
    } else {
        bytes_only
    }
}

/// Encodes `text` at `level` and merges its dark modules into rectangles.
pub fn encode(text: &str, level: EcLevel) -> Result<QrShape, TooLong> {
    let segs = segments(text);
    // boost_ecl=false: the level asked for is the level printed, so tests can check it.
    let code = QrCode::encode_segments_advanced(&segs, level.ecc(), Version::MIN, Version::MAX, None, false)
        .map_err(|_| TooLong(level))?;
    let size = code.size() as u32;
    Ok(QrShape {
        size,
        version: code.version().value(),
        rects: merge(size, |x, y| code.get_module(x as i32, y as i32)),
    })
}

/// Dark modules as rectangles: runs along each row, and a run that repeats exactly on the
/// next row grows downwards instead of starting a new rectangle.
pub fn merge(size: u32, dark: impl Fn(u32, u32) -> bool) -> Vec<(u16, u16, u16, u16)> {
    let mut done = Vec::new();
    // Open rectangles by (x, width) → (top row, height).
    let mut open: Vec<((u16, u16), (u16, u16))> = Vec::new();
    for y in 0..size {
        let mut runs = Vec::new();
        let mut x = 0;
        while x < size {
            if dark(x, y) {
                let start = x;
                while x < size && dark(x, y) {
                    x += 1;
                }
                runs.push((start as u16, (x - start) as u16));
            } else {
                x += 1;
            }
        }
        let mut next_open = Vec::with_capacity(runs.len());
        for run in runs {
            match open.iter().position(|(k, _)| *k == run) {
                Some(i) => {
                    let (k, (top, h)) = open.swap_remove(i);
                    next_open.push((k, (top, h + 1)));
                }
                None => next_open.push((run, (y as u16, 1))),
            }
        }
        done.extend(open.drain(..).map(|((x, w), (top, h))| (x, top, w, h)));
        open = next_open;
    }
    done.extend(open.into_iter().map(|((x, w), (top, h))| (x, top, w, h)));
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_rectangles_cover_exactly_the_dark_modules() {
        for (text, level) in [
            ("HTTPS://EXAMPLE.ORG/7K3M9QZ", EcLevel::Q),
            ("https://example.org/s/7k3m9qz?utm_source=sticker", EcLevel::H),
        ] {
            let code = QrCode::encode_segments_advanced(
                &segments(text),
                level.ecc(),
                Version::MIN,
                Version::MAX,
                None,
                false,
            )
            .unwrap();
            let size = code.size() as u32;
            let shape = encode(text, level).unwrap();
            let mut painted = vec![0u8; (size * size) as usize];
            for &(x, y, w, h) in &shape.rects {
                for yy in y..y + h {
                    for xx in x..x + w {
                        painted[(u32::from(yy) * size + u32::from(xx)) as usize] += 1;
                    }
                }
            }
            for y in 0..size {
                for x in 0..size {
                    let want = u8::from(code.get_module(x as i32, y as i32));
                    assert_eq!(painted[(y * size + x) as usize], want, "module ({x},{y}) of {text}");
                }
            }
            let dark = painted.iter().filter(|p| **p == 1).count();
            assert!(shape.rects.len() * 2 < dark, "{} rectangles for {dark} modules", shape.rects.len());
        }
    }

    #[test]
    fn upper_case_scheme_and_host_keep_the_code_small() {
        let cases = [
            ("https://mc.org.uk/S/7K3M9QZ", "HTTPS://MC.ORG.UK/S/7K3M9QZ"),
            (
                "https://mc.org.uk/s/7K3M9QZ?utm_source=sticker",
                "HTTPS://MC.ORG.UK/s/7K3M9QZ?utm_source=sticker",
            ),
            ("https://xn--bcher-kva.de/7K3M9QZ", "HTTPS://XN--BCHER-KVA.DE/7K3M9QZ"),
        ];
        for (url, want) in cases {
            assert_eq!(qr_text(url), want);
        }
        let upper = encode(&qr_text("https://migrantscontribute.org/S/7K3M9QZ"), EcLevel::Q).unwrap();
        let lower = encode("https://migrantscontribute.org/s/7k3m9qz", EcLevel::Q).unwrap();
        assert!(upper.version < lower.version, "{} vs {}", upper.version, lower.version);
    }

    #[test]
    fn module_size_for_a_62_character_url_on_l7651_is_too_small() {
        // A typical sticker: ~19 mm of code for a 62-character URL gives about 0.35 mm.
        let url = "https://www.migrantscontribute.org.uk/stickers/7K3M9QZ?s=stkr1";
        assert_eq!(url.len(), 62);
        let shape = encode(url, EcLevel::Q).unwrap();
        let module = shape.module_mm(19.0);
        assert!(module < MIN_MODULE_MM, "{module}");
        assert!((0.30..0.45).contains(&module), "{module}");
    }

    #[test]
    fn levels_parse() {
        assert_eq!("q".parse::<EcLevel>().unwrap(), EcLevel::Q);
        assert!("X".parse::<EcLevel>().is_err());
    }
}

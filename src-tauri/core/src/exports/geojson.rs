//! GeoJSON (RFC 7946): a FeatureCollection of points, longitude first, WGS 84, streamed one
//! feature at a time.

use crate::store::restaurants::ExportRow;
use serde_json::json;
use std::io::{self, Write};

pub struct GeoJsonExport<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> GeoJsonExport<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        Ok(GeoJsonExport { out, first: true })
    }

    /// One restaurant: its public fields and its status (no visit notes, no volunteers).
    pub fn row(&mut self, r: &ExportRow) -> io::Result<()> {
        let x = &r.restaurant;
        let feature = json!({
            "type": "Feature",
            "id": x.id.to_string(),
            "geometry": { "type": "Point", "coordinates": [round7(x.lon), round7(x.lat)] },
            "properties": {
                "name": x.name,
                "address": x.address,
                "postcode": x.postcode,
                "cuisines": x.cuisines,
                "opening_hours": x.opening_hours,
                "website": x.website,
                "status": r.status.as_str(),
                "sticker_placed": r.status == crate::domain::Status::StickerPlaced,
                "listed_publicly": r.listed_publicly,
            }
        });
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, &feature).map_err(io::Error::other)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]}\n")?;
        Ok(self.out)
    }
}

/// RFC 7946 recommends no more precision than is meaningful: 7 decimals is about 1 cm.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

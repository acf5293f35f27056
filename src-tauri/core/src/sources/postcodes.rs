//! UK postcodes to coordinates through postcodes.io's bulk lookup: `POST /postcodes` with
//! `{"postcodes": [...]}`, at most 100 per request, answered as
//! `{"status": 200, "result": [{"query": "...", "result": {..., "latitude", "longitude"} | null}]}`.

use super::error::{json_error, send, Endpoint, Service, SourceError};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

/// postcodes.io refuses more than this many postcodes in one request.
pub const MAX_BULK: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(20);

pub use crate::domain::postcode::normalise;

#[derive(Deserialize)]
struct Bulk {
    status: Option<u16>,
    result: Option<Vec<BulkItem>>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct BulkItem {
    query: String,
    result: Option<Place>,
}

#[derive(Deserialize)]
struct Place {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// Parses one bulk answer into `query -> position` (`None`: not a postcode postcodes.io knows, or
/// one without a grid reference).
pub fn parse_bulk(body: &[u8]) -> Result<HashMap<String, Option<(f64, f64)>>, SourceError> {
    let bulk: Bulk = serde_json::from_slice(body).map_err(|e| json_error(Service::Postcodes, body, &e))?;
    if let Some(status) = bulk.status.filter(|s| *s != 200) {
        return Err(SourceError::Http {
            service: Service::Postcodes,
            status,
            detail: bulk.error.unwrap_or_default(),
        });
    }
    let Some(items) = bulk.result else {
        return Err(SourceError::Malformed {
            service: Service::Postcodes,
            line: 1,
            column: 1,
            reason: "there is no \"result\" list".into(),
        });
    };
    Ok(items
        .into_iter()
        .map(|i| {
            let position = i.result.and_then(|p| Some((p.latitude?, p.longitude?)));
            (i.query, position)
        })
        .collect())
}

/// A postcodes.io server.
pub struct PostcodesClient {
    endpoint: Endpoint,
}

impl PostcodesClient {
    /// `base_url` as in `https://api.postcodes.io`.
    pub fn new(base_url: &str) -> Self {
        PostcodesClient { endpoint: Endpoint::new(base_url, TIMEOUT) }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.endpoint.timeout = timeout;
        self
    }

    /// Positions of `postcodes` (send them normalised), in the same order, asking at most 100 at
    /// a time. An unknown postcode is `None`, not an error.
    pub async fn lookup(&self, postcodes: &[String]) -> Result<Vec<Option<(f64, f64)>>, SourceError> {
        let url = self.endpoint.url("/postcodes");
        let mut out = Vec::with_capacity(postcodes.len());
        for chunk in postcodes.chunks(MAX_BULK) {
            let body = serde_json::json!({ "postcodes": chunk }).to_string();
            let request = self
                .endpoint
                .client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::ACCEPT, "application/json")
                .body(body);
            let answer = send(Service::Postcodes, &url, request, self.endpoint.timeout).await?;
            let found = parse_bulk(&answer)?;
            out.extend(chunk.iter().map(|p| found.get(p).copied().flatten()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising() {
        let cases: &[(&str, Option<&str>)] = &[
            ("E8 1AA", Some("E8 1AA")),
            ("e81aa", Some("E8 1AA")),
            ("  sw1a   2aa ", Some("SW1A 2AA")),
            ("N16 7XJ", Some("N16 7XJ")),
            ("M1 1AE", Some("M1 1AE")),
            ("B33 8TH", Some("B33 8TH")),
            ("CR2 6XH", Some("CR2 6XH")),
            ("DN55 1PT", Some("DN55 1PT")),
            ("W1A 0AX", Some("W1A 0AX")),
            ("EC1A 1BB", Some("EC1A 1BB")),
            ("gir0aa", Some("GIR 0AA")),
            ("GIR 1AA", None),
            ("75001", None),
            ("10115", None),
            ("90210-1234", None),
            ("SW1A", None),
            ("E8", None),
            ("", None),
            ("E8 1A", None),
            ("1E8 1AA", None),
            ("E888 1AA", None),
            ("E8 AAA", None),
            ("E8 11A", None),
            ("É8 1AA", None),
            ("SW1A 2AAX", None),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise(raw).as_deref(), *want, "{raw:?}");
        }
    }

    #[test]
    fn bulk_answers() {
        let body = br#"{"status":200,"result":[
            {"query":"E8 1AA","result":{"postcode":"E8 1AA","quality":1,"longitude":-0.055,"latitude":51.545,"country":"England"}},
            {"query":"ZZ9 9ZZ","result":null},
            {"query":"JE2 3AB","result":{"postcode":"JE2 3AB","quality":9,"longitude":null,"latitude":null}}
        ]}"#;
        let got = parse_bulk(body).expect("parse");
        assert_eq!(got["E8 1AA"], Some((51.545, -0.055)));
        assert_eq!(got["ZZ9 9ZZ"], None);
        assert_eq!(got["JE2 3AB"], None);

        let cases: &[(&[u8], &str)] = &[
            (br#"{"status":400,"error":"Invalid JSON submitted."}"#, "Invalid JSON submitted"),
            (br#"{"status":200}"#, "no \"result\""),
            (br#"{"status":200,"result":[{"query":1}]}"#, "malformed JSON"),
            (b"<html>502 Bad Gateway</html>", "not JSON"),
        ];
        for (body, want) in cases {
            let e = parse_bulk(body).expect_err("error");
            assert!(e.to_string().contains(want), "{e}");
        }
    }
}

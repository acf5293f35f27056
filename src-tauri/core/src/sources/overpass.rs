//! Restaurants, cafes and takeaways from OpenStreetMap, through an Overpass API server: the
//! query (Overpass QL), the request (a form POST, as overpass-turbo sends it) and the JSON
//! answer turned into [`OsmVenue`]s. Nothing here decides what to keep: `api::osm` does.

use super::error::{http_client, json_error, send, Service, SourceError};
use crate::domain::validation::{invalid, ValidationResult};
use serde::Deserialize;
use std::borrow::Cow;
use std::time::Duration;

/// How long Overpass may work on a query (`[timeout:N]`), unless the caller says otherwise.
pub const DEFAULT_TIMEOUT_SECS: u32 = 90;
/// We wait this much longer than the server may take, so its own "timed out" remark reaches us.
const GRACE: Duration = Duration::from_secs(15);
/// The amenities a campaign canvasses.
pub const AMENITIES: [&str; 3] = ["restaurant", "cafe", "fast_food"];

/// Where to look.
#[derive(Debug, Clone, PartialEq)]
pub enum OsmArea {
    /// A box in degrees (Overpass's south, west, north, east order).
    Bbox { south: f64, west: f64, north: f64, east: f64 },
    /// Every area OpenStreetMap knows by this exact name (a borough, a town, a ward).
    Named(String),
}

impl OsmArea {
    /// Checks the box's ranges (south below north, west left of east) or the name.
    pub fn validate(&self) -> ValidationResult<()> {
        match self {
            OsmArea::Bbox { south, west, north, east } => {
                for (v, limit) in [(south, 90.0), (north, 90.0), (west, 180.0), (east, 180.0)] {
                    if !v.is_finite() || v.abs() > limit {
                        return invalid(
                            "bbox",
                            "latitudes must be between -90 and 90 and longitudes between -180 and 180",
                        );
                    }
                }
                if south >= north {
                    return invalid("bbox", "south must be less than north (the order is S,W,N,E)");
                }
                if west >= east {
                    return invalid("bbox", "west must be less than east (the order is S,W,N,E)");
                }
                Ok(())
            }
            OsmArea::Named(name) => {
                let name = name.trim();
                if name.is_empty() {
                    return invalid(
                        "area",
                        "is required: the name of a place, e.g. London Borough of Hackney",
                    );
                }
                if name.chars().count() > 200 {
                    return invalid("area", "is longer than 200 characters");
                }
                if name.chars().any(char::is_control) {
                    return invalid("area", "must not contain control characters");
                }
                Ok(())
            }
        }
    }

    /// Reads `S,W,N,E` (the CLI's `--bbox`), e.g. `51.54,-0.08,51.55,-0.06`.
    pub fn parse_bbox(text: &str) -> ValidationResult<OsmArea> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let numbers: Option<Vec<f64>> = parts.iter().map(|p| p.parse::<f64>().ok()).collect();
        match numbers.as_deref() {
            Some(&[south, west, north, east]) => {
                let area = OsmArea::Bbox { south, west, north, east };
                area.validate()?;
                Ok(area)
            }
            _ => invalid(
                "bbox",
                format!("'{text}' should be four numbers S,W,N,E, e.g. 51.54,-0.08,51.55,-0.06"),
            ),
        }
    }
}

/// A string as an Overpass QL literal: `"` and `\` escaped, newlines and tabs as `\n` and `\t`
/// (the escapes Overpass's tokenizer undoes); other control characters are dropped.
pub fn ql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Overpass QL for every restaurant, cafe and takeaway in `area`: nodes, ways and relations,
/// with tags and a centre point for ways and relations.
pub fn query(area: &OsmArea, timeout_secs: u32) -> String {
    let filter = format!("nwr[\"amenity\"~\"^({})$\"]", AMENITIES.join("|"));
    let select = match area {
        OsmArea::Bbox { south, west, north, east } => format!("{filter}({south},{west},{north},{east});\n"),
        OsmArea::Named(name) => {
            format!("area[\"name\"={}]->.a;\n{filter}(area.a);\n", ql_string(name.trim()))
        }
    };
    format!("[out:json][timeout:{}];\n{select}out center tags;\n", timeout_secs.max(1))
}

/// One place from OpenStreetMap, with the tags Tablemap keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct OsmVenue {
    /// `osm:node/123`, `osm:way/456` or `osm:relation/789`.
    pub external_ref: String,
    /// `restaurant`, `cafe` or `fast_food`.
    pub amenity: String,
    /// `None` when OpenStreetMap has no name (the importer decides what to do).
    pub name: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// House number and street (or place), then the city: "12 Kingsland Road, London".
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// `cuisine` split on `;`, trimmed, lower case.
    pub cuisines: Vec<String>,
    pub opening_hours: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

/// What a response held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsmFetch {
    pub venues: Vec<OsmVenue>,
    /// Elements with neither a position nor a centre (e.g. an empty relation), left out.
    pub skipped_without_position: u32,
}

// The response, borrowed from the body where no unescaping is needed: 50,000 elements parse
// without a map per element. Tags not listed are skipped by serde.
#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    elements: Option<Vec<Element<'a>>>,
    #[serde(borrow, default)]
    remark: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Element<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    id: i64,
    lat: Option<f64>,
    lon: Option<f64>,
    center: Option<Center>,
    #[serde(borrow, default)]
    tags: Tags<'a>,
}

#[derive(Deserialize)]
struct Center {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize, Default)]
struct Tags<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    amenity: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cuisine: Option<Cow<'a, str>>,
    #[serde(borrow)]
    opening_hours: Option<Cow<'a, str>>,
    #[serde(borrow)]
    phone: Option<Cow<'a, str>>,
    #[serde(rename = "contact:phone", borrow)]
    contact_phone: Option<Cow<'a, str>>,
    #[serde(borrow)]
    website: Option<Cow<'a, str>>,
    #[serde(rename = "contact:website", borrow)]
    contact_website: Option<Cow<'a, str>>,
    #[serde(rename = "addr:housenumber", borrow)]
    housenumber: Option<Cow<'a, str>>,
    #[serde(rename = "addr:street", borrow)]
    street: Option<Cow<'a, str>>,
    #[serde(rename = "addr:place", borrow)]
    place: Option<Cow<'a, str>>,
    #[serde(rename = "addr:city", borrow)]
    city: Option<Cow<'a, str>>,
    #[serde(rename = "addr:postcode", borrow)]
    postcode: Option<Cow<'a, str>>,
}

/// Parses an Overpass JSON answer. A `remark` that reports a runtime error (a timeout, memory
/// exhausted) is an error even with elements present: the answer is incomplete, and importing
/// half an area would look like the other half has no restaurants.
pub fn parse(body: &[u8]) -> Result<OsmFetch, SourceError> {
    let response: Response<'_> =
        serde_json::from_slice(body).map_err(|e| json_error(Service::Overpass, body, &e))?;
    if let Some(remark) = response.remark.as_deref() {
        let lower = remark.to_lowercase();
        if lower.contains("runtime error") || lower.contains("timed out") || lower.contains("out of memory") {
            return Err(SourceError::GaveUp {
                service: Service::Overpass,
                remark: remark.trim().to_string(),
            });
        }
    }
    let Some(elements) = response.elements else {
        return Err(SourceError::Malformed {
            service: Service::Overpass,
            line: 1,
            column: 1,
            reason: "there is no \"elements\" list".to_string(),
        });
    };
    let mut out = OsmFetch { venues: Vec::with_capacity(elements.len()), skipped_without_position: 0 };
    for e in elements {
        match venue(e) {
            Some(v) => out.venues.push(v),
            None => out.skipped_without_position += 1,
        }
    }
    Ok(out)
}

fn venue(e: Element<'_>) -> Option<OsmVenue> {
    let kind = match e.kind.as_ref() {
        "node" => "node",
        "way" => "way",
        "relation" => "relation",
        _ => return None,
    };
    let (lat, lon) = match (e.lat, e.lon, &e.center) {
        (Some(lat), Some(lon), _) => (lat, lon),
        (_, _, Some(c)) => (c.lat, c.lon),
        _ => return None,
    };
    let t = e.tags;
    Some(OsmVenue {
        external_ref: format!("osm:{kind}/{}", e.id),
        amenity: text(&t.amenity).unwrap_or_default(),
        name: text(&t.name),
        lat,
        lon,
        address: address(&t),
        postcode: text(&t.postcode),
        cuisines: cuisines(t.cuisine.as_deref().unwrap_or_default()),
        opening_hours: text(&t.opening_hours),
        phone: text(&t.phone).or_else(|| text(&t.contact_phone)),
        website: text(&t.website).or_else(|| text(&t.contact_website)),
    })
}

fn text(v: &Option<Cow<'_, str>>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// `12 Kingsland Road, London`: the number with the street (or, where there is no street, the
/// `addr:place`), then the place if there was a street too, then the city. A house number with
/// nothing to hang it on is left out.
fn address(t: &Tags<'_>) -> Option<String> {
    let (number, street, place, city) =
        (text(&t.housenumber), text(&t.street), text(&t.place), text(&t.city));
    let mut parts: Vec<String> = Vec::new();
    let (first, place) = match (street, place) {
        (Some(s), p) => (Some(s), p),
        (None, p) => (p, None),
    };
    if let Some(first) = first {
        parts.push(match number {
            Some(n) => format!("{n} {first}"),
            None => first,
        });
    }
    parts.extend(place);
    if let Some(c) = city {
        if !parts.iter().any(|p| p.eq_ignore_ascii_case(&c)) {
            parts.push(c);
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn cuisines(tag: &str) -> Vec<String> {
    tag.split(';').map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty()).collect()
}

/// An Overpass API server.
pub struct OverpassClient {
    client: reqwest::Client,
    base_url: String,
    timeout_secs: u32,
    wait: Duration,
}

impl OverpassClient {
    /// `base_url` is the part before `/interpreter`, e.g. `https://overpass-api.de/api`.
    pub fn new(base_url: &str) -> Self {
        Self::with_timeout(base_url, DEFAULT_TIMEOUT_SECS)
    }

    /// The server may take `timeout_secs`; we wait a little longer than that.
    pub fn with_timeout(base_url: &str, timeout_secs: u32) -> Self {
        OverpassClient {
            client: http_client(),
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            timeout_secs: timeout_secs.max(1),
            wait: Duration::from_secs(u64::from(timeout_secs.max(1))) + GRACE,
        }
    }

    /// How long we wait for the whole answer (tests shorten it).
    pub fn waiting_at_most(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    pub fn interpreter_url(&self) -> String {
        format!("{}/interpreter", self.base_url)
    }

    /// Every restaurant, cafe and takeaway in `area` (validated first).
    pub async fn fetch(&self, area: &OsmArea) -> Result<OsmFetch, SourceError> {
        let url = self.interpreter_url();
        let form: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("data", &query(area, self.timeout_secs))
            .finish();
        let request = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form);
        let body = send(Service::Overpass, &url, request, self.wait).await?;
        parse(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        let bbox = OsmArea::Bbox { south: 51.54, west: -0.08, north: 51.55, east: -0.06 };
        assert_eq!(
            query(&bbox, 60),
            "[out:json][timeout:60];\n\
             nwr[\"amenity\"~\"^(restaurant|cafe|fast_food)$\"](51.54,-0.08,51.55,-0.06);\n\
             out center tags;\n"
        );
        let cases: &[(&str, &str)] = &[
            ("Hackney", "area[\"name\"=\"Hackney\"]->.a;"),
            ("  Hackney ", "area[\"name\"=\"Hackney\"]->.a;"),
            ("Saint-Étienne", "area[\"name\"=\"Saint-Étienne\"]->.a;"),
            ("Say \"hi\"", "area[\"name\"=\"Say \\\"hi\\\"\"]->.a;"),
            ("back\\slash", "area[\"name\"=\"back\\\\slash\"]->.a;"),
            ("a\"];out;(\"", "area[\"name\"=\"a\\\"];out;(\\\"\"]->.a;"),
            ("tab\there", "area[\"name\"=\"tab\\there\"]->.a;"),
            ("bell\u{7}", "area[\"name\"=\"bell\"]->.a;"),
        ];
        for (name, line) in cases {
            let q = query(&OsmArea::Named(name.to_string()), 25);
            let lines: Vec<&str> = q.lines().collect();
            assert_eq!(
                lines,
                [
                    "[out:json][timeout:25];",
                    line,
                    "nwr[\"amenity\"~\"^(restaurant|cafe|fast_food)$\"](area.a);",
                    "out center tags;"
                ],
                "{name:?}"
            );
        }
        assert!(query(&bbox, 0).starts_with("[out:json][timeout:1];"));
    }

    #[test]
    fn areas() {
        let cases: &[(&str, Option<&str>)] = &[
            ("51.54,-0.08,51.55,-0.06", None),
            (" 51.54 , -0.08, 51.55 ,-0.06 ", None),
            ("-90,-180,90,180", None),
            ("51.55,-0.08,51.54,-0.06", Some("south must be less than north")),
            ("51.54,-0.06,51.55,-0.08", Some("west must be less than east")),
            ("51.54,-0.08,91,-0.06", Some("between -90 and 90")),
            ("51.54,-181,51.55,-0.06", Some("between -180 and 180")),
            ("51.54,-0.08,51.55", Some("four numbers")),
            ("51.54,-0.08,51.55,-0.06,1", Some("four numbers")),
            ("a,b,c,d", Some("four numbers")),
            ("NaN,0,1,2", Some("between -90 and 90")),
        ];
        for (text, problem) in cases {
            let got = OsmArea::parse_bbox(text).err().map(|e| e.reason);
            match problem {
                None => assert_eq!(got, None, "{text}"),
                Some(p) => assert!(got.as_deref().unwrap_or_default().contains(p), "{text}: {got:?}"),
            }
        }
        let names: &[(&str, bool)] = &[("Hackney", true), ("", false), ("   ", false), ("a\nb", false)];
        for (name, ok) in names {
            assert_eq!(OsmArea::Named(name.to_string()).validate().is_ok(), *ok, "{name:?}");
        }
        assert!(OsmArea::Named("x".repeat(201)).validate().is_err());
    }

    fn one(json_tags: &str) -> OsmVenue {
        let body =
            format!(r#"{{"elements":[{{"type":"node","id":1,"lat":51.5,"lon":-0.1,"tags":{json_tags}}}]}}"#);
        parse(body.as_bytes()).expect("parse").venues.remove(0)
    }

    #[test]
    fn tag_mapping() {
        // (tags, address, cuisines, phone, website)
        type Case = (
            &'static str,
            Option<&'static str>,
            &'static [&'static str],
            Option<&'static str>,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            (r#"{}"#, None, &[], None, None),
            (
                r#"{"addr:housenumber":"12","addr:street":"Kingsland Road","addr:city":"London"}"#,
                Some("12 Kingsland Road, London"),
                &[],
                None,
                None,
            ),
            (r#"{"addr:street":"Mare Street"}"#, Some("Mare Street"), &[], None, None),
            (r#"{"addr:housenumber":"3"}"#, None, &[], None, None),
            (r#"{"addr:housenumber":"3","addr:city":"London"}"#, Some("London"), &[], None, None),
            (
                r#"{"addr:housenumber":"4","addr:place":"Market Square"}"#,
                Some("4 Market Square"),
                &[],
                None,
                None,
            ),
            (
                r#"{"addr:housenumber":"4","addr:street":"High St","addr:place":"Dalston","addr:city":"London"}"#,
                Some("4 High St, Dalston, London"),
                &[],
                None,
                None,
            ),
            (r#"{"addr:street":"High St","addr:city":"high st"}"#, Some("High St"), &[], None, None),
            (r#"{"cuisine":"Turkish; kebab;;  "}"#, None, &["turkish", "kebab"], None, None),
            (r#"{"cuisine":"ethiopian"}"#, None, &["ethiopian"], None, None),
            (r#"{"contact:phone":"+44 20 7000 0000"}"#, None, &[], Some("+44 20 7000 0000"), None),
            (r#"{"phone":"+44 1","contact:phone":"+44 2"}"#, None, &[], Some("+44 1"), None),
            (r#"{"phone":"  "}"#, None, &[], None, None),
            (r#"{"contact:website":"https://a.example"}"#, None, &[], None, Some("https://a.example")),
            (
                r#"{"website":"https://b.example","contact:website":"https://c.example"}"#,
                None,
                &[],
                None,
                Some("https://b.example"),
            ),
        ];
        for (tags, addr, cuisines, phone, website) in cases {
            let v = one(tags);
            assert_eq!(v.address.as_deref(), *addr, "{tags}");
            assert_eq!(v.cuisines, *cuisines, "{tags}");
            assert_eq!(v.phone.as_deref(), *phone, "{tags}");
            assert_eq!(v.website.as_deref(), *website, "{tags}");
        }
        let v = one(
            r#"{"name":" Caf\u00e9 \"Addis\" ","amenity":"cafe","opening_hours":"Mo-Su 08:00-18:00","addr:postcode":"E8 1AA"}"#,
        );
        assert_eq!(v.name.as_deref(), Some("Café \"Addis\""));
        assert_eq!(v.amenity, "cafe");
        assert_eq!(v.opening_hours.as_deref(), Some("Mo-Su 08:00-18:00"));
        assert_eq!(v.postcode.as_deref(), Some("E8 1AA"));
        assert_eq!(one(r#"{"name":""}"#).name, None);
    }

    #[test]
    fn elements_and_positions() {
        let body = r#"{
          "version": 0.6,
          "elements": [
            {"type": "node", "id": 1, "lat": 51.1, "lon": -0.1, "tags": {"name": "N"}},
            {"type": "way", "id": 2, "center": {"lat": 51.2, "lon": -0.2}, "tags": {"name": "W"}},
            {"type": "relation", "id": 3, "center": {"lat": 51.3, "lon": -0.3}},
            {"type": "relation", "id": 4, "tags": {"name": "nowhere"}},
            {"type": "way", "id": 5},
            {"type": "area", "id": 3600000006, "tags": {"name": "an area"}}
          ]
        }"#;
        let got = parse(body.as_bytes()).expect("parse");
        let summary: Vec<(&str, f64, f64, Option<&str>)> =
            got.venues.iter().map(|v| (v.external_ref.as_str(), v.lat, v.lon, v.name.as_deref())).collect();
        assert_eq!(
            summary,
            [
                ("osm:node/1", 51.1, -0.1, Some("N")),
                ("osm:way/2", 51.2, -0.2, Some("W")),
                ("osm:relation/3", 51.3, -0.3, None)
            ]
        );
        assert_eq!(got.skipped_without_position, 3);
    }

    #[test]
    fn bad_answers() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"elements":[],"remark":"runtime error: Query timed out in \"query\" at line 3 after 26 seconds."}"#,
                "Query timed out",
            ),
            (
                r#"{"elements":[{"type":"node","id":1,"lat":1,"lon":1}],"remark":"runtime error: Query run out of memory using about 2048 MB of RAM."}"#,
                "out of memory",
            ),
            (r#"{"version":0.6}"#, "no \"elements\""),
            (r#"{"elements":[{"type":"node","id":"x"}]}"#, "malformed JSON at line 1"),
            (r#"{"elements":[{"type":"node","id":1,"lat":1,"lon":1}"#, "malformed JSON"),
            ("<?xml version=\"1.0\"?><osm></osm>", "not JSON"),
            ("", "malformed JSON"),
        ];
        for (body, want) in cases {
            let e = parse(body.as_bytes()).expect_err(body);
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
        // A harmless remark is only a remark.
        let ok = parse(br#"{"elements":[],"remark":"Note: the area was cached."}"#).expect("ok");
        assert!(ok.venues.is_empty());
    }
}

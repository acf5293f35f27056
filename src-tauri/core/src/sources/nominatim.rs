//! Addresses to coordinates and back through Nominatim (`/search` and `/reverse`, `jsonv2`).
//! The public server's usage policy allows at most one request per second from an application,
//! so every request takes its turn behind one clock: a second after the previous one began, and
//! never two at once. The clock is shared by every Tablemap process of this user (the window and
//! a command run beside it) through a locked file in the cache folder. Callers cache answers
//! (`api::geocode`).

use super::error::{json_error, send, Endpoint, Service, SourceError};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// The policy's limit: one request per second, for the whole application.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(15);

/// When the latest Nominatim request began, for every client in the process.
static LAST_REQUEST: LazyLock<tokio::sync::Mutex<Option<Instant>>> =
    LazyLock::new(|| tokio::sync::Mutex::new(None));

/// A Nominatim turn, held until the request ends.
struct Turn {
    here: tokio::sync::MutexGuard<'static, Option<Instant>>,
    /// The locked turn file (released when dropped), when the cache folder can be used.
    shared: Option<std::fs::File>,
}

impl Drop for Turn {
    /// The next turn counts its second from the end of this request, not its start: a request
    /// slow to leave (a process starting, a connection being made) would otherwise reach the
    /// server less than a second before the next one.
    fn drop(&mut self) {
        *self.here = Some(Instant::now());
        if let Some(file) = &self.shared {
            stamp(file);
        }
    }
}

/// Waits for this user's next Nominatim turn and holds it until the request ends.
async fn turn() -> Turn {
    let mut last = LAST_REQUEST.lock().await;
    if let Some(previous) = *last {
        tokio::time::sleep_until(tokio::time::Instant::from_std(previous + MIN_INTERVAL)).await;
    }
    let shared = match tokio::task::spawn_blocking(shared_turn).await {
        Ok(Some((file, wait))) => {
            tokio::time::sleep(wait).await;
            stamp(&file);
            Some(file)
        }
        _ => None,
    };
    *last = Some(Instant::now());
    Turn { here: last, shared }
}

/// Locks the user's turn file (waiting while another process holds it) and answers it with
/// how long to wait after the last request it records.
fn shared_turn() -> Option<(std::fs::File, Duration)> {
    use std::io::Read;
    let path = dirs::cache_dir()?.join("tablemap").join("nominatim.turn");
    std::fs::create_dir_all(path.parent()?).ok()?;
    let mut file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).ok()?;
    file.lock().ok()?;
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let last_ms: u128 = text.trim().parse().unwrap_or(0);
    let next = std::time::Duration::from_millis(u64::try_from(last_ms).unwrap_or(0)) + MIN_INTERVAL;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Some((file, next.saturating_sub(now).min(MIN_INTERVAL)))
}

/// Records now as the time of the latest request (its start, then its end).
fn stamp(file: &std::fs::File) {
    use std::io::{Seek, Write};
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut f = file;
    let _ = f.set_len(0);
    let _ = f.rewind();
    let _ = write!(f, "{}", now.as_millis());
    let _ = f.flush();
}

/// A place found for an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub lat: f64,
    pub lon: f64,
    pub display_name: String,
}

/// What is at a point: what a pin dropped on the map fills in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ReverseHit {
    /// House number and road, e.g. "12 Kingsland Road".
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// City, else town, village or hamlet.
    pub city: Option<String>,
    /// Nominatim's whole comma-separated address.
    pub display_name: String,
}

/// Nominatim writes coordinates as strings ("51.5073219"); accept numbers too.
fn coordinate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(f64),
        Text(String),
    }
    match Either::deserialize(d)? {
        Either::Number(n) => Ok(n),
        Either::Text(t) => t.trim().parse().map_err(serde::de::Error::custom),
    }
}

#[derive(Deserialize)]
struct Place {
    #[serde(deserialize_with = "coordinate")]
    lat: f64,
    #[serde(deserialize_with = "coordinate")]
    lon: f64,
    #[serde(default)]
    display_name: String,
}

#[derive(Deserialize)]
struct Reverse {
    error: Option<serde_json::Value>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    address: HashMap<String, String>,
}

/// The first place of a `/search` answer (a JSON list; empty when nothing matched).
pub fn parse_search(body: &[u8]) -> Result<Option<SearchHit>, SourceError> {
    let places: Vec<Place> =
        serde_json::from_slice(body).map_err(|e| json_error(Service::Nominatim, body, &e))?;
    Ok(places.into_iter().next().map(|p| SearchHit { lat: p.lat, lon: p.lon, display_name: p.display_name }))
}

/// A `/reverse` answer: one place, or `{"error": "Unable to geocode"}` where there is nothing.
pub fn parse_reverse(body: &[u8]) -> Result<Option<ReverseHit>, SourceError> {
    let r: Reverse = serde_json::from_slice(body).map_err(|e| json_error(Service::Nominatim, body, &e))?;
    if r.error.is_some() {
        return Ok(None);
    }
    let get = |keys: &[&str]| {
        keys.iter().find_map(|k| r.address.get(*k)).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    };
    let road = get(&["road", "pedestrian", "square", "place"]);
    let address = match (get(&["house_number"]), road) {
        (Some(n), Some(r)) => Some(format!("{n} {r}")),
        (None, Some(r)) => Some(r),
        _ => None,
    };
    Ok(Some(ReverseHit {
        address,
        postcode: get(&["postcode"]),
        city: get(&["city", "town", "village", "hamlet", "municipality"]),
        display_name: r.display_name,
    }))
}

/// A Nominatim server.
pub struct NominatimClient {
    endpoint: Endpoint,
}

impl NominatimClient {
    /// `base_url` as in `https://nominatim.openstreetmap.org`.
    pub fn new(base_url: &str) -> Self {
        NominatimClient { endpoint: Endpoint::new(base_url, TIMEOUT) }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.endpoint.timeout = timeout;
        self
    }

    /// The best match for a free-text address, or `None`. Waits its turn (one per second).
    pub async fn search(&self, address: &str) -> Result<Option<SearchHit>, SourceError> {
        let url = self.endpoint.url("/search");
        let request =
            self.endpoint.client.get(&url).query(&[("q", address), ("format", "jsonv2"), ("limit", "1")]);
        let body = {
            let _turn = turn().await;
            send(Service::Nominatim, &url, request, self.endpoint.timeout).await?
        };
        parse_search(&body)
    }

    /// The address at a point, or `None` where Nominatim knows nothing. Waits its turn.
    pub async fn reverse(&self, lat: f64, lon: f64) -> Result<Option<ReverseHit>, SourceError> {
        let url = self.endpoint.url("/reverse");
        let (lat, lon) = (lat.to_string(), lon.to_string());
        let request = self.endpoint.client.get(&url).query(&[
            ("lat", lat.as_str()),
            ("lon", lon.as_str()),
            ("format", "jsonv2"),
            ("addressdetails", "1"),
        ]);
        let body = {
            let _turn = turn().await;
            send(Service::Nominatim, &url, request, self.endpoint.timeout).await?
        };
        parse_reverse(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_answers() {
        let body = br#"[{"place_id":1,"licence":"Data (c) OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
            "osm_type":"way","osm_id":2,"lat":"51.5463","lon":"-0.0755","category":"building","type":"yes",
            "place_rank":30,"importance":0.00001,"addresstype":"building","name":"",
            "display_name":"12, Kingsland Road, London, E8 2AA, United Kingdom","boundingbox":["51.5","51.6","-0.1","-0.0"]}]"#;
        assert_eq!(
            parse_search(body).expect("parse"),
            Some(SearchHit {
                lat: 51.5463,
                lon: -0.0755,
                display_name: "12, Kingsland Road, London, E8 2AA, United Kingdom".into()
            })
        );
        assert_eq!(parse_search(b"[]").expect("empty"), None);
        assert_eq!(
            parse_search(br#"[{"lat":51.5,"lon":-0.1}]"#).expect("numbers").map(|h| h.lat),
            Some(51.5)
        );
        for (body, want) in [
            (&br#"[{"lat":"north","lon":"-0.1"}]"#[..], "malformed JSON"),
            (&br#"{"error":"x"}"#[..], "malformed JSON"),
            (&b"<html>Bandwidth limit exceeded</html>"[..], "not JSON"),
        ] {
            let e = parse_search(body).expect_err("error");
            assert!(e.to_string().contains(want), "{e}");
        }
    }

    #[test]
    fn reverse_answers() {
        // (address object, address, postcode, city)
        type Case = (&'static str, Option<&'static str>, Option<&'static str>, Option<&'static str>);
        let cases: &[Case] = &[
            (
                r#"{"house_number":"12","road":"Kingsland Road","suburb":"Dalston","city":"London","postcode":"E8 2AA","country_code":"gb"}"#,
                Some("12 Kingsland Road"),
                Some("E8 2AA"),
                Some("London"),
            ),
            (r#"{"road":"Mare Street","town":"Hackney"}"#, Some("Mare Street"), None, Some("Hackney")),
            (r#"{"house_number":"3","village":"Ham"}"#, None, None, Some("Ham")),
            (r#"{"pedestrian":"Ridley Road","city":"London"}"#, Some("Ridley Road"), None, Some("London")),
            (r#"{}"#, None, None, None),
        ];
        for (address, street, postcode, city) in cases {
            let body =
                format!(r#"{{"lat":"51.5","lon":"-0.1","display_name":"somewhere","address":{address}}}"#);
            let hit = parse_reverse(body.as_bytes()).expect("parse").expect("a place");
            assert_eq!(hit.address.as_deref(), *street, "{address}");
            assert_eq!(hit.postcode.as_deref(), *postcode, "{address}");
            assert_eq!(hit.city.as_deref(), *city, "{address}");
            assert_eq!(hit.display_name, "somewhere");
        }
        assert_eq!(parse_reverse(br#"{"error":"Unable to geocode"}"#).expect("nothing"), None);
        assert!(parse_reverse(b"Service unavailable").is_err());
    }
}

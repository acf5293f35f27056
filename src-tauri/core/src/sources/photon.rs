//! Addresses to coordinates and back through Photon (komoot's geocoder over OpenStreetMap data:
//! `/api?q=` and `/reverse?lat=&lon=`, answering GeoJSON). A campaign may run its own Photon,
//! or use the public one at photon.komoot.io within its fair-use terms: requests from this
//! process go one at a time, never in parallel. Callers cache answers (`api::geocode`).

use super::error::{json_error, send, Endpoint, Service, SourceError};
use super::nominatim::{ReverseHit, SearchHit};
use serde::Deserialize;
use std::sync::LazyLock;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

/// One request at a time from this process.
static TURN: LazyLock<tokio::sync::Mutex<()>> = LazyLock::new(|| tokio::sync::Mutex::new(()));

/// Photon answers a GeoJSON FeatureCollection; anything else (an error object) is refused.
#[derive(Deserialize)]
enum CollectionKind {
    FeatureCollection,
}

#[derive(Deserialize)]
struct Collection {
    #[serde(rename = "type")]
    _kind: CollectionKind,
    #[serde(default)]
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    geometry: Point,
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize)]
struct Point {
    /// `[lon, lat]`, as GeoJSON has it.
    coordinates: [f64; 2],
}

#[derive(Deserialize, Default)]
struct Properties {
    name: Option<String>,
    housenumber: Option<String>,
    street: Option<String>,
    postcode: Option<String>,
    city: Option<String>,
    town: Option<String>,
    village: Option<String>,
    district: Option<String>,
    locality: Option<String>,
    state: Option<String>,
    country: Option<String>,
}

impl Properties {
    fn text(v: &Option<String>) -> Option<String> {
        v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    /// House number and street, e.g. "12 Kingsland Road".
    fn address(&self) -> Option<String> {
        match (Self::text(&self.housenumber), Self::text(&self.street)) {
            (Some(n), Some(s)) => Some(format!("{n} {s}")),
            (None, Some(s)) => Some(s),
            _ => None,
        }
    }

    fn city(&self) -> Option<String> {
        [&self.city, &self.town, &self.village, &self.locality, &self.district]
            .into_iter()
            .find_map(Self::text)
    }

    /// The parts Photon gives, joined as Nominatim's `display_name` reads.
    fn display_name(&self) -> String {
        let name = Self::text(&self.name).filter(|n| Some(n) != self.street.as_ref());
        [
            name,
            self.address(),
            self.city(),
            Self::text(&self.postcode),
            Self::text(&self.state),
            Self::text(&self.country),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    }
}

fn parse(body: &[u8]) -> Result<Vec<Feature>, SourceError> {
    let c: Collection = serde_json::from_slice(body).map_err(|e| json_error(Service::Photon, body, &e))?;
    Ok(c.features)
}

/// The first feature of an `/api` answer (a FeatureCollection; no features when nothing matched).
pub fn parse_search(body: &[u8]) -> Result<Option<SearchHit>, SourceError> {
    Ok(parse(body)?.into_iter().next().map(|f| SearchHit {
        lat: f.geometry.coordinates[1],
        lon: f.geometry.coordinates[0],
        display_name: f.properties.display_name(),
    }))
}

/// The first feature of a `/reverse` answer, as what is at the point.
pub fn parse_reverse(body: &[u8]) -> Result<Option<ReverseHit>, SourceError> {
    Ok(parse(body)?.into_iter().next().map(|f| ReverseHit {
        address: f.properties.address(),
        postcode: Properties::text(&f.properties.postcode),
        city: f.properties.city(),
        display_name: f.properties.display_name(),
    }))
}

/// A Photon server.
pub struct PhotonClient {
    endpoint: Endpoint,
}

impl PhotonClient {
    /// `base_url` as in `https://photon.komoot.io`.
    pub fn new(base_url: &str) -> Self {
        PhotonClient { endpoint: Endpoint::new(base_url, TIMEOUT) }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.endpoint.timeout = timeout;
        self
    }

    /// The best match for a free-text address, or `None`.
    pub async fn search(&self, address: &str) -> Result<Option<SearchHit>, SourceError> {
        let url = self.endpoint.url("/api");
        let request = self.endpoint.client.get(&url).query(&[("q", address), ("limit", "1")]);
        let body = {
            let _turn = TURN.lock().await;
            send(Service::Photon, &url, request, self.endpoint.timeout).await?
        };
        parse_search(&body)
    }

    /// The address at a point, or `None` where Photon knows nothing near it.
    pub async fn reverse(&self, lat: f64, lon: f64) -> Result<Option<ReverseHit>, SourceError> {
        let url = self.endpoint.url("/reverse");
        let (lat, lon) = (lat.to_string(), lon.to_string());
        let request = self.endpoint.client.get(&url).query(&[
            ("lat", lat.as_str()),
            ("lon", lon.as_str()),
            ("limit", "1"),
        ]);
        let body = {
            let _turn = TURN.lock().await;
            send(Service::Photon, &url, request, self.endpoint.timeout).await?
        };
        parse_reverse(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(properties: &str) -> String {
        format!(
            r#"{{"features":[{{"geometry":{{"coordinates":[-0.0755,51.5463],"type":"Point"}},"type":"Feature",
            "properties":{properties}}}],"type":"FeatureCollection"}}"#
        )
    }

    #[test]
    fn search_answers() {
        let body = collection(
            r#"{"osm_type":"N","osm_id":1,"country":"United Kingdom","city":"London","countrycode":"GB",
            "postcode":"E8 2AA","type":"house","housenumber":"12","street":"Kingsland Road","district":"Dalston"}"#,
        );
        assert_eq!(
            parse_search(body.as_bytes()).expect("parse"),
            Some(SearchHit {
                lat: 51.5463,
                lon: -0.0755,
                display_name: "12 Kingsland Road, London, E8 2AA, United Kingdom".into()
            })
        );
        assert_eq!(parse_search(br#"{"features":[],"type":"FeatureCollection"}"#).expect("empty"), None);
        for (body, want) in [
            (
                &br#"{"features":[{"geometry":{"coordinates":["x",1]}}],"type":"FeatureCollection"}"#[..],
                "malformed JSON",
            ),
            (&br#"{"message":"missing search term 'q'"}"#[..], "malformed JSON"),
            (&b"<html>502 Bad Gateway</html>"[..], "not JSON"),
        ] {
            let e = parse_search(body).expect_err("error");
            assert!(e.to_string().contains(want), "{e}");
        }
    }

    #[test]
    fn reverse_answers() {
        // (properties, address, postcode, city, display name)
        type Case =
            (&'static str, Option<&'static str>, Option<&'static str>, Option<&'static str>, &'static str);
        let cases: &[Case] = &[
            (
                r#"{"name":"Mangal 2","housenumber":"4","street":"Stoke Newington Road","city":"London","postcode":"N16 8BH","country":"United Kingdom"}"#,
                Some("4 Stoke Newington Road"),
                Some("N16 8BH"),
                Some("London"),
                "Mangal 2, 4 Stoke Newington Road, London, N16 8BH, United Kingdom",
            ),
            (
                r#"{"street":"Mare Street","town":"Hackney"}"#,
                Some("Mare Street"),
                None,
                Some("Hackney"),
                "Mare Street, Hackney",
            ),
            (r#"{"housenumber":"3","village":"Ham"}"#, None, None, Some("Ham"), "Ham"),
            (
                r#"{"name":"Ridley Road","street":"Ridley Road","locality":"Dalston"}"#,
                Some("Ridley Road"),
                None,
                Some("Dalston"),
                "Ridley Road, Dalston",
            ),
            (r#"{}"#, None, None, None, ""),
        ];
        for (properties, street, postcode, city, display) in cases {
            let hit = parse_reverse(collection(properties).as_bytes()).expect("parse").expect("a place");
            assert_eq!(hit.address.as_deref(), *street, "{properties}");
            assert_eq!(hit.postcode.as_deref(), *postcode, "{properties}");
            assert_eq!(hit.city.as_deref(), *city, "{properties}");
            assert_eq!(hit.display_name, *display, "{properties}");
        }
        assert_eq!(parse_reverse(br#"{"features":[],"type":"FeatureCollection"}"#).expect("nothing"), None);
    }
}

//! Areas from a GeoJSON file (RFC 7946): a FeatureCollection, one Feature, or a bare Polygon or
//! MultiPolygon. Each feature becomes a named, checked [`Area`]; the first problem refuses the
//! whole file, naming the feature. Ward boundaries come this way (ONS, councils, OpenStreetMap
//! exports), so the name is found among the properties those files use.

use crate::domain::area::{Area, Geometry, Ring};
use crate::domain::validation::required_text;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Property names tried, in order, when the person names none. After these: any key like
/// `LAD23NM` (the ONS pattern, wards first), then any key with "name" in it.
const NAME_KEYS: &[&str] = &[
    "name",
    "NAME",
    "Name",
    "ward_name",
    "WARD_NAME",
    "Ward_Name",
    "WardName",
    "wardname",
    "ward",
    "WARD",
    "Ward",
    "title",
    "label",
];

/// The longest area name.
pub const MAX_NAME: usize = 120;

#[derive(Debug, Clone, PartialEq)]
pub struct AreaFile {
    /// The property the names came from (`None`: one unnamed geometry, named by `fallback_name`).
    pub name_property: Option<String>,
    /// Features in the file (a bare geometry counts as one).
    pub features: usize,
    pub areas: Vec<NamedArea>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedArea {
    pub name: String,
    pub area: Area,
    /// The features (1-based) that make it up: more than one when features share a name.
    pub features: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoJsonError {
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("{0}")]
    NotGeoJson(String),
    #[error("feature {index} of {of}{}: {reason}", named(.name))]
    Feature { index: usize, of: usize, name: Option<String>, reason: String },
    #[error(
        "no property gives the areas' names (tried name, NAME, ward names like WD23NM and any \
         property with \"name\" in it); the features have: {}; choose one as the name property \
         (--name-property on the command line)",
        list(.properties)
    )]
    NoName { properties: Vec<String> },
}

fn named(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!(" (\u{201c}{n}\u{201d})")).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "no properties at all".to_string()
    } else {
        items.join(", ")
    }
}

/// One feature before its name is settled.
struct Raw<'a> {
    properties: Option<&'a Map<String, Value>>,
    geometry: &'a Value,
}

/// Reads `text`. `name_property` names the property to use; `None` guesses. `fallback_name`
/// names a file's only area when it has no properties (a bare geometry): the file's name, say.
pub fn read(
    text: &str,
    name_property: Option<&str>,
    fallback_name: Option<&str>,
) -> Result<AreaFile, GeoJsonError> {
    let root: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| GeoJsonError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string().split(" at line").next().unwrap_or_default().to_string(),
        })?;
    check_crs(&root)?;
    let raws = features(&root)?;
    let of = raws.len();
    let feature_error = |index: usize, name: Option<String>, reason: String| GeoJsonError::Feature {
        index: index + 1,
        of,
        name,
        reason,
    };

    let property = match name_property.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(p.to_string()),
        None => guess_property(&raws),
    };
    let mut names = Vec::with_capacity(of);
    for (i, raw) in raws.iter().enumerate() {
        let value = match &property {
            Some(p) => raw.properties.and_then(|props| props.get(p)).and_then(text_of),
            None => None,
        };
        let name = match (value, &property) {
            (Some(v), _) => v,
            (None, None) if of == 1 && fallback_name.is_some_and(|n| !n.trim().is_empty()) => {
                fallback_name.unwrap_or_default().to_string()
            }
            (None, None) => return Err(GeoJsonError::NoName { properties: keys(&raws) }),
            (None, Some(p)) => {
                let has: Vec<String> =
                    raw.properties.map(|m| m.keys().cloned().collect()).unwrap_or_default();
                return Err(feature_error(
                    i,
                    None,
                    format!("has no \u{201c}{p}\u{201d} to name it by; its properties are: {}", list(&has)),
                ));
            }
        };
        let name = required_text("name", &name, MAX_NAME)
            .map_err(|e| feature_error(i, Some(name.clone()), format!("its name {}", e.reason)))?;
        names.push(name);
    }

    // Parse and check each outline; features sharing a name (ignoring case, as the database
    // does) become one area with all their polygons.
    let mut areas: Vec<(NamedArea, Vec<Area>)> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, (raw, name)) in raws.iter().zip(names).enumerate() {
        let geometry = geometry(raw.geometry).map_err(|r| feature_error(i, Some(name.clone()), r))?;
        let area = Area::new(geometry).map_err(|e| feature_error(i, Some(name.clone()), e.reason))?;
        match by_name.get(&name.to_ascii_lowercase()) {
            Some(&at) => {
                areas[at].0.features.push(i + 1);
                areas[at].1.push(area);
            }
            None => {
                by_name.insert(name.to_ascii_lowercase(), areas.len());
                areas.push((NamedArea { name, area: area.clone(), features: vec![i + 1] }, vec![area]));
            }
        }
    }
    let mut out = Vec::with_capacity(areas.len());
    for (mut named, parts) in areas {
        if parts.len() > 1 {
            named.area = Area::join(&parts).map_err(|e| {
                feature_error(
                    named.features[0] - 1,
                    Some(named.name.clone()),
                    format!("with the other features of the same name, {}", e.reason),
                )
            })?;
        }
        out.push(named);
    }
    Ok(AreaFile { name_property: property, features: of, areas: out })
}

/// A name from a property: text, or a number (ward numbers).
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every property name in the file, sorted, each once.
fn keys(raws: &[Raw<'_>]) -> Vec<String> {
    let mut all: Vec<String> =
        raws.iter().filter_map(|r| r.properties).flat_map(|m| m.keys().cloned()).collect();
    all.sort();
    all.dedup();
    all
}

/// The first candidate property that names every feature.
fn guess_property(raws: &[Raw<'_>]) -> Option<String> {
    let keys = keys(raws);
    let ons = |k: &str, prefix: &str| {
        k.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix("NM"))
            .is_some_and(|digits| digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut candidates: Vec<String> = NAME_KEYS.iter().map(|k| k.to_string()).collect();
    candidates.extend(keys.iter().filter(|k| ons(k, "WD")).cloned());
    candidates.extend(
        keys.iter()
            .filter(|k| {
                let letters = k.trim_end_matches("NM");
                letters.len() > 2 && ons(k, letters.trim_end_matches(|c: char| c.is_ascii_digit()))
            })
            .cloned(),
    );
    candidates.extend(keys.iter().filter(|k| k.to_lowercase().contains("name")).cloned());
    candidates.into_iter().find(|c| {
        !raws.is_empty()
            && raws.iter().all(|r| r.properties.and_then(|m| m.get(c)).and_then(text_of).is_some())
    })
}

/// An old-style `crs` member naming anything but WGS84 longitude/latitude.
fn check_crs(root: &Value) -> Result<(), GeoJsonError> {
    let Some(name) = root.pointer("/crs/properties/name").and_then(Value::as_str) else {
        return Ok(());
    };
    let wgs84 = ["CRS84", "EPSG::4326", "EPSG:4326"].iter().any(|w| name.ends_with(w));
    if wgs84 {
        return Ok(());
    }
    Err(GeoJsonError::NotGeoJson(format!(
        "the file says its coordinates are in {name}; Tablemap needs WGS84 longitude and latitude \
         (RFC 7946): export it again in EPSG:4326"
    )))
}

fn features(root: &Value) -> Result<Vec<Raw<'_>>, GeoJsonError> {
    let kind = root.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "FeatureCollection" => {
            let list = root.get("features").and_then(Value::as_array).ok_or_else(|| {
                GeoJsonError::NotGeoJson("the FeatureCollection has no \u{201c}features\u{201d} list".into())
            })?;
            if list.is_empty() {
                return Err(GeoJsonError::NotGeoJson("the FeatureCollection has no features".into()));
            }
            list.iter()
                .enumerate()
                .map(|(i, f)| {
                    feature(f).ok_or_else(|| GeoJsonError::Feature {
                        index: i + 1,
                        of: list.len(),
                        name: None,
                        reason: "is not a GeoJSON Feature (an object with \"type\": \"Feature\")".into(),
                    })
                })
                .collect()
        }
        "Feature" => Ok(feature(root).into_iter().collect()),
        "Polygon" | "MultiPolygon" => Ok(vec![Raw { properties: None, geometry: root }]),
        "" => Err(GeoJsonError::NotGeoJson(
            "this JSON is not GeoJSON: it has no \"type\" (FeatureCollection, Feature, Polygon or \
             MultiPolygon)"
                .into(),
        )),
        other => Err(GeoJsonError::NotGeoJson(format!(
            "the file holds a {other}; areas come from Polygon and MultiPolygon features"
        ))),
    }
}

fn feature(v: &Value) -> Option<Raw<'_>> {
    if v.get("type").and_then(Value::as_str) != Some("Feature") {
        return None;
    }
    // A missing geometry reads as `null`: "has no geometry", with the feature's name.
    static NO_GEOMETRY: Value = Value::Null;
    Some(Raw {
        properties: v.get("properties").and_then(Value::as_object),
        geometry: v.get("geometry").unwrap_or(&NO_GEOMETRY),
    })
}

/// A Polygon or MultiPolygon geometry; the reason otherwise.
fn geometry(v: &Value) -> Result<Geometry, String> {
    let kind = match v {
        Value::Null => return Err("has no geometry".into()),
        _ => v.get("type").and_then(Value::as_str).unwrap_or("geometry without a type"),
    };
    let coordinates = v.get("coordinates");
    let shape = "its coordinates are not lists of [longitude, latitude] positions";
    match kind {
        "Polygon" => Ok(Geometry::Polygon { coordinates: rings(coordinates).ok_or(shape)? }),
        "MultiPolygon" => {
            let polygons = coordinates.and_then(Value::as_array).ok_or(shape)?;
            let coordinates: Option<Vec<Vec<Ring>>> = polygons.iter().map(|p| rings(Some(p))).collect();
            Ok(Geometry::MultiPolygon { coordinates: coordinates.ok_or(shape)? })
        }
        other => Err(format!("is a {other}; only Polygon and MultiPolygon features can be areas")),
    }
}

fn rings(v: Option<&Value>) -> Option<Vec<Ring>> {
    v?.as_array()?
        .iter()
        .map(|ring| {
            ring.as_array()?
                .iter()
                .map(|p| match p.as_array()?.as_slice() {
                    // A third number (altitude) is allowed and ignored.
                    [lon, lat, ..] => Some([lon.as_f64()?, lat.as_f64()?]),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = "[[[-0.08,51.54],[-0.07,51.54],[-0.07,51.55],[-0.08,51.55],[-0.08,51.54]]]";

    fn feature(properties: &str, geometry: &str) -> String {
        format!(r#"{{"type":"Feature","properties":{properties},"geometry":{geometry}}}"#)
    }

    fn polygon() -> String {
        format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#)
    }

    fn collection(features: &[String]) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
    }

    /// The file, the name property asked for, and the names read (or the start of the error).
    type Case<'a> = (String, Option<&'a str>, Result<Vec<&'a str>, &'a str>);

    /// Each row: the file, the name property asked for, and the names read (or the start of the
    /// error).
    #[test]
    fn files() {
        let p = polygon();
        let multi = format!(r#"{{"type":"MultiPolygon","coordinates":[{SQUARE}]}}"#);
        let line = r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#;
        let cases: Vec<Case<'_>> = vec![
            (collection(&[feature(r#"{"name":"Dalston"}"#, &p)]), None, Ok(vec!["Dalston"])),
            (collection(&[feature(r#"{"WD23CD":"E05009373","WD23NM":"Dalston"}"#, &p)]), None, Ok(vec!["Dalston"])),
            (collection(&[feature(r#"{"LAD23NM":"Hackney","OBJECTID":3}"#, &p)]), None, Ok(vec!["Hackney"])),
            (
                collection(&[feature(r#"{"ward_nm":"Hoxton"}"#, &multi), feature(r#"{"ward_nm":"De Beauvoir"}"#, &p)]),
                None,
                Err("no property gives"),
            ),
            (collection(&[feature(r#"{"ward_nm":"Hoxton"}"#, &multi)]), None, Ok(vec!["fallback"])),
            (collection(&[feature(r#"{"Ward Name":"Hoxton East"}"#, &p)]), None, Ok(vec!["Hoxton East"])),
            (collection(&[feature(r#"{"NAME":"A","WD23NM":"B"}"#, &p)]), None, Ok(vec!["A"])),
            (collection(&[feature(r#"{"NAME":"A","WD23NM":"B"}"#, &p)]), Some("WD23NM"), Ok(vec!["B"])),
            (collection(&[feature(r#"{"code":7}"#, &p)]), Some("code"), Ok(vec!["7"])),
            (
                collection(&[feature(r#"{"name":"A"}"#, &p), feature(r#"{"title":"B"}"#, &p)]),
                None,
                Err("no property gives the areas' names (tried name, NAME, ward names like WD23NM and any property with \"name\" in it); the features have: name, title"),
            ),
            (
                collection(&[feature(r#"{"name":"A"}"#, &p), feature(r#"{"NAME":"B"}"#, &p)]),
                Some("name"),
                Err("feature 2 of 2: has no \u{201c}name\u{201d} to name it by; its properties are: NAME"),
            ),
            (collection(&[feature(r#"{"name":"  "}"#, &p)]), Some("name"), Err("feature 1 of 1: has no")),
            (feature(r#"{"name":"Solo"}"#, &p), None, Ok(vec!["Solo"])),
            (p.clone(), None, Ok(vec!["fallback"])),
            (feature("null", &p), None, Ok(vec!["fallback"])),
            // Features sharing a name, in any case, make one area.
            (
                collection(&[feature(r#"{"name":"Dalston"}"#, &p), feature(r#"{"name":"DALSTON"}"#, &multi)]),
                None,
                Ok(vec!["Dalston"]),
            ),
            (
                collection(&[feature(r#"{"name":"A"}"#, &p), feature(r#"{"name":"Route"}"#, line)]),
                None,
                Err("feature 2 of 2 (\u{201c}Route\u{201d}): is a LineString; only Polygon and MultiPolygon"),
            ),
            (collection(&[feature(r#"{"name":"A"}"#, "null")]), None, Err("feature 1 of 1 (\u{201c}A\u{201d}): has no geometry")),
            (
                collection(&[feature(r#"{"name":"A"}"#, r#"{"type":"Polygon","coordinates":[[[0,0],[1,0]]]}"#)]),
                None,
                Err("feature 1 of 1 (\u{201c}A\u{201d}): outer ring is not closed"),
            ),
            (
                collection(&[feature(r#"{"name":"A"}"#, r#"{"type":"Polygon","coordinates":[[0,0],[1,0]]}"#)]),
                None,
                Err("feature 1 of 1 (\u{201c}A\u{201d}): its coordinates are not lists"),
            ),
            (collection(&[r#"{"type":"Point"}"#.to_string()]), None, Err("feature 1 of 1: is not a GeoJSON Feature")),
            (
                collection(&[r#"{"type":"Feature","properties":{"name":"A"}}"#.to_string()]),
                None,
                Err("feature 1 of 1 (\u{201c}A\u{201d}): has no geometry"),
            ),
            (collection(&[]), None, Err("the FeatureCollection has no features")),
            (line.to_string(), None, Err("the file holds a LineString")),
            ("[1, 2]".to_string(), None, Err("this JSON is not GeoJSON")),
            ("{\"type\": \"FeatureCollection\",\n \"features\": [".to_string(), None, Err("not valid JSON at line 2")),
            (
                format!(
                    r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::27700"}}}},"features":[{}]}}"#,
                    feature(r#"{"name":"A"}"#, &p)
                ),
                None,
                Err("the file says its coordinates are in urn:ogc:def:crs:EPSG::27700"),
            ),
            (
                format!(
                    r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}},"features":[{}]}}"#,
                    feature(r#"{"name":"A"}"#, &p)
                ),
                None,
                Ok(vec!["A"]),
            ),
        ];
        for (text, property, expected) in cases {
            let got = read(&text, property, Some("fallback"));
            match (&expected, got) {
                (Ok(names), Ok(file)) => {
                    let got: Vec<&str> = file.areas.iter().map(|a| a.name.as_str()).collect();
                    assert_eq!(&got, names, "{text}");
                }
                (Err(start), Err(e)) => {
                    assert!(e.to_string().starts_with(start), "{text}\n  got: {e}\n want: {start}")
                }
                (expected, got) => panic!("{text}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn shared_names_join_their_polygons() {
        let p = polygon();
        let east =
            r#"{"type":"Polygon","coordinates":[[[-0.05,51.54],[-0.04,51.54],[-0.04,51.55],[-0.05,51.54]]]}"#;
        let file = read(
            &collection(&[feature(r#"{"name":"Dalston"}"#, &p), feature(r#"{"name":"dalston"}"#, east)]),
            None,
            None,
        )
        .expect("read");
        assert_eq!(file.features, 2);
        assert_eq!(file.areas.len(), 1);
        assert_eq!(file.areas[0].features, vec![1, 2]);
        assert!(file.areas[0].area.contains(51.545, -0.075));
        assert!(file.areas[0].area.contains(51.541, -0.045));
        assert_eq!(file.name_property.as_deref(), Some("name"));
    }

    #[test]
    fn a_bare_geometry_without_a_fallback_asks_for_a_name() {
        let e = read(&polygon(), None, None).expect_err("no name");
        assert!(matches!(e, GeoJsonError::NoName { ref properties } if properties.is_empty()), "{e}");
    }
}

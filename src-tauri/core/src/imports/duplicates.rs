//! Is this row a restaurant Tablemap already has? Three signs, strongest first: the same external
//! reference; the same name and postcode; or a similar name within 25 metres.

use crate::domain::RestaurantId;
use crate::store::duplicates::Existing;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// How close two pins must be for a similar name to count as the same place.
pub const NEAR_METRES: f64 = 25.0;

/// What to do with a row that looks like a restaurant already in Tablemap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DuplicateAction {
    /// Leave the existing restaurant as it is and skip the row.
    #[default]
    Skip,
    /// Update the existing restaurant's details from the row (visits and consent are untouched).
    Update,
    /// Add the row as a new restaurant anyway.
    Add,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchReason {
    SameReference,
    SameNameAndPostcode,
    SimilarNameNearby,
}

/// Lower-case words without punctuation or the words every restaurant name shares.
pub fn name_key(name: &str) -> String {
    const COMMON: &[&str] =
        &["the", "restaurant", "cafe", "café", "ltd", "limited", "and", "&", "takeaway", "kitchen"];
    name.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !COMMON.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Names are similar when their keys are equal, one contains the other, or they differ by a
/// typo or two (edit distance at most a fifth of the longer key).
pub fn similar_names(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    // "Café 1" and "Café 11" are two places; so are "Wok 2" and "Wok".
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    if digits(&a) != digits(&b) {
        return false;
    }
    if a == b || (a.len() >= 4 && b.contains(&a)) || (b.len() >= 4 && a.contains(&b)) {
        return true;
    }
    let longest = a.chars().count().max(b.chars().count());
    levenshtein(&a, &b) * 5 <= longest
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = here;
        }
    }
    row[b.len()]
}

/// Metres between two points on a spherical Earth (haversine; plenty at 25 m).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// One restaurant the import knows: already stored, or added earlier in this same file.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub id: Option<RestaurantId>,
    /// The file's line, for a restaurant this import adds.
    pub line: Option<usize>,
    pub name: String,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

/// Every restaurant the import could be duplicating, indexed by reference, postcode and place,
/// so each row is judged in constant time (50,000 rows against 100,000 restaurants).
#[derive(Debug, Default)]
pub struct DuplicateIndex {
    items: Vec<(Known, String)>,
    by_ref: HashMap<String, usize>,
    /// (postcode, name key) to the restaurants with both, first known first.
    by_postcode_name: HashMap<(String, String), Vec<usize>>,
    grid: HashMap<(i64, i64), Vec<usize>>,
}

/// Grid cells of 0.0005 degrees: 55 m of latitude, 35 m of longitude in London.
const CELL: f64 = 0.0005;

fn cell(lat: f64, lon: f64) -> (i64, i64) {
    ((lat / CELL).floor() as i64, (lon / CELL).floor() as i64)
}

impl DuplicateIndex {
    pub fn new(existing: Vec<Existing>) -> Self {
        let mut index = DuplicateIndex::default();
        for e in existing {
            let known = Known {
                id: Some(e.id),
                line: None,
                name: e.name,
                postcode: e.postcode,
                lat: e.lat,
                lon: e.lon,
            };
            index.add(known, e.external_ref);
        }
        index
    }

    pub fn get(&self, i: usize) -> &Known {
        &self.items[i].0
    }

    pub fn add(&mut self, known: Known, external_ref: Option<String>) -> usize {
        let i = self.items.len();
        if let Some(r) = external_ref {
            self.by_ref.entry(r).or_insert(i);
        }
        let key = name_key(&known.name);
        if let Some(pc) = known.postcode.as_ref().filter(|_| !key.is_empty()) {
            self.by_postcode_name.entry((pc.clone(), key.clone())).or_default().push(i);
        }
        if known.lat.is_finite() && known.lon.is_finite() {
            self.grid.entry(cell(known.lat, known.lon)).or_default().push(i);
        }
        self.items.push((known, key));
        i
    }

    /// A known restaurant whose details an import replaced: judged by its new ones from now on.
    pub fn replace(&mut self, i: usize, name: &str, postcode: Option<&str>, lat: f64, lon: f64) {
        let (old, old_key) = self.items[i].clone();
        if let Some(pc) = &old.postcode {
            if let Some(v) = self.by_postcode_name.get_mut(&(pc.clone(), old_key)) {
                v.retain(|&j| j != i);
            }
        }
        if let Some(v) = self.grid.get_mut(&cell(old.lat, old.lon)) {
            v.retain(|&j| j != i);
        }
        let known = Known { name: name.to_string(), postcode: postcode.map(str::to_string), lat, lon, ..old };
        let key = name_key(name);
        if let Some(pc) = known.postcode.as_ref().filter(|_| !key.is_empty()) {
            let list = self.by_postcode_name.entry((pc.clone(), key.clone())).or_default();
            // First known first, as `add` keeps them.
            let at = list.partition_point(|&j| j < i);
            list.insert(at, i);
        }
        self.grid.entry(cell(lat, lon)).or_default().push(i);
        self.items[i] = (known, key);
    }

    /// The strongest sign that a row is a known restaurant: the same reference; else the same
    /// name and postcode; else the nearest similar name within 25 m.
    pub fn find(
        &self,
        external_ref: Option<&str>,
        name: &str,
        postcode: Option<&str>,
        position: Option<(f64, f64)>,
    ) -> Option<(usize, MatchReason)> {
        if let Some(&i) = external_ref.and_then(|r| self.by_ref.get(r)) {
            return Some((i, MatchReason::SameReference));
        }
        let key = name_key(name);
        if let Some(pc) = postcode.filter(|_| !key.is_empty()) {
            if let Some(&i) = self.by_postcode_name.get(&(pc.to_string(), key)).and_then(|v| v.first()) {
                return Some((i, MatchReason::SameNameAndPostcode));
            }
        }
        let (lat, lon) = position?;
        let (clat, clon) = cell(lat, lon);
        let metres_per_cell_lon = CELL * 111_320.0 * lat.to_radians().cos().max(0.01);
        let reach_lon = (NEAR_METRES / metres_per_cell_lon).ceil() as i64;
        let mut best: Option<(usize, f64)> = None;
        for dlat in -1..=1 {
            for dlon in -reach_lon..=reach_lon {
                for &i in self.grid.get(&(clat + dlat, clon + dlon)).into_iter().flatten() {
                    let k = &self.items[i].0;
                    let d = distance_m(lat, lon, k.lat, k.lon);
                    if d <= NEAR_METRES && best.is_none_or(|(_, b)| d < b) && similar_names(name, &k.name) {
                        best = Some((i, d));
                    }
                }
            }
        }
        best.map(|(i, _)| (i, MatchReason::SimilarNameNearby))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RestaurantId;

    fn existing(name: &str, postcode: Option<&str>, lat: f64, lon: f64) -> Existing {
        Existing {
            id: RestaurantId(name.into()),
            name: name.into(),
            postcode: postcode.map(Into::into),
            lat,
            lon,
            external_ref: None,
        }
    }

    #[test]
    fn similar_name_cases() {
        let cases = [
            ("Mangal", "Mangal 2", false),
            ("Mangal 2", "Mangal II", false),
            ("Café 1, Zahlé", "Café 11, Zahlé", false),
            ("Mangal 2", "The Mangal 2", true),
            ("The Mangal Restaurant", "mangal", true),
            ("Café Zahlé", "Cafe Zahle", true),
            ("Café Zahlé", "Zahle Cafe", true),
            ("Accra Eatery", "Acra Eatery", true),
            ("Anatolia", "Aleppo Express", false),
            ("Kitchen", "Restaurant", false),
            ("Wok", "Wok & Roll", false),
        ];
        for (a, b, want) in cases {
            assert_eq!(similar_names(a, b), want, "{a} ~ {b}");
        }
    }

    #[test]
    fn distances() {
        // One thousandth of a degree of latitude is about 111 m anywhere.
        let d = distance_m(51.5, -0.1, 51.501, -0.1);
        assert!((d - 111.2).abs() < 0.5, "{d}");
        assert!(distance_m(51.5, -0.1, 51.5, -0.1) < 1e-9);
    }

    #[test]
    fn judging() {
        let mut index = DuplicateIndex::new(vec![
            existing("Mangal", Some("E8 2AA"), 51.5, -0.07),
            existing("Mangal Ocakbasi", None, 51.54, -0.0702),
            Existing { external_ref: Some("osm:node/1".into()), ..existing("Mangal", None, 51.5401, -0.07) },
        ]);
        let added = index.add(
            Known { id: None, line: Some(7), name: "Sushi Bar".into(), postcode: None, lat: 52.0, lon: 1.0 },
            None,
        );
        // (name, postcode, position, reference, expected: name of the match and why)
        let cases: &[(&str, Option<&str>, Option<(f64, f64)>, Option<&str>, Option<(&str, MatchReason)>)] = &[
            ("mangal", Some("E8 2AA"), None, None, Some(("Mangal", MatchReason::SameNameAndPostcode))),
            ("Anything", None, None, Some("osm:node/1"), Some(("Mangal", MatchReason::SameReference))),
            (
                "Mangal",
                None,
                Some((51.54, -0.07019)),
                None,
                Some(("Mangal Ocakbasi", MatchReason::SimilarNameNearby)),
            ),
            ("Mangal", None, Some((51.54009, -0.07)), None, Some(("Mangal", MatchReason::SimilarNameNearby))),
            ("Sushi Bar", None, Some((51.54, -0.07)), None, None),
            ("Mangal", None, Some((51.55, -0.07)), None, None),
            (
                "Sushi Bar",
                None,
                Some((52.0001, 1.0)),
                None,
                Some(("Sushi Bar", MatchReason::SimilarNameNearby)),
            ),
        ];
        for (name, pc, pos, reference, want) in cases {
            let got = index.find(*reference, name, *pc, *pos).map(|(i, r)| (index.get(i).name.as_str(), r));
            assert_eq!(got, *want, "{name} {pc:?} {pos:?}");
        }
        // Moved by an update: found at the new place only.
        index.replace(added, "Sushi Bar", None, 53.0, 1.0);
        assert!(index.find(None, "Sushi Bar", None, Some((52.0, 1.0))).is_none());
        assert!(index.find(None, "Sushi Bar", None, Some((53.0, 1.0))).is_some());
    }
}

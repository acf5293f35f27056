//! Areas: named polygons on the map (a ward, a few streets) that a volunteer claims for a while so
//! that two volunteers do not walk the same streets. Geometry is WGS84 degrees as GeoJSON writes
//! it ([longitude, latitude]); which restaurants an area holds is worked out with `geo`'s
//! point-in-polygon, never stored, so moving an outline never touches a restaurant.

pub mod claim;

pub use claim::{holder, rival, Claim, DEFAULT_CLAIM_DAYS, MAX_CLAIM_DAYS};

use super::validation::{invalid, ValidationResult};
use geo::orient::{Direction, Orient};
use geo::{Area as _, BoundingRect, Coord, GeodesicArea, Intersects, LineString, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

/// The most points one area may have, over all its rings. A London ward from the ONS "full
/// resolution" files has a few hundred to a few thousand; 50,000 leaves room for detailed
/// sources while keeping a count over 100,000 restaurants quick (point-in-polygon is linear in
/// the points of the ring a restaurant falls near).
pub const MAX_VERTICES: usize = 50_000;

/// The largest area accepted, in km². A campaign area is a patch someone can walk (a ward is 1 to
/// 5 km², a London borough 15 to 150, Greater London 1,572). 10,000 km² is more than any English
/// county but one, so no real district is refused, while a country outline, a file in the
/// wrong coordinates that still lands in range, or a "whole world" box drawn by mistake is.
pub const MAX_AREA_KM2: f64 = 10_000.0;

/// The smallest part of an area: less than a square metre is a slip of the mouse or points that
/// lie on one line.
const MIN_PART_M2: f64 = 1.0;

/// One ring of [longitude, latitude] positions; the last repeats the first.
pub type Ring = Vec<[f64; 2]>;

/// A GeoJSON Polygon or MultiPolygon geometry, exactly as RFC 7946 writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type")]
#[ts(export)]
pub enum Geometry {
    /// The outer ring first, then any holes.
    Polygon {
        coordinates: Vec<Ring>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Ring>>,
    },
}

impl Geometry {
    /// The polygons, each as its rings (a Polygon is one).
    pub fn polygons(&self) -> Vec<&[Ring]> {
        match self {
            Geometry::Polygon { coordinates } => vec![coordinates.as_slice()],
            Geometry::MultiPolygon { coordinates } => coordinates.iter().map(Vec::as_slice).collect(),
        }
    }

    /// GeoJSON text, as the `areas.geometry` column keeps it.
    pub fn to_json(&self) -> String {
        // Plain numbers and strings only: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Where an area's outline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AreaSource {
    /// Drawn on the map in the window.
    Drawn,
    /// Imported from a GeoJSON file (ward boundaries and the like).
    Geojson,
}

impl AreaSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaSource::Drawn => "drawn",
            AreaSource::Geojson => "geojson",
        }
    }
}

impl fmt::Display for AreaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AreaSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "drawn" => Ok(AreaSource::Drawn),
            "geojson" => Ok(AreaSource::Geojson),
            other => Err(format!("unknown area source '{other}'")),
        }
    }
}

/// A box in degrees around an area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        lat >= self.south && lat <= self.north && lon >= self.west && lon <= self.east
    }

    fn of(polygon: &Polygon<f64>) -> Option<Bounds> {
        polygon.bounding_rect().map(|r| Bounds {
            south: r.min().y,
            west: r.min().x,
            north: r.max().y,
            east: r.max().x,
        })
    }

    fn union(self, o: Bounds) -> Bounds {
        Bounds {
            south: self.south.min(o.south),
            west: self.west.min(o.west),
            north: self.north.max(o.north),
            east: self.east.max(o.east),
        }
    }
}

/// A checked outline, ready for point-in-polygon tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    geometry: Geometry,
    /// Each part with its own box, so a point far from a part costs four comparisons.
    parts: Vec<(Bounds, Polygon<f64>)>,
    bounds: Bounds,
    km2: f64,
    vertices: usize,
}

impl Area {
    /// Checks a geometry: every ring closed with at least 3 distinct points, positions in range,
    /// at most [`MAX_VERTICES`] points, each part with an area, the whole at most
    /// [`MAX_AREA_KM2`]. Self-intersections are not refused: boundary files often carry tiny
    /// ones, and the crossing rule still gives a sensible inside.
    pub fn new(geometry: Geometry) -> ValidationResult<Area> {
        let polygons = geometry.polygons();
        if polygons.is_empty() {
            return invalid("geometry", "has no polygon");
        }
        let vertices: usize = polygons.iter().flat_map(|p| p.iter()).map(Vec::len).sum();
        if vertices > MAX_VERTICES {
            return invalid(
                "geometry",
                format!(
                    "has {vertices} points, more than the {MAX_VERTICES} an area may have; \
                     use a generalised (simplified) boundary file"
                ),
            );
        }
        let several = polygons.len() > 1;
        let mut parts = Vec::with_capacity(polygons.len());
        let mut m2 = 0.0;
        for (p, rings) in polygons.iter().enumerate() {
            let part = if several { format!("polygon {}: ", p + 1) } else { String::new() };
            if rings.is_empty() {
                return invalid("geometry", format!("{part}has no rings"));
            }
            for (r, ring) in rings.iter().enumerate() {
                let which = if r == 0 { "outer ring".to_string() } else { format!("hole {r}") };
                check_ring(ring).map_err(|reason| super::ValidationError {
                    field: "geometry",
                    reason: format!("{part}{which} {reason}"),
                })?;
            }
            // Rings may wind either way (RFC 7946 only recommends counter-clockwise); the
            // geodesic area needs the exterior counter-clockwise and holes clockwise, or it
            // answers the rest of the Earth.
            let polygon = to_polygon(rings).orient(Direction::Default);
            let part_m2 = polygon.geodesic_area_signed().abs();
            // Points on one straight line in degrees still enclose a sliver on the ellipsoid, so
            // the flat area in degrees is asked too (1e-10 deg² is about a square metre).
            if part_m2.is_nan() || part_m2 < MIN_PART_M2 || polygon.unsigned_area() < 1e-10 {
                return invalid("geometry", format!("{part}has no area (its points lie on one line)"));
            }
            m2 += part_m2;
            let bounds = Bounds::of(&polygon).ok_or_else(|| super::ValidationError {
                field: "geometry",
                reason: format!("{part}has no points"),
            })?;
            parts.push((bounds, polygon));
        }
        let km2 = m2 / 1_000_000.0;
        if km2 > MAX_AREA_KM2 {
            return invalid(
                "geometry",
                format!(
                    "covers {km2:.0} km², more than the {MAX_AREA_KM2:.0} km² an area may cover; \
                     draw or import something a volunteer can walk"
                ),
            );
        }
        let bounds = parts.iter().map(|(b, _)| *b).reduce(Bounds::union).unwrap_or(Bounds {
            south: 0.0,
            west: 0.0,
            north: 0.0,
            east: 0.0,
        });
        Ok(Area { geometry, parts, bounds, km2, vertices })
    }

    /// An area read back from storage, checked by [`Area::new`] when it was written: only the
    /// shape is rebuilt (the geodesic area is the costly part of checking, and `km2` was kept).
    /// `None` when the geometry has an empty polygon or ring, which `new` never lets through.
    pub fn restore(geometry: Geometry, km2: f64) -> Option<Area> {
        let mut parts = Vec::new();
        let mut vertices = 0;
        for rings in geometry.polygons() {
            if rings.is_empty() || rings.iter().any(|r| r.len() < 4) {
                return None;
            }
            vertices += rings.iter().map(Vec::len).sum::<usize>();
            let polygon = to_polygon(rings);
            parts.push((Bounds::of(&polygon)?, polygon));
        }
        let bounds = parts.iter().map(|(b, _)| *b).reduce(Bounds::union)?;
        Some(Area { geometry, parts, bounds, km2, vertices })
    }

    /// Whether the point is inside the area or on its edge (a pin placed exactly on a drawn edge
    /// belongs to the area); a point in a hole is outside.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        if !self.bounds.contains(lat, lon) {
            return false;
        }
        let point = Coord { x: lon, y: lat };
        self.parts.iter().any(|(b, polygon)| b.contains(lat, lon) && polygon.intersects(&point))
    }

    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// The area on the WGS84 ellipsoid, in km² (holes taken out).
    pub fn km2(&self) -> f64 {
        self.km2
    }

    pub fn vertices(&self) -> usize {
        self.vertices
    }

    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    pub fn to_multi_polygon(&self) -> MultiPolygon<f64> {
        MultiPolygon(self.parts.iter().map(|(_, p)| p.clone()).collect())
    }

    /// One area of all the polygons of `areas` (several features of a file under one name).
    pub fn join(areas: &[Area]) -> ValidationResult<Area> {
        let mut coordinates = Vec::new();
        for a in areas {
            coordinates.extend(a.geometry.polygons().into_iter().map(<[Ring]>::to_vec));
        }
        match coordinates.len() {
            1 => Area::new(Geometry::Polygon { coordinates: coordinates.remove(0) }),
            _ => Area::new(Geometry::MultiPolygon { coordinates }),
        }
    }
}

/// Why a ring is refused, as the end of a sentence that names it.
fn check_ring(ring: &[[f64; 2]]) -> Result<(), String> {
    for &[lon, lat] in ring {
        if !lon.is_finite()
            || !lat.is_finite()
            || !(-180.0..=180.0).contains(&lon)
            || !(-90.0..=90.0).contains(&lat)
        {
            return Err(format!(
                "has the position [{lon}, {lat}], which is not on Earth in degrees: GeoJSON writes \
                 [longitude, latitude] in WGS84 (a file in metres, such as British National Grid, \
                 must be converted first)"
            ));
        }
    }
    match (ring.first(), ring.last()) {
        (Some(first), Some(last)) if ring.len() >= 2 && first == last => {}
        _ => return Err("is not closed: its last position must repeat its first".into()),
    }
    let mut distinct: Vec<[u64; 2]> =
        ring[..ring.len() - 1].iter().map(|[x, y]| [x.to_bits(), y.to_bits()]).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(format!("has {} distinct points; a ring needs at least 3", distinct.len()));
    }
    Ok(())
}

fn to_polygon(rings: &[Ring]) -> Polygon<f64> {
    let line = |ring: &Ring| LineString(ring.iter().map(|&[x, y]| Coord { x, y }).collect());
    Polygon::new(line(&rings[0]), rings[1..].iter().map(line).collect())
}

/// Finds which of many areas hold a point: the map tags 100,000 restaurants with this. Areas are
/// kept in order of their southern edge, so a point skips every area that starts north of it.
#[derive(Debug, Clone)]
pub struct AreaIndex<K> {
    areas: Vec<(K, Area)>,
    /// The tallest area's height in degrees: how far south of a point an area can start and still
    /// reach it.
    tallest: f64,
}

impl<K> AreaIndex<K> {
    pub fn new(mut areas: Vec<(K, Area)>) -> Self {
        areas.sort_by(|a, b| a.1.bounds.south.total_cmp(&b.1.bounds.south));
        let tallest = areas.iter().map(|(_, a)| a.bounds.north - a.bounds.south).fold(0.0, f64::max);
        AreaIndex { areas, tallest }
    }

    /// The keys of every area that holds the point, in order of their southern edge.
    pub fn at(&self, lat: f64, lon: f64) -> impl Iterator<Item = &K> + '_ {
        let first = self.areas.partition_point(|(_, a)| a.bounds.south < lat - self.tallest);
        let last = self.areas.partition_point(|(_, a)| a.bounds.south <= lat);
        self.areas[first..last].iter().filter(move |(_, a)| a.contains(lat, lon)).map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square ring of `side` degrees with its south-west corner at (lon, lat), counter-clockwise.
    fn square(lon: f64, lat: f64, side: f64) -> Ring {
        vec![[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    }

    fn polygon(rings: Vec<Ring>) -> Geometry {
        Geometry::Polygon { coordinates: rings }
    }

    /// A 0.01° square over Dalston with a 0.004° hole in its middle, and a MultiPolygon of two
    /// squares 0.02° apart.
    fn shapes() -> (Area, Area) {
        let holed = polygon(vec![square(-0.08, 51.54, 0.01), square(-0.077, 51.543, 0.004)]);
        let multi = Geometry::MultiPolygon {
            coordinates: vec![vec![square(-0.08, 51.54, 0.01)], vec![square(-0.05, 51.54, 0.01)]],
        };
        (Area::new(holed).expect("holed square"), Area::new(multi).expect("two squares"))
    }

    #[test]
    fn point_in_polygon() {
        let (holed, multi) = shapes();
        // (lat, lon, in the holed square, in the MultiPolygon)
        let cases: &[(f64, f64, bool, bool)] = &[
            (51.541, -0.079, true, true),   // inside, away from the hole
            (51.545, -0.075, false, true),  // in the hole
            (51.543, -0.075, true, true),   // on the hole's edge: on the area's boundary
            (51.540, -0.075, true, true),   // on the outer edge
            (51.540, -0.080, true, true),   // a corner
            (51.549, -0.071, true, true),   // just inside the far corner
            (51.551, -0.075, false, false), // just north
            (51.545, -0.081, false, false), // just west
            (51.545, -0.060, false, false), // between the two squares
            (51.545, -0.045, false, true),  // in the second square
            (-51.545, 0.075, false, false), // the mirror image: latitude and longitude are not swapped
            (0.0, 0.0, false, false),
        ];
        for &(lat, lon, in_holed, in_multi) in cases {
            assert_eq!(holed.contains(lat, lon), in_holed, "holed, {lat}, {lon}");
            assert_eq!(multi.contains(lat, lon), in_multi, "multi, {lat}, {lon}");
        }
    }

    #[test]
    fn box_and_size() {
        let (holed, multi) = shapes();
        let b = multi.bounds();
        assert_eq!((b.south, b.west, b.east), (51.54, -0.08, -0.04));
        assert!((b.north - 51.55).abs() < 1e-12);
        // 0.01° at 51.5°N is about 0.694 km east-west by 1.113 km north-south.
        let square = 0.694 * 1.113;
        assert!((multi.km2() - 2.0 * square).abs() < 0.02, "{}", multi.km2());
        let hole = square * 0.16;
        assert!((holed.km2() - (square - hole)).abs() < 0.01, "{}", holed.km2());
        assert_eq!(holed.vertices(), 10);
    }

    #[test]
    fn orientation_does_not_matter() {
        let mut clockwise = square(-0.08, 51.54, 0.01);
        clockwise.reverse();
        let a = Area::new(polygon(vec![clockwise])).expect("valid");
        let b = Area::new(polygon(vec![square(-0.08, 51.54, 0.01)])).expect("valid");
        assert!((a.km2() - b.km2()).abs() < 1e-9);
        assert!(a.contains(51.545, -0.075));
    }

    #[test]
    fn geometry_checks() {
        let open = vec![[-0.08, 51.54], [-0.07, 51.54], [-0.07, 51.55], [-0.08, 51.55]];
        let big = square(-3.0, 50.0, 2.0); // about 31,000 km²
        let mut many = Vec::new();
        for i in 0..=MAX_VERTICES {
            let t = i as f64 / MAX_VERTICES as f64 * std::f64::consts::TAU;
            many.push([-0.07 + 0.01 * t.cos(), 51.54 + 0.01 * t.sin()]);
        }
        many.push(many[0]);
        // (geometry, the start of the reason, or None when it is accepted)
        let cases: Vec<(Geometry, Option<&str>)> = vec![
            (polygon(vec![square(-0.08, 51.54, 0.01)]), None),
            (polygon(vec![square(-0.08, 51.54, 0.01), square(-0.077, 51.543, 0.004)]), None),
            (polygon(vec![]), Some("has no rings")),
            (Geometry::MultiPolygon { coordinates: vec![] }, Some("has no polygon")),
            (polygon(vec![open]), Some("outer ring is not closed")),
            (polygon(vec![vec![[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]), Some("outer ring has 2 distinct")),
            (
                polygon(vec![vec![[0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]]),
                Some("outer ring has 2 distinct"),
            ),
            (polygon(vec![vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]]), Some("has no area")),
            (
                polygon(vec![square(533_000.0, 184_000.0, 100.0)]),
                Some("outer ring has the position [533000, 184000]"),
            ),
            (polygon(vec![square(-0.08, 91.0, 0.01)]), Some("outer ring has the position")),
            (polygon(vec![square(f64::NAN, 51.0, 0.01)]), Some("outer ring has the position")),
            (polygon(vec![square(-0.08, 51.54, 0.01), vec![[0.0, 0.0]]]), Some("hole 1 is not closed")),
            (
                Geometry::MultiPolygon {
                    coordinates: vec![vec![square(-0.08, 51.54, 0.01)], vec![vec![[0.0, 0.0]; 4]]],
                },
                Some("polygon 2: outer ring has 1 distinct"),
            ),
            (polygon(vec![big]), Some("covers 3")),
            (polygon(vec![many]), Some("has 50002 points")),
        ];
        for (geometry, expected) in cases {
            let got = Area::new(geometry.clone());
            match (expected, got) {
                (None, Ok(_)) => {}
                (Some(start), Err(e)) => {
                    assert_eq!(e.field, "geometry");
                    assert!(e.reason.starts_with(start), "{geometry:?}: {}", e.reason);
                }
                (expected, got) => panic!("{geometry:?}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn restored_areas_answer_alike() {
        let (holed, multi) = shapes();
        for a in [holed, multi] {
            let back = Area::restore(a.geometry().clone(), a.km2()).expect("restored");
            assert_eq!((back.bounds(), back.vertices()), (a.bounds(), a.vertices()));
            assert_eq!(back.contains(51.545, -0.045), a.contains(51.545, -0.045));
            assert_eq!(back.contains(51.545, -0.075), a.contains(51.545, -0.075));
        }
        assert!(Area::restore(polygon(vec![]), 1.0).is_none());
        assert!(Area::restore(polygon(vec![vec![[0.0, 0.0]]]), 1.0).is_none());
    }

    #[test]
    fn geojson_round_trip() {
        let text =
            r#"{"type":"Polygon","coordinates":[[[-0.08,51.54],[-0.07,51.54],[-0.07,51.55],[-0.08,51.54]]]}"#;
        let g: Geometry = serde_json::from_str(text).expect("GeoJSON");
        assert_eq!(g.to_json(), text);
        let multi: Geometry =
            serde_json::from_str(r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}"#)
                .expect("GeoJSON");
        assert_eq!(multi.polygons().len(), 1);
    }

    #[test]
    fn joined_areas_hold_both() {
        let a = Area::new(polygon(vec![square(-0.08, 51.54, 0.01)])).expect("valid");
        let b = Area::new(polygon(vec![square(-0.05, 51.54, 0.01)])).expect("valid");
        let j = Area::join(&[a, b]).expect("joined");
        assert!(matches!(j.geometry(), Geometry::MultiPolygon { .. }));
        assert!(j.contains(51.545, -0.075) && j.contains(51.545, -0.045) && !j.contains(51.545, -0.06));
    }

    #[test]
    fn index_finds_every_area_holding_a_point() {
        let (holed, multi) = shapes();
        let tall = Area::new(polygon(vec![square(-0.1, 51.50, 0.1)])).expect("valid");
        let index =
            AreaIndex::new(vec![("holed", holed.clone()), ("multi", multi.clone()), ("tall", tall.clone())]);
        let mut lat = 51.49;
        while lat < 51.61 {
            let mut lon = -0.11;
            while lon < 0.0 {
                let mut got: Vec<&str> = index.at(lat, lon).copied().collect();
                got.sort_unstable();
                let mut want = Vec::new();
                for (k, a) in [("holed", &holed), ("multi", &multi), ("tall", &tall)] {
                    if a.contains(lat, lon) {
                        want.push(k);
                    }
                }
                assert_eq!(got, want, "{lat}, {lon}");
                lon += 0.0013;
            }
            lat += 0.0011;
        }
    }
}

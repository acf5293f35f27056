//! Every restaurant's position, status and name in memory, sorted west to east so the points in
//! a box are one binary search and a scan away. Filters arrive as the set of matching row numbers
//! (`PkSet`, worked out by the store's one filter), so the map, the list and the legend agree.

use super::cluster::{cluster, MapItem, Placed, SINGLES_FROM_ZOOM};

/// Up to this many restaurants in view, each is drawn by itself.
pub const SINGLES_UP_TO: usize = 400;
use super::mercator;
use crate::domain::{RestaurantId, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct IndexPoint {
    /// The store's row number (what filters return).
    pub pk: u32,
    pub id: RestaurantId,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub status: Status,
    /// A volunteer's proposal not decided yet: drawn with its own mark.
    pub proposed: bool,
}

/// Row numbers as a bitset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PkSet(Vec<u64>);

impl PkSet {
    pub fn from_pks(pks: impl IntoIterator<Item = u32>) -> Self {
        let mut bits = Vec::new();
        for pk in pks {
            let word = pk as usize / 64;
            if word >= bits.len() {
                bits.resize(word + 1, 0);
            }
            bits[word] |= 1 << (pk % 64);
        }
        PkSet(bits)
    }

    pub fn contains(&self, pk: u32) -> bool {
        self.0.get(pk as usize / 64).is_some_and(|w| w & (1 << (pk % 64)) != 0)
    }
}

#[derive(Debug, Default)]
pub struct MapIndex {
    points: Vec<IndexPoint>,
    /// World x of each point, in the same order (sorted), for the binary search.
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl MapIndex {
    pub fn new(mut points: Vec<IndexPoint>) -> Self {
        points.sort_by(|a, b| a.lon.total_cmp(&b.lon));
        let xs = points.iter().map(|p| mercator::x(p.lon)).collect();
        let ys = points.iter().map(|p| mercator::y(p.lat)).collect();
        MapIndex { points, xs, ys }
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn point(&self, index: u32) -> &IndexPoint {
        &self.points[index as usize]
    }

    /// The positions in `points` of those inside the box (west > east crosses the antimeridian)
    /// and in `allowed` (every point when `None`).
    fn inside<'a>(
        &'a self,
        south: f64,
        west: f64,
        north: f64,
        east: f64,
        allowed: Option<&'a PkSet>,
    ) -> impl Iterator<Item = usize> + 'a {
        let (y_top, y_bottom) = (mercator::y(north), mercator::y(south));
        let range = |w: f64, e: f64| {
            let lo = self.xs.partition_point(|&x| x < mercator::x(w));
            let hi = self.xs.partition_point(|&x| x <= mercator::x(e));
            lo..hi.max(lo)
        };
        let (first, second) =
            if west <= east { (range(west, east), 0..0) } else { (range(west, 180.0), range(-180.0, east)) };
        first.chain(second).filter(move |&i| {
            let y = self.ys[i];
            y >= y_top && y <= y_bottom && allowed.is_none_or(|set| set.contains(self.points[i].pk))
        })
    }

    /// What to draw for the box at `zoom`: clusters and single points, and how many restaurants
    /// that is in all.
    pub fn query(
        &self,
        (south, west, north, east): (f64, f64, f64, f64),
        zoom: u8,
        allowed: Option<&PkSet>,
    ) -> (Vec<MapItem>, u64) {
        let placed: Vec<Placed> = self
            .inside(south, west, north, east, allowed)
            .map(|i| Placed { x: self.xs[i], y: self.ys[i], status: self.points[i].status, index: i as u32 })
            .collect();
        let total = placed.len() as u64;
        // A view with few restaurants shows every one of them: clusters are for crowds.
        let zoom = if placed.len() <= SINGLES_UP_TO { SINGLES_FROM_ZOOM } else { zoom };
        (cluster(placed.into_iter(), zoom), total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(pk: u32, lat: f64, lon: f64) -> IndexPoint {
        IndexPoint {
            pk,
            id: RestaurantId(format!("r{pk}")),
            name: format!("R {pk}"),
            lat,
            lon,
            status: Status::ALL[pk as usize % 8],
            proposed: false,
        }
    }

    fn count(items: &[MapItem]) -> u32 {
        items.iter().map(|i| if let MapItem::Cluster(c) = i { c.count } else { 1 }).sum()
    }

    #[test]
    fn boxes_and_filters() {
        let index = MapIndex::new(vec![
            point(1, 51.50, -0.10),
            point(2, 51.52, -0.12),
            point(3, 53.48, -2.24),
            point(4, -36.85, 174.76), // Auckland
            point(5, 64.14, -21.94),  // Reykjavik
            point(70, 51.51, -0.11),
        ]);
        let london = (51.4, -0.3, 51.6, 0.1);
        let evens = PkSet::from_pks([2, 4, 70]);
        // (box, zoom, filter, expected restaurants)
        let cases: Vec<((f64, f64, f64, f64), u8, Option<&PkSet>, u64)> = vec![
            (london, 10, None, 3),
            (london, 18, None, 3),
            (london, 10, Some(&evens), 2),
            ((-90.0, -180.0, 90.0, 180.0), 2, None, 6),
            ((-90.0, -180.0, 90.0, 180.0), 2, Some(&evens), 3),
            // Across the antimeridian: Auckland, not London.
            ((-40.0, 170.0, -30.0, -170.0), 5, None, 1),
            ((0.0, 0.0, 1.0, 1.0), 5, None, 0),
        ];
        for (bbox, zoom, filter, want) in cases {
            let (items, total) = index.query(bbox, zoom, filter);
            assert_eq!(total, want, "{bbox:?} z{zoom}");
            assert_eq!(u64::from(count(&items)), want, "{bbox:?} z{zoom}: items cover every point");
        }
    }

    #[test]
    fn few_are_drawn_one_by_one_and_crowds_in_clusters() {
        let crowd: Vec<IndexPoint> =
            (0..(SINGLES_UP_TO as u32 + 100)).map(|i| point(i, 51.5 + f64::from(i) * 1e-5, -0.1)).collect();
        let few = MapIndex::new(crowd[..SINGLES_UP_TO].to_vec());
        let many = MapIndex::new(crowd);
        let world = (-90.0, -180.0, 90.0, 180.0);
        assert!(few.query(world, 3, None).0.iter().all(|i| matches!(i, MapItem::Single(_))));
        let (items, total) = many.query(world, 3, None);
        assert_eq!(total, SINGLES_UP_TO as u64 + 100);
        assert_eq!(items.len(), 1, "one cluster for the whole street at zoom 3");
    }

    #[test]
    fn pk_sets() {
        let set = PkSet::from_pks([0, 63, 64, 1000]);
        for (pk, want) in
            [(0, true), (1, false), (63, true), (64, true), (65, false), (1000, true), (5000, false)]
        {
            assert_eq!(set.contains(pk), want, "{pk}");
        }
    }
}

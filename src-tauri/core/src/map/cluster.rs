//! Grid clustering: the points in view are binned into squares of `CELL_PX` screen pixels at the
//! requested zoom, squares fixed to the world (not to the window), so a cluster keeps its place
//! and its count while the map pans. Each square with more than one point becomes one cluster at
//! its points' centroid, with the count of each status; a square with one point shows the point.
//!
//! Why a grid per request rather than a precomputed hierarchy (supercluster): filters change the
//! set of points at every keystroke, and a hierarchy must be rebuilt for each; one pass over the
//! points in view is linear in them, needs no rebuild, and takes a few milliseconds for 100,000
//! (see `make bench-map`).

use super::mercator;
use crate::domain::Status;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// The side of a cluster square, in screen pixels.
pub const CELL_PX: f64 = 64.0;
/// Symbols closer than this many pixels after binning are merged, so none overlap.
pub const MERGE_PX: f64 = 44.0;
/// From this zoom on, every point is drawn by itself (a street's restaurants, one by one).
pub const SINGLES_FROM_ZOOM: u8 = 17;

/// A point as the clustering sees it: world position, status, and the caller's index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub status: Status,
    pub index: u32,
}

/// Several restaurants drawn as one symbol: where, how many, in which statuses, and the box to
/// zoom to for seeing them apart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Cluster {
    pub lat: f64,
    pub lon: f64,
    pub count: u32,
    /// Counts in the order of `Status::ALL`.
    pub by_status: [u32; 8],
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

/// One restaurant drawn by itself (the caller fills in who it is from `index`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Single {
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MapItem {
    Single(Single),
    Cluster(Cluster),
}

/// A multiply-rotate hash for the integer square keys (the std hasher resists attacks these
/// keys cannot mount, at several times the cost: it was most of a 100,000-point query).
#[derive(Default)]
struct SquareHasher(u64);

impl std::hash::Hasher for SquareHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Squares<V> = HashMap<(i64, i64), V, std::hash::BuildHasherDefault<SquareHasher>>;

struct Bin {
    count: u32,
    sum_x: f64,
    sum_y: f64,
    by_status: [u32; 8],
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    first: u32,
}

fn status_slot(s: Status) -> usize {
    Status::ALL.iter().position(|&t| t == s).unwrap_or(0)
}

/// Clusters `points` for `zoom`: every point ends up in exactly one item.
pub fn cluster(points: impl Iterator<Item = Placed>, zoom: u8) -> Vec<MapItem> {
    if zoom >= SINGLES_FROM_ZOOM {
        return points.map(|p| MapItem::Single(Single { index: p.index })).collect();
    }
    let cell = CELL_PX * mercator::pixel(zoom);
    let mut bins: Squares<Bin> = Squares::default();
    let mut order: Vec<(i64, i64)> = Vec::new();
    for p in points {
        let key = ((p.x / cell).floor() as i64, (p.y / cell).floor() as i64);
        let bin = bins.entry(key).or_insert_with(|| {
            order.push(key);
            Bin { first: p.index, ..Bin::empty() }
        });
        bin.count += 1;
        bin.sum_x += p.x;
        bin.sum_y += p.y;
        bin.by_status[status_slot(p.status)] += 1;
        bin.min_x = bin.min_x.min(p.x);
        bin.min_y = bin.min_y.min(p.y);
        bin.max_x = bin.max_x.max(p.x);
        bin.max_y = bin.max_y.max(p.y);
    }
    let bins: Vec<Bin> = order.into_iter().filter_map(|key| bins.remove(&key)).collect();
    merge_neighbours(bins, MERGE_PX * mercator::pixel(zoom))
        .into_iter()
        .map(|b| {
            if b.count == 1 {
                return MapItem::Single(Single { index: b.first });
            }
            let n = f64::from(b.count);
            MapItem::Cluster(Cluster {
                lat: mercator::lat(b.sum_y / n),
                lon: mercator::lon(b.sum_x / n),
                count: b.count,
                by_status: b.by_status,
                south: mercator::lat(b.max_y),
                west: mercator::lon(b.min_x),
                north: mercator::lat(b.min_y),
                east: mercator::lon(b.max_x),
            })
        })
        .collect()
}

/// Greedy merging, biggest first: every bin absorbs the smaller ones whose centre lies within
/// `reach` (world units) of its own, found through a hash of `reach`-sized squares. Counts,
/// statuses and bounds are summed, so nothing is lost and no two symbols overlap much.
fn merge_neighbours(mut bins: Vec<Bin>, reach: f64) -> Vec<Bin> {
    let centre = |b: &Bin| (b.sum_x / f64::from(b.count), b.sum_y / f64::from(b.count));
    let square = |(x, y): (f64, f64)| ((x / reach).floor() as i64, (y / reach).floor() as i64);
    bins.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.cmp(&b.first)));
    let mut grid: Squares<Vec<usize>> = Squares::default();
    for (i, b) in bins.iter().enumerate() {
        grid.entry(square(centre(b))).or_default().push(i);
    }
    let mut taken = vec![false; bins.len()];
    let mut out = Vec::new();
    for i in 0..bins.len() {
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let (cx, cy) = centre(&bins[i]);
        let (sx, sy) = square((cx, cy));
        let mut absorbed = Vec::new();
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &j in grid.get(&(sx + dx, sy + dy)).into_iter().flatten() {
                    if !taken[j] {
                        let (x, y) = centre(&bins[j]);
                        if (x - cx).powi(2) + (y - cy).powi(2) <= reach * reach {
                            taken[j] = true;
                            absorbed.push(j);
                        }
                    }
                }
            }
        }
        let mut merged = std::mem::replace(&mut bins[i], Bin::empty());
        for j in absorbed {
            let other = std::mem::replace(&mut bins[j], Bin::empty());
            merged.absorb(&other);
        }
        out.push(merged);
    }
    out
}

impl Bin {
    fn empty() -> Bin {
        Bin {
            count: 0,
            sum_x: 0.0,
            sum_y: 0.0,
            by_status: [0; 8],
            min_x: f64::MAX,
            min_y: f64::MAX,
            max_x: f64::MIN,
            max_y: f64::MIN,
            first: 0,
        }
    }

    fn absorb(&mut self, o: &Bin) {
        self.count += o.count;
        self.sum_x += o.sum_x;
        self.sum_y += o.sum_y;
        for (a, b) in self.by_status.iter_mut().zip(o.by_status) {
            *a += b;
        }
        self.min_x = self.min_x.min(o.min_x);
        self.min_y = self.min_y.min(o.min_y);
        self.max_x = self.max_x.max(o.max_x);
        self.max_y = self.max_y.max(o.max_y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn placed(points: &[(f64, f64, usize)]) -> Vec<Placed> {
        points
            .iter()
            .enumerate()
            .map(|(i, &(lat, lon, s))| Placed {
                x: mercator::x(lon),
                y: mercator::y(lat),
                status: Status::ALL[s % 8],
                index: i as u32,
            })
            .collect()
    }

    /// Every point is in exactly one item, and the counts add up, by status too.
    fn check(points: &[Placed], items: &[MapItem]) {
        let mut covered = 0u32;
        let mut by_status = [0u32; 8];
        let mut seen = std::collections::HashSet::new();
        for item in items {
            match item {
                MapItem::Single(s) => {
                    assert!(seen.insert(s.index), "point {} twice", s.index);
                    covered += 1;
                    by_status[status_slot(points[s.index as usize].status)] += 1;
                }
                MapItem::Cluster(c) => {
                    assert!(c.count >= 2);
                    assert_eq!(c.by_status.iter().sum::<u32>(), c.count);
                    assert!(c.south <= c.lat + 1e-9 && c.lat <= c.north + 1e-9);
                    assert!(c.west <= c.lon + 1e-9 && c.lon <= c.east + 1e-9);
                    covered += c.count;
                    for (a, b) in by_status.iter_mut().zip(c.by_status) {
                        *a += b;
                    }
                }
            }
        }
        assert_eq!(covered as usize, points.len());
        let mut want = [0u32; 8];
        for p in points {
            want[status_slot(p.status)] += 1;
        }
        assert_eq!(by_status, want);
    }

    #[test]
    fn cases() {
        // (points, zoom, expected clusters, expected singles)
        let cases: Vec<(Vec<(f64, f64, usize)>, u8, usize, usize)> = vec![
            (vec![], 10, 0, 0),
            (vec![(51.5, -0.1, 0)], 3, 0, 1),
            // Two restaurants 10 m apart: one cluster across London, two points on the street.
            (vec![(51.5, -0.1, 0), (51.50009, -0.1, 4)], 10, 1, 0),
            (vec![(51.5, -0.1, 0), (51.50009, -0.1, 4)], 17, 0, 2),
            // London and Manchester stay apart at zoom 8, merge at zoom 2.
            (vec![(51.5, -0.1, 0), (51.51, -0.11, 1), (53.48, -2.24, 2), (53.47, -2.25, 3)], 8, 2, 0),
            (vec![(51.5, -0.1, 0), (51.51, -0.11, 1), (53.48, -2.24, 2), (53.47, -2.25, 3)], 2, 1, 0),
        ];
        for (points, zoom, clusters, singles) in cases {
            let points = placed(&points);
            let items = cluster(points.iter().copied(), zoom);
            check(&points, &items);
            let got_clusters = items.iter().filter(|i| matches!(i, MapItem::Cluster(_))).count();
            assert_eq!((got_clusters, items.len() - got_clusters), (clusters, singles), "zoom {zoom}");
        }
    }

    proptest! {
        #[test]
        fn counts_are_conserved_at_every_zoom(
            points in proptest::collection::vec((51.2f64..51.8, -0.6f64..0.3, 0usize..8), 0..400),
        ) {
            let points = placed(&points);
            for zoom in 0..=18u8 {
                let items = cluster(points.iter().copied(), zoom);
                check(&points, &items);
            }
            // From the zoom where points stand alone, each is its own item.
            prop_assert_eq!(cluster(points.iter().copied(), SINGLES_FROM_ZOOM).len(), points.len());
        }
    }
}

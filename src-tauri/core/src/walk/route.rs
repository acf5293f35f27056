//! Orders stops into a short walking route: nearest neighbour, then 2-opt until no move
//! shortens it. An open path: the walk ends at the last stop, it does not come back.
//!
//! Distances are great-circle (haversine on a sphere of the Earth's mean radius). Within a
//! city the difference from the ellipsoid is a few parts in a thousand, far less than the
//! difference between a straight line and the streets, so nothing finer is worth its cost.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The Earth's mean radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// A 2-opt move must shorten the route by more than this (metres), so rounding cannot loop.
const IMPROVEMENT_M: f64 = 1e-6;
/// Above this many points, distances are computed when needed instead of kept in a table
/// (a table of n² distances is 2 MB at 500 stops, 200 MB at 5,000).
const TABLE_LIMIT: usize = 2_000;

/// A position in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// Great-circle distance in metres.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Where the walk begins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Start {
    /// From a point that is not a stop (a station, the volunteer's door): the first leg counts.
    At(LatLon),
    /// From the first stop as given.
    FirstStop,
    /// Nowhere in particular: nearest neighbour starts at the stop nearest the centroid, and
    /// 2-opt may then move either end of the path.
    Anywhere,
}

/// How fast a volunteer gets round: walking speed and time spent at each stop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Pace {
    pub km_per_hour: f64,
    pub minutes_per_stop: f64,
}

impl Default for Pace {
    /// 4.5 km/h is an unhurried city walk with crossings; ten minutes covers introducing the
    /// campaign and, when it goes well, placing a sticker.
    fn default() -> Self {
        Pace { km_per_hour: 4.5, minutes_per_stop: 10.0 }
    }
}

impl Pace {
    pub fn walking_minutes(&self, metres: f64) -> f64 {
        metres / (self.km_per_hour * 1000.0 / 60.0)
    }

    /// Walking `metres` and stopping at `stops` stops.
    pub fn minutes(&self, metres: f64, stops: usize) -> f64 {
        self.walking_minutes(metres) + self.minutes_per_stop * stops as f64
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Indices into the stops, in walking order.
    pub order: Vec<usize>,
    /// Metres walked to reach each stop of `order` (from the start point, or 0 for the first
    /// stop when the walk starts there).
    pub legs_m: Vec<f64>,
    pub total_m: f64,
    /// Walking plus time at the stops.
    pub minutes: f64,
}

/// Orders `stops` into a short route (nearest neighbour, then 2-opt) and times it.
pub fn plan(stops: &[LatLon], start: Start, pace: &Pace) -> Route {
    let table = Distances::new(stops, start);
    let order = table.two_opt(table.nearest_neighbour());
    let legs_m = table.legs(&order);
    let total_m = legs_m.iter().sum();
    Route { minutes: pace.minutes(total_m, order.len()), order, legs_m, total_m }
}

/// The nearest-neighbour route alone (for comparison and the benchmark).
pub fn nearest_neighbour(stops: &[LatLon], start: Start) -> Vec<usize> {
    Distances::new(stops, start).nearest_neighbour()
}

/// 2-opt applied to `order` until no reversal shortens it.
pub fn two_opt(stops: &[LatLon], start: Start, order: Vec<usize>) -> Vec<usize> {
    Distances::new(stops, start).two_opt(order)
}

/// The length of the route `order` in metres, first leg from the start point included.
pub fn length_m(stops: &[LatLon], start: Start, order: &[usize]) -> f64 {
    Distances::new(stops, start).legs(order).iter().sum()
}

/// Distances between the stops and, when the walk starts at a point, that point (the last
/// node). A table when small enough, otherwise computed on demand.
struct Distances<'a> {
    stops: &'a [LatLon],
    start: Start,
    table: Option<Vec<f64>>,
}

impl<'a> Distances<'a> {
    fn new(stops: &'a [LatLon], start: Start) -> Self {
        let nodes = stops.len() + usize::from(matches!(start, Start::At(_)));
        let mut d = Distances { stops, start, table: None };
        if nodes <= TABLE_LIMIT {
            let mut table = vec![0.0; nodes * nodes];
            for i in 0..nodes {
                for j in i + 1..nodes {
                    let v = d.compute(i, j);
                    table[i * nodes + j] = v;
                    table[j * nodes + i] = v;
                }
            }
            d.table = Some(table);
        }
        d
    }

    fn nodes(&self) -> usize {
        self.stops.len() + usize::from(matches!(self.start, Start::At(_)))
    }

    fn point(&self, node: usize) -> LatLon {
        match self.start {
            Start::At(p) if node == self.stops.len() => p,
            _ => self.stops[node],
        }
    }

    fn compute(&self, i: usize, j: usize) -> f64 {
        distance_m(self.point(i), self.point(j))
    }

    fn get(&self, i: usize, j: usize) -> f64 {
        match &self.table {
            Some(t) => t[i * self.nodes() + j],
            None => self.compute(i, j),
        }
    }

    /// The node before the first stop, if the first leg counts.
    fn anchor(&self) -> Option<usize> {
        matches!(self.start, Start::At(_)).then_some(self.stops.len())
    }

    fn nearest_neighbour(&self) -> Vec<usize> {
        let n = self.stops.len();
        if n == 0 {
            return Vec::new();
        }
        let mut visited = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut current = match self.start {
            Start::At(_) => self.stops.len(),
            Start::FirstStop => {
                visited[0] = true;
                order.push(0);
                0
            }
            Start::Anywhere => {
                let first = nearest_to_centroid(self.stops);
                visited[first] = true;
                order.push(first);
                first
            }
        };
        while order.len() < n {
            // Ties go to the lowest index, so the same input always gives the same route.
            let mut best = (f64::INFINITY, usize::MAX);
            for (j, seen) in visited.iter().enumerate() {
                if !seen {
                    let d = self.get(current, j);
                    if d < best.0 {
                        best = (d, j);
                    }
                }
            }
            let next = best.1;
            visited[next] = true;
            order.push(next);
            current = next;
        }
        order
    }

    /// Reverses a stretch `order[i..=j]` whenever that shortens the path, until none does.
    /// Reversing replaces the edges (before i, i) and (j, after j) by (before i, j) and
    /// (i, after j); an end with nothing beyond it costs nothing, which is what lets an open
    /// path change its last stop, and with `Start::Anywhere` its first.
    fn two_opt(&self, mut order: Vec<usize>) -> Vec<usize> {
        let n = order.len();
        let first = usize::from(matches!(self.start, Start::FirstStop));
        let anchor = self.anchor();
        let edge = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) => self.get(a, b),
            _ => 0.0,
        };
        let mut improved = true;
        while improved {
            improved = false;
            for i in first..n.saturating_sub(1) {
                let before = if i == 0 { anchor } else { Some(order[i - 1]) };
                for j in i + 1..n {
                    let after = order.get(j + 1).copied();
                    let (a, b) = (order[i], order[j]);
                    let delta = edge(before, Some(b)) + edge(Some(a), after)
                        - edge(before, Some(a))
                        - edge(Some(b), after);
                    if delta < -IMPROVEMENT_M {
                        order[i..=j].reverse();
                        improved = true;
                    }
                }
            }
        }
        order
    }

    fn legs(&self, order: &[usize]) -> Vec<f64> {
        let mut previous = self.anchor();
        order
            .iter()
            .map(|&stop| {
                let leg = previous.map_or(0.0, |p| self.get(p, stop));
                previous = Some(stop);
                leg
            })
            .collect()
    }
}

/// The stop nearest the stops' mean position (a plain mean of degrees: fine within a city).
fn nearest_to_centroid(stops: &[LatLon]) -> usize {
    let n = stops.len() as f64;
    let centre = LatLon {
        lat: stops.iter().map(|s| s.lat).sum::<f64>() / n,
        lon: stops.iter().map(|s| s.lon).sum::<f64>() / n,
    };
    let mut best = (f64::INFINITY, 0);
    for (i, s) in stops.iter().enumerate() {
        let d = distance_m(*s, centre);
        if d < best.0 {
            best = (d, i);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    #[test]
    fn distances() {
        // (a, b, metres, tolerance)
        let cases = [
            (p(51.5, -0.1), p(51.5, -0.1), 0.0, 1e-9),
            // One degree of latitude: 111.2 km on the mean sphere.
            (p(51.0, 0.0), p(52.0, 0.0), 111_195.0, 1.0),
            // London to Paris, about 343.5 km (great circle).
            (p(51.5074, -0.1278), p(48.8566, 2.3522), 343_560.0, 500.0),
            // Across a Hackney street: ~ 70 m.
            (p(51.5467, -0.0755), p(51.5467, -0.0745), 69.3, 0.5),
        ];
        for (a, b, want, tol) in cases {
            let got = distance_m(a, b);
            assert!((got - want).abs() <= tol, "{a:?} → {b:?}: {got}, want {want}");
            assert!((distance_m(b, a) - got).abs() < 1e-9);
        }
    }

    #[test]
    fn small_and_degenerate_inputs() {
        let a = p(51.5467, -0.0755);
        let b = p(51.5477, -0.0755);
        let c = p(51.5487, -0.0755);
        let pace = Pace::default();
        // (stops, start, order, total metres rounded)
        let cases: Vec<(Vec<LatLon>, Start, Vec<usize>, i64)> = vec![
            (vec![], Start::Anywhere, vec![], 0),
            (vec![], Start::At(a), vec![], 0),
            (vec![a], Start::Anywhere, vec![0], 0),
            (vec![a], Start::At(c), vec![0], 222),
            (vec![a, b], Start::FirstStop, vec![0, 1], 111),
            (vec![b, a], Start::At(a), vec![1, 0], 111),
            // Three in a line, given out of order: walked end to end.
            (vec![c, a, b], Start::At(a), vec![1, 2, 0], 222),
            (vec![c, a, b], Start::FirstStop, vec![0, 2, 1], 222),
            // Two venues in one building, then one down the road.
            (vec![a, a, c], Start::FirstStop, vec![0, 1, 2], 222),
            (vec![a, a, a], Start::Anywhere, vec![0, 1, 2], 0),
        ];
        for (stops, start, order, total) in cases {
            let route = plan(&stops, start, &pace);
            assert_eq!(route.order, order, "{stops:?} from {start:?}");
            assert_eq!(route.total_m.round() as i64, total, "{stops:?} from {start:?}");
            assert_eq!(route.legs_m.len(), stops.len());
            assert!((route.legs_m.iter().sum::<f64>() - route.total_m).abs() < 1e-9);
        }
    }

    #[test]
    fn anywhere_lets_two_opt_move_the_first_stop() {
        // Five stops on a line: the centroid's nearest is the middle one, but the shortest open
        // path walks from one end to the other.
        let stops: Vec<LatLon> = (0..5).map(|i| p(51.5 + 0.001 * f64::from(i), -0.1)).collect();
        let route = plan(&stops, Start::Anywhere, &Pace::default());
        assert!(route.order == [0, 1, 2, 3, 4] || route.order == [4, 3, 2, 1, 0], "{:?}", route.order);
        assert!((route.total_m - distance_m(stops[0], stops[4])).abs() < 0.01);
    }

    #[test]
    fn two_opt_untangles_a_crossing() {
        // A square walked corner to opposite corner crosses itself; 2-opt walks its sides.
        let sq = [p(51.50, -0.10), p(51.50, -0.09), p(51.51, -0.10), p(51.51, -0.09)];
        let crossed = vec![0, 3, 1, 2];
        let better = two_opt(&sq, Start::FirstStop, crossed.clone());
        assert!(length_m(&sq, Start::FirstStop, &better) < length_m(&sq, Start::FirstStop, &crossed));
        assert_eq!(better[0], 0);
    }

    #[test]
    fn walking_time() {
        let pace = Pace { km_per_hour: 4.5, minutes_per_stop: 10.0 };
        // (metres, stops, minutes)
        let cases = [(0.0, 0, 0.0), (4500.0, 0, 60.0), (750.0, 3, 40.0), (1500.0, 1, 30.0)];
        for (m, stops, want) in cases {
            assert!((pace.minutes(m, stops) - want).abs() < 1e-9, "{m} m, {stops} stops");
        }
    }

    fn london_stops() -> impl Strategy<Value = Vec<LatLon>> {
        // A coarse grid as well as free positions, so duplicates at one point are common.
        let free = (51.45f64..51.60, -0.20f64..0.05).prop_map(|(lat, lon)| p(lat, lon));
        let grid =
            (0u8..6, 0u8..6).prop_map(|(a, b)| p(51.5 + f64::from(a) * 0.002, -0.1 + f64::from(b) * 0.003));
        proptest::collection::vec(prop_oneof![free, grid], 0..60)
    }

    fn start_of(kind: u8, at: LatLon) -> Start {
        match kind {
            0 => Start::At(at),
            1 => Start::FirstStop,
            _ => Start::Anywhere,
        }
    }

    proptest! {
        #[test]
        fn a_route_visits_every_stop_once(stops in london_stops(), kind in 0u8..3, lat in 51.45f64..51.6) {
            let start = start_of(kind, p(lat, -0.1));
            let route = plan(&stops, start, &Pace::default());
            let mut seen = route.order.clone();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..stops.len()).collect::<Vec<_>>());
            prop_assert_eq!(route.legs_m.len(), stops.len());
            if start == Start::FirstStop && !stops.is_empty() {
                prop_assert_eq!(route.order[0], 0);
            }
        }

        #[test]
        fn two_opt_never_lengthens_the_nearest_neighbour_route(
            stops in london_stops(), kind in 0u8..3, lat in 51.45f64..51.6
        ) {
            let start = start_of(kind, p(lat, -0.1));
            let nn = nearest_neighbour(&stops, start);
            let before = length_m(&stops, start, &nn);
            let after = length_m(&stops, start, &two_opt(&stops, start, nn));
            prop_assert!(after <= before + 1e-6, "{} > {}", after, before);
        }
    }
}

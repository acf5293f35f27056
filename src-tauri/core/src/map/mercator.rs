//! Web Mercator in world units: the whole world is the square 0..1 (x east, y south), as map
//! tiles see it. At zoom `z` the world is `256 * 2^z` pixels wide.

/// The latitude where Web Mercator stops.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

pub fn x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

pub fn y(lat: f64) -> f64 {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0
}

pub fn lon(x: f64) -> f64 {
    x * 360.0 - 180.0
}

pub fn lat(y: f64) -> f64 {
    let n = std::f64::consts::PI * (1.0 - 2.0 * y);
    n.sinh().atan().to_degrees()
}

/// How many world units one screen pixel is at `zoom`.
pub fn pixel(zoom: u8) -> f64 {
    1.0 / (256.0 * f64::from(1u32 << zoom.min(24)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_points() {
        let cases = [
            (0.0, 0.0, 0.5, 0.5),
            (51.5072, -0.1276, 0.499_646, 0.332_526),
            (-33.8688, 151.2093, 0.920_026, 0.600_092),
        ];
        for (lat_, lon_, wx, wy) in cases {
            assert!((x(lon_) - wx).abs() < 1e-6, "x of {lon_}");
            assert!((y(lat_) - wy).abs() < 1e-6, "y of {lat_}: {}", y(lat_));
            assert!((lat(y(lat_)) - lat_).abs() < 1e-9);
            assert!((lon(x(lon_)) - lon_).abs() < 1e-9);
        }
        assert!(y(90.0) >= 0.0 && y(-90.0) <= 1.0, "clamped at the poles");
        assert_eq!(pixel(0), 1.0 / 256.0);
    }
}

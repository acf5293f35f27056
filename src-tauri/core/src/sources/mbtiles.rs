//! A person's own MBTiles file as the basemap (https://github.com/mapbox/mbtiles-spec): one
//! SQLite file with `tiles(zoom_level, tile_column, tile_row, tile_data)` and
//! `metadata(name, value)`. Opened read-only: Tablemap never changes a file it was given.
//! MBTiles counts rows from the bottom of the map (TMS), the web map from the top (XYZ), so
//! every lookup flips the row: `row = 2^z - 1 - y`. Only raster tiles are served; the window's
//! Leaflet layer cannot draw vector (pbf) tiles.

use super::tiles::{Tile, MAX_ZOOM};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MbTilesError {
    #[error(
        "there is no file at {path}: check the path, or leave the MBTiles field empty to use the tile server"
    )]
    Missing { path: String },
    #[error("{path} is not an MBTiles file ({why}): choose a .mbtiles file of map tiles")]
    NotMbTiles { path: String, why: String },
    #[error(
        "{path} holds vector tiles (pbf), and Tablemap's map draws only raster tiles: choose an MBTiles \
         file of png, jpg or webp tiles (or render the vector tiles to raster first)"
    )]
    Vector { path: String },
    #[error("{path} says its tiles are \"{format}\", which Tablemap cannot draw: choose an MBTiles file of png, jpg or webp tiles")]
    UnknownFormat { path: String, format: String },
    #[error("{path} has no tiles in it: choose an MBTiles file that covers your area")]
    Empty { path: String },
    #[error("cannot read the MBTiles file {path}: {reason}")]
    Read { path: String, reason: String },
}

/// How the tiles in a file are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFormat {
    Png,
    Jpg,
    Webp,
    /// Vector tiles (Mapbox Vector Tile protobuf): refused.
    Pbf,
}

impl TileFormat {
    /// The `format` metadata value; the spec names png, jpg, webp and pbf, and files in the wild
    /// also say jpeg and mvt.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "png" => Some(TileFormat::Png),
            "jpg" | "jpeg" => Some(TileFormat::Jpg),
            "webp" => Some(TileFormat::Webp),
            "pbf" | "mvt" => Some(TileFormat::Pbf),
            _ => None,
        }
    }

    /// Recognises a tile by its first bytes (older files have no `format` row).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0x89, b'P', b'N', b'G', ..] => Some(TileFormat::Png),
            [0xFF, 0xD8, 0xFF, ..] => Some(TileFormat::Jpg),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(TileFormat::Webp),
            // Vector tiles are almost always stored gzipped.
            [0x1F, 0x8B, ..] => Some(TileFormat::Pbf),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            TileFormat::Png => "image/png",
            TileFormat::Jpg => "image/jpeg",
            TileFormat::Webp => "image/webp",
            TileFormat::Pbf => "application/x-protobuf",
        }
    }
}

/// What the file says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct MbTilesInfo {
    pub name: Option<String>,
    pub format: TileFormat,
    /// West, south, east, north in degrees.
    pub bounds: Option<[f64; 4]>,
    pub min_zoom: Option<u32>,
    pub max_zoom: Option<u32>,
    /// The credit line, as plain text (files often hold HTML links here).
    pub attribution: Option<String>,
}

/// An open MBTiles file.
pub struct MbTiles {
    path: PathBuf,
    conn: Mutex<Connection>,
    info: MbTilesInfo,
}

impl std::fmt::Debug for MbTiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MbTiles").field("path", &self.path).field("info", &self.info).finish()
    }
}

/// The MBTiles row of web-map tile row `y` at zoom `z`, or `None` when `y` is off the map.
pub fn tms_row(z: u32, y: u32) -> Option<u32> {
    if z > u32::from(MAX_ZOOM) || y >= (1 << z) {
        return None;
    }
    Some((1 << z) - 1 - y)
}

impl MbTiles {
    /// Opens and checks `path`: it must exist, be an SQLite file with a `tiles` table (or view)
    /// holding at least one tile, and hold raster tiles.
    pub fn open(path: &Path) -> Result<Self, MbTilesError> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(MbTilesError::Missing { path: shown });
        }
        let not_mbtiles = |why: &str| MbTilesError::NotMbTiles { path: shown.clone(), why: why.to_string() };
        // Read-only, and no pragma that writes: the file is the person's, not ours.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| MbTilesError::Read { path: shown.clone(), reason: e.to_string() })?;
        let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
        let kinds: Vec<(String, String)> = match conn
            .prepare("SELECT name, type FROM sqlite_master WHERE name IN ('tiles', 'metadata')")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        {
            Ok(kinds) => kinds,
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
                return Err(not_mbtiles("it is not an SQLite database"))
            }
            Err(e) => return Err(MbTilesError::Read { path: shown, reason: e.to_string() }),
        };
        if !kinds.iter().any(|(n, t)| n == "tiles" && (t == "table" || t == "view")) {
            return Err(not_mbtiles("it has no tiles table"));
        }
        let first: Option<Vec<u8>> = conn
            .query_row("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1", [], |r| {
                r.get::<_, Option<Vec<u8>>>(3)
            })
            .optional()
            .map_err(|_| not_mbtiles("its tiles table lacks zoom_level, tile_column, tile_row or tile_data"))?
            .map(Option::unwrap_or_default);
        let Some(first) = first else {
            return Err(MbTilesError::Empty { path: shown });
        };
        let metadata = if kinds.iter().any(|(n, _)| n == "metadata") {
            read_metadata(&conn).map_err(|_| not_mbtiles("its metadata table lacks name or value"))?
        } else {
            HashMap::new()
        };
        let format = match metadata.get("format") {
            Some(f) => TileFormat::parse(f)
                .ok_or_else(|| MbTilesError::UnknownFormat { path: shown.clone(), format: f.clone() })?,
            None => TileFormat::sniff(&first).ok_or_else(|| MbTilesError::UnknownFormat {
                path: shown.clone(),
                format: "unknown".into(),
            })?,
        };
        if format == TileFormat::Pbf {
            return Err(MbTilesError::Vector { path: shown });
        }
        let zoom = |key: &str| metadata.get(key).and_then(|v| v.trim().parse::<u32>().ok());
        // Without the metadata, the deepest level the file holds (the tiles index makes this one
        // lookup).
        let deepest = || -> Option<u32> {
            conn.query_row("SELECT max(zoom_level) FROM tiles", [], |r| r.get::<_, Option<u32>>(0))
                .ok()
                .flatten()
        };
        let info = MbTilesInfo {
            name: metadata.get("name").map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
            format,
            bounds: metadata.get("bounds").and_then(|b| parse_bounds(b)),
            min_zoom: zoom("minzoom"),
            max_zoom: zoom("maxzoom").or_else(deepest),
            attribution: metadata.get("attribution").map(|a| plain_text(a)).filter(|a| !a.is_empty()),
        };
        Ok(MbTiles { path: path.to_path_buf(), conn: Mutex::new(conn), info })
    }

    pub fn info(&self) -> &MbTilesInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tile at web-map z/x/y, or `None` when the file does not have it.
    pub fn tile(&self, z: u32, x: u32, y: u32) -> Result<Option<Tile>, MbTilesError> {
        let Some(row) = tms_row(z, y) else { return Ok(None) };
        if x >= (1 << z) {
            return Ok(None);
        }
        // A panic while holding the lock leaves a usable read-only connection.
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let body = conn
            .prepare_cached(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            )
            .and_then(|mut s| s.query_row([z, x, row], |r| r.get::<_, Option<Vec<u8>>>(0)).optional())
            .map_err(|e| MbTilesError::Read {
                path: self.path.display().to_string(),
                reason: e.to_string(),
            })?;
        Ok(body
            .flatten()
            .filter(|b| !b.is_empty())
            .map(|body| Tile { body, content_type: self.info.format.content_type().to_string() }))
    }
}

fn read_metadata(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT name, value FROM metadata")?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        if let (Some(k), Some(v)) = row? {
            out.entry(k.trim().to_ascii_lowercase()).or_insert(v);
        }
    }
    Ok(out)
}

/// `bounds` is "left,bottom,right,top" in degrees.
fn parse_bounds(text: &str) -> Option<[f64; 4]> {
    let v: Vec<f64> = text.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
    match v.as_slice() {
        &[w, s, e, n] if w.is_finite() && s.is_finite() && e.is_finite() && n.is_finite() => {
            Some([w, s, e, n])
        }
        _ => None,
    }
}

/// The credit as plain text: files often hold HTML (`<a href=…>© OpenStreetMap</a>`), and the
/// window shows the credit as text, never as markup.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let entities = [
        ("&copy;", "©"),
        ("&#169;", "©"),
        ("&nbsp;", " "),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ];
    for (entity, c) in entities {
        text = text.replace(entity, c);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A fully transparent 256×256 PNG: what the map gets for a tile the file does not have, so the
/// background shows through instead of an error.
pub fn blank_png() -> &'static [u8] {
    static BLANK: OnceLock<Vec<u8>> = OnceLock::new();
    BLANK.get_or_init(|| {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 256, 256);
        encoder.set_color(png::ColorType::GrayscaleAlpha);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder.write_header().and_then(|mut w| w.write_image_data(&vec![0u8; 256 * 256 * 2]));
        if written.is_err() {
            out.clear();
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_flip_between_xyz_and_tms() {
        let cases: &[(u32, u32, Option<u32>)] = &[
            (0, 0, Some(0)),
            (0, 1, None),
            (1, 0, Some(1)),
            (1, 1, Some(0)),
            (3, 2, Some(5)),
            (12, 1362, Some(2733)),
            (16, 0, Some(65535)),
            (16, 65535, Some(0)),
            (16, 65536, None),
            (22, (1 << 22) - 1, Some(0)),
            (23, 0, None),
        ];
        for (z, y, want) in cases {
            assert_eq!(tms_row(*z, *y), *want, "z={z} y={y}");
        }
    }

    #[test]
    fn formats() {
        let names: &[(&str, Option<TileFormat>)] = &[
            ("png", Some(TileFormat::Png)),
            (" PNG ", Some(TileFormat::Png)),
            ("jpg", Some(TileFormat::Jpg)),
            ("jpeg", Some(TileFormat::Jpg)),
            ("webp", Some(TileFormat::Webp)),
            ("pbf", Some(TileFormat::Pbf)),
            ("mvt", Some(TileFormat::Pbf)),
            ("tiff", None),
            ("", None),
        ];
        for (name, want) in names {
            assert_eq!(TileFormat::parse(name), *want, "{name:?}");
        }
        let bytes: &[(&[u8], Option<TileFormat>)] = &[
            (b"\x89PNG\r\n\x1a\n", Some(TileFormat::Png)),
            (b"\xff\xd8\xff\xe0", Some(TileFormat::Jpg)),
            (b"RIFF\x10\0\0\0WEBPVP8 ", Some(TileFormat::Webp)),
            (b"\x1f\x8b\x08\0", Some(TileFormat::Pbf)),
            (b"GIF89a", None),
            (b"", None),
        ];
        for (b, want) in bytes {
            assert_eq!(TileFormat::sniff(b), *want, "{b:?}");
        }
        assert_eq!(TileFormat::Jpg.content_type(), "image/jpeg");
    }

    #[test]
    fn credits_become_plain_text() {
        let cases: &[(&str, &str)] = &[
            ("© OpenStreetMap contributors", "© OpenStreetMap contributors"),
            (
                r#"<a href="https://www.openstreetmap.org/copyright">&copy; OpenStreetMap</a> contributors"#,
                "© OpenStreetMap contributors",
            ),
            ("<script>alert(1)</script>Tiles", "alert(1) Tiles"),
            ("A &amp; B&nbsp;&lt;3", "A & B <3"),
            ("  spaced \n out  ", "spaced out"),
            ("<b></b>", ""),
        ];
        for (html, want) in cases {
            assert_eq!(plain_text(html), *want, "{html:?}");
        }
    }

    #[test]
    fn bounds() {
        assert_eq!(parse_bounds("-0.5, 51.2,0.3,51.7"), Some([-0.5, 51.2, 0.3, 51.7]));
        assert_eq!(parse_bounds("-0.5,51.2,0.3"), None);
        assert_eq!(parse_bounds("a,b,c,d"), None);
    }

    #[test]
    fn the_blank_tile_is_a_transparent_png() {
        let decoder = png::Decoder::new(std::io::Cursor::new(blank_png()));
        let reader = decoder.read_info().expect("png");
        assert_eq!((reader.info().width, reader.info().height), (256, 256));
        assert_eq!(reader.info().color_type, png::ColorType::GrayscaleAlpha);
    }

    fn file_with(sql: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("map.mbtiles");
        if !sql.is_empty() {
            Connection::open(&path).and_then(|c| c.execute_batch(sql)).expect("write");
        }
        (dir, path)
    }

    const SCHEMA: &str = "CREATE TABLE metadata (name TEXT, value TEXT);
        CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);";

    /// Which files are accepted, and what the refusal says to do.
    #[test]
    fn validation() {
        let png_tile = "INSERT INTO tiles VALUES (1, 0, 0, x'89504E470D0A1A0A');";
        let cases: &[(&str, Result<TileFormat, &str>)] = &[
            (
                &format!("{SCHEMA} INSERT INTO metadata VALUES ('format', 'png'); {png_tile}"),
                Ok(TileFormat::Png),
            ),
            (
                &format!("{SCHEMA} INSERT INTO metadata VALUES ('format', 'jpg'); {png_tile}"),
                Ok(TileFormat::Jpg),
            ),
            // No format row: the first tile tells.
            (&format!("{SCHEMA} {png_tile}"), Ok(TileFormat::Png)),
            (
                "CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data);
                 INSERT INTO tiles VALUES (0, 0, 0, x'FFD8FFE0');",
                Ok(TileFormat::Jpg),
            ),
            (
                &format!("{SCHEMA} INSERT INTO metadata VALUES ('format', 'pbf'); {png_tile}"),
                Err("vector tiles (pbf)"),
            ),
            (&format!("{SCHEMA} INSERT INTO tiles VALUES (0, 0, 0, x'1F8B0800');"), Err("vector tiles")),
            (
                &format!("{SCHEMA} INSERT INTO metadata VALUES ('format', 'tiff'); {png_tile}"),
                Err("\"tiff\", which Tablemap cannot draw"),
            ),
            (SCHEMA, Err("has no tiles in it")),
            ("CREATE TABLE places (name TEXT);", Err("it has no tiles table")),
            (
                "CREATE TABLE tiles (z, x, y, data); INSERT INTO tiles VALUES (0,0,0,x'00');",
                Err("lacks zoom_level"),
            ),
            ("", Err("there is no file at")),
        ];
        for (sql, want) in cases {
            let (_dir, path) = file_with(sql);
            let got = MbTiles::open(&path).map(|m| m.info().format).map_err(|e| e.to_string());
            match (want, &got) {
                (Ok(f), Ok(g)) => assert_eq!(f, g, "{sql}"),
                (Err(text), Err(message)) => assert!(message.contains(text), "{sql}: {message}"),
                _ => panic!("{sql}: got {got:?}, want {want:?}"),
            }
        }
        // A file that is not SQLite at all.
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("photo.mbtiles");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\nnot a database, just some bytes to fill a page".repeat(20))
            .expect("write");
        let err = MbTiles::open(&path).expect_err("refused");
        assert!(err.to_string().contains("not an SQLite database"), "{err}");
    }

    #[test]
    fn reads_tiles_with_the_row_flipped_and_plain_credit() {
        let (_dir, path) = file_with(&format!(
            "{SCHEMA}
             INSERT INTO metadata VALUES ('format', 'png'), ('name', 'Hackney'), ('minzoom', '12'),
               ('maxzoom', '16'), ('bounds', '-0.08,51.53,-0.04,51.56'),
               ('attribution', '<a href=\"x\">&copy; OpenStreetMap</a> contributors');
             INSERT INTO tiles VALUES (3, 2, 5, x'89504E4701'), (3, 2, 2, x'89504E4702');"
        ));
        let file = MbTiles::open(&path).expect("open");
        let info = file.info();
        assert_eq!(info.name.as_deref(), Some("Hackney"));
        assert_eq!((info.min_zoom, info.max_zoom), (Some(12), Some(16)));
        assert_eq!(info.bounds, Some([-0.08, 51.53, -0.04, 51.56]));
        assert_eq!(info.attribution.as_deref(), Some("© OpenStreetMap contributors"));
        // XYZ row 2 at zoom 3 is TMS row 5.
        let tile = file.tile(3, 2, 2).expect("read").expect("tile");
        assert_eq!(tile.body, b"\x89PNG\x01");
        assert_eq!(tile.content_type, "image/png");
        assert_eq!(file.tile(3, 2, 5).expect("read").expect("tile").body, b"\x89PNG\x02");
        assert_eq!(file.tile(3, 2, 3).expect("read"), None);
        assert_eq!(file.tile(3, 9, 2).expect("read"), None);
        assert_eq!(file.tile(30, 0, 0).expect("read"), None);
    }
}

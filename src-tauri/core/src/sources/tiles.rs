//! Map tiles for the window's basemap. The webview never talks to a tile server itself: it asks
//! the app's `tiles:` protocol, which answers from a SQLite cache or fetches the tile here.
//! Tiles are kept at least seven days (OpenStreetMap's tile policy) or longer if the server
//! says so; a stale tile is served when the network is down rather than a blank square.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

pub const MIN_CACHE_DAYS: i64 = 7;
pub const MAX_ZOOM: u8 = 22;

#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error("no such tile: z={z} x={x} y={y}")]
    OutOfRange { z: u32, x: u32, y: u32 },
    #[error("the tile server answered {status} for {url}")]
    Upstream { status: u16, url: String },
    #[error("cannot reach the tile server: {0}")]
    Network(String),
    #[error("tile cache: {0}")]
    Cache(#[from] rusqlite::Error),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub body: Vec<u8>,
    pub content_type: String,
}

/// Where a served tile came from (for tests and the benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Cache,
    Network,
    Revalidated,
    StaleCache,
}

/// Substitutes `{z}`, `{x}`, `{y}` (and `{s}`, as `a`) in a tile URL template.
pub fn tile_url(template: &str, z: u32, x: u32, y: u32) -> Result<String, TileError> {
    if z > u32::from(MAX_ZOOM) || x >= (1 << z) || y >= (1 << z) {
        return Err(TileError::OutOfRange { z, x, y });
    }
    Ok(template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string())
        .replace("{s}", "a"))
}

/// Parses the `tiles://localhost/{z}/{x}/{y}.png` path the webview asks for.
pub fn parse_tile_path(path: &str) -> Option<(u32, u32, u32)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let z = parts.next()?.parse().ok()?;
    let x = parts.next()?.parse().ok()?;
    let y = parts.next()?.split('.').next()?.parse().ok()?;
    parts.next().is_none().then_some((z, x, y))
}

/// The longest a server may have us keep a tile (a server's word beyond it is read as this).
pub const MAX_CACHE_DAYS: i64 = 365;

/// How long the server lets us keep a tile: `Cache-Control: max-age`, else `Expires`, never more
/// than `MAX_CACHE_DAYS` ahead (whatever a server says, the arithmetic cannot overflow).
pub fn server_expiry(
    cache_control: Option<&str>,
    expires: Option<&str>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let ceiling = now + Duration::days(MAX_CACHE_DAYS);
    let max_age = cache_control.and_then(|cc| {
        cc.split(',')
            .find_map(|d| d.trim().strip_prefix("max-age=").and_then(|v| v.trim().parse::<i64>().ok()))
    });
    if let Some(secs) = max_age {
        let secs = secs.clamp(0, MAX_CACHE_DAYS * 86_400);
        return Some(Duration::try_seconds(secs).and_then(|d| now.checked_add_signed(d)).unwrap_or(ceiling));
    }
    expires
        .and_then(|e| DateTime::parse_from_rfc2822(e.trim()).ok())
        .map(|t| t.with_timezone(&Utc).min(ceiling))
}

/// When a tile fetched `now` becomes stale: the server's expiry, but never under seven days.
pub fn keep_until(server: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let floor = now + Duration::days(MIN_CACHE_DAYS);
    server.map_or(floor, |s| s.max(floor))
}

struct Cached {
    tile: Tile,
    expires_at: DateTime<Utc>,
    etag: Option<String>,
}

/// A SQLite file of tiles keyed by their full URL (so changing the tile source never mixes maps).
pub struct TileCache {
    conn: Mutex<Connection>,
}

impl TileCache {
    pub fn open(path: &Path) -> Result<Self, TileError> {
        if let Some(dir) = path.parent() {
            let _ = crate::paths::create_private_dir_all(dir);
        }
        let _ = crate::paths::private_sqlite_file(path);
        Self::init(Connection::open(path)?)
    }

    pub fn open_in_memory() -> Result<Self, TileError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, TileError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS tiles (
                 url TEXT PRIMARY KEY NOT NULL,
                 body BLOB NOT NULL,
                 content_type TEXT NOT NULL,
                 etag TEXT,
                 fetched_at TEXT NOT NULL,
                 expires_at TEXT NOT NULL
             ) STRICT;",
        )?;
        Ok(TileCache { conn: Mutex::new(conn) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves a usable connection: SQLite rolled back.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, url: &str) -> Result<Option<Cached>, TileError> {
        let row = self
            .lock()
            .query_row("SELECT body, content_type, etag, expires_at FROM tiles WHERE url = ?1", [url], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        Ok(row.and_then(|(body, content_type, etag, expires)| {
            let expires_at = DateTime::parse_from_rfc3339(&expires).ok()?.with_timezone(&Utc);
            Some(Cached { tile: Tile { body, content_type }, expires_at, etag })
        }))
    }

    fn put(
        &self,
        url: &str,
        tile: &Tile,
        etag: Option<&str>,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), TileError> {
        self.lock().execute(
            "INSERT INTO tiles (url, body, content_type, etag, fetched_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (url) DO UPDATE SET body = excluded.body, content_type = excluded.content_type,
             etag = excluded.etag, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
            params![url, tile.body, tile.content_type, etag, now.to_rfc3339(), until.to_rfc3339()],
        )?;
        Ok(())
    }

    fn extend(&self, url: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<(), TileError> {
        self.lock().execute(
            "UPDATE tiles SET fetched_at = ?2, expires_at = ?3 WHERE url = ?1",
            params![url, now.to_rfc3339(), until.to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn len(&self) -> Result<u64, TileError> {
        Ok(self.lock().query_row("SELECT count(*) FROM tiles", [], |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn is_empty(&self) -> Result<bool, TileError> {
        Ok(self.len()? == 0)
    }

    /// Empties the cache (Settings → Privacy → Clear caches); answers how many tiles went. The
    /// file shrinks back: the space is given back to the disk.
    pub fn clear(&self) -> Result<u64, TileError> {
        let conn = self.lock();
        let n = conn.execute("DELETE FROM tiles", [])?;
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(n as u64)
    }
}

/// Fetches tiles through the cache.
pub struct TileFetcher {
    client: reqwest::Client,
    cache: TileCache,
}

impl TileFetcher {
    pub fn new(cache: TileCache) -> Self {
        let client = reqwest::Client::builder()
            .user_agent(super::USER_AGENT)
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        TileFetcher { client, cache }
    }

    pub fn cache(&self) -> &TileCache {
        &self.cache
    }

    /// The tile at z/x/y from the source `template`, and where it came from.
    pub async fn get(
        &self,
        template: &str,
        z: u32,
        x: u32,
        y: u32,
        now: DateTime<Utc>,
    ) -> Result<(Tile, Origin), TileError> {
        let url = tile_url(template, z, x, y)?;
        let cached = self.cache.get(&url)?;
        if let Some(c) = &cached {
            if c.expires_at > now {
                return Ok((c.tile.clone(), Origin::Cache));
            }
        }
        match self.fetch(&url, cached.as_ref().and_then(|c| c.etag.as_deref()), now).await {
            Ok(Fetched::Fresh(tile, etag, until)) => {
                self.cache.put(&url, &tile, etag.as_deref(), now, until)?;
                Ok((tile, Origin::Network))
            }
            Ok(Fetched::NotModified(until)) => match cached {
                Some(c) => {
                    self.cache.extend(&url, now, until)?;
                    Ok((c.tile, Origin::Revalidated))
                }
                None => Err(TileError::Upstream { status: 304, url }),
            },
            Err(e) => match cached {
                Some(c) => Ok((c.tile, Origin::StaleCache)),
                None => Err(e),
            },
        }
    }

    async fn fetch(&self, url: &str, etag: Option<&str>, now: DateTime<Utc>) -> Result<Fetched, TileError> {
        let mut request = self.client.get(url);
        if let Some(tag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, tag);
        }
        let response = request.send().await.map_err(|e| TileError::Network(e.to_string()))?;
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
        };
        let until = keep_until(
            server_expiry(
                header(reqwest::header::CACHE_CONTROL).as_deref(),
                header(reqwest::header::EXPIRES).as_deref(),
                now,
            ),
            now,
        );
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified(until));
        }
        if !status.is_success() {
            return Err(TileError::Upstream { status: status.as_u16(), url: url.to_string() });
        }
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_else(|| "image/png".to_string());
        let etag = header(reqwest::header::ETAG);
        let body = response.bytes().await.map_err(|e| TileError::Network(e.to_string()))?.to_vec();
        Ok(Fetched::Fresh(Tile { body, content_type }, etag, until))
    }
}

enum Fetched {
    Fresh(Tile, Option<String>, DateTime<Utc>),
    NotModified(DateTime<Utc>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn urls_and_paths() {
        let tpl = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
        assert_eq!(tile_url(tpl, 3, 4, 2).unwrap(), "https://tile.openstreetmap.org/3/4/2.png");
        assert!(tile_url(tpl, 3, 8, 0).is_err());
        assert!(tile_url(tpl, 23, 0, 0).is_err());
        let paths: &[(&str, Option<(u32, u32, u32)>)] = &[
            ("/3/4/2.png", Some((3, 4, 2))),
            ("3/4/2", Some((3, 4, 2))),
            ("/3/4", None),
            ("/3/4/2.png/extra", None),
            ("/a/4/2.png", None),
            ("/-1/4/2.png", None),
        ];
        for (path, expected) in paths {
            assert_eq!(parse_tile_path(path), *expected, "{path}");
        }
    }

    #[test]
    fn expiry_rules() {
        let now = t("2026-05-01T00:00:00Z");
        let cases: &[(Option<&str>, Option<&str>, &str)] = &[
            // Nothing said: the seven-day floor.
            (None, None, "2026-05-08T00:00:00Z"),
            // A short max-age is lifted to seven days.
            (Some("max-age=3600"), None, "2026-05-08T00:00:00Z"),
            // A longer one is kept.
            (Some("public, max-age=1209600"), None, "2026-05-15T00:00:00Z"),
            // Expires, when there is no max-age.
            (None, Some("Sat, 30 May 2026 00:00:00 GMT"), "2026-05-30T00:00:00Z"),
            // max-age wins over Expires.
            (Some("max-age=0"), Some("Sat, 30 May 2026 00:00:00 GMT"), "2026-05-08T00:00:00Z"),
            (None, Some("not a date"), "2026-05-08T00:00:00Z"),
            // A server that says "for ever" (it used to overflow and stop the app): a year.
            (Some("max-age=10000000000000"), None, "2027-05-01T00:00:00Z"),
            (Some("max-age=9223372036854775807"), None, "2027-05-01T00:00:00Z"),
            (None, Some("Fri, 31 Dec 9999 23:59:59 GMT"), "2027-05-01T00:00:00Z"),
            (Some("max-age=-5"), None, "2026-05-08T00:00:00Z"),
        ];
        for (cc, exp, want) in cases {
            assert_eq!(keep_until(server_expiry(*cc, *exp, now), now), t(want), "{cc:?} {exp:?}");
        }
    }
}

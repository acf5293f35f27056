//! Geocoding with a memory: UK postcodes through postcodes.io, addresses and points through
//! Nominatim or Photon (a setting), every answer ("not found" too) kept in the database's `geocode_cache`.
//!
//! A [`Geocoder`] has its own connection to the database file (WAL lets it read and write beside
//! the window's), so callers never hold the store's lock while a request is out; its futures are
//! `Send`, for Tauri commands. Nominatim is asked at most once a second across the process
//! (`sources::nominatim`): a search that misses the cache can take a second or more, so address
//! geocoding belongs behind a person's go-ahead, never in the background.
//!
//! Don't call these while the same thread holds an open write transaction on the same file: the
//! cache write would wait for it (5 s busy timeout) and fail.

use super::{Result, Settings};
use crate::domain::restaurant::check_coordinates;
use crate::sources::nominatim::{NominatimClient, ReverseHit, SearchHit};
use crate::sources::photon::PhotonClient;
use crate::sources::postcodes::{self, PostcodesClient};
use crate::store::{geocode_cache, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub use crate::sources::postcodes::normalise as normalise_postcode;

/// Cache keys: which service answered.
pub const POSTCODES: &str = "postcodes.io";
pub const SEARCH: &str = "nominatim/search";
pub const REVERSE: &str = "nominatim/reverse";
pub const PHOTON_SEARCH: &str = "photon/search";
pub const PHOTON_REVERSE: &str = "photon/reverse";

/// The service that finds addresses and what is at a point.
pub enum AddressService {
    Nominatim(NominatimClient),
    Photon(PhotonClient),
}

impl AddressService {
    /// The one the settings choose.
    pub fn from_settings(settings: &Settings) -> Self {
        match settings.address_geocoder.as_str() {
            "photon" => AddressService::Photon(PhotonClient::new(&settings.photon_url)),
            _ => AddressService::Nominatim(NominatimClient::new(&settings.nominatim_url)),
        }
    }

    /// Cache keys (search, reverse): each service's answers are kept apart.
    fn keys(&self) -> (&'static str, &'static str) {
        match self {
            AddressService::Nominatim(_) => (SEARCH, REVERSE),
            AddressService::Photon(_) => (PHOTON_SEARCH, PHOTON_REVERSE),
        }
    }

    async fn search(
        &self,
        address: &str,
    ) -> std::result::Result<Option<SearchHit>, crate::sources::error::SourceError> {
        match self {
            AddressService::Nominatim(c) => c.search(address).await,
            AddressService::Photon(c) => c.search(address).await,
        }
    }

    async fn reverse(
        &self,
        lat: f64,
        lon: f64,
    ) -> std::result::Result<Option<ReverseHit>, crate::sources::error::SourceError> {
        match self {
            AddressService::Nominatim(c) => c.reverse(lat, lon).await,
            AddressService::Photon(c) => c.reverse(lat, lon).await,
        }
    }
}

/// "Not found" is asked again after this long (new postcodes appear every quarter); answers
/// that found something are kept until the row is deleted.
pub const NOT_FOUND_KEEP_DAYS: i64 = 30;

pub struct Geocoder {
    cache: Mutex<Store>,
    postcodes: PostcodesClient,
    address: AddressService,
}

impl Geocoder {
    /// A geocoder on the database file at `db` (its own connection), asking the services named
    /// in `settings`.
    pub fn open(db: &Path, settings: &Settings) -> Result<Self> {
        Ok(Self::with_service(
            Store::open(db)?,
            PostcodesClient::new(&settings.postcodes_url),
            AddressService::from_settings(settings),
        ))
    }

    /// A geocoder whose cache is a private database in memory (tests; a store opened in memory).
    pub fn in_memory(settings: &Settings) -> Result<Self> {
        Ok(Self::with_service(
            Store::open_in_memory()?,
            PostcodesClient::new(&settings.postcodes_url),
            AddressService::from_settings(settings),
        ))
    }

    /// A geocoder with its cache in `cache` and the given clients (tests shorten their timeouts).
    pub fn with_clients(cache: Store, postcodes: PostcodesClient, nominatim: NominatimClient) -> Self {
        Self::with_service(cache, postcodes, AddressService::Nominatim(nominatim))
    }

    /// The same, with any address service.
    pub fn with_service(cache: Store, postcodes: PostcodesClient, address: AddressService) -> Self {
        Geocoder { cache: Mutex::new(cache), postcodes, address }
    }

    /// Positions of UK postcodes, in the order given: `None` for one that is not a UK postcode
    /// (never sent), that postcodes.io does not know, or that has no grid reference. Written
    /// forms are normalised (`e81aa` is `E8 1AA`); repeats are asked once; what the cache holds
    /// is not asked at all; the rest goes in bulk requests of up to 100.
    pub async fn postcodes(
        &self,
        postcodes: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<(f64, f64)>>> {
        let normal: Vec<Option<String>> = postcodes.iter().map(|p| postcodes::normalise(p)).collect();
        let mut known: HashMap<String, Option<(f64, f64)>> = HashMap::new();
        let mut asking: HashSet<&str> = HashSet::new();
        let mut ask: Vec<String> = Vec::new();
        for p in normal.iter().flatten() {
            if known.contains_key(p) || !asking.insert(p) {
                continue;
            }
            match self.cached::<(f64, f64)>(POSTCODES, p, now)? {
                Some(answer) => {
                    known.insert(p.clone(), answer);
                }
                None => ask.push(p.clone()),
            }
        }
        // Chunk by chunk, so what came back is kept even if a later request fails.
        for chunk in ask.chunks(postcodes::MAX_BULK) {
            let found = self.postcodes.lookup(chunk).await?;
            for (p, answer) in chunk.iter().zip(found) {
                self.remember(POSTCODES, p, &answer, now)?;
                known.insert(p.clone(), answer);
            }
        }
        Ok(normal.iter().map(|p| p.as_ref().and_then(|p| known.get(p).copied().flatten())).collect())
    }

    /// The position of a free-text address ("12 Kingsland Road, London E8"), or `None` when
    /// Nominatim finds nothing or the address is blank. Cached by the address in lower case
    /// with single spaces; a miss waits for Nominatim's once-a-second turn.
    pub async fn search(&self, address: &str, now: DateTime<Utc>) -> Result<Option<(f64, f64)>> {
        let address = address.split_whitespace().collect::<Vec<_>>().join(" ");
        if address.is_empty() {
            return Ok(None);
        }
        let key = address.to_lowercase();
        let (search, _) = self.address.keys();
        let hit = match self.cached::<SearchHit>(search, &key, now)? {
            Some(answer) => answer,
            None => {
                let answer = self.address.search(&address).await?;
                self.remember(search, &key, &answer, now)?;
                answer
            }
        };
        Ok(hit.map(|h| (h.lat, h.lon)))
    }

    /// What is at a point (a pin dropped on the map): address, postcode, city. The point is
    /// rounded to 5 decimals (about a metre) for the request and the cache.
    pub async fn reverse(&self, lat: f64, lon: f64, now: DateTime<Utc>) -> Result<Option<ReverseHit>> {
        check_coordinates(lat, lon)?;
        let round = |v: f64| (v * 1e5).round() / 1e5;
        let (lat, lon) = (round(lat), round(lon));
        let key = format!("{lat:.5},{lon:.5}");
        let (_, reverse) = self.address.keys();
        match self.cached::<ReverseHit>(reverse, &key, now)? {
            Some(answer) => Ok(answer),
            None => {
                let answer = self.address.reverse(lat, lon).await?;
                self.remember(reverse, &key, &answer, now)?;
                Ok(answer)
            }
        }
    }

    /// How many answers the cache holds for `service` (for tests and the CLI).
    pub fn cached_answers(&self, service: &str) -> Result<u64> {
        Ok(geocode_cache::count(self.lock().conn(), service)?)
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // Each cache statement is its own transaction: a panic left nothing half-written.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some(answer)` when the cache can answer (`Some(None)`: "not found", recently);
    /// `None` when the service must be asked. Locks only inside: never across an `.await`.
    fn cached<T: DeserializeOwned>(
        &self,
        service: &str,
        query: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Option<T>>> {
        let Some(row) = geocode_cache::get(self.lock().conn(), service, query)? else { return Ok(None) };
        let answer: Option<T> = serde_json::from_str(&row.answer)
            .map_err(|_| StoreError::Corrupt { what: "geocode_cache.answer", value: row.answer.clone() })?;
        if answer.is_none() && now - row.fetched_at > Duration::days(NOT_FOUND_KEEP_DAYS) {
            return Ok(None);
        }
        Ok(Some(answer))
    }

    fn remember<T: Serialize>(
        &self,
        service: &str,
        query: &str,
        answer: &Option<T>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let json =
            serde_json::to_string(answer).map_err(|e| super::ApiError::encode("a geocoding answer", e))?;
        Ok(geocode_cache::put(self.lock().conn(), service, query, &json, now)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            tile_url: String::new(),
            tile_attribution: String::new(),
            language: String::new(),
            overpass_url: "http://127.0.0.1:9".into(),
            postcodes_url: "http://127.0.0.1:9".into(),
            nominatim_url: "http://127.0.0.1:9".into(),
            address_geocoder: "nominatim".into(),
            photon_url: "http://127.0.0.1:9".into(),
            holiday_region: String::new(),
            campaign_time_zone: String::new(),
            sync_every_minutes: 1,
            mbtiles_path: None,
            mbtiles_max_zoom: None,
        }
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn futures_can_cross_threads_and_the_cache_answers_first() {
        let g = Geocoder::in_memory(&settings()).expect("ok");
        let now: DateTime<Utc> = "2026-06-01T12:00:00Z".parse().expect("ok");
        assert_send(&g.postcodes(&[], now));
        assert_send(&g.search("x", now));
        assert_send(&g.reverse(0.0, 0.0, now));

        // Answers already cached never reach the (unreachable) servers.
        {
            let store = g.lock();
            geocode_cache::put(store.conn(), POSTCODES, "E8 1AA", "[51.5,-0.05]", now).expect("ok");
            geocode_cache::put(store.conn(), POSTCODES, "ZZ9 9ZZ", "null", now).expect("ok");
            geocode_cache::put(
                store.conn(),
                SEARCH,
                "1 mare st",
                r#"{"lat":1.0,"lon":2.0,"display_name":"x"}"#,
                now,
            )
            .expect("ok");
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("ok");
        let input: Vec<String> = ["e81aa", "not a postcode", "ZZ99ZZ", "E8 1AA"].map(String::from).into();
        let got = rt.block_on(g.postcodes(&input, now)).expect("ok");
        assert_eq!(got, [Some((51.5, -0.05)), None, None, Some((51.5, -0.05))]);
        assert_eq!(rt.block_on(g.search("  1  Mare St ", now)).expect("ok"), Some((1.0, 2.0)));
        assert_eq!(rt.block_on(g.search("   ", now)).expect("ok"), None);
        assert!(matches!(rt.block_on(g.reverse(91.0, 0.0, now)), Err(super::super::ApiError::Invalid(_))));

        // A "not found" goes stale after 30 days and is asked again (here: unreachable).
        let later = now + Duration::days(NOT_FOUND_KEEP_DAYS + 1);
        assert!(rt.block_on(g.postcodes(&["ZZ9 9ZZ".to_string()], later)).is_err());
        assert_eq!(
            rt.block_on(g.postcodes(&["E8 1AA".to_string()], later)).expect("ok"),
            [Some((51.5, -0.05))]
        );
    }
}

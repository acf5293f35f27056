//! Counting stickers, never people. A scan of a printed code adds one to (code, day). The same
//! visitor scanning the same code again that day is not counted again: told apart by a keyed
//! hash of the code, their address and their browser string, whose key is random, shared by the
//! service's instances through PostgreSQL for that day only, and replaced the next day. Neither
//! the address, the browser string nor the hash is ever written or logged; the "seen today" set
//! lives in this process's memory and is emptied when the day turns. Known crawlers and
//! link-preview bots (by their browser string) are not counted, nor an address scanning faster
//! than a person could (a token bucket per address, kept under the same keyed hash). Counts are
//! written in batches every few seconds and once more on a clean stop.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::Pool;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(3);
/// Scans one address may make in a burst, and per minute after it.
pub const BURST: f64 = 20.0;
pub const PER_MINUTE: f64 = 20.0;

/// What became of one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Counted,
    /// The same visitor, code and day as an earlier scan.
    Repeat,
    /// A crawler or a link preview, or no browser string at all.
    Bot,
    /// The address is scanning faster than a person could.
    TooFast,
}

/// Browser strings of crawlers and link-preview fetchers (lower-case parts), and tools.
const BOTS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "whatsapp",
    "telegram",
    "slack",
    "discord",
    "skypeuripreview",
    "embedly",
    "quora link",
    "outbrain",
    "pinterest",
    "vkshare",
    "w3c_validator",
    "headlesschrome",
    "lighthouse",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "httpclient",
    "axios/",
    "node-fetch",
    "scrapy",
    "phantomjs",
    "monitor",
    "uptime",
    "check_http",
];

pub fn is_bot(browser: &str) -> bool {
    let b = browser.trim().to_ascii_lowercase();
    b.is_empty() || BOTS.iter().any(|bot| b.contains(bot))
}

type Digest = [u8; 32];

fn keyed(key: &[u8; 32], parts: &[&[u8]]) -> Digest {
    // A 32-byte key always fits HMAC-SHA-256.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Default)]
struct Day {
    day: Option<NaiveDate>,
    seen: HashSet<Digest>,
    buckets: HashMap<Digest, Bucket>,
}

/// The counter an instance keeps: today's key, who was seen today (as hashes), the counts not
/// yet written.
#[derive(Default)]
pub struct Counter {
    key: tokio::sync::Mutex<Option<(NaiveDate, [u8; 32])>>,
    today: Mutex<Day>,
    pending: Mutex<HashMap<(String, NaiveDate), i64>>,
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    // No randomness at all is not a state a server can run in.
    getrandom::fill(&mut key).unwrap_or_else(|e| panic!("no randomness for the day's key: {e}"));
    key
}

impl Counter {
    /// The day's key: the one another instance made for today, else a new one made here (and
    /// the days before forgotten). Without the database, a key of this instance's own: counts
    /// still go in, repeats are told apart per instance only.
    async fn key_for(&self, pool: &Pool, day: NaiveDate) -> [u8; 32] {
        let mut held = self.key.lock().await;
        if let Some((d, k)) = *held {
            if d == day {
                return k;
            }
        }
        let key = shared_key(pool, day).await.unwrap_or_else(|_| random_key());
        *held = Some((day, key));
        key
    }

    /// Judges one scan of a printed `code` and counts it if it should be.
    pub async fn scan(
        &self,
        pool: &Pool,
        code: &str,
        address: IpAddr,
        browser: &str,
        now: DateTime<Utc>,
    ) -> Verdict {
        if is_bot(browser) {
            return Verdict::Bot;
        }
        let day = now.date_naive();
        let key = self.key_for(pool, day).await;
        let address = address.to_string();
        let who = keyed(&key, &[b"address", address.as_bytes()]);
        let visit = keyed(&key, &[b"scan", code.as_bytes(), address.as_bytes(), browser.as_bytes()]);
        {
            let mut today = self.today.lock().unwrap_or_else(|p| p.into_inner());
            if today.day != Some(day) {
                *today = Day { day: Some(day), ..Day::default() };
            }
            let instant = Instant::now();
            let bucket = today.buckets.entry(who).or_insert(Bucket { tokens: BURST, at: instant });
            let refill = instant.duration_since(bucket.at).as_secs_f64() * PER_MINUTE / 60.0;
            bucket.tokens = (bucket.tokens + refill).min(BURST);
            bucket.at = instant;
            if bucket.tokens < 1.0 {
                return Verdict::TooFast;
            }
            bucket.tokens -= 1.0;
            if !today.seen.insert(visit) {
                return Verdict::Repeat;
            }
        }
        *self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((code.to_string(), day))
            .or_default() += 1;
        Verdict::Counted
    }

    fn take(&self) -> HashMap<(String, NaiveDate), i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn put_back(&self, counts: HashMap<(String, NaiveDate), i64>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for (k, n) in counts {
            *pending.entry(k).or_default() += n;
        }
    }

    /// Writes the counts not yet written, in one statement; on failure they are kept for the
    /// next try (no scan is lost while the process runs). Answers how many scans were written.
    pub async fn flush(&self, pool: &Pool) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
        let counts = self.take();
        if counts.is_empty() {
            return Ok(0);
        }
        let written = write(pool, &counts).await;
        match written {
            Ok(()) => Ok(counts.values().sum()),
            Err(e) => {
                self.put_back(counts);
                Err(e)
            }
        }
    }
}

async fn shared_key(
    pool: &Pool,
    day: NaiveDate,
) -> Result<[u8; 32], Box<dyn std::error::Error + Send + Sync>> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO tablemap.web_keys (day, key) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
            &[&day, &random_key().as_slice()],
        )
        .await?;
    let key: Vec<u8> =
        client.query_one("SELECT key FROM tablemap.web_keys WHERE day = $1", &[&day]).await?.try_get(0)?;
    client.execute("DELETE FROM tablemap.web_keys WHERE day < $1", &[&day]).await?;
    key.try_into().map_err(|_| "the day's key is not 32 bytes".into())
}

async fn write(
    pool: &Pool,
    counts: &HashMap<(String, NaiveDate), i64>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let codes: Vec<&str> = counts.keys().map(|(c, _)| c.as_str()).collect();
    let days: Vec<NaiveDate> = counts.keys().map(|(_, d)| *d).collect();
    let added: Vec<i64> = counts.values().copied().collect();
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO tablemap.scans (code, day, count) SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[]) \
             ON CONFLICT (code, day) DO UPDATE SET count = tablemap.scans.count + excluded.count",
            &[&codes, &days, &added],
        )
        .await?;
    Ok(())
}

/// Writes counts every `period` until the task is stopped; a failure is said once per run of
/// failures (no address or code in it) and the counts kept.
pub async fn keep_flushing(counter: std::sync::Arc<Counter>, pool: Pool, period: Duration) {
    let mut failing = false;
    loop {
        tokio::time::sleep(period).await;
        match counter.flush(&pool).await {
            Ok(_) => failing = false,
            Err(e) if !failing => {
                eprintln!("tablemap-server: cannot write scan counts yet (kept for the next try): {e}");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawlers_and_previews_are_not_people() {
        let cases = [
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
                false,
            ),
            ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36", false),
            ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true),
            ("WhatsApp/2.23.20.0", true),
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true),
            ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true),
            ("TelegramBot (like TwitterBot)", true),
            ("curl/8.5.0", true),
            ("python-requests/2.31", true),
            ("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0", true),
            ("", true),
            ("   ", true),
        ];
        for (browser, bot) in cases {
            assert_eq!(is_bot(browser), bot, "{browser}");
        }
    }

    #[test]
    fn the_keyed_hash_depends_on_the_key_and_on_every_part() {
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let h = |k: &[u8; 32], parts: &[&[u8]]| keyed(k, parts);
        assert_eq!(h(&k1, &[b"a", b"b"]), h(&k1, &[b"a", b"b"]));
        assert_ne!(h(&k1, &[b"a", b"b"]), h(&k2, &[b"a", b"b"]));
        // Lengths are part of the hash: moving a byte between parts changes it.
        assert_ne!(h(&k1, &[b"ab", b"c"]), h(&k1, &[b"a", b"bc"]));
    }
}

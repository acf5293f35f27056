//! The campaign's web service (`tablemap-server`) served in-process on loopback against the
//! throwaway PostgreSQL, spoken to over plain HTTP/1.1 as a proxy would.

use crate::pg_server::TestPostgres;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use tablemap_server::{app, database};

/// One request; answers the status code and the whole response.
fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    get_with(addr, path, "")
}

/// One request with extra header lines (each ending in CRLF).
fn get_with(addr: std::net::SocketAddr, path: &str, headers: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: go.campaign.example\r\n{headers}Connection: close\r\n\r\n")
        .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let code = response.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, response)
}

/// A running service and what stops it.
pub(crate) struct Service {
    pub(crate) addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), tablemap_server::ServerError>>>,
}

impl Service {
    pub(crate) fn start(database_url: &str) -> Service {
        Service::start_behind(database_url, None)
    }

    /// Started with `--trusted-proxy`.
    pub(crate) fn start_behind(database_url: &str, trusted_proxy: Option<std::net::IpAddr>) -> Service {
        let (pool, _) = database::pool(database_url, 4).expect("pool");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = app::State { trusted_proxy, ..app::State::new(pool, "https://mc.example/".into()) };
        let thread = std::thread::spawn(move || {
            runtime.block_on(tablemap_server::serve(listener, state, async {
                let _ = stopped.await;
            }))
        });
        Service { addr, stop: Some(stop), thread: Some(thread) }
    }

    /// Stops it as SIGTERM would; answers how `serve` ended.
    pub(crate) fn stop(mut self) -> Result<(), tablemap_server::ServerError> {
        let _ = self.stop.take().expect("running").send(());
        self.thread.take().expect("running").join().expect("the service's thread")
    }
}

#[test]
fn web_healthz_says_whether_the_database_answers_and_the_service_stops_cleanly() {
    let pg = TestPostgres::start();
    let service = Service::start(&pg.admin_url());
    let (code, response) = get(service.addr, "/healthz");
    assert_eq!(code, 200, "{response}");
    assert!(response.ends_with("ok\n"), "{response}");
    let lower = response.to_ascii_lowercase();
    for header in ["referrer-policy: no-referrer", "x-content-type-options: nosniff"] {
        assert!(lower.contains(header), "{header}: {response}");
    }
    // Any other address goes to the campaign's landing page, never an error page.
    let (code, response) = get(service.addr, "/nothing-here");
    assert_eq!(code, 303, "{response}");
    assert!(response.contains("location: https://mc.example/\r\n"), "{response}");

    // The database goes away: the health check says so, and the service itself keeps answering.
    drop(pg);
    let (code, response) = get(service.addr, "/healthz");
    assert_eq!(code, 503, "{response}");
    assert!(response.ends_with("the database is not reachable\n"), "{response}");
    assert!(service.stop().is_ok());
}

/// The web service's own login reads only what the public side needs and writes only scan
/// counts and its daily key: every other read and write is tried and refused by PostgreSQL.
#[test]
fn web_the_service_login_reads_only_the_public_side_and_writes_only_counts() {
    use crate::sync::{at, team, visit_as};
    use crate::sync_campaign::{codes, place, print};
    use tablemap_core::api;
    use tablemap_core::domain::{ConsentAnswer, ConsentKind, NewConsent, NewVisit, Outcome};
    use tablemap_core::sync::server::{self, Role};
    use tablemap_core::sync::{admin_config, Tls};

    let team = team();
    let mut cora = team.person("Cora", Role::Coordinator);
    let listed = cora.add_restaurant("Listed Kitchen", 1);
    let unlisted = cora.add_restaurant("Unlisted Grill", 1);
    let yes = NewConsent {
        restaurant_id: listed.clone(),
        kind: ConsentKind::ListedPublicly,
        answer: ConsentAnswer::Yes,
        recorded_by: cora.id.clone(),
    };
    api::visits::record_consent(&mut cora.store, yes, at(2)).expect("consent");
    for r in [&listed, &unlisted] {
        let visit =
            NewVisit { note: Some("Owner: Selam".into()), ..visit_as(r, &cora.id, Outcome::Spoke, 3) };
        api::visits::record(&mut cora.store, visit, at(3)).expect("visit");
    }
    let batch = print(&mut cora, 2, None, 4).expect("print");
    let printed = codes(&cora, &batch);
    place(&mut cora, &listed, &printed[0].0, 5);
    place(&mut cora, &unlisted, &printed[1].0, 5);
    let report = cora.sync(6);
    assert!(report.refused.is_empty(), "{:?}", report.refused);

    let (config, mode) = admin_config(&team.admin_url()).expect("admin url");
    let url = server::web_login(&config, &Tls::plain(mode), None).expect("web login");
    assert!(url.starts_with("postgres://tmweb_") && url.ends_with("?sslmode=disable"), "{url}");
    let mut web = postgres::Client::connect(&url, postgres::NoTls).expect("the web login connects");

    let refused = [
        "SELECT * FROM tablemap.visits",
        "SELECT note FROM tablemap.web_visits",
        "SELECT * FROM tablemap.consent_records",
        "SELECT * FROM tablemap.volunteers",
        "SELECT * FROM tablemap.people",
        "SELECT * FROM tablemap.restaurants",
        "SELECT * FROM tablemap.restaurant_fields",
        "SELECT * FROM tablemap.sticker_events",
        "SELECT * FROM tablemap.print_batches",
        "SELECT * FROM tablemap.web_ever_listed",
        "SELECT * FROM tablemap.reviews",
        "SELECT * FROM tablemap.erasures",
        "SELECT * FROM tablemap.area_notes",
        "SELECT hlc FROM tablemap.campaign_settings",
        "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, hlc) \
         SELECT 'x', restaurant_id, 'v', visited_at, recorded_at, 'agreed', hlc FROM tablemap.web_visits LIMIT 1",
        "UPDATE tablemap.campaign_settings SET value = '{}'",
        "INSERT INTO tablemap.restaurants (id, source, created_at) VALUES ('x', 'web', '2026-06-01T12:00:00Z')",
        "SELECT tablemap.erase('restaurant', 'x', '2026-06-01T12:00:00Z')",
        "SELECT tablemap.apply_note_retention('2026-06-01T12:00:00Z')",
        "DELETE FROM tablemap.scans",
        "UPDATE tablemap.scans SET day = day + 1",
        "INSERT INTO tablemap.web_logins (login) VALUES ('tmweb_x')",
    ];
    for sql in refused {
        let mut tx = web.transaction().expect("begin");
        let e = tx.batch_execute(sql).expect_err(sql);
        let code = e.code().cloned();
        assert!(
            matches!(
                code,
                Some(
                    postgres::error::SqlState::INSUFFICIENT_PRIVILEGE
                        | postgres::error::SqlState::UNDEFINED_COLUMN
                )
            ),
            "{sql}: {e}"
        );
    }

    let names: Vec<String> = web
        .query("SELECT value->>0 FROM tablemap.web_restaurant_fields WHERE field = 'name'", &[])
        .expect("names")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["Listed Kitchen"]);
    let mut one = |sql: &str| -> i64 { web.query_one(sql, &[]).expect(sql).get(0) };
    let cases = [
        (format!("SELECT count(*) FROM tablemap.web_visits WHERE restaurant_id = '{}'", listed.as_str()), 2),
        ("SELECT count(*) FROM tablemap.web_visits".to_string(), 2),
        ("SELECT count(*) FROM tablemap.web_listing".to_string(), 1),
        ("SELECT count(*) FROM tablemap.web_codes".to_string(), 2),
        // The whole life of a code once at a listed restaurant: printed, then placed.
        (format!("SELECT count(*) FROM tablemap.web_sticker_events WHERE code = '{}'", printed[0].0), 2),
        (format!("SELECT count(*) FROM tablemap.web_sticker_events WHERE code = '{}'", printed[1].0), 0),
        ("SELECT count(*) FROM tablemap.campaign_settings".to_string(), 0),
    ];
    for (sql, want) in &cases {
        // Column grants: count(*) on campaign_settings needs no column, and there is no row yet.
        assert_eq!(one(sql), *want, "{sql}");
    }
    let mut readable: Vec<String> = web
        .query("SELECT code FROM tablemap.web_codes", &[])
        .expect("codes")
        .iter()
        .map(|r| r.get(0))
        .collect();
    readable.sort();
    let mut all: Vec<String> = printed.iter().map(|(c, _)| c.clone()).collect();
    all.sort();
    assert_eq!(readable, all, "every printed code, as the code itself");
    // What it may write: counts (added to in batches) and the day's key.
    let code = &printed[0].0;
    for _ in 0..2 {
        web.execute(
            "INSERT INTO tablemap.scans (code, day, count) VALUES ($1, '2026-06-01', 3) \
             ON CONFLICT (code, day) DO UPDATE SET count = tablemap.scans.count + excluded.count",
            &[code],
        )
        .expect("count scans");
    }
    web.batch_execute(
        "INSERT INTO tablemap.web_keys (day, key) VALUES ('2026-06-01', decode(repeat('ab', 32), 'hex'));
         DELETE FROM tablemap.web_keys WHERE day < '2026-06-02'",
    )
    .expect("the day's key");
    let counted: i64 = team.admin().query_one("SELECT count FROM tablemap.scans", &[]).expect("scans").get(0);
    assert_eq!(counted, 6);
}

/// `tablemap server web-login` and `tablemap-server web-login` (for a server with no desktop)
/// each make a login; the CLI's last line is a --database-url the service starts with.
#[test]
fn web_logins_come_from_both_commands_and_the_url_serves() {
    use tablemap_core::sync::server;
    let pg = TestPostgres::start();
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let admin = pg.admin_url();
    // Before `server init` there is nothing to log in to: said so.
    let early = crate::support::tablemap(&db, &["server", "web-login", "--url", &admin]);
    assert_ne!(early.code, 0);
    assert!(early.stderr.contains("run `tablemap server init` first"), "{}", early.stderr);

    crate::support::tablemap(&db, &["server", "init", "--url", &admin]).ok();
    let out = crate::support::tablemap(&db, &["server", "web-login", "--url", &admin]).ok();
    let url = out.lines().last().expect("a last line").to_string();
    assert!(url.starts_with("postgres://tmweb_"), "{out}");

    let settings = tablemap_server::Settings {
        command: Some(tablemap_server::settings::Command::WebLogin {
            url: admin.clone(),
            public_host: None,
            ca_file: None,
        }),
        database_url: None,
        listen: "127.0.0.1:0".parse().expect("address"),
        landing: None,
        trusted_proxy: None,
        max_connections: 1,
    };
    let runtime = crate::support::runtime();
    runtime.block_on(tablemap_server::run(settings)).expect("tablemap-server web-login");
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("admin");
    let made: i64 = c.query_one("SELECT count(*) FROM tablemap.web_logins", &[]).expect("logins").get(0);
    assert_eq!(made, 2);
    assert!(server::latest() >= 12);

    // The CLI's URL is one the service starts with and is healthy on.
    let service = Service::start(&url);
    assert_eq!(get(service.addr, "/healthz").0, 200);
    assert!(service.stop().is_ok());
}

/// Polls `path` until it answers `want` (the service refreshes what it shows every few
/// seconds); answers the response and how long it took.
pub(crate) fn until(addr: std::net::SocketAddr, path: &str, want: u16) -> (String, Duration) {
    let started = std::time::Instant::now();
    loop {
        let (code, response) = get(addr, path);
        if code == want {
            return (response, started.elapsed());
        }
        assert!(started.elapsed() < Duration::from_secs(70), "{path} never answered {want}: {response}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A team whose coordinator set the sticker address `https://mc.example/S`, added "Listed
/// Kitchen" (listed publicly) and "Unlisted Grill", printed three codes and put the first up at
/// the listed one and the second at the other; with the web service's login.
pub(crate) struct Scene {
    pub(crate) team: crate::sync::Team,
    pub(crate) cora: crate::sync::Person,
    pub(crate) listed: tablemap_core::domain::RestaurantId,
    pub(crate) batch: String,
    pub(crate) printed: Vec<String>,
    pub(crate) url: String,
}

fn listing(
    r: &tablemap_core::domain::RestaurantId,
    by: &crate::sync::Person,
    yes: bool,
) -> tablemap_core::domain::NewConsent {
    use tablemap_core::domain::{ConsentAnswer, ConsentKind, NewConsent};
    NewConsent {
        restaurant_id: r.clone(),
        kind: ConsentKind::ListedPublicly,
        answer: if yes { ConsentAnswer::Yes } else { ConsentAnswer::No },
        recorded_by: by.id.clone(),
    }
}

pub(crate) fn scene() -> Scene {
    use crate::sync::{at, team};
    use crate::sync_campaign::{codes, place, print};
    use tablemap_core::api;
    use tablemap_core::stickers::campaign::Campaign;
    use tablemap_core::sync::server::{self, Role};
    use tablemap_core::sync::{admin_config, Tls};

    let team = team();
    let mut cora = team.person("Cora", Role::Coordinator);
    let words = Campaign { base_url: "https://mc.example/S".into(), ..Campaign::default() };
    api::stickers::save_campaign(&mut cora.store, words, at(1)).expect("campaign");
    let listed = cora.add_restaurant("Listed Kitchen", 1);
    let unlisted = cora.add_restaurant("Unlisted Grill", 1);
    let yes = listing(&listed, &cora, true);
    api::visits::record_consent(&mut cora.store, yes, at(2)).expect("yes");
    let batch = print(&mut cora, 3, None, 3).expect("print");
    let printed: Vec<String> = codes(&cora, &batch).into_iter().map(|(c, _)| c).collect();
    place(&mut cora, &listed, &printed[0], 4);
    place(&mut cora, &unlisted, &printed[1], 4);
    assert!(cora.sync(5).refused.is_empty());
    let (config, mode) = admin_config(&team.admin_url()).expect("admin url");
    let url = server::web_login(&config, &Tls::plain(mode), None).expect("web login");
    Scene { team, cora, listed, batch, printed, url }
}

/// Sticker links: a code up at a listed restaurant shows its page (in the visitor's language);
/// a blank, unknown, unlisted code or any other path goes to the landing page; a withdrawn
/// listing leaves the page within 60 seconds.
#[test]
fn web_a_placed_code_shows_its_venue_and_anything_else_goes_to_the_landing_page() {
    use crate::sync::at;
    use tablemap_core::api;

    let Scene { team: _team, mut cora, listed, printed, url, .. } = scene();
    let service = Service::start(&url);
    let placed = format!("/S/{}", printed[0]);
    let (page, _) = until(service.addr, &placed, 200);
    assert!(page.contains("You found <bdi>#MigrantsContribute</bdi> at <bdi>Listed Kitchen</bdi>"), "{page}");
    assert!(page.contains("<a class=\"primary\" href=\"/map#"), "{page}");
    let lower = page.to_ascii_lowercase();
    assert!(lower.contains("content-security-policy: default-src 'none'"), "{page}");
    assert!(lower.contains("cache-control: no-store"), "{page}");

    // Case, hyphens and the visitor's language.
    let typed = format!("/s/{}-{}", &printed[0][..3].to_ascii_lowercase(), &printed[0][3..]);
    assert_eq!(get(service.addr, &typed).0, 200, "{typed}");
    let (_, arabic) = get_with(service.addr, &placed, "Accept-Language: ar-EG,ar;q=0.9,en;q=0.5\r\n");
    assert!(arabic.contains("dir=\"rtl\"") && arabic.contains("وجدت"), "{arabic}");

    let elsewhere = [
        format!("/S/{}", printed[1]),
        format!("/S/{}", printed[2]),
        "/S/7K3M9QZ".to_string(),
        "/S/not-a-code".to_string(),
        format!("/other/{}", printed[0]),
        "/".to_string(),
    ];
    for path in &elsewhere {
        let (code, response) = get(service.addr, path);
        assert_eq!(code, 303, "{path}: {response}");
        assert!(response.contains("location: https://mc.example/\r\n"), "{path}: {response}");
    }

    // The owner withdraws the listing: the page goes within 60 seconds.
    let no = listing(&listed, &cora, false);
    api::visits::record_consent(&mut cora.store, no, at(6)).expect("no");
    assert!(cora.sync(7).refused.is_empty());
    let (_, took) = until(service.addr, &placed, 303);
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert!(service.stop().is_ok());
}

/// Scans count stickers, never people: a visitor's repeat scans of a code on one day count once,
/// crawlers and link previews not at all, an address scanning faster than a person no more than
/// its burst; counts reach PostgreSQL in batches and at a clean stop; nothing of a visitor is
/// written.
#[test]
fn web_scans_count_stickers_never_people_and_survive_a_clean_stop() {
    let Scene { team, mut cora, printed, url, batch, listed: restaurant } = scene();
    let service = Service::start_behind(&url, Some("127.0.0.1".parse().expect("ip")));
    until(service.addr, &format!("/S/{}", printed[0]), 200);

    let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    let scan = |code: &str, browser: &str, from: &str| {
        let headers = format!("User-Agent: {browser}\r\nX-Forwarded-For: 10.9.9.9, {from}\r\n");
        get_with(service.addr, &format!("/S/{code}"), &headers).0
    };
    // Amal scans the sticker three times, Ben once, Amal again from another browser.
    for _ in 0..3 {
        assert_eq!(scan(&printed[0], phone, "203.0.113.7"), 200);
    }
    scan(&printed[0], phone, "203.0.113.8");
    scan(&printed[0], "Mozilla/5.0 (Android 14) Chrome/120 Mobile", "203.0.113.7");
    // A link shared in a chat: the preview fetchers are not people.
    for bot in ["facebookexternalhit/1.1", "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)", ""] {
        scan(&printed[0], bot, "198.51.100.1");
    }
    // A blank printed code counts (it is one of ours); an unknown one does not.
    assert_eq!(scan(&printed[2], phone, "203.0.113.7"), 303);
    assert_eq!(scan("7K3M9QZ", phone, "203.0.113.7"), 303);
    // One address firing 25 scans with 25 browser strings: no more than its burst count.
    for i in 0..25 {
        scan(&printed[1], &format!("{phone} v{i}"), "198.51.100.9");
    }
    assert!(service.stop().is_ok(), "a clean stop");

    let mut admin = team.admin();
    let counted: Vec<(String, i64)> = admin
        .query("SELECT code, count FROM tablemap.scans WHERE day = current_date ORDER BY count DESC", &[])
        .expect("scans")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let want = vec![(printed[1].clone(), 20), (printed[0].clone(), 3), (printed[2].clone(), 1)];
    assert_eq!(counted, want);
    // What is kept: codes, days, counts; the day's key; no address, browser or hash anywhere.
    let columns: Vec<String> = admin
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'tablemap' \
             AND table_name = 'scans' ORDER BY ordinal_position",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(columns, ["code", "day", "count", "txid"]);
    let keys: i64 = admin.query_one("SELECT count(*) FROM tablemap.web_keys", &[]).expect("keys").get(0);
    assert_eq!(keys, 1);

    // The counts reach the desktop with the next sync: the batch lists scans and the last day.
    let report = cora.sync(10);
    assert_eq!(report.pulled_scans, 3);
    let today = chrono::Utc::now().date_naive();
    let listed: Vec<(String, u32, Option<chrono::NaiveDate>)> =
        tablemap_core::api::stickers::batch(&cora.store, &batch)
            .expect("batch")
            .codes
            .into_iter()
            .map(|c| (c.code, c.scans, c.last_scanned))
            .collect();
    let want = vec![
        (printed[0].clone(), 3, Some(today)),
        (printed[1].clone(), 20, Some(today)),
        (printed[2].clone(), 1, Some(today)),
    ];
    assert_eq!(listed, want);
    // The restaurant's panel: the sticker up there, scanned 3 times this month, last today.
    let up = cora.detail(&restaurant).stickers_up;
    let seen: Vec<(String, u32, u32, Option<chrono::NaiveDate>)> =
        up.into_iter().map(|s| (s.code, s.month_scans, s.scans, s.last_scanned)).collect();
    assert_eq!(seen, vec![(printed[0].clone(), 3, 3, Some(today))]);
    // A second sync brings nothing new.
    assert_eq!(cora.sync(11).pulled_scans, 0, "nothing new");
}

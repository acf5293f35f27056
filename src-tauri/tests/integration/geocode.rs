//! Geocoding against local servers that answer like postcodes.io and Nominatim: the production
//! clients, only their base URLs changed; the cache in a real database file.

use crate::fixture_server::{FixtureServer, Request, Response};
use crate::support::{fixture, now, runtime, tablemap};
use std::time::{Duration, Instant};
use tablemap_core::api::geocode::{self, Geocoder};
use tablemap_core::api::{self, ApiError, Settings};
use tablemap_core::sources::nominatim::{NominatimClient, ReverseHit};
use tablemap_core::sources::postcodes::{normalise, PostcodesClient};
use tablemap_core::store::Store;

fn settings(base_url: &str) -> Settings {
    let defaults = api::settings::get(&Store::open_in_memory().expect("store")).expect("settings");
    Settings { postcodes_url: base_url.into(), nominatim_url: base_url.into(), ..defaults }
}

/// A made-up but stable position for a postcode, so answers can be checked against questions.
fn position(postcode: &str) -> (f64, f64) {
    let sum: u32 = postcode.bytes().map(u32::from).sum();
    (50.0 + f64::from(sum % 1000) / 1000.0, -f64::from(sum % 997) / 1000.0)
}

/// Answers `POST /postcodes` as postcodes.io does: every `ZZ…` postcode is unknown.
fn postcodes_io(req: &Request) -> Response {
    let asked: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
    let Some(postcodes) = asked["postcodes"].as_array() else {
        return Response::new(400, r#"{"status":400,"error":"Invalid JSON submitted."}"#);
    };
    if postcodes.len() > 100 {
        return Response::new(400, fixture("postcodes/too-many.json"));
    }
    let result: Vec<serde_json::Value> = postcodes
        .iter()
        .map(|p| {
            let p = p.as_str().unwrap_or_default();
            let found = (!p.starts_with("ZZ")).then(|| {
                let (lat, lon) = position(p);
                serde_json::json!({"postcode": p, "quality": 1, "country": "England", "longitude": lon, "latitude": lat})
            });
            serde_json::json!({ "query": p, "result": found })
        })
        .collect();
    Response::new(200, serde_json::json!({ "status": 200, "result": result }).to_string())
        .header("Content-Type", "application/json; charset=utf-8")
}

/// Answers `/search` and `/reverse` as Nominatim does, from the fixtures.
fn nominatim(req: &Request) -> Response {
    let file = match req.path.as_str() {
        "/search" if req.query_param("q").unwrap_or_default().contains("Kingsland") => {
            "nominatim/search.json"
        }
        "/search" => "nominatim/search-nothing.json",
        "/reverse" if req.query_param("lat").unwrap_or_default().starts_with("51") => {
            "nominatim/reverse.json"
        }
        "/reverse" => "nominatim/reverse-nothing.json",
        "/postcodes" => return postcodes_io(req),
        _ => return Response::new(404, "Not Found"),
    };
    Response::new(200, fixture(file)).header("Content-Type", "application/json; charset=utf-8")
}

#[test]
fn postcodes_are_asked_in_bulk_of_at_most_100_and_only_once() {
    let server = FixtureServer::start(postcodes_io);
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let geocoder = Geocoder::open(&db, &settings(&server.base_url())).expect("geocoder");

    // 250 postcodes written carelessly, 3 unknown ones, repeats and things that are no postcode.
    let mut input: Vec<String> = (0..250)
        .map(|i| format!("e{}{}a{}", 1 + i % 9, (i / 9) % 10, (b'a' + (i / 90) as u8) as char))
        .collect();
    input.extend(["ZZ9 9ZA", "zz99zb", "ZZ9 9ZC"].map(String::from));
    input.extend(input[..10].to_vec());
    input.extend(["75001", "", "SW1A"].map(String::from));
    let distinct = 253;

    let got = runtime().block_on(geocoder.postcodes(&input, now())).expect("lookup");
    assert_eq!(got.len(), input.len());
    for (q, answer) in input.iter().zip(&got) {
        let want = normalise(q).filter(|p| !p.starts_with("ZZ")).map(|p| position(&p));
        assert_eq!(*answer, want, "{q:?}");
    }

    let requests = server.requests();
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| {
            assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/postcodes"));
            assert_eq!(r.headers["content-type"], "application/json");
            assert!(r.headers["user-agent"].starts_with("Tablemap/"));
            let body: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON body");
            let sent = body["postcodes"].as_array().expect("postcodes").clone();
            for p in &sent {
                let p = p.as_str().expect("text");
                assert_eq!(normalise(p).as_deref(), Some(p), "sent normalised");
            }
            sent.len()
        })
        .collect();
    assert_eq!(sizes, [100, 100, 53]);
    assert_eq!(geocoder.cached_answers(geocode::POSTCODES).expect("count"), distinct);

    // Asked again, by this geocoder or one opened later on the same file: no request at all.
    let again = runtime().block_on(geocoder.postcodes(&input, now())).expect("again");
    assert_eq!(again, got);
    drop(geocoder);
    let reopened = Geocoder::open(&db, &settings(&server.base_url())).expect("reopen");
    let again = runtime().block_on(reopened.postcodes(&input[..5], now())).expect("reopened");
    assert_eq!(again, got[..5]);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn postcodes_io_answers_in_its_documented_format() {
    let server = FixtureServer::start(|_| {
        Response::new(200, fixture("postcodes/bulk.json")).header("Content-Type", "application/json")
    });
    let geocoder = Geocoder::in_memory(&settings(&server.base_url())).expect("geocoder");
    let input: Vec<String> = ["e8 2aa", "ZZ99ZZ", "n16 7xj", "75001", "E8 2AA"].map(String::from).into();
    let got = runtime().block_on(geocoder.postcodes(&input, now())).expect("lookup");
    assert_eq!(
        got,
        [
            Some((51.546112, -0.075331)),
            None,
            Some((51.561874, -0.073795)),
            None,
            Some((51.546112, -0.075331))
        ]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("json");
    assert_eq!(body, serde_json::json!({ "postcodes": ["E8 2AA", "ZZ9 9ZZ", "N16 7XJ"] }));
    // "Not found" is an answer too: kept, and not asked again.
    assert_eq!(geocoder.cached_answers(geocode::POSTCODES).expect("count"), 3);
    runtime().block_on(geocoder.postcodes(&input[1..2], now())).expect("again");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn addresses_and_points_are_asked_of_nominatim_once() {
    let server = FixtureServer::start(nominatim);
    let geocoder = Geocoder::in_memory(&settings(&server.base_url())).expect("geocoder");
    let rt = runtime();

    let found = rt.block_on(geocoder.search("12 Kingsland Road, London", now())).expect("search");
    assert_eq!(found, Some((51.5460921, -0.0754124)));
    // Same words, other spacing and case: the cache answers.
    let again = rt.block_on(geocoder.search("  12 kingsland road,   LONDON ", now())).expect("again");
    assert_eq!(again, found);
    assert_eq!(rt.block_on(geocoder.search("1 Nowhere Lane", now())).expect("nothing"), None);
    assert_eq!(rt.block_on(geocoder.search("1 nowhere lane", now())).expect("nothing, cached"), None);

    let hit = rt.block_on(geocoder.reverse(51.546092, -0.075412, now())).expect("reverse");
    assert_eq!(
        hit,
        Some(ReverseHit {
            address: Some("12 Kingsland Road".into()),
            postcode: Some("E8 2AA".into()),
            city: Some("London".into()),
            display_name: "12, Kingsland Road, Dalston, London Borough of Hackney, London, Greater London, \
                           England, E8 2AA, United Kingdom"
                .into(),
        })
    );
    // A metre away rounds to the same point.
    assert_eq!(rt.block_on(geocoder.reverse(51.5460921, -0.0754124, now())).expect("cached"), hit);
    assert_eq!(rt.block_on(geocoder.reverse(-10.0, 20.0, now())).expect("nothing"), None);
    assert_eq!(rt.block_on(geocoder.reverse(-10.0, 20.0, now())).expect("nothing, cached"), None);

    let requests = server.requests();
    let asked: Vec<(&str, &str)> = requests.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(asked, [("GET", "/search"), ("GET", "/search"), ("GET", "/reverse"), ("GET", "/reverse")]);
    let search = &requests[0];
    assert!(search.headers["user-agent"].starts_with("Tablemap/"), "{:?}", search.headers);
    let params = |r: &Request, names: &[&str]| -> Vec<Option<String>> {
        names.iter().map(|n| r.query_param(n)).collect()
    };
    assert_eq!(
        params(search, &["q", "format", "limit"]),
        [Some("12 Kingsland Road, London".into()), Some("jsonv2".into()), Some("1".into())]
    );
    assert_eq!(
        params(&requests[2], &["lat", "lon", "format", "addressdetails"]),
        [Some("51.54609".into()), Some("-0.07541".into()), Some("jsonv2".into()), Some("1".into())]
    );
    assert_eq!(geocoder.cached_answers(geocode::SEARCH).expect("count"), 2);
    assert_eq!(geocoder.cached_answers(geocode::REVERSE).expect("count"), 2);
}

/// Answers `/api` and `/reverse` as Photon does, from the fixtures.
fn photon(req: &Request) -> Response {
    let file = match req.path.as_str() {
        "/api" if req.query_param("q").is_none() => {
            return Response::new(400, fixture("photon/bad-request.json"))
                .header("Content-Type", "application/json")
        }
        "/api" if req.query_param("q").unwrap_or_default().contains("Kingsland") => "photon/search.json",
        "/api" => "photon/search-nothing.json",
        "/reverse" if req.query_param("lat").unwrap_or_default().starts_with("51") => "photon/reverse.json",
        "/reverse" => "photon/reverse-nothing.json",
        _ => return Response::new(404, "Not Found"),
    };
    Response::new(200, fixture(file)).header("Content-Type", "application/json;charset=utf-8")
}

#[test]
fn addresses_and_points_can_be_asked_of_photon_instead() {
    let server = FixtureServer::start(photon);
    let chosen = Settings {
        address_geocoder: "photon".into(),
        photon_url: server.base_url(),
        ..settings("http://127.0.0.1:9")
    };
    let geocoder = Geocoder::in_memory(&chosen).expect("geocoder");
    let rt = runtime();

    let found = rt.block_on(geocoder.search("12 Kingsland Road, London", now())).expect("search");
    assert_eq!(found, Some((51.5460921, -0.0754124)));
    assert_eq!(rt.block_on(geocoder.search("12 KINGSLAND road, london", now())).expect("cached"), found);
    assert_eq!(rt.block_on(geocoder.search("1 Nowhere Lane", now())).expect("nothing"), None);
    let hit = rt.block_on(geocoder.reverse(51.546092, -0.075412, now())).expect("reverse");
    assert_eq!(
        hit,
        Some(ReverseHit {
            address: Some("12 Kingsland Road".into()),
            postcode: Some("E8 2AA".into()),
            city: Some("London".into()),
            display_name: "Sahara Grill, 12 Kingsland Road, London, E8 2AA, England, United Kingdom".into(),
        })
    );
    assert_eq!(rt.block_on(geocoder.reverse(-10.0, 20.0, now())).expect("nothing"), None);

    let requests = server.requests();
    let asked: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(asked, ["/api", "/api", "/reverse", "/reverse"]);
    assert_eq!(requests[0].query_param("q").as_deref(), Some("12 Kingsland Road, London"));
    assert_eq!(requests[0].query_param("limit").as_deref(), Some("1"));
    assert_eq!(
        (requests[2].query_param("lat"), requests[2].query_param("lon")),
        (Some("51.54609".into()), Some("-0.07541".into()))
    );
    assert!(requests[0].headers["user-agent"].starts_with("Tablemap/"));
    // Each service's answers are kept apart.
    assert_eq!(geocoder.cached_answers(geocode::PHOTON_SEARCH).expect("count"), 2);
    assert_eq!(geocoder.cached_answers(geocode::SEARCH).expect("count"), 0);

    // Photon's error object, and a setting nobody knows, are refused in words.
    let bad = tablemap_core::sources::photon::parse_search(&fixture("photon/bad-request.json"))
        .expect_err("refused");
    assert!(bad.to_string().contains("Photon"), "{bad}");
    let mut store = Store::open_in_memory().expect("store");
    let err = api::settings::save(&mut store, Settings { address_geocoder: "google".into(), ..chosen })
        .expect_err("refused");
    assert!(matches!(err, ApiError::Invalid(ref v) if v.field == "address_geocoder"), "{err:?}");
}

#[test]
fn nominatim_is_asked_at_most_once_a_second_across_the_process() {
    let server = FixtureServer::start(nominatim);
    // Two geocoders with nothing in common but the process.
    let a = Geocoder::in_memory(&settings(&server.base_url())).expect("a");
    let b = Geocoder::in_memory(&settings(&server.base_url())).expect("b");
    let started = Instant::now();
    let (x, y, z) = runtime().block_on(async {
        tokio::join!(
            a.search("1 First Street", now()),
            b.search("2 Second Street", now()),
            a.reverse(1.0, 2.0, now())
        )
    });
    for r in [x.map(|_| ()), y.map(|_| ()), z.map(|_| ())] {
        r.expect("answer");
    }
    let mut arrivals: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 3);
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        // One second between the starts; allow for the first request's longer connection set-up.
        assert!(gap >= Duration::from_millis(950), "requests {gap:?} apart");
    }
    assert!(started.elapsed() >= Duration::from_millis(1900));
}

#[test]
fn nominatim_is_asked_at_most_once_a_second_across_processes() {
    let server = FixtureServer::start(nominatim);
    let dir = tempfile::tempdir().expect("dir");
    // Three commands at once, each with its own database, sharing this user's cache folder.
    let runs: Vec<std::process::Child> = (0..3)
        .map(|i| {
            let db = dir.path().join(format!("{i}.sqlite"));
            tablemap(&db, &["settings", "set", "--nominatim-url", &server.base_url()]).ok();
            std::process::Command::new(env!("CARGO_BIN_EXE_tablemap"))
                .args([
                    "--db",
                    db.to_str().unwrap_or_default(),
                    "geocode",
                    "address",
                    &format!("{i} Other Street"),
                ])
                .env_remove("TABLEMAP_DB")
                .env("XDG_CACHE_HOME", dir.path().join("cache"))
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("start")
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().expect("wait").success());
    }
    let mut arrivals: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 3);
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(950), "requests from separate processes {gap:?} apart");
    }
    assert!(dir.path().join("cache/tablemap/nominatim.turn").exists());
}

/// A server in trouble, by the first path segment.
fn troubled(req: &Request) -> Response {
    match req.path.trim_start_matches('/').split('/').next().unwrap_or_default() {
        "busy" => Response::new(429, "Too Many Requests").header("Retry-After", "120"),
        "broken" => Response::new(500, "Internal Server Error"),
        "truncated" => Response::new(200, r#"{"status":200,"result":[{"query":"E8 2AA","res"#),
        "slow" => Response::new(200, fixture("postcodes/bulk.json")).delayed(Duration::from_secs(3)),
        "refused" if req.path.ends_with("/postcodes") => {
            Response::new(400, fixture("postcodes/too-many.json"))
        }
        "refused" => Response::new(400, fixture("nominatim/bad-request.json")),
        _ => Response::new(404, "Not Found"),
    }
}

#[test]
fn failures_are_reported_and_never_cached() {
    let server = FixtureServer::start(troubled);
    let rt = runtime();
    let geocoder = |case: &str| {
        let base = format!("{}/{case}", server.base_url());
        Geocoder::with_clients(
            Store::open_in_memory().expect("cache"),
            PostcodesClient::new(&base).with_timeout(Duration::from_millis(400)),
            NominatimClient::new(&base).with_timeout(Duration::from_millis(400)),
        )
    };
    let postcodes = vec!["E8 2AA".to_string()];
    for (case, words) in [
        ("busy", &["postcodes.io", "HTTP 429", "wait 120 seconds"][..]),
        ("broken", &["postcodes.io", "HTTP 500", "try again"][..]),
        ("truncated", &["postcodes.io", "malformed JSON at line 1"][..]),
        ("slow", &["postcodes.io", "did not answer within 1 second"][..]),
        ("refused", &["refused", "Too many postcodes submitted"][..]),
    ] {
        let g = geocoder(case);
        let e = rt.block_on(g.postcodes(&postcodes, now())).expect_err(case);
        let ApiError::Network(source) = &e else { panic!("{case}: {e:?}") };
        let text = source.to_string();
        for w in words {
            assert!(text.contains(w), "{case}: {text:?} should say {w:?}");
        }
        assert_eq!(g.cached_answers(geocode::POSTCODES).expect("count"), 0, "{case}");
    }
    for (case, words) in [
        ("broken", &["Nominatim", "problem on its side"][..]),
        ("refused", &["Nominatim", "Parameter 'lat' must be a number"][..]),
    ] {
        let g = geocoder(case);
        let e = rt.block_on(g.reverse(51.5, -0.1, now())).expect_err(case);
        for w in words {
            assert!(e.to_string().contains(w), "{case}: {e} should say {w:?}");
        }
        assert_eq!(g.cached_answers(geocode::REVERSE).expect("count"), 0, "{case}");
    }
    let g = geocoder("anything");
    let e = rt.block_on(g.reverse(95.0, 0.0, now())).expect_err("latitude");
    assert!(matches!(e, ApiError::Invalid(ref v) if v.field == "lat"), "{e:?}");
}

#[test]
fn cli_geocodes_postcodes_addresses_and_points() {
    let server = FixtureServer::start(|req| {
        if req.path == "/postcodes" {
            Response::new(200, fixture("postcodes/bulk.json")).header("Content-Type", "application/json")
        } else {
            nominatim(req)
        }
    });
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let url = server.base_url();
    tablemap(&db, &["settings", "set", "--postcodes-url", &url, "--nominatim-url", &format!("{url}/")]).ok();
    let shown: serde_json::Value =
        serde_json::from_str(&tablemap(&db, &["settings", "show"]).ok()).expect("json");
    assert_eq!(shown["nominatim_url"], url.as_str());
    assert_eq!(shown["overpass_url"], api::settings::DEFAULT_OVERPASS_URL);

    let out = tablemap(&db, &["geocode", "postcode", "e82aa", "ZZ99ZZ", "75001"]).ok();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["E8 2AA  51.546112, -0.075331", "ZZ9 9ZZ  not found", "75001  not a UK postcode"]
    );
    let out = tablemap(&db, &["geocode", "address", "12 Kingsland Road, London"]).ok();
    assert_eq!(out.trim(), "51.5460921, -0.0754124");
    let out = tablemap(&db, &["geocode", "reverse", "51.54609", "-0.07541"]).ok();
    assert!(out.contains("12 Kingsland Road") && out.contains("E8 2AA") && out.contains("London"), "{out}");
    let v: serde_json::Value = serde_json::from_str(
        &tablemap(&db, &["geocode", "reverse", "51.54609", "-0.07541", "--format", "json"]).ok(),
    )
    .expect("json");
    assert_eq!(v["postcode"], "E8 2AA");
    assert_eq!(server.requests().len(), 3, "the second reverse came from the database");

    // The cache lives in the database file: a later run asks nothing.
    let out = tablemap(&db, &["geocode", "postcode", "E8 2AA", "zz9 9zz", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v[0]["position"]["lat"], 51.546112);
    assert_eq!(v[1]["position"], serde_json::Value::Null);
    assert_eq!(server.requests().len(), 3);

    // Photon instead, chosen in the settings.
    let photon_server = FixtureServer::start(photon);
    tablemap(
        &db,
        &["settings", "set", "--address-geocoder", "photon", "--photon-url", &photon_server.base_url()],
    )
    .ok();
    let out = tablemap(&db, &["geocode", "address", "12 Kingsland Road, London"]).ok();
    assert_eq!(out.trim(), "51.5460921, -0.0754124");
    assert_eq!(photon_server.requests().len(), 1, "asked of Photon, not answered from Nominatim's cache");
}

//! OpenStreetMap import against a local server that answers like an Overpass API server: the
//! production client, only its base URL changed.

use crate::fixture_server::{FixtureServer, Request, Response};
use crate::support::{fixture, now, runtime, tablemap, Run};
use chrono::Duration;
use std::time::Duration as StdDuration;
use tablemap_core::api::osm::{self, OsmImportSummary};
use tablemap_core::api::{self, ApiError};
use tablemap_core::domain::{
    ConsentAnswer, ConsentKind, NewConsent, NewVisit, Outcome, RestaurantDraft, Status, VolunteerDraft,
};
use tablemap_core::sources::overpass::{self as overpass, OsmArea, OverpassClient};
use tablemap_core::sources::{Service, SourceError};
use tablemap_core::store::restaurants::find_by_external_ref;
use tablemap_core::store::Store;

fn dalston() -> OsmArea {
    OsmArea::Bbox { south: 51.54, west: -0.08, north: 51.55, east: -0.07 }
}

/// Answers `POST /api/interpreter` with `body`, as JSON.
fn overpass_server(body: Vec<u8>) -> FixtureServer {
    FixtureServer::start(move |req| {
        if req.method == "POST" && req.path == "/api/interpreter" {
            Response::new(200, body.clone()).header("Content-Type", "application/json")
        } else {
            Response::new(404, "Not Found")
        }
    })
}

fn client(server: &FixtureServer) -> OverpassClient {
    OverpassClient::new(&format!("{}/api", server.base_url()))
}

#[test]
fn fetches_an_area_as_overpass_expects_and_imports_it() {
    let server = overpass_server(fixture("overpass/dalston.json"));
    let fetched = runtime().block_on(osm::fetch(&client(&server), &dalston())).expect("fetch");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/interpreter"));
    assert!(r.headers["user-agent"].starts_with("Tablemap/"), "{:?}", r.headers);
    assert_eq!(r.headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(r.form_param("data"), Some(overpass::query(&dalston(), overpass::DEFAULT_TIMEOUT_SECS)));
    assert!(r.body_text().starts_with("data=%5Bout%3Ajson%5D%5Btimeout%3A90%5D%3B"), "{}", r.body_text());

    // Nodes, a way and a relation by their centres; the relation without one is left out.
    let refs: Vec<(&str, Option<&str>)> =
        fetched.venues.iter().map(|v| (v.external_ref.as_str(), v.name.as_deref())).collect();
    assert_eq!(
        refs,
        [
            ("osm:node/1000000001", Some("Mangal Ocakbaşı")),
            ("osm:node/1000000002", Some("Addis Café")),
            ("osm:node/1000000003", None),
            ("osm:way/200000001", Some("Saigon Table")),
            ("osm:relation/30000001", Some("Damascus Kitchen")),
        ]
    );
    assert_eq!(fetched.skipped_without_position, 1);
    let mangal = &fetched.venues[0];
    assert_eq!(mangal.cuisines, ["turkish", "kebab", "grill"]);
    assert_eq!(mangal.address.as_deref(), Some("12 Kingsland Road, London"));
    assert_eq!((mangal.lat, mangal.lon), (51.546123, -0.075331));
    assert_eq!(fetched.venues[1].phone.as_deref(), Some("+44 20 7000 0002"));
    assert_eq!(fetched.venues[1].website.as_deref(), Some("https://addis.example"));
    assert_eq!(fetched.venues[3].address.as_deref(), Some("4 Ridley Road Market"));
    assert_eq!((fetched.venues[3].lat, fetched.venues[3].lon), (51.548215, -0.074102));
    assert_eq!(fetched.venues[4].cuisines, ["syrian"]);

    let mut store = Store::open_in_memory().expect("store");
    let summary = osm::apply(&mut store, &fetched.venues, now(), &mut |_, _| true).expect("apply");
    assert_eq!(summary, OsmImportSummary { added: 4, skipped_unnamed: 1, ..Default::default() });
    let r = find_by_external_ref(store.conn(), "osm:node/1000000001").expect("query").expect("imported");
    assert_eq!((r.source.as_str(), r.postcode.as_deref()), ("osm", Some("E8 2AA")));
    assert_eq!(r.phone.as_deref(), Some("+44 20 7000 0001"));
    // A candidate, nothing more: OpenStreetMap says nothing about who owns a business.
    let detail = api::restaurants::detail(&store, &r.id).expect("detail");
    assert_eq!(detail.summary.status, Status::NotContacted);
    assert!(detail.visits.is_empty());
}

#[test]
fn a_named_area_is_asked_for_by_name() {
    let server = overpass_server(fixture("overpass/dalston.json"));
    let area = OsmArea::Named("London Borough of \"Hackney\"".into());
    runtime().block_on(osm::fetch(&client(&server), &area)).expect("fetch");
    let data = server.requests()[0].form_param("data").expect("data");
    assert_eq!(
        data.lines().collect::<Vec<_>>(),
        [
            "[out:json][timeout:90];",
            r#"area["name"="London Borough of \"Hackney\""]->.a;"#,
            r#"nwr["amenity"~"^(restaurant|cafe|fast_food)$"](area.a);"#,
            "out center tags;",
        ]
    );
    // An area that cannot be asked for is refused before any request.
    let err =
        runtime().block_on(osm::fetch(&client(&server), &OsmArea::Named("  ".into()))).expect_err("empty");
    assert!(matches!(err, ApiError::Invalid(ref v) if v.field == "area"), "{err:?}");
    let bad_box = OsmArea::Bbox { south: 51.55, west: -0.08, north: 51.54, east: -0.07 };
    let err = runtime().block_on(osm::fetch(&client(&server), &bad_box)).expect_err("upside down");
    assert!(matches!(err, ApiError::Invalid(ref v) if v.field == "bbox"), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn importing_again_refreshes_the_map_fields_and_keeps_ours() {
    let server = FixtureServer::start(|req| {
        let file = if req.path.starts_with("/later/") {
            "overpass/dalston-a-month-later.json"
        } else {
            "overpass/dalston.json"
        };
        Response::new(200, fixture(file)).header("Content-Type", "application/json")
    });
    let first = OverpassClient::new(&format!("{}/first/api", server.base_url()));
    let later = OverpassClient::new(&format!("{}/later/api", server.base_url()));
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("t.sqlite")).expect("store");

    let fetched = runtime().block_on(osm::fetch(&first, &dalston())).expect("fetch");
    osm::apply(&mut store, &fetched.venues, now(), &mut |_, _| true).expect("first import");

    // What the campaign learnt: a visit, a consent, a language, a note on the visit.
    let mangal = find_by_external_ref(store.conn(), "osm:node/1000000001").expect("query").expect("mangal");
    let saigon = find_by_external_ref(store.conn(), "osm:way/200000001").expect("query").expect("saigon");
    let mei =
        api::volunteers::add(&mut store, VolunteerDraft { display_name: "Mei".into(), contact: None }, now())
            .expect("volunteer");
    api::visits::record(
        &mut store,
        NewVisit {
            restaurant_id: mangal.id.clone(),
            volunteer_id: mei.id.clone(),
            visited_at: None,
            outcome: Outcome::Agreed,
            stickers_left: 2,
            note: Some("owner speaks Turkish and Kurdish".into()),
            follow_up_on: None,
            corrects: None,
            sticker_codes: vec![],
        },
        now(),
    )
    .expect("visit");
    api::visits::record_consent(
        &mut store,
        NewConsent {
            restaurant_id: mangal.id.clone(),
            kind: ConsentKind::ListedPublicly,
            answer: ConsentAnswer::Yes,
            recorded_by: mei.id.clone(),
        },
        now(),
    )
    .expect("consent");
    let edited = RestaurantDraft {
        name: mangal.name.clone(),
        address: mangal.address.clone(),
        postcode: mangal.postcode.clone(),
        lat: mangal.lat,
        lon: mangal.lon,
        cuisines: mangal.cuisines.clone(),
        languages: vec!["tr".into(), "ku".into()],
        opening_hours: mangal.opening_hours.clone(),
        phone: mangal.phone.clone(),
        website: mangal.website.clone(),
    };
    api::restaurants::update(&mut store, &mangal.id, edited, now()).expect("languages");
    let before = api::restaurants::detail(&store, &mangal.id).expect("detail");

    let fetched = runtime().block_on(osm::fetch(&later, &dalston())).expect("fetch later");
    let a_month_later = now() + Duration::days(30);
    let mut progress = Vec::new();
    let summary = osm::apply(&mut store, &fetched.venues, a_month_later, &mut |d, t| {
        progress.push((d, t));
        true
    })
    .expect("again");
    assert_eq!(
        summary,
        OsmImportSummary { added: 1, updated: 2, unchanged: 2, skipped_unnamed: 1, skipped_invalid: 0 }
    );
    assert_eq!(progress.last(), Some(&(6, 6)));

    let after = api::restaurants::detail(&store, &mangal.id).expect("detail");
    // OpenStreetMap's fields: the new phone; the website it no longer has stays as we knew it.
    assert_eq!(after.restaurant.phone.as_deref(), Some("+44 20 7000 0099"));
    assert_eq!(after.restaurant.website.as_deref(), Some("https://mangal.example"));
    assert_eq!(after.restaurant.updated_at, a_month_later);
    // Ours: untouched.
    assert_eq!(after.restaurant.languages, ["tr", "ku"]);
    assert_eq!(after.visits, before.visits);
    assert_eq!(after.consents, before.consents);
    assert_eq!(after.summary, before.summary);
    assert_eq!(after.summary.status, Status::Agreed);
    assert_eq!(after.restaurant.created_at, before.restaurant.created_at);
    assert_eq!(after.restaurant.id, before.restaurant.id);

    let addis = find_by_external_ref(store.conn(), "osm:node/1000000002").expect("query").expect("addis");
    assert_eq!((addis.lat, addis.lon), (51.547051, -0.07493));
    let saigon_after =
        find_by_external_ref(store.conn(), "osm:way/200000001").expect("query").expect("saigon");
    assert_eq!(saigon_after.updated_at, saigon.updated_at, "unchanged means not written");
    assert!(find_by_external_ref(store.conn(), "osm:node/1000000004").expect("query").is_some());
    assert_eq!(tablemap_core::store::restaurants::count(store.conn()).expect("count"), 5);
}

/// A server whose answer depends on the first path segment.
fn troubled_server() -> FixtureServer {
    FixtureServer::start(|req: &Request| {
        let case = req.path.trim_start_matches('/').split('/').next().unwrap_or_default().to_string();
        match case.as_str() {
            "busy" => Response::new(429, fixture("overpass/rate-limited.html"))
                .header("Content-Type", "text/html; charset=utf-8")
                .header("Retry-After", "60"),
            "overloaded" => Response::new(504, fixture("overpass/gateway-timeout.html"))
                .header("Content-Type", "text/html"),
            "broken" => Response::new(500, "Internal Server Error"),
            "syntax" => Response::new(
                400,
                "<html><body><p><strong style=\"color:#FF0000\">Error</strong>: line 2: parse error: \
                 ';' expected - ')' found. </p></body></html>",
            ),
            "timed-out" => Response::new(200, fixture("overpass/timed-out.json"))
                .header("Content-Type", "application/json"),
            "truncated" => Response::new(200, fixture("overpass/truncated.json"))
                .header("Content-Type", "application/json"),
            "html" => Response::new(200, "<html><body>Please log in to the Wi-Fi</body></html>"),
            "slow" => Response::new(200, fixture("overpass/dalston.json")).delayed(StdDuration::from_secs(3)),
            _ => Response::new(404, "Not Found"),
        }
    })
}

#[test]
fn errors_say_what_happened_and_what_to_do() {
    let server = troubled_server();
    let fetch = |case: &str| {
        let c = OverpassClient::new(&format!("{}/{case}/api", server.base_url()))
            .waiting_at_most(StdDuration::from_millis(400));
        runtime().block_on(c.fetch(&dalston())).expect_err(case)
    };
    let check = |case: &str, ok: fn(&SourceError) -> bool, words: &[&str]| {
        let e = fetch(case);
        assert!(ok(&e), "{case}: {e:?}");
        assert_eq!(e.service(), Service::Overpass);
        let text = e.to_string();
        for w in words {
            assert!(text.contains(w), "{case}: {text:?} should say {w:?}");
        }
    };
    check(
        "busy",
        |e| matches!(e, SourceError::Busy { retry_after: Some(s), .. } if s == "60"),
        &["HTTP 429", "wait 60 seconds"],
    );
    check(
        "overloaded",
        |e| matches!(e, SourceError::Http { status: 504, .. }),
        &["overloaded", "smaller area"],
    );
    check("broken", |e| matches!(e, SourceError::Http { status: 500, .. }), &["HTTP 500", "try"]);
    check(
        "syntax",
        |e| matches!(e, SourceError::Http { status: 400, .. }),
        &["refused", "line 2: parse error"],
    );
    check("timed-out", |e| matches!(e, SourceError::GaveUp { .. }), &["timed out", "smaller area"]);
    check(
        "truncated",
        |e| matches!(e, SourceError::Malformed { line, .. } if *line > 1),
        &["malformed JSON at line", "column"],
    );
    check("html", |e| matches!(e, SourceError::NotJson { .. }), &["not JSON", "<html>", "overpass_url"]);
    check(
        "slow",
        |e| matches!(e, SourceError::Timeout { seconds: 1, .. }),
        &["did not answer within 1 second"],
    );

    // Nobody listening.
    let c = OverpassClient::new("http://127.0.0.1:9/api").waiting_at_most(StdDuration::from_secs(5));
    let e = runtime().block_on(c.fetch(&dalston())).expect_err("unreachable");
    assert!(matches!(e, SourceError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().contains("cannot reach"), "{e}");

    // Through the API layer the error is a message for the window, and nothing was written.
    let c = OverpassClient::new(&format!("{}/busy/api", server.base_url()));
    let e = runtime().block_on(osm::fetch(&c, &dalston())).expect_err("busy");
    assert!(matches!(e, ApiError::Network(ref s) if s.to_string().contains("HTTP 429")), "{e:?}");
}

#[test]
fn cli_imports_a_box_then_a_named_area() {
    let server = overpass_server(fixture("overpass/dalston.json"));
    let url = format!("{}/api", server.base_url());
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");

    let out =
        tablemap(&db, &["import", "osm", "--bbox", "51.54,-0.08,51.55,-0.07", "--overpass-url", &url]).ok();
    assert_eq!(out.trim(), "added 4, updated 0, unchanged 0, skipped 1 without a name, 1 without a position");

    // The setting is used when no --overpass-url is given; JSON on request.
    tablemap(&db, &["settings", "set", "--overpass-url", &url]).ok();
    let out = tablemap(&db, &["import", "osm", "--area", "Hackney", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["added"], 0);
    assert_eq!(v["unchanged"], 4);
    assert_eq!(v["skipped_unnamed"], 1);
    assert_eq!(v["skipped_without_position"], 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].form_param("data").expect("data").contains(r#"area["name"="Hackney"]->.a;"#));

    // A southern-hemisphere box starts with a minus sign.
    tablemap(&db, &["import", "osm", "--bbox", "-33.93,18.41,-33.91,18.43"]).ok();

    // Mistakes are one line, and nothing is asked.
    for (args, says) in [
        (&["import", "osm", "--bbox", "51.55,-0.08,51.54,-0.07"][..], "south must be less than north"),
        (&["import", "osm", "--bbox", "51.54,-0.08"][..], "four numbers"),
        (&["import", "osm"][..], "--bbox"),
        (&["import", "osm", "--bbox", "1,2,3,4", "--area", "X"][..], "cannot be used with"),
        (&["import", "osm", "--area", "X", "--overpass-url", "ftp://x"][..], "https://"),
        (&["settings", "set", "--nominatim-url", "nominatim.example"][..], "nominatim_url"),
    ] {
        let Run { code, stderr: err, .. } = tablemap(&db, args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    assert_eq!(server.requests().len(), 3);
    let Run { code, stderr: err, .. } =
        tablemap(&db, &["import", "osm", "--area", "X", "--overpass-url", "http://127.0.0.1:9/api"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot reach"), "{err}");
}

//! The store on real files: persistence, full-text search, append-only events.

use crate::support::now;
use chrono::Days;
use tablemap_core::api::{self, ApiError};
use tablemap_core::domain::filter::{FunnelStage, Reached};
use tablemap_core::domain::{Bbox, RestaurantFilter};
use tablemap_core::domain::{NewVisit, Outcome, RestaurantDraft, Status, VolunteerDraft};
use tablemap_core::store::Store;

fn draft(name: &str, address: &str, postcode: &str, cuisine: &str, lat: f64, lon: f64) -> RestaurantDraft {
    RestaurantDraft {
        name: name.into(),
        address: Some(address.into()),
        postcode: Some(postcode.into()),
        lat,
        lon,
        cuisines: vec![cuisine.into()],
        ..Default::default()
    }
}

fn visit(restaurant: &str, volunteer: &str, outcome: Outcome) -> NewVisit {
    NewVisit {
        restaurant_id: restaurant.into(),
        volunteer_id: volunteer.into(),
        visited_at: None,
        outcome,
        stickers_left: 0,
        note: None,
        follow_up_on: None,
        corrects: None,
        sticker_codes: vec![],
    }
}

#[test]
fn what_is_written_survives_reopening_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.sqlite");
    let id = {
        let mut store = Store::open(&path).expect("open");
        let r = api::restaurants::add(
            &mut store,
            draft("Saigon Table", "1 Mare St", "E8 1AA", "vietnamese", 51.54, -0.05),
            now(),
        )
        .expect("add");
        let v = api::volunteers::add(
            &mut store,
            VolunteerDraft { display_name: "Mei".into(), contact: None },
            now(),
        )
        .expect("volunteer");
        api::visits::record(
            &mut store,
            visit(r.restaurant.id.as_str(), v.id.as_str(), Outcome::Agreed),
            now(),
        )
        .expect("visit");
        r.restaurant.id
    };
    let store = Store::open(&path).expect("reopen");
    assert!(!store.was_created());
    let d = api::restaurants::detail(&store, &id).expect("detail");
    assert_eq!(d.summary.status, Status::Agreed);
    assert_eq!(d.visits.len(), 1);
    assert_eq!(d.visits[0].volunteer_name, "Mei");
}

#[test]
fn full_text_search_cases() {
    let mut store = Store::open_in_memory().expect("store");
    for d in [
        draft("Anatolia Ocakbaşı", "12 Kingsland High Street", "E8 2JS", "turkish", 51.546, -0.075),
        draft("Café Lalibela", "3 Fortess Road", "NW5 1AG", "ethiopian", 51.553, -0.139),
        draft("Green Street Grill", "400 Green Street", "E7 8LE", "pakistani;kebab", 51.537, 0.034),
        draft("Little Lagos", "8 Rye Lane", "SE15 5BS", "nigerian", 51.470, -0.069),
    ] {
        api::restaurants::add(&mut store, d, now()).expect("add");
    }
    let cases: &[(&str, &[&str])] = &[
        ("anatolia", &["Anatolia Ocakbaşı"]),
        ("ANAT", &["Anatolia Ocakbaşı"]),
        ("ocakbas", &["Anatolia Ocakbaşı"]),
        ("cafe", &["Café Lalibela"]),
        ("kebab", &["Green Street Grill"]),
        ("green street", &["Green Street Grill"]),
        ("e8", &["Anatolia Ocakbaşı"]),
        ("se15 5bs", &["Little Lagos"]),
        ("street", &["Anatolia Ocakbaşı", "Green Street Grill"]),
        ("lagos turkish", &[]),
        ("\"", &["Anatolia Ocakbaşı", "Café Lalibela", "Green Street Grill", "Little Lagos"]),
        ("NEAR(", &[]),
        ("* OR *", &[]),
    ];
    for (query, expected) in cases {
        let filter = RestaurantFilter { search: Some(query.to_string()), ..Default::default() };
        let page = api::restaurants::list(&store, &filter, 50, 0).expect("search");
        let names: Vec<&str> = page.items.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, *expected, "search {query:?}");
        assert_eq!(page.total, expected.len() as u64);
    }
}

#[test]
fn the_list_the_map_and_the_legend_agree_under_every_filter() {
    let mut store = Store::open_in_memory().expect("store");
    tablemap_core::demo::seed(&mut store, 400, 3, now()).expect("demo");
    let volunteer = api::volunteers::list(&store).expect("volunteers")[0].id.clone();
    let today = now().date_naive();
    let world = Bbox { south: -90.0, west: -180.0, north: 90.0, east: 180.0 };
    let ring = vec![[-0.10, 51.53], [-0.05, 51.53], [-0.05, 51.56], [-0.10, 51.56], [-0.10, 51.53]];
    let hackney = api::areas::create(
        &mut store,
        "Hackney box",
        tablemap_core::domain::area::Geometry::Polygon { coordinates: vec![ring] },
        now(),
    )
    .expect("area")
    .id;
    let mut map = api::map::MapCache::default();
    let mut filters = vec![RestaurantFilter::default()];
    for status in tablemap_core::domain::Status::ALL {
        filters.push(RestaurantFilter { statuses: vec![status], ..Default::default() });
    }
    filters.extend([
        RestaurantFilter { cuisine: Some("Turkish".into()), ..Default::default() },
        RestaurantFilter { volunteer_id: Some(volunteer.clone()), ..Default::default() },
        RestaurantFilter { follow_up_due_by: Some(today), ..Default::default() },
        RestaurantFilter { search: Some("road".into()), ..Default::default() },
        RestaurantFilter { area_id: Some(hackney.clone()), ..Default::default() },
        // A funnel stage over the last month, as the dashboard asks when one is clicked.
        RestaurantFilter {
            reached: Some(Reached { stage: FunnelStage::Contacted, from: today - Days::new(30), to: today }),
            ..Default::default()
        },
        RestaurantFilter {
            reached: Some(Reached { stage: FunnelStage::Agreed, from: today - Days::new(30), to: today }),
            area_id: Some(hackney.clone()),
            ..Default::default()
        },
        RestaurantFilter {
            search: Some("cafe".into()),
            statuses: vec![
                tablemap_core::domain::Status::NotContacted,
                tablemap_core::domain::Status::Contacted,
            ],
            volunteer_id: Some(volunteer),
            ..Default::default()
        },
    ]);
    let mut matched_something = 0;
    for filter in &filters {
        let page = api::restaurants::list(&store, filter, 500, 0).expect("list");
        matched_something += usize::from(page.total > 0);
        for zoom in [3, 10, 14, 18] {
            let view = map.view(&store, filter, world, zoom).expect("map");
            assert_eq!(view.total, page.total, "{filter:?} at zoom {zoom}");
            let drawn: u64 =
                view.points.len() as u64 + view.clusters.iter().map(|c| u64::from(c.count)).sum::<u64>();
            assert_eq!(drawn, page.total, "{filter:?} at zoom {zoom}: every restaurant drawn once");
        }
        // The legend counts what each status chip would show under the rest of the filter.
        if filter.statuses.is_empty() {
            let counts = api::restaurants::status_counts(&store, filter).expect("counts");
            assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), page.total, "{filter:?}");
        }
    }
    assert!(matched_something >= filters.len() - 2, "the filters are not all empty");

    // A box holds only what is inside it, and the area filter keeps the same restaurants.
    let bbox = Bbox { south: 51.53, west: -0.10, north: 51.56, east: -0.05 };
    let view = map.view(&store, &RestaurantFilter::default(), bbox, 18).expect("map");
    assert!(view.total > 0 && view.total < 400);
    assert!(view.points.iter().all(|p| (51.53..=51.56).contains(&p.lat) && (-0.10..=-0.05).contains(&p.lon)));
    let in_area = RestaurantFilter { area_id: Some(hackney), ..Default::default() };
    assert_eq!(map.view(&store, &in_area, world, 18).expect("map").total, view.total);
}

#[test]
fn the_follow_up_queue_is_oldest_first_then_nearest() {
    let mut store = Store::open_in_memory().expect("store");
    tablemap_core::demo::seed(&mut store, 400, 3, now()).expect("demo");
    let today = now().date_naive();
    let near = (51.5467, -0.0755);
    let page = api::restaurants::follow_ups(&store, &RestaurantFilter::default(), today, near, 500, 0)
        .expect("queue");
    assert!(page.total > 3, "the demo has follow-ups due");
    let metres = |lat: f64, lon: f64| {
        let k = near.0.to_radians().cos();
        ((lat - near.0).powi(2) + ((lon - near.1) * k).powi(2)).sqrt() * 111_320.0
    };
    for pair in page.items.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (da, db) = (a.follow_up_on.expect("due"), b.follow_up_on.expect("due"));
        assert!(da <= today && db <= today);
        assert!(
            da < db || (da == db && metres(a.lat, a.lon) <= metres(b.lat, b.lon) + 1.0),
            "{a:?} before {b:?}"
        );
    }
    // Every restaurant due, and only those.
    let due = RestaurantFilter { follow_up_due_by: Some(today), ..Default::default() };
    assert_eq!(api::restaurants::list(&store, &due, 500, 0).expect("list").total, page.total);
}

#[test]
fn visits_are_append_only_even_in_raw_sql() {
    let mut store = Store::open_in_memory().expect("store");
    tablemap_core::demo::seed(&mut store, 40, 1, now()).expect("demo");
    for sql in [
        "UPDATE visits SET outcome = 'agreed'",
        "DELETE FROM visits",
        "UPDATE consent_records SET answer = 'no'",
        "DELETE FROM consent_records",
    ] {
        let err = store.conn().execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn visit_rules_are_checked_before_writing() {
    let mut store = Store::open_in_memory().expect("store");
    let r = api::restaurants::add(
        &mut store,
        draft("Kabul Kitchen", "1 High St", "N1 1AA", "afghan", 51.5, -0.1),
        now(),
    )
    .expect("add");
    let rid = r.restaurant.id.as_str().to_string();
    let v = api::volunteers::add(
        &mut store,
        VolunteerDraft { display_name: "Yusuf".into(), contact: None },
        now(),
    )
    .expect("v");
    let cases: Vec<(NewVisit, &str)> = vec![
        (visit("nope", v.id.as_str(), Outcome::Spoke), "not_found"),
        (visit(&rid, "nobody", Outcome::Spoke), "not_found"),
        (NewVisit { stickers_left: 51, ..visit(&rid, v.id.as_str(), Outcome::StickerPlaced) }, "invalid"),
        (
            NewVisit { corrects: Some("missing".into()), ..visit(&rid, v.id.as_str(), Outcome::Spoke) },
            "not_found",
        ),
    ];
    for (nv, kind) in cases {
        let err = api::visits::record(&mut store, nv.clone(), now()).expect_err("refused");
        let got = match err {
            ApiError::NotFound { .. } => "not_found",
            ApiError::Invalid(_) => "invalid",
            ApiError::Refused(_) => "conflict",
            _ => "other",
        };
        assert_eq!(got, kind, "{nv:?}");
    }
    assert!(api::restaurants::detail(&store, &r.restaurant.id).expect("detail").visits.is_empty());
    assert_eq!(
        api::volunteers::add(
            &mut store,
            VolunteerDraft { display_name: "yusuf".into(), contact: None },
            now()
        )
        .map(|_| ())
        .map_err(|e| e.to_string()),
        Err("a volunteer called 'yusuf' already exists; pick them from the list".to_string())
    );
}

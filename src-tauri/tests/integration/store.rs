//! The store on real files: persistence, full-text search, append-only events.

use crate::support::now;
use tablemap::api::{self, ApiError};
use tablemap::domain::{NewVisit, Outcome, RestaurantDraft, Status, VolunteerDraft};
use tablemap::store::restaurants::{Bbox, RestaurantFilter};
use tablemap::store::Store;

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
        let filter = RestaurantFilter { search: Some(query.to_string()), statuses: vec![] };
        let page = api::restaurants::list(&store, &filter, 50, 0).expect("search");
        let names: Vec<&str> = page.items.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, *expected, "search {query:?}");
        assert_eq!(page.total, expected.len() as u64);
    }
}

#[test]
fn status_filter_map_box_and_counts_agree() {
    let mut store = Store::open_in_memory().expect("store");
    tablemap::demo::seed(&mut store, 300, 3, now()).expect("demo");
    let all = RestaurantFilter::default();
    let counts = api::restaurants::status_counts(&store, &all).expect("counts");
    for c in counts {
        let filter = RestaurantFilter { search: None, statuses: vec![c.status] };
        let page = api::restaurants::list(&store, &filter, 500, 0).expect("list");
        assert_eq!(page.total, c.count, "{:?}", c.status);
        assert!(page.items.iter().all(|r| r.status == c.status));
        let world = Bbox { south: -90.0, west: -180.0, north: 90.0, east: 180.0 };
        assert_eq!(api::restaurants::map_view(&store, &filter, world).expect("map").total, c.count);
    }
    // A box holds only what is inside it.
    let hackney = Bbox { south: 51.53, west: -0.10, north: 51.56, east: -0.05 };
    let view = api::restaurants::map_view(&store, &all, hackney).expect("map");
    assert!(view.total > 0 && view.total < 300);
    assert!(view.points.iter().all(|p| (51.53..=51.56).contains(&p.lat) && (-0.10..=-0.05).contains(&p.lon)));
}

#[test]
fn visits_are_append_only_even_in_raw_sql() {
    let mut store = Store::open_in_memory().expect("store");
    tablemap::demo::seed(&mut store, 40, 1, now()).expect("demo");
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
            ApiError::Conflict(_) => "conflict",
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

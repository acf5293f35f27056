//! Areas through the API and through the `tablemap` binary: counts per status against a
//! brute-force count, all-or-nothing imports, claims that expire, a second volunteer refused.

use crate::support::{self, now};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tablemap_core::api::areas::{self, AreaSummary};
use tablemap_core::api::{ApiError, Refusal};
use tablemap_core::domain::area::{Geometry, Ring};
use tablemap_core::domain::{RestaurantDraft, Status};
use tablemap_core::store::restaurants::for_export;
use tablemap_core::store::{Store, StoreError};

/// Each polygon of a ward as its rings.
type Polygons = Vec<Vec<Ring>>;
/// Restaurants per status inside a ward, and the latest visit to any of them.
type Tally = (HashMap<Status, u64>, Option<DateTime<Utc>>);

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../tests/fixtures/areas/{name}", env!("CARGO_MANIFEST_DIR")))
}

fn fixture(name: &str) -> String {
    String::from_utf8(support::fixture(&format!("areas/{name}"))).expect("UTF-8")
}

/// A demo set with a restaurant in the park (a hole in Hackney Central) and one in Shacklewell's
/// detached piece, so holes and MultiPolygons are counted.
fn seeded() -> Store {
    let mut store = Store::open_in_memory().expect("store");
    let generated = tablemap_core::demo::GENERATED;
    tablemap_core::demo::seed_as(&mut store, 900, 7, now() - Duration::days(1), generated)
        .expect("generated");
    for (name, lat, lon) in [("Park Kiosk", 51.5400, -0.0670), ("Far Corner Café", 51.5515, -0.0480)] {
        let draft = RestaurantDraft { name: name.into(), lat, lon, ..Default::default() };
        tablemap_core::api::restaurants::add(&mut store, draft, now()).expect("add");
    }
    store
}

fn imported() -> Store {
    let mut store = seeded();
    areas::import_geojson(&mut store, &fixture("hackney-wards.geojson"), None, None, now()).expect("import");
    store
}

/// Even-odd ray casting over every ring, written apart from the code under test.
fn inside(polygons: &Polygons, lat: f64, lon: f64) -> bool {
    polygons.iter().any(|rings| {
        let mut crossings = 0;
        for ring in rings {
            for w in ring.windows(2) {
                let ([x1, y1], [x2, y2]) = (w[0], w[1]);
                if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) {
                    crossings += 1;
                }
            }
        }
        crossings % 2 == 1
    })
}

/// Each ward's polygons, read from the fixture with serde_json alone.
fn wards() -> Vec<(String, Polygons)> {
    let file: Value = serde_json::from_str(&fixture("hackney-wards.geojson")).expect("JSON");
    let features = file["features"].as_array().expect("features");
    features
        .iter()
        .map(|f| {
            let name = f["properties"]["WD23NM"].as_str().expect("name").to_string();
            let geometry: Geometry = serde_json::from_value(f["geometry"].clone()).expect("geometry");
            let polygons = match geometry {
                Geometry::Polygon { coordinates } => vec![coordinates],
                Geometry::MultiPolygon { coordinates } => coordinates,
            };
            (name, polygons)
        })
        .collect()
}

/// (status, last visit) of every restaurant inside each ward, by brute force.
fn brute_force(store: &Store) -> HashMap<String, Tally> {
    let wards = wards();
    let mut out: HashMap<String, Tally> = HashMap::new();
    for_export(store.conn(), |row| {
        for (name, polygons) in &wards {
            if inside(polygons, row.restaurant.lat, row.restaurant.lon) {
                let entry = out.entry(name.clone()).or_default();
                *entry.0.entry(row.status).or_default() += 1;
                entry.1 = entry.1.max(row.last_visit_at);
            }
        }
        Ok::<(), StoreError>(())
    })
    .expect("every restaurant");
    out
}

fn by_name(list: &[AreaSummary], name: &str) -> AreaSummary {
    list.iter().find(|a| a.name == name).cloned().unwrap_or_else(|| panic!("no area {name}"))
}

#[test]
fn counts_per_status_match_a_brute_force_count() {
    let store = imported();
    let list = areas::list(&store, now()).expect("list");
    let names: Vec<&str> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Dalston", "Hackney Central", "Haggerston", "Shacklewell"]);
    let expected = brute_force(&store);
    let mut all = 0;
    for a in &list {
        let (counts, last) = expected.get(&a.name).cloned().unwrap_or_default();
        for c in &a.counts {
            assert_eq!(c.count, counts.get(&c.status).copied().unwrap_or(0), "{} {:?}", a.name, c.status);
        }
        assert_eq!(a.total, counts.values().sum::<u64>(), "{}", a.name);
        assert_eq!(a.last_visit_at, last, "{}", a.name);
        assert_eq!(areas::members(&store, &a.id).expect("members").len() as u64, a.total);
        all += a.total;
    }
    // The demo puts about one restaurant in fifteen in Hackney; the wards cover all of it.
    assert!(all > 40, "only {all} restaurants in the wards");
    // The kiosk in the park is in no ward; the café in the detached piece is in Shacklewell.
    let shacklewell = by_name(&list, "Shacklewell");
    let members = areas::members(&store, &shacklewell.id).expect("members");
    let cafe = tablemap_core::api::restaurants::list(
        &store,
        &tablemap_core::domain::RestaurantFilter { search: Some("Far Corner".into()), ..Default::default() },
        5,
        0,
    )
    .expect("search");
    assert!(members.contains(&cafe.items[0].id));
    let index = areas::index(&store).expect("index");
    assert_eq!(index.at(51.5400, -0.0670).count(), 0, "the park is a hole");
    assert_eq!(index.at(51.5515, -0.0480).next(), Some(&shacklewell.id));
}

#[test]
fn importing_again_replaces_outlines_by_name() {
    let mut store = imported();
    let before = areas::list(&store, now()).expect("list");
    let again =
        areas::import_geojson(&mut store, &fixture("hackney-wards.geojson"), Some("WD23NM"), None, now())
            .expect("import");
    assert_eq!(again.features, 4);
    assert!(again.created.is_empty());
    assert_eq!(again.updated.len(), 4);
    let after = areas::list(&store, now()).expect("list");
    let ids = |l: &[AreaSummary]| l.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after), "the same areas, not new ones");
}

#[test]
fn a_bad_file_changes_nothing() {
    let mut store = imported();
    let shapes = areas::shapes(&store).expect("shapes");
    let list = areas::list(&store, now()).expect("list");
    // (file, what the refusal says)
    let cases = [
        ("with-linestring.geojson", "feature 2 of 3 (\u{201c}Kingsland Road\u{201d}): is a LineString"),
        ("truncated.geojson", "line 6, character 230: not valid JSON: EOF while parsing"),
    ];
    for (file, says) in cases {
        let e = areas::import_geojson(&mut store, &fixture(file), None, None, now()).expect_err(file);
        assert!(e.to_string().contains(says), "{file}: {e}");
        assert_eq!(areas::shapes(&store).expect("shapes"), shapes, "{file}");
        assert_eq!(areas::list(&store, now()).expect("list"), list, "{file}");
    }
    let e = areas::import_geojson(&mut store, &fixture("hackney-wards.geojson"), Some("WARD"), None, now())
        .expect_err("no such property");
    assert!(
        e.to_string().contains("has no \u{201c}WARD\u{201d} to name it by; its properties are: BNG_E"),
        "{e}"
    );
}

#[test]
fn claims_expire_and_keep_a_second_volunteer_out() {
    let mut store = imported();
    let day = |d: i64| now() + Duration::days(d);
    let holder = |store: &Store, d: i64| {
        areas::summary(store, "dalston", day(d)).expect("summary").holder.map(|h| h.volunteer_name)
    };
    areas::assign(&mut store, "Dalston", "Amina", 14, false, day(0)).expect("assign");
    assert_eq!(holder(&store, 1).as_deref(), Some("Amina"));
    assert_eq!(holder(&store, 14), None, "expired after 14 days");

    let refused = areas::assign(&mut store, "Dalston", "tom", 14, false, day(2)).expect_err("held");
    assert!(matches!(refused, ApiError::Refused(Refusal::AreaHeld { .. })));
    assert!(refused.to_string().contains("held by Amina until 2026-06-15 12:00 UTC"), "{refused}");
    assert_eq!(holder(&store, 3).as_deref(), Some("Amina"), "the refusal wrote nothing");

    // The holder renews; another volunteer takes over with force; a release frees it.
    areas::assign(&mut store, "Dalston", "Amina", 14, false, day(3)).expect("renew");
    assert_eq!(holder(&store, 15).as_deref(), Some("Amina"));
    areas::assign(&mut store, "Dalston", "Tom", 7, true, day(4)).expect("force");
    assert_eq!(holder(&store, 5).as_deref(), Some("Tom"));
    assert_eq!(holder(&store, 11), None, "Tom's 7 days are over; Amina's older claim does not come back");
    areas::release(&mut store, "Dalston", day(5)).expect("release");
    assert_eq!(holder(&store, 5), None);
    assert!(areas::release(&mut store, "Dalston", day(5)).is_err(), "nothing to release");
    areas::assign(&mut store, "Dalston", "Priya", 14, false, day(6)).expect("free again");

    // After expiry nobody needs force.
    areas::assign(&mut store, "Haggerston", "Amina", 1, false, day(0)).expect("assign");
    areas::assign(&mut store, "Haggerston", "Tom", 14, false, day(1)).expect("expired claim");

    let listed = areas::list(&store, day(6)).expect("list");
    let dalston = by_name(&listed, "Dalston").holder.expect("held");
    assert_eq!((dalston.volunteer_name.as_str(), dalston.expires_at), ("Priya", day(20)));

    // Refusals that name what is wrong.
    let cases = [
        (areas::assign(&mut store, "Dalston", "Priya", 0, false, day(6)), "days: must be between 1 and 90"),
        (
            areas::assign(&mut store, "Dalstn", "Priya", 14, false, day(6)),
            "no area is called \u{201c}Dalstn\u{201d}",
        ),
        (areas::assign(&mut store, "Dalston", "Amna", 14, false, day(6)), "volunteers: Amina, Daniel"),
    ];
    for (result, says) in cases {
        let e = result.expect_err(says);
        assert!(e.to_string().contains(says), "{e}");
    }
}

#[test]
fn claims_and_notes_are_append_only() {
    let mut store = imported();
    areas::assign(&mut store, "Dalston", "Amina", 14, false, now()).expect("assign");
    areas::add_note(&mut store, "Dalston", "Amina", "Start from the station end.", now()).expect("note");
    areas::add_note(
        &mut store,
        "Dalston",
        "Tom",
        "Two new openings on Ridley Road.",
        now() + Duration::hours(1),
    )
    .expect("note");
    let notes = areas::notes(&store, "Dalston").expect("notes");
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].volunteer_name, "Tom", "newest first");
    assert_eq!(by_name(&areas::list(&store, now()).expect("list"), "Dalston").notes, 2);
    assert!(areas::add_note(&mut store, "Dalston", "Tom", "   ", now()).is_err());
    for sql in [
        "UPDATE area_claims SET expires_at = claimed_at",
        "DELETE FROM area_claims",
        "UPDATE area_notes SET note = 'changed'",
        "DELETE FROM area_notes",
    ] {
        let e = store.conn().execute(sql, []).expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
}

#[test]
fn deleting_an_area_keeps_restaurants_visits_and_history() {
    let mut store = imported();
    let count = |store: &Store, table: &str| -> i64 {
        store.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).expect("count")
    };
    let before: Vec<i64> =
        ["restaurants", "visits", "restaurant_status"].iter().map(|t| count(&store, t)).collect();
    areas::assign(&mut store, "Dalston", "Amina", 14, false, now()).expect("assign");
    areas::add_note(&mut store, "Dalston", "Amina", "Done the high street.", now()).expect("note");

    let e = areas::delete(&mut store, "Dalston", now()).expect_err("held");
    assert!(e.to_string().contains("release it first"), "{e}");
    areas::release(&mut store, "Dalston", now()).expect("release");
    assert_eq!(areas::delete(&mut store, "dalston", now()).expect("delete"), "Dalston");

    let after: Vec<i64> =
        ["restaurants", "visits", "restaurant_status"].iter().map(|t| count(&store, t)).collect();
    assert_eq!(before, after);
    assert_eq!((count(&store, "area_claims"), count(&store, "area_notes")), (2, 1), "history kept");
    assert_eq!(areas::list(&store, now()).expect("list").len(), 3);
    // The name is free again, and the new area starts with no history.
    let again = areas::import_geojson(&mut store, &fixture("hackney-wards.geojson"), None, None, now())
        .expect("import");
    assert_eq!(again.created, ["Dalston"]);
    let dalston = areas::summary(&store, "Dalston", now()).expect("summary");
    assert_eq!((dalston.holder, dalston.notes), (None, 0));
}

#[test]
fn drawn_areas_are_named_renamed_and_checked() {
    let mut store = imported();
    let triangle: Geometry = serde_json::from_str(
        r#"{"type":"Polygon","coordinates":[[[-0.080,51.545],[-0.070,51.545],[-0.075,51.550],[-0.080,51.545]]]}"#,
    )
    .expect("geometry");
    let drawn = areas::create(&mut store, "  Ridley Road  ", triangle.clone(), now()).expect("create");
    assert_eq!(drawn.name, "Ridley Road");
    assert_eq!(drawn.source, tablemap_core::domain::area::AreaSource::Drawn);
    assert!(drawn.km2 > 0.1 && drawn.km2 < 0.5, "{}", drawn.km2);
    let e = areas::create(&mut store, "ridley road", triangle.clone(), now()).expect_err("taken");
    assert!(matches!(e, ApiError::Refused(Refusal::AreaNameTaken { .. })), "{e}");
    let e = areas::rename(&mut store, "Ridley Road", "DALSTON", now()).expect_err("taken");
    assert!(matches!(e, ApiError::Refused(Refusal::AreaNameTaken { .. })), "{e}");
    let renamed = areas::rename(&mut store, drawn.id.as_str(), "Ridley Road Market", now()).expect("rename");
    assert_eq!((renamed.id.clone(), renamed.name.as_str()), (drawn.id.clone(), "Ridley Road Market"));
    let got = areas::get(&store, "ridley road market").expect("by name");
    assert_eq!((got.id, got.area.geometry()), (drawn.id, &triangle));
    let open: Geometry = serde_json::from_str(
        r#"{"type":"Polygon","coordinates":[[[-0.08,51.545],[-0.07,51.545],[-0.075,51.55]]]}"#,
    )
    .expect("geometry");
    let e = areas::create(&mut store, "Open", open, now()).expect_err("open ring");
    assert!(e.to_string().contains("outer ring is not closed"), "{e}");
}

// ---- the command line ----

fn run(db: &Path, args: &[&str]) -> support::Run {
    support::tablemap(db, args)
}

/// A refusal: a non-zero exit and one line on stderr that says `what`.
fn refused(db: &Path, args: &[&str], what: &str) {
    let r = run(db, args);
    assert_ne!(r.code, 0, "{args:?} succeeded: {}", r.stdout);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{args:?}: {}", r.stderr);
    assert!(r.stderr.contains(what), "{args:?}: {}", r.stderr);
}

#[test]
fn the_command_line_imports_lists_assigns_and_notes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.sqlite");
    run(&db, &["demo", "--restaurants", "600", "--as-real"]).ok();
    let wards = fixture_path("hackney-wards.geojson");
    let out = run(&db, &["areas", "import", wards.to_str().expect("path")]).ok();
    assert!(
        out.contains(
            "4 features: created 4 areas, updated the outline of 0; names from \u{201c}WD23NM\u{201d}"
        ),
        "{out}"
    );

    let listed: Value =
        serde_json::from_str(&run(&db, &["areas", "list", "--format", "json"]).ok()).expect("JSON");
    let listed = listed.as_array().expect("array").clone();
    assert_eq!(listed.len(), 4);
    for key in ["id", "name", "counts", "total", "last_visit_at", "holder", "notes", "bbox", "km2"] {
        assert!(listed[0].get(key).is_some(), "no {key} in {}", listed[0]);
    }
    // The same counts as the brute force over the same file.
    let store = Store::open(&db).expect("open");
    let expected = brute_force(&store);
    for a in &listed {
        let name = a["name"].as_str().expect("name");
        let total: u64 = expected.get(name).map(|(c, _)| c.values().sum()).unwrap_or(0);
        assert_eq!(a["total"].as_u64(), Some(total), "{name}");
    }
    drop(store);

    let out = run(&db, &["areas", "assign", "Dalston", "--volunteer", "Amina"]).ok();
    assert!(out.starts_with("Dalston is held by Amina until "), "{out}");
    refused(&db, &["areas", "assign", "dalston", "--volunteer", "Tom"], "is held by Amina until");
    let table = run(&db, &["areas", "list"]).ok();
    let dalston = table.lines().find(|l| l.starts_with("Dalston")).expect("Dalston row");
    assert!(dalston.contains("Amina") && dalston.contains("(14 d)"), "{table}");
    assert!(table.starts_with("NAME"), "{table}");

    run(&db, &["areas", "assign", "Dalston", "--volunteer", "Tom", "--days", "3", "--force"]).ok();
    run(&db, &["areas", "note", "Dalston", "--volunteer", "Tom", "Ask for the owner after 3pm."]).ok();
    let notes: Value =
        serde_json::from_str(&run(&db, &["areas", "notes", "Dalston", "--format", "json"]).ok())
            .expect("JSON");
    assert_eq!(notes[0]["note"], "Ask for the owner after 3pm.");
    assert_eq!(run(&db, &["areas", "release", "Dalston"]).ok().trim(), "Dalston is free");
    refused(&db, &["areas", "release", "Dalston"], "nobody holds");
    refused(&db, &["areas", "assign", "Dalston", "--volunteer", "Tom", "--days", "120"], "between 1 and 90");
    refused(&db, &["areas", "note", "Nowhere", "--volunteer", "Tom", "hi"], "no area is called");

    // Refused files change nothing.
    let before = run(&db, &["areas", "list", "--format", "json"]).ok();
    for (file, what) in [
        ("with-linestring.geojson", "feature 2 of 3 (\u{201c}Kingsland Road\u{201d}): is a LineString"),
        ("truncated.geojson", "not valid JSON"),
        ("missing.geojson", "cannot read"),
    ] {
        let path = fixture_path(file);
        refused(&db, &["areas", "import", path.to_str().expect("path")], what);
    }
    refused(&db, &["areas", "import", wards.to_str().expect("path"), "--name-property", "ward"], "WD23NM");
    assert_eq!(run(&db, &["areas", "list", "--format", "json"]).ok(), before);
}

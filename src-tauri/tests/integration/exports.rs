//! Exports on real files: CSV that a spreadsheet cannot mistake for formulas and that reads back
//! the same, and GeoJSON as RFC 7946 describes it.

use crate::support::{now, tablemap};
use proptest::prelude::*;
use serde_json::Value;
use tablemap_core::api;
use tablemap_core::domain::RestaurantDraft;
use tablemap_core::exports::csv_file::{read, HEADERS};
use tablemap_core::store::Store;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

#[test]
fn csv_and_geojson_of_the_demo_set() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--as-real"]).ok();
    let csv_path = dir.path().join("r.csv");
    assert!(tablemap(&db, &["export", "csv", "--out", &csv_path.to_string_lossy()])
        .ok()
        .contains("exported 60 restaurants"));
    let bytes = std::fs::read(&csv_path).expect("read");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a byte-order mark");
    assert!(String::from_utf8_lossy(&bytes).contains("\r\n"), "CRLF lines");
    let rows = read(&bytes).expect("parses");
    assert_eq!(rows[0], HEADERS.map(str::to_string).to_vec());
    assert_eq!(rows.len(), 61);
    // London is west of Greenwich: negative longitudes are written neutralised, read back as numbers.
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains(",'-0."), "negative numbers are neutralised");
    let listed: Value =
        serde_json::from_str(&tablemap(&db, &["restaurants", "list", "--format", "json"]).ok())
            .expect("json");
    for (row, want) in rows[1..].iter().zip(listed.as_array().expect("list")) {
        assert_eq!(row[0], want["id"].as_str().expect("id"));
        assert_eq!(row[1], want["name"].as_str().expect("name"));
        // (serde_json's default float parsing may be 1 ulp off; the CSV holds the exact value.)
        assert!((row[5].parse::<f64>().expect("lon") - want["lon"].as_f64().expect("lon")).abs() < 1e-12);
        assert_eq!(row[11], want["status"].as_str().expect("status"));
    }

    let geo_path = dir.path().join("r.geojson");
    tablemap(&db, &["export", "geojson", "--out", &geo_path.to_string_lossy()]).ok();
    let geo: Value = serde_json::from_slice(&std::fs::read(&geo_path).expect("read")).expect("valid JSON");
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().expect("features");
    assert_eq!(features.len(), 60);
    for f in features {
        assert_eq!(f["geometry"]["type"], "Point");
        let c = f["geometry"]["coordinates"].as_array().expect("coordinates");
        // RFC 7946: longitude first.
        assert!(
            (-1.0..1.0).contains(&c[0].as_f64().expect("lon"))
                && (51.0..52.0).contains(&c[1].as_f64().expect("lat"))
        );
        assert!(f["properties"]["status"].is_string());
        assert!(
            f["properties"].get("visits").is_none() && f["properties"].get("note").is_none(),
            "no visit data"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Whatever names and addresses restaurants have, no exported cell starts with a formula
    /// trigger, and reading the export back gives the same text.
    #[test]
    fn any_names_export_safely_and_read_back(names in proptest::collection::vec("[=+@\\-\\t'a-zA-Zé\"; ,0-9]{1,30}", 1..6)) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("p.csv");
        let mut store = Store::open(&dir.path().join("p.sqlite")).expect("store");
        let mut kept = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let draft = RestaurantDraft { name: name.clone(), address: Some(format!("{name} street")), lat: 51.5, lon: -0.1 - i as f64 / 100.0, ..Default::default() };
            if let Ok(d) = api::restaurants::add(&mut store, draft, now()) {
                kept.push((d.restaurant.name, d.restaurant.address));
            }
        }
        api::exports::csv(&store, &path).expect("export");
        let bytes = std::fs::read(&path).expect("read");
        let raw = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes));
        for record in raw.into_records() {
            for cell in record.expect("record").iter() {
                prop_assert!(!cell.starts_with(|c: char| TRIGGERS.contains(&c)), "cell {:?}", cell);
            }
        }
        let rows = read(&bytes).expect("reads back");
        let mut got: Vec<(String, Option<String>)> = rows[1..].iter().map(|r| (r[1].clone(), Some(r[2].clone()).filter(|a| !a.is_empty()))).collect();
        got.sort();
        kept.sort();
        prop_assert_eq!(got, kept);
    }
}

#[test]
fn the_public_map_shows_only_consenting_restaurants_and_public_fields() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--restaurants", "200", "--as-real"]).ok();
    let geo_path = dir.path().join("all.geojson");
    tablemap(&db, &["export", "geojson", "--out", &geo_path.to_string_lossy()]).ok();
    let all: Value = serde_json::from_slice(&std::fs::read(&geo_path).expect("read")).expect("json");
    let consenting: Vec<&Value> = all["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| {
            f["properties"]["listed_publicly"] == true
                && f["properties"]["status"] != "do_not_contact"
                && f["properties"]["status"] != "closed"
        })
        .collect();
    assert!(!consenting.is_empty() && consenting.len() < 200);

    let site = dir.path().join("site");
    for _ in 0..2 {
        // The second export replaces the first folder whole.
        let out = tablemap(&db, &["export", "public-map", "--out", &site.to_string_lossy()]).ok();
        assert!(out.contains(&format!("exported {} restaurants", consenting.len())), "{out}");
    }
    for file in [
        "index.html",
        "map.js",
        "map.css",
        "data.js",
        "data.geojson",
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
    ] {
        assert!(site.join(file).exists(), "{file}");
    }
    let public: Value =
        serde_json::from_slice(&std::fs::read(site.join("data.geojson")).expect("read")).expect("json");
    let features = public["features"].as_array().expect("features");
    assert_eq!(features.len(), consenting.len());
    let mut names: Vec<&str> =
        features.iter().map(|f| f["properties"]["name"].as_str().expect("name")).collect();
    let mut want: Vec<&str> =
        consenting.iter().map(|f| f["properties"]["name"].as_str().expect("name")).collect();
    names.sort();
    want.sort();
    assert_eq!(names, want);
    for f in features {
        let keys: Vec<&String> = f["properties"].as_object().expect("props").keys().collect();
        assert_eq!(keys, ["address", "cuisines", "name", "postcode", "sticker_placed"], "only public fields");
        assert!(f.get("id").is_none(), "no internal ids");
    }
    let script = std::fs::read_to_string(site.join("map.js")).expect("read");
    assert!(!script.contains("innerHTML") && script.contains("textContent"), "names go in as text");
    let leftovers = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .count();
    assert_eq!(leftovers, 0, "no half-built folders left");
}

/// The public-map export replaces only a folder it made itself: onto the person's Documents
/// (files of their own) or onto a file it refuses, says what to do, and leaves every byte.
#[test]
fn public_map_never_replaces_a_folder_or_file_it_did_not_make() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--restaurants", "50", "--as-real"]).ok();
    let documents = dir.path().join("Documents");
    std::fs::create_dir_all(documents.join("letters")).expect("mkdir");
    std::fs::write(documents.join("thesis.odt"), b"three years of work").expect("write");
    std::fs::write(documents.join("letters/mum.txt"), b"hello").expect("write");
    let a_file = dir.path().join("notes.txt");
    std::fs::write(&a_file, b"my notes").expect("write");
    let cases = [(&documents, "is a folder with files in it"), (&a_file, "is a file")];
    for (out, says) in cases {
        let run = tablemap(&db, &["export", "public-map", "--out", &out.to_string_lossy()]);
        assert_ne!(run.code, 0, "{out:?}");
        assert!(run.stderr.contains(says) && run.stderr.contains("nothing was changed"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(documents.join("thesis.odt")).expect("kept"), b"three years of work");
    assert_eq!(std::fs::read(documents.join("letters/mum.txt")).expect("kept"), b"hello");
    assert_eq!(std::fs::read(&a_file).expect("kept"), b"my notes");
    // An empty folder, and then the map it made, are Tablemap's to fill and replace.
    let site = documents.join("site");
    std::fs::create_dir(&site).expect("mkdir");
    for _ in 0..2 {
        tablemap(&db, &["export", "public-map", "--out", &site.to_string_lossy()]).ok();
    }
    assert!(site.join(".tablemap-public-map").is_file());
    let page = std::fs::read_to_string(site.join("index.html")).expect("page");
    assert!(page.contains("Content-Security-Policy") && page.contains("script-src 'self'"), "{page}");
    assert_eq!(std::fs::read(documents.join("thesis.odt")).expect("kept"), b"three years of work");
}

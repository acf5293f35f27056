//! Walk lists on the demo data: a plan for an area, its walk sheet as a printer and a phone see
//! it (pages from pdfinfo, names in route order from pdftotext, every QR code decoded with
//! zbarimg at 200 dpi), and the `walk` command on a real database file.

use crate::support::{self, qr_codes_on_page, tool};
use chrono::NaiveDateTime;
use std::path::Path;
use tablemap_core::api::walk::{self, StopsSource, WalkRequest};
use tablemap_core::api::{self, ApiError};
use tablemap_core::domain::area::Geometry;
use tablemap_core::domain::{RestaurantDraft, Status};
use tablemap_core::stickers::campaign::Campaign;
use tablemap_core::store::Store;
use tablemap_core::walk::route::LatLon;

/// Kingsland High Street, where the demo puts its Hackney restaurants.
const DALSTON: (f64, f64) = (51.5467, -0.0755);
const ARABIC: &str = "مطعم الشام";

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect(s)
}

/// A demo database with a "Dalston" area around the Hackney high street, an Arabic-named
/// restaurant in it, and the campaign's stickers at https://mc.org.uk/S.
fn demo(path: &Path) -> Store {
    let mut store = Store::open(path).expect("store");
    tablemap_core::demo::seed(&mut store, 300, tablemap_core::demo::DEFAULT_SEED, support::now())
        .expect("demo");
    let draft = RestaurantDraft {
        name: format!("{ARABIC} Al-Sham"),
        address: Some("1 Kingsland High Street, Hackney".into()),
        postcode: Some("E8 2AA".into()),
        lat: DALSTON.0 - 0.001,
        lon: DALSTON.1,
        opening_hours: Some("Mo-Th 17:00-23:00; Fr-Su 12:00-24:00".into()),
        ..RestaurantDraft::default()
    };
    api::restaurants::add(&mut store, draft, support::now()).expect("add");
    let (lat, lon) = DALSTON;
    let ring = vec![
        [lon - 0.02, lat - 0.013],
        [lon + 0.02, lat - 0.013],
        [lon + 0.02, lat + 0.013],
        [lon - 0.02, lat + 0.013],
        [lon - 0.02, lat - 0.013],
    ];
    api::areas::create(&mut store, "Dalston", Geometry::Polygon { coordinates: vec![ring] }, support::now())
        .expect("area");
    let campaign = Campaign { base_url: "https://mc.org.uk/S".into(), ..Campaign::default() };
    api::stickers::save_campaign(&mut store, campaign, support::now()).expect("campaign");
    store
}

/// The same URL as a browser sees it (scheme and host are case-insensitive).
fn same_url(a: &str, b: &str) -> bool {
    matches!((url::Url::parse(a), url::Url::parse(b)), (Ok(x), Ok(y)) if x == y)
}

#[test]
fn a_walk_sheet_for_an_area_lists_the_route_in_order_and_every_code_scans() {
    let dir = tempfile::tempdir().expect("dir");
    let store = demo(&dir.path().join("t.sqlite"));
    let request = WalkRequest {
        start: Some(LatLon { lat: 51.5491, lon: -0.0753 }), // Dalston Kingsland station
        volunteer: Some("Amina".into()),
        ..WalkRequest::new(StopsSource::Area { area: "Dalston".into() }, at("2026-06-01 14:00"))
    };
    let plan = walk::plan(&store, &request, support::now()).expect("plan");

    assert!(plan.stops.len() >= 5, "{} stops", plan.stops.len());
    assert!(!plan.left_out.is_empty(), "the area's visited restaurants are left out");
    for (i, s) in plan.stops.iter().enumerate() {
        assert_eq!(s.number as usize, i + 1);
        assert!(walk::still_to_visit(s.status, s.follow_up_on, plan.planned_at.date()), "{}", s.name);
        assert!(s.arrive_at >= plan.planned_at);
    }
    for l in &plan.left_out {
        assert!(!walk::still_to_visit(l.status, l.follow_up_on, plan.planned_at.date()), "{}", l.name);
    }
    let legs: f64 = plan.stops.iter().map(|s| s.leg_m).sum();
    assert!((legs - plan.total_m).abs() < 1e-6);
    assert!(plan.stops.iter().any(|s| s.name.starts_with(ARABIC)));
    assert!(plan.stops.iter().all(|s| s.status == Status::NotContacted || s.status == Status::FollowUp));

    let pdf = dir.path().join("sheets/dalston walk.pdf");
    let sheet = walk::write_sheet(&store, &plan, &pdf).expect("sheet");
    assert_eq!(sheet.site_url, "https://mc.org.uk/");
    assert_eq!(sheet.stops as usize, plan.stops.len());
    let pdf_s = pdf.to_string_lossy().into_owned();

    let info = tool("pdfinfo", &[&pdf_s]);
    assert!(info.contains(&format!("Pages:           {}\n", sheet.pages)), "{info}");
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    assert!(sheet.pages >= 2, "{} stops on {} pages", plan.stops.len(), sheet.pages);
    let fonts = tool("pdffonts", &[&pdf_s]);
    assert!(fonts.contains("NotoSansArabic"), "{fonts}");

    // Names in route order, page numbers, the header's facts.
    let text = tool("pdftotext", &[&pdf_s, "-"]);
    let mut from = 0;
    for s in &plan.stops {
        // The Arabic name's bidi marks sit between words in pdftotext's output: find a part.
        let name = if s.name.starts_with(ARABIC) { ARABIC } else { s.name.as_str() };
        let found =
            text[from..].find(name).unwrap_or_else(|| panic!("stop {} {name} after byte {from}", s.number));
        from += found + name.len();
    }
    assert!(text.contains(ARABIC), "the Arabic name is shaped, embedded and searchable: {text}");
    assert!(text.contains(&format!("page 1 of {}", sheet.pages)), "{text}");
    assert!(text.contains(&format!("page {0} of {0}", sheet.pages)));
    assert!(text.contains("Walk sheet: Dalston") && text.contains("Amina"));
    assert!(text.contains("Monday 1 June 2026, from 14:00"));
    for outcome in ["no answer", "sticker placed", "do not contact", "Sticker code:", "Notes:"] {
        assert!(text.contains(outcome), "{outcome}");
    }

    // One QR code per stop, each to the campaign's site.
    let mut codes = Vec::new();
    for page in 1..=sheet.pages {
        codes.extend(qr_codes_on_page(&pdf, page, 200, dir.path()));
    }
    assert_eq!(codes.len(), plan.stops.len(), "{codes:?}");
    assert!(codes.iter().all(|c| same_url(c, "https://mc.org.uk/")), "{codes:?}");
}

#[test]
fn plans_refuse_what_they_cannot_walk() {
    let dir = tempfile::tempdir().expect("dir");
    let store = demo(&dir.path().join("t.sqlite"));
    let when = at("2026-06-01 14:00");
    let area = WalkRequest::new(StopsSource::Area { area: "Dalston".into() }, when);
    let plan = walk::plan(&store, &area, support::now()).expect("plan");
    let chosen: Vec<_> = plan.stops.iter().take(3).map(|s| s.id.clone()).collect();
    let visited = plan.left_out[0].id.clone();

    // A chosen few: the visited one is left out, duplicates count once.
    let mut few = chosen.clone();
    few.extend([visited.clone(), chosen[0].clone()]);
    let plan =
        walk::plan(&store, &WalkRequest::new(StopsSource::Restaurants { ids: few }, when), support::now())
            .expect("few");
    assert_eq!(plan.stops.len(), 3);
    assert_eq!(plan.left_out.len(), 1);
    assert_eq!(plan.title, "Chosen restaurants");

    let refused = |request: WalkRequest, store: &Store| {
        walk::plan(store, &request, support::now()).expect_err("refused")
    };
    let cases: Vec<(WalkRequest, &str)> = vec![
        (WalkRequest::new(StopsSource::Area { area: "Atlantis".into() }, when), "Atlantis"),
        (WalkRequest::new(StopsSource::Restaurants { ids: vec![] }, when), "at least one"),
        (WalkRequest::new(StopsSource::Restaurants { ids: vec!["nope".into()] }, when), "nope"),
        (
            WalkRequest {
                start: Some(LatLon { lat: 95.0, lon: 0.0 }),
                ..WalkRequest::new(StopsSource::Restaurants { ids: chosen.clone() }, when)
            },
            "latitude",
        ),
        (
            WalkRequest {
                pace: tablemap_core::walk::route::Pace { km_per_hour: 0.0, minutes_per_stop: 10.0 },
                ..WalkRequest::new(StopsSource::Restaurants { ids: chosen.clone() }, when)
            },
            "km_per_hour",
        ),
    ];
    for (request, want) in cases {
        let e = refused(request, &store);
        assert!(e.to_string().contains(want) || format!("{e:?}").contains(want), "{want}: {e}");
    }

    // Nothing left to visit: no sheet, and no file.
    let nothing = walk::plan(
        &store,
        &WalkRequest::new(StopsSource::Restaurants { ids: vec![visited] }, when),
        support::now(),
    )
    .expect("plan");
    assert!(nothing.stops.is_empty());
    let pdf = dir.path().join("empty.pdf");
    assert!(matches!(walk::write_sheet(&store, &nothing, &pdf), Err(ApiError::Invalid(_))));
    assert!(!pdf.exists());
}

#[test]
fn the_walk_command_prints_the_route_and_total_and_writes_the_sheet() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    drop(demo(&db));
    let pdf = dir.path().join("walk.pdf");
    let pdf_s = pdf.to_string_lossy().into_owned();
    let out = support::tablemap(
        &db,
        &[
            "walk",
            "--area",
            "Dalston",
            "--start",
            "51.5491,-0.0753",
            "--at",
            "2026-06-01 14:00",
            "--volunteer",
            "Kwame",
            "--out",
            &pdf_s,
        ],
    )
    .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with('#') && lines[0].contains("name") && lines[0].contains("walk"), "{out}");
    assert!(lines[1].trim_start().starts_with("1 "), "{out}");
    let total = lines.iter().find(|l| l.starts_with("total ")).expect("a total line");
    assert!(total.contains(" km on foot") || total.contains(" m on foot"), "{total}");
    assert!(out.contains(&format!("wrote {pdf_s}")), "{out}");
    let info = tool("pdfinfo", &[&pdf_s]);
    assert!(info.contains("Title:           Walk sheet: Dalston"), "{info}");
    assert!(tool("pdftotext", &[&pdf_s, "-"]).contains("Kwame"));

    // The same stops chosen by id, as JSON.
    let json: serde_json::Value = serde_json::from_str(
        &support::tablemap(
            &db,
            &["walk", "--area", "Dalston", "--at", "2026-06-01 14:00", "--format", "json", "--out", &pdf_s],
        )
        .ok(),
    )
    .expect("json");
    let ids: Vec<&str> =
        json["plan"]["stops"].as_array().expect("stops").iter().filter_map(|s| s["id"].as_str()).collect();
    let out = support::tablemap(&db, &["walk", "--restaurants", &ids.join(","), "--out", &pdf_s]).ok();
    assert!(out.contains(&format!("of {} stops", ids.len())), "{out}");

    // Refusals: one line, non-zero, and no file.
    let missing = dir.path().join("never.pdf");
    let missing_s = missing.to_string_lossy().into_owned();
    let cases: [(&[&str], &str); 4] = [
        (&["walk", "--area", "Atlantis", "--out", &missing_s], "Atlantis"),
        (&["walk", "--restaurants", "nope", "--out", &missing_s], "nope"),
        (&["walk", "--area", "Dalston", "--start", "north", "--out", &missing_s], "not a position"),
        (&["walk", "--area", "Dalston", "--at", "tomorrow", "--out", &missing_s], "not a local time"),
    ];
    for (args, want) in cases {
        let r = support::tablemap(&db, args);
        assert!(r.code != 0 && r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
    assert!(!missing.exists());
}

#[test]
fn a_walk_on_a_bank_holiday_reads_holiday_hours_by_the_regions_calendar() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("h.sqlite")).expect("store");
    let draft = RestaurantDraft {
        name: "Closed on bank holidays".into(),
        lat: DALSTON.0,
        lon: DALSTON.1,
        opening_hours: Some("Mo-Sa 12:00-22:00; PH off".into()),
        ..RestaurantDraft::default()
    };
    let id = api::restaurants::add(&mut store, draft, support::now()).expect("add").restaurant.id;
    let planned = |store: &Store, when: &str| {
        let request = WalkRequest::new(StopsSource::Restaurants { ids: vec![id.clone()] }, at(when));
        let plan = walk::plan(store, &request, support::now()).expect("plan");
        (plan.public_holiday, plan.stops[0].open_at_planned)
    };
    use tablemap_core::walk::hours::Openness;
    // (holiday calendar, day) -> (taken as a holiday, open at 14:00)
    let cases = [
        ("england-and-wales", "2026-05-25 14:00", Some(true), Openness::Closed), // spring bank holiday
        ("england-and-wales", "2026-05-26 14:00", Some(false), Openness::Open),
        ("scotland", "2026-08-03 14:00", Some(true), Openness::Closed), // first Monday of August
        ("england-and-wales", "2026-08-03 14:00", Some(false), Openness::Open),
        ("none", "2026-05-25 14:00", None, Openness::Unknown),
    ];
    for (region, when, holiday, open) in cases {
        let settings = api::settings::get(&store).expect("settings");
        api::settings::save(&mut store, api::Settings { holiday_region: region.into(), ..settings })
            .expect("save");
        assert_eq!(planned(&store, when), (holiday, open), "{region} {when}");
    }
    // What the caller says wins over the calendar.
    let mut request =
        WalkRequest::new(StopsSource::Restaurants { ids: vec![id.clone()] }, at("2026-05-26 14:00"));
    request.public_holiday = Some(true);
    assert_eq!(
        walk::plan(&store, &request, support::now()).expect("plan").stops[0].open_at_planned,
        Openness::Closed
    );
}

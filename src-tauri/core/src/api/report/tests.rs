//! A small campaign built by hand (known visits on known days, an area, a batch) and the figures
//! it must give.

use super::*;

/// The funnel's last stage, from the web service's scan counts.
mod seen_recently;
use crate::api::fixtures::at;
use crate::domain::area::Geometry;
use crate::domain::{
    ConsentAnswer, ConsentKind, NewConsent, NewVisit, Outcome, RestaurantDraft, RestaurantId,
};
use crate::domain::{StickerState, VolunteerDraft};

struct Campaign {
    store: Store,
    r: Vec<RestaurantId>,
    amina: VolunteerId,
    olu: VolunteerId,
    _dir: tempfile::TempDir,
}

fn visit(
    c: &mut Campaign,
    r: usize,
    by: &VolunteerId,
    when: &str,
    outcome: Outcome,
    follow_up: Option<&str>,
) {
    let v = NewVisit {
        restaurant_id: c.r[r].clone(),
        volunteer_id: by.clone(),
        visited_at: Some(at(when)),
        outcome,
        stickers_left: 0,
        note: None,
        follow_up_on: follow_up.map(|d| d.parse().expect("date")),
        corrects: None,
        sticker_codes: vec![],
    };
    crate::api::visits::record(&mut c.store, v, at(when)).expect("visit");
}

/// Six restaurants (four in "Dalston", west of -0.07; two east of it), two volunteers, and a
/// month of visits in November 2026 (London is on GMT then), one in October, one in December.
fn campaign() -> Campaign {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("report.sqlite")).expect("store");
    let made = at("2026-10-01T09:00:00Z");
    let mut r = Vec::new();
    for (i, lon) in [-0.08, -0.08, -0.08, -0.08, -0.06, -0.06].into_iter().enumerate() {
        let draft = RestaurantDraft { name: format!("R{i}"), lat: 51.5, lon, ..Default::default() };
        r.push(crate::api::restaurants::add(&mut store, draft, made).expect("add").restaurant.id);
    }
    let mut volunteer = |name: &str| {
        let d = VolunteerDraft { display_name: name.into(), contact: None };
        crate::api::volunteers::add(&mut store, d, made).expect("volunteer").id
    };
    let (amina, olu) = (volunteer("Amina"), volunteer("Olu"));
    let square = Geometry::Polygon {
        coordinates: vec![vec![
            [-0.09, 51.49],
            [-0.07, 51.49],
            [-0.07, 51.51],
            [-0.09, 51.51],
            [-0.09, 51.49],
        ]],
    };
    crate::api::areas::create(&mut store, "Dalston", square, made).expect("area");
    let mut c = Campaign { store, r, amina, olu, _dir: dir };
    let (a, o) = (c.amina.clone(), c.olu.clone());
    // October: R0 spoke (before the month).
    visit(&mut c, 0, &a, "2026-10-20T12:00:00Z", Outcome::Spoke, None);
    // November, week of Monday 2 Nov: R0 agreed; R1 come back on 10 Nov (Olu owes it).
    visit(&mut c, 0, &a, "2026-11-02T10:00:00Z", Outcome::Agreed, None);
    visit(&mut c, 1, &o, "2026-11-03T10:00:00Z", Outcome::ComeBack, Some("2026-11-10"));
    // Week of 9 Nov: R0 sticker placed; R2 declined; Sunday 15 Nov 23:30 counts in that week.
    visit(&mut c, 0, &a, "2026-11-09T10:00:00Z", Outcome::StickerPlaced, None);
    visit(&mut c, 2, &o, "2026-11-10T10:00:00Z", Outcome::Declined, None);
    visit(&mut c, 4, &a, "2026-11-15T23:30:00Z", Outcome::NoAnswer, None);
    // Week of 23 Nov: R5 says yes to a sticker by consent alone (no visit).
    let yes = NewConsent {
        restaurant_id: c.r[5].clone(),
        kind: ConsentKind::DisplaySticker,
        answer: ConsentAnswer::Yes,
        recorded_by: a.clone(),
    };
    crate::api::visits::record_consent(&mut c.store, yes, at("2026-11-24T12:00:00Z")).expect("consent");
    // December: R3 agreed (after the month).
    visit(&mut c, 3, &a, "2026-12-02T10:00:00Z", Outcome::Agreed, None);
    c
}

fn november(c: &Campaign, area: Option<&str>) -> Report {
    let request = ReportRequest {
        period: Period::Month { month: "2026-11".into() },
        area: area.map(str::to_string),
        with_volunteers: true,
    };
    report(&c.store, &request, at("2026-12-07T12:00:00Z")).expect("report")
}

fn count(r: &Report, s: Status) -> u64 {
    r.by_status.iter().find(|c| c.status == s).map_or(0, |c| c.count)
}

#[test]
fn the_funnel_counts_restaurants_cumulatively() {
    let c = campaign();
    let r = november(&c, None);
    // Contacted: R0, R1, R2, R4 (visits) and R5 (a yes); agreed: R0 (visits) and R5 (consent);
    // sticker placed: R0. R0 counts in every stage.
    assert_eq!(
        r.funnel,
        Funnel { known: 6, contacted: 5, agreed: 2, sticker_placed: 1, sticker_still_up: None }
    );
    assert!(r.funnel.known >= r.funnel.contacted && r.funnel.contacted >= r.funnel.agreed);
    assert!(r.funnel.agreed >= r.funnel.sticker_placed);
    assert_eq!(
        (r.from.to_string(), r.to.to_string(), r.as_of.to_string()),
        ("2026-11-01".into(), "2026-11-30".into(), "2026-11-30".into())
    );
    assert_eq!(r.time_zone, "Europe/London");
    assert_eq!(r.active_volunteers, 2);
}

#[test]
fn statuses_and_follow_ups_are_as_of_the_last_day_replayed() {
    let c = campaign();
    let r = november(&c, None);
    // On 30 November: R0 sticker placed, R1 follow up, R2 declined, R4 contacted, R3 and R5 not
    // contacted (R3's visit is in December; a consent is not a visit).
    let cases = [
        (Status::StickerPlaced, 1),
        (Status::FollowUp, 1),
        (Status::Declined, 1),
        (Status::Contacted, 1),
        (Status::NotContacted, 2),
        (Status::Agreed, 0),
    ];
    for (s, n) in cases {
        assert_eq!(count(&r, s), n, "{s:?}");
    }
    assert_eq!(r.beside, Beside { declined: 1, do_not_contact: 0, closed: 0 });
    assert_eq!(r.follow_ups.overdue, 1);
    assert_eq!(r.follow_ups.most_overdue_days, Some(20), "10 to 30 November");
    assert_eq!(r.follow_ups.overdue_up_to_a_month, 1);
    // Today's statuses (the whole campaign runs to today) come from the stored ones: R3 agreed.
    let now = ReportRequest { period: Period::Campaign, area: None, with_volunteers: false };
    let all = report(&c.store, &now, at("2026-12-07T12:00:00Z")).expect("report");
    assert_eq!(count(&all, Status::Agreed), 1);
    assert_eq!(all.funnel.agreed, 3, "R0, R3 and R5 over the whole campaign");
    assert_eq!(all.volunteers, None, "not asked for");
}

#[test]
fn weeks_start_on_monday_local_time_and_count_events() {
    let c = campaign();
    let r = november(&c, None);
    let weeks: Vec<(String, u32, u32, u32)> =
        r.weeks.iter().map(|w| (w.start.to_string(), w.visits, w.agreed, w.sticker_placed)).collect();
    assert_eq!(
        weeks,
        [
            ("2026-10-26".to_string(), 0, 0, 0),
            ("2026-11-02".to_string(), 2, 1, 0),
            ("2026-11-09".to_string(), 3, 1, 1),
            ("2026-11-16".to_string(), 0, 0, 0),
            ("2026-11-23".to_string(), 0, 1, 0),
            ("2026-11-30".to_string(), 0, 0, 0),
        ]
    );
}

#[test]
fn volunteers_areas_and_an_area_alone() {
    let c = campaign();
    let r = november(&c, None);
    let v: Vec<(String, u32, u32, u32, u32)> = r
        .volunteers
        .as_ref()
        .expect("asked for, by the coordinator")
        .iter()
        .map(|v| (v.name.clone(), v.visits, v.agreed, v.sticker_placed, v.follow_ups_owed))
        .collect();
    assert_eq!(v, [("Amina".to_string(), 3, 2, 1, 0), ("Olu".to_string(), 2, 0, 0, 1)]);
    assert_eq!(r.areas.len(), 1);
    let dalston = &r.areas[0];
    assert_eq!((dalston.name.as_str(), dalston.restaurants, dalston.contacted), ("Dalston", 4, 3));
    assert!((dalston.share_contacted - 0.75).abs() < 1e-9);
    let only = november(&c, Some("Dalston"));
    assert_eq!(only.area.as_deref(), Some("Dalston"));
    assert_eq!(
        only.funnel,
        Funnel { known: 4, contacted: 3, agreed: 1, sticker_placed: 1, sticker_still_up: None }
    );
    assert_eq!(only.weeks.iter().map(|w| w.visits).sum::<u32>(), 4, "R4's visit is outside");
    let _ = &c.olu;
}

#[test]
fn stickers_are_counted_by_their_state_at_the_end() {
    let mut c = campaign();
    let dir = tempfile::tempdir().expect("dir");
    let request = crate::api::stickers::PrintRequest::blank(
        "avery-l7160",
        4,
        "https://mc.org.uk/s",
        dir.path().join("b.pdf"),
    );
    let printed =
        crate::api::stickers::print(&mut c.store, request, at("2026-11-05T10:00:00Z"), &mut |_, _| true)
            .expect("print");
    let codes: Vec<String> = crate::api::stickers::batch(&c.store, &printed.batch_id)
        .expect("batch")
        .codes
        .into_iter()
        .map(|x| x.code)
        .collect();
    let amina = c.amina.clone();
    let mark = |c: &mut Campaign, code: &str, s: StickerState, when: &str| {
        crate::api::stickers::mark(&mut c.store, code, s, Some(amina.clone()), at(when)).expect("mark");
    };
    mark(&mut c, &codes[0], StickerState::WithVolunteer, "2026-11-06T10:00:00Z");
    mark(&mut c, &codes[1], StickerState::Missing, "2026-11-06T10:00:00Z");
    // Handed out after the month: still in the drawer on 30 November.
    mark(&mut c, &codes[2], StickerState::WithVolunteer, "2026-12-03T10:00:00Z");
    let r = november(&c, None);
    let want = StickerCounts { printed: 2, with_volunteer: 1, placed: 0, missing: 1, replaced: 0 };
    assert_eq!(r.stickers.all, want);
    assert_eq!(r.stickers.batches.len(), 1);
    assert_eq!((r.stickers.batches[0].stickers, r.stickers.batches[0].counts), (4, want));
}

#[test]
fn an_empty_campaign_reports_zeros() {
    let store = Store::open_in_memory().expect("store");
    let request = ReportRequest { period: Period::ThisMonth, area: None, with_volunteers: true };
    let r = report(&store, &request, at("2026-12-07T12:00:00Z")).expect("report");
    assert_eq!(r.funnel, Funnel::default());
    assert_eq!(
        (r.from.to_string(), r.to.to_string(), r.as_of.to_string()),
        ("2026-12-01".into(), "2026-12-31".into(), "2026-12-07".into())
    );
    assert_eq!(r.weeks.len(), 5);
    assert_eq!(r.volunteers, Some(vec![]));
    assert!(r.areas.is_empty() && r.stickers.batches.is_empty());
}

#[test]
fn a_table_saved_as_csv_is_formula_safe_and_reads_back_the_same() {
    let mut c = campaign();
    let square = Geometry::Polygon {
        coordinates: vec![vec![
            [-0.07, 51.49],
            [-0.05, 51.49],
            [-0.05, 51.51],
            [-0.07, 51.51],
            [-0.07, 51.49],
        ]],
    };
    crate::api::areas::create(&mut c.store, "=HYPERLINK(\"x\")", square, at("2026-10-01T09:00:00Z"))
        .expect("area");
    let dir = tempfile::tempdir().expect("dir");
    let request = ReportRequest {
        period: Period::Month { month: "2026-11".into() },
        area: None,
        with_volunteers: false,
    };
    let now = at("2026-12-07T12:00:00Z");
    let cases = [
        (ReportTable::Weeks, "week_of,visits,agreements,stickers_placed", 6),
        (ReportTable::Funnel, "stage,restaurants", 7),
        (ReportTable::Areas, "area,restaurants,contacted,share_contacted", 2),
        (ReportTable::FollowUps, "follow_ups,count", 5),
        (ReportTable::Stickers, "batch,printed_at,template,in_a_drawer,with_volunteers,placed,missing", 1),
    ];
    for (which, header, rows) in cases {
        let out = dir.path().join(format!("{}.csv", which.as_str()));
        assert_eq!(
            export_csv(&c.store, &request, which, &out, now).expect("export"),
            rows as u64,
            "{which:?}"
        );
        let bytes = std::fs::read(&out).expect("read");
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(text.starts_with(&format!("\u{feff}{header}\r\n")), "{which:?}: {text}");
        let back = crate::exports::csv_file::read(&bytes).expect("csv");
        assert_eq!(back.len(), rows + 1, "{which:?}");
        if which == ReportTable::Areas {
            assert!(text.contains("'=HYPERLINK"), "neutralised: {text}");
            assert!(back.iter().any(|r| r[0] == "=HYPERLINK(\"x\")"), "{back:?}");
        }
    }
    assert_eq!(
        file_name(&request, ReportTable::Weeks, &c.store, now),
        "report weeks 2026-11-01 to 2026-11-30"
    );
}

#[test]
fn a_stage_or_a_week_filters_the_list_to_the_restaurants_it_counted() {
    use crate::domain::filter::{FunnelStage, Reached, RestaurantFilter};
    let c = campaign();
    let names = |filter: &RestaurantFilter| -> Vec<String> {
        let page = crate::api::restaurants::list(&c.store, filter, 50, 0).expect("list");
        assert_eq!(page.total as usize, page.items.len());
        page.items.into_iter().map(|r| r.name).collect()
    };
    let day = |s: &str| s.parse::<NaiveDate>().expect("day");
    let reached = |stage, from: &str, to: &str| RestaurantFilter {
        reached: Some(Reached { stage, from: day(from), to: day(to) }),
        ..Default::default()
    };
    // (stage, from, to, the restaurants)
    let cases: [(FunnelStage, &str, &str, &[&str]); 8] = [
        (FunnelStage::Known, "2026-11-01", "2026-11-30", &["R0", "R1", "R2", "R3", "R4", "R5"]),
        (FunnelStage::Contacted, "2026-11-01", "2026-11-30", &["R0", "R1", "R2", "R4", "R5"]),
        (FunnelStage::Agreed, "2026-11-01", "2026-11-30", &["R0", "R5"]),
        (FunnelStage::StickerPlaced, "2026-11-01", "2026-11-30", &["R0"]),
        // A week: Monday 9 to Sunday 15 November (the Sunday 23:30 GMT visit is in it).
        (FunnelStage::Contacted, "2026-11-09", "2026-11-15", &["R0", "R2", "R4"]),
        (FunnelStage::StickerPlaced, "2026-11-09", "2026-11-15", &["R0"]),
        (FunnelStage::Agreed, "2026-11-02", "2026-11-08", &["R0"]),
        // October: R0 spoke; R1 to R5 existed too.
        (FunnelStage::Contacted, "2026-10-01", "2026-10-31", &["R0"]),
    ];
    for (stage, from, to, want) in cases {
        assert_eq!(names(&reached(stage, from, to)), want, "{stage:?} {from} to {to}");
    }
    // The funnel's figures are the filter's counts, for the whole campaign and one area.
    for area in [None, Some("Dalston")] {
        let r = november(&c, area);
        let area_id = area.map(|name| crate::api::areas::find(c.store.conn(), name).expect("area").id);
        let figures = [
            (FunnelStage::Known, r.funnel.known),
            (FunnelStage::Contacted, r.funnel.contacted),
            (FunnelStage::Agreed, r.funnel.agreed),
            (FunnelStage::StickerPlaced, r.funnel.sticker_placed),
        ];
        for (stage, figure) in figures {
            let filter =
                RestaurantFilter { area_id: area_id.clone(), ..reached(stage, "2026-11-01", "2026-11-30") };
            assert_eq!(names(&filter).len() as u32, figure, "{stage:?} in {area:?}");
        }
    }
}

#[test]
fn the_counts_kept_per_hour_agree_with_counting_every_visit() {
    // An area holding every restaurant: its report counts the visits themselves; the whole
    // campaign's reads the counts the triggers keep (`visit_hours`). Same campaign, same figures.
    let mut c = campaign();
    let everywhere = Geometry::Polygon {
        coordinates: vec![vec![[-0.1, 51.45], [0.0, 51.45], [0.0, 51.55], [-0.1, 51.55], [-0.1, 51.45]]],
    };
    crate::api::areas::create(&mut c.store, "Everywhere", everywhere, at("2026-10-01T09:00:00Z"))
        .expect("area");
    for period in [Period::Month { month: "2026-11".into() }, Period::Campaign] {
        let ask = |area: Option<&str>| ReportRequest {
            period: period.clone(),
            area: area.map(str::to_string),
            with_volunteers: true,
        };
        let now = at("2026-12-07T12:00:00Z");
        let kept = report(&c.store, &ask(None), now).expect("report");
        let counted = report(&c.store, &ask(Some("Everywhere")), now).expect("report");
        assert_eq!(kept.weeks, counted.weeks, "{period:?}");
        assert_eq!(kept.funnel, counted.funnel, "{period:?}");
        assert_eq!(kept.volunteers, counted.volunteers, "{period:?}");
        assert!(kept.weeks.iter().any(|w| w.visits > 0));
        // The funnel of a period from the start reads each restaurant's first visit, agreement
        // and sticker kept with its status; the map's filter reads the visits: they agree.
        use crate::domain::filter::{FunnelStage, Reached, RestaurantFilter};
        let stages = [
            (FunnelStage::Known, kept.funnel.known),
            (FunnelStage::Contacted, kept.funnel.contacted),
            (FunnelStage::Agreed, kept.funnel.agreed),
            (FunnelStage::StickerPlaced, kept.funnel.sticker_placed),
        ];
        for (stage, figure) in stages {
            let filter = RestaurantFilter {
                reached: Some(Reached { stage, from: kept.from, to: kept.to }),
                ..Default::default()
            };
            let listed = crate::api::restaurants::list(&c.store, &filter, 50, 0).expect("list").total;
            assert_eq!(listed, u64::from(figure), "{period:?} {stage:?}");
        }
    }
}

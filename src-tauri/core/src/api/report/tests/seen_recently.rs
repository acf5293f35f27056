//! The funnel's "seen recently" stage against the hand-built campaign of `tests.rs`, with a
//! batch printed, two stickers placed and scans counted on chosen days.

use super::{campaign, november, Campaign};
use crate::api::fixtures::at;
use crate::domain::{NewVisit, Outcome};

/// "Seen recently": restaurants counted with a sticker placed whose sticker the web service
/// counted a scan of in the 30 days before the end; left out while no scan was ever counted.
#[test]
fn the_seen_recently_stage_counts_placed_stickers_scanned_lately_and_only_once_scans_exist() {
    use crate::domain::filter::{FunnelStage, Reached, RestaurantFilter};
    let mut c = campaign();
    assert_eq!(november(&c, None).funnel.sticker_still_up, None, "no web service: left out");
    // R1 gets a sticker too (placed 12 Nov), but it is never scanned; R0's is placed on 9 Nov.
    let dir = tempfile::tempdir().expect("dir");
    let print = crate::api::stickers::PrintRequest::blank(
        "avery-l7160",
        2,
        "https://mc.example/S",
        dir.path().join("b.pdf"),
    );
    let batch =
        crate::api::stickers::print(&mut c.store, print, at("2026-11-01T09:00:00Z"), &mut |_, _| true)
            .expect("print")
            .batch_id;
    let codes: Vec<String> = crate::api::stickers::batch(&c.store, &batch)
        .expect("batch")
        .codes
        .into_iter()
        .map(|k| k.code)
        .collect();
    for (r, code, when) in [(0, &codes[0], "2026-11-09T10:30:00Z"), (1, &codes[1], "2026-11-12T10:00:00Z")] {
        let v = NewVisit {
            restaurant_id: c.r[r].clone(),
            volunteer_id: c.amina.clone(),
            visited_at: Some(at(when)),
            outcome: Outcome::StickerPlaced,
            stickers_left: 1,
            note: None,
            follow_up_on: None,
            corrects: None,
            sticker_codes: vec![code.clone()],
        };
        crate::api::visits::record(&mut c.store, v, at(when)).expect("placed");
    }
    let scanned = |c: &Campaign, code: &str, day: &str| {
        c.store
            .conn()
            .execute("INSERT INTO scans (code, day, count) VALUES (?1, ?2, 2)", [code, day])
            .expect("scan");
    };
    // A scan from before the last 30 days of November does not count.
    scanned(&c, &codes[0], "2026-10-25");
    assert_eq!(november(&c, None).funnel.sticker_still_up, Some(0));
    scanned(&c, &codes[0], "2026-11-28");
    let r = november(&c, None);
    assert_eq!((r.funnel.sticker_placed, r.funnel.sticker_still_up), (2, Some(1)));
    // The stage as a filter lists the same restaurant.
    let filter = RestaurantFilter {
        reached: Some(Reached {
            stage: FunnelStage::StickerStillUp,
            from: "2026-11-01".parse().expect("day"),
            to: "2026-11-30".parse().expect("day"),
        }),
        ..Default::default()
    };
    let names: Vec<String> = crate::api::restaurants::list(&c.store, &filter, 50, 0)
        .expect("list")
        .items
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["R0"]);
}

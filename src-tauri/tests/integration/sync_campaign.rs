//! Team sync of the rest of the campaign against a real PostgreSQL: print batches and the life
//! of every sticker, label templates, areas with their claims and notes, the coordinator's review
//! list, and restaurants whose rows reach the server in pieces.

use crate::support;
use crate::sync::{at, team, visit_as, Person, Team};
use tablemap_core::api;
use tablemap_core::api::stickers::PrintRequest;
use tablemap_core::domain::area::Geometry;
use tablemap_core::domain::{NewVisit, Outcome, RestaurantId, StickerState};
use tablemap_core::sync::server::Role;
use tablemap_core::sync::{pull, push};

pub(crate) fn print(
    p: &mut Person,
    count: u32,
    to: Option<&Person>,
    minutes: i64,
) -> Result<String, api::ApiError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let req = PrintRequest {
        volunteer_id: to.map(|v| v.id.clone()),
        ..support::blank_print(count, dir.path().join("batch.pdf"))
    };
    api::stickers::print(&mut p.store, req, at(minutes), &mut |_, _| true).map(|r| r.batch_id)
}

pub(crate) fn codes(p: &Person, batch: &str) -> Vec<(String, StickerState)> {
    api::stickers::batch(&p.store, batch)
        .expect("batch")
        .codes
        .into_iter()
        .map(|c| (c.code, c.state))
        .collect()
}

pub(crate) fn place(p: &mut Person, r: &RestaurantId, code: &str, minutes: i64) {
    let visit = NewVisit {
        stickers_left: 1,
        sticker_codes: vec![code.to_string()],
        ..visit_as(r, &p.id, Outcome::StickerPlaced, minutes)
    };
    api::visits::record(&mut p.store, visit, at(minutes)).expect("visit");
}

fn square(west: f64, south: f64) -> Geometry {
    let (e, n) = (west + 0.01, south + 0.01);
    Geometry::Polygon { coordinates: vec![vec![[west, south], [e, south], [e, n], [west, n], [west, south]]] }
}

/// Volunteer, organiser and coordinator: everyone ends with the same picture.
fn three() -> (Team, Person, Person, Person) {
    let team = team();
    let coord = team.person("Cora", Role::Coordinator);
    let olu = team.person("Olu", Role::Organiser);
    let amina = team.person("Amina", Role::Volunteer);
    (team, coord, olu, amina)
}

#[test]
fn sync_stickers_templates_and_areas_reach_everyone_once() {
    let (team, mut coord, mut olu, mut amina) = three();
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    let area = api::areas::create(&mut coord.store, "Dalston", square(-0.08, 51.54), at(2)).unwrap();
    coord.sync(3);
    olu.sync(4);
    amina.sync(4);

    // The organiser prints ten blank stickers for Amina and saves a template, offline.
    let batch = print(&mut olu, 10, Some(&amina), 10).unwrap();
    let mut template = api::stickers::template(&olu.store, "avery-l7160").unwrap();
    template.id = "campaign-round".into();
    template.name = "Campaign round labels".into();
    api::stickers::save_template(&mut olu.store, template, "custom", at(11)).unwrap();
    // The coordinator gives Amina the area; she has not synced yet.
    api::areas::assign(&mut coord.store, area.id.as_str(), "Amina", 7, false, at(12)).unwrap();
    assert!(olu.sync(20).refused.is_empty());
    assert!(coord.sync(21).refused.is_empty());
    amina.sync(22);

    // Amina has the batch, her area, and the template; she places a sticker and writes a note.
    let on_amina = codes(&amina, &batch);
    assert_eq!(on_amina.len(), 10);
    assert!(on_amina.iter().all(|(_, s)| *s == StickerState::WithVolunteer), "{on_amina:?}");
    assert_eq!(codes(&olu, &batch), on_amina);
    assert!(api::stickers::templates(&amina.store)
        .unwrap()
        .iter()
        .any(|t| t.name == "Campaign round labels"));
    let held = api::areas::summary(&amina.store, "Dalston", at(23)).unwrap();
    assert_eq!(held.holder.map(|h| h.volunteer_name), Some("Amina".to_string()));
    let code = on_amina[0].0.clone();
    place(&mut amina, &r, &code, 30);
    api::areas::add_note(&mut amina.store, "Dalston", "Amina", "Ask for Sami after 3pm", at(31)).unwrap();
    assert!(amina.sync(32).refused.is_empty());

    for p in [&mut coord, &mut olu] {
        p.sync(40);
        let placed = codes(p, &batch);
        assert_eq!(placed[0], (code.clone(), StickerState::Placed));
        assert!(placed[1..].iter().all(|(_, s)| *s == StickerState::WithVolunteer));
        let notes = api::areas::notes(&p.store, "Dalston").unwrap();
        assert_eq!(notes.iter().map(|n| n.note.as_str()).collect::<Vec<_>>(), ["Ask for Sami after 3pm"]);
        assert_eq!(p.detail(&r).summary.status, tablemap_core::domain::Status::StickerPlaced);
    }
    // Once each on the server, whatever was pushed or pulled twice.
    amina.sync(50);
    olu.sync(50);
    assert_eq!(team.count("print_batches"), 1);
    // Ten printed, ten handed to Amina, one placed.
    assert_eq!(team.count("sticker_events"), 21);
    assert_eq!(team.count("area_claims"), 1);
    assert_eq!(team.count("area_notes"), 1);
    assert_eq!(team.count("templates"), 1);
    let local: i64 =
        coord.store.conn().query_row("SELECT count(*) FROM sticker_events", [], |r| r.get(0)).unwrap();
    assert_eq!(local, 21);
}

#[test]
fn sync_a_volunteer_may_not_print_draw_areas_or_release_someone_elses_claim() {
    let (team, mut coord, _olu, mut amina) = three();
    let mut bo = team.person("Bo", Role::Volunteer);
    coord.sync(0);
    api::areas::create(&mut coord.store, "Dalston", square(-0.08, 51.54), at(1)).unwrap();
    api::areas::assign(&mut coord.store, "Dalston", "Bo", 7, false, at(2)).unwrap();
    coord.sync(3);
    bo.sync(4);
    amina.sync(4);

    // Each is refused on her machine in the table's words, and nothing is queued.
    let words = |e: tablemap_core::api::ApiError| e.to_string();
    assert_eq!(
        words(print(&mut amina, 3, None, 10).unwrap_err()),
        "a volunteer may not print sticker batches or hand stickers out: ask an organiser or a coordinator"
    );
    assert_eq!(
        words(
            api::areas::create(&mut amina.store, "Hackney Wick", square(-0.03, 51.54), at(11)).unwrap_err()
        ),
        "a volunteer may not draw, import, rename or delete areas: ask a coordinator"
    );
    assert_eq!(
        words(api::areas::release(&mut amina.store, "Dalston", at(12)).unwrap_err()),
        "a volunteer may not assign an area to someone else, take it over or end their claim: ask a coordinator"
    );
    assert_eq!(api::sync::status(&amina.store).unwrap().waiting, 0);
    let report = amina.sync(20);
    assert_eq!((report.pushed, report.refused.len()), (0, 0), "{:?}", report.refused);
    assert_eq!(team.count("print_batches"), 0);
    assert_eq!(team.count("sticker_events"), 0);
    assert_eq!(team.count("areas"), 1);
    assert_eq!(team.count("area_claims"), 1);

    // Bo may release the area he holds; the coordinator sees it free.
    api::areas::release(&mut bo.store, "Dalston", at(30)).unwrap();
    assert!(bo.sync(31).refused.is_empty());
    coord.sync(32);
    assert!(api::areas::summary(&coord.store, "Dalston", at(33)).unwrap().holder.is_none());
}

#[test]
fn sync_a_coordinator_clears_a_review_and_the_other_coordinators_see_it() {
    let team = team();
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut dev = team.person("Dev", Role::Coordinator);
    let mut olu = team.person("Olu", Role::Organiser);
    let r = cora.add_restaurant("Zaza Kitchen", 1);
    cora.sync(2);
    olu.sync(3);
    let edit = |p: &mut Person, name: &str, minutes: i64| {
        let mut d = tablemap_core::domain::merge::draft_of(&p.detail(&r).restaurant);
        d.name = name.into();
        api::restaurants::update(&mut p.store, &r, d, at(minutes)).unwrap();
    };
    edit(&mut olu, "Zaza's Kitchen", 10);
    edit(&mut cora, "Zaza Kitchen & Bar", 11);
    olu.sync(20);
    cora.sync(21);
    dev.sync(22);

    let open = api::sync::reviews(&dev.store).unwrap();
    assert_eq!(open.len(), 1);
    let review = &open[0];
    assert_eq!(
        (review.field.as_str(), review.kept.as_str(), review.other.as_str()),
        ("name", "Zaza Kitchen & Bar", "Zaza's Kitchen")
    );
    assert_eq!(review.restaurant_name, "Zaza Kitchen & Bar");
    assert!(review.kept_at > review.other_at, "{review:?}");
    assert_eq!(api::sync::status(&dev.store).unwrap().open_reviews, 1);

    // Only a coordinator clears; the organiser's machine never had the list.
    assert!(api::sync::clear_review(&mut olu.store, &review.id, at(23)).is_err());
    let after = api::sync::clear_review(&mut dev.store, &review.id, at(23)).unwrap();
    assert_eq!(after[0].cleared_by.as_deref(), Some("Dev"));
    assert!(api::sync::clear_review(&mut dev.store, &review.id, at(24)).is_err(), "cleared once");
    assert!(dev.sync(25).refused.is_empty());
    cora.sync(26);
    let on_cora = api::sync::reviews(&cora.store).unwrap();
    assert_eq!(on_cora[0].cleared_by.as_deref(), Some("Dev"));
    assert_eq!(api::sync::status(&cora.store).unwrap().open_reviews, 0);
}

#[test]
fn sync_a_restaurant_pushed_in_pieces_arrives_whole() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    coord.visit(&r, Outcome::Spoke, 2);
    // The restaurant row and its first two fields reach the server; the rest are cut off.
    let team_conn = api::sync::team(&coord.store).unwrap().unwrap();
    let mut client = team_conn.connect().unwrap();
    assert_eq!(push::push(&mut coord.store, &mut client, Some(3)).unwrap().sent, 3);
    let mut amina_client = api::sync::team(&amina.store).unwrap().unwrap().connect().unwrap();
    let first = pull::pull(&mut amina.store, &mut amina_client, at(3)).unwrap();
    assert_eq!(first.restaurants, 0, "no name or position yet: not added");
    assert!(api::restaurants::detail(&amina.store, &r).is_err());
    // The rest, and the visit, come later: the restaurant arrives whole, with the visit.
    coord.sync(4);
    let second = pull::pull(&mut amina.store, &mut amina_client, at(5)).unwrap();
    assert_eq!((second.restaurants, second.visits, second.parked), (1, 1, 0));
    let got = amina.detail(&r);
    assert_eq!(got.restaurant.name, "Zaza Kitchen");
    assert_eq!(got.visits.len(), 1);
    assert_eq!(team.count("restaurants"), 1);
}

//! Volunteers propose the restaurants they find; organisers confirm or reject them. Against a
//! real PostgreSQL: a proposal travels as one, visits to it go, its proposer edits it until it is
//! decided, a rejected one leaves every map, and only confirmed restaurants are exported.

use crate::sync::{at, team, Person};
use tablemap_core::api;
use tablemap_core::domain::{Outcome, RestaurantDraft, RestaurantFilter, RestaurantId, Standing};
use tablemap_core::sync::server::Role;

fn propose(p: &mut Person, name: &str, minutes: i64) -> RestaurantId {
    let draft = RestaurantDraft { name: name.into(), lat: 51.5465, lon: -0.0755, ..Default::default() };
    let d = api::restaurants::add(&mut p.store, draft, at(minutes)).expect("propose");
    assert_eq!(d.restaurant.standing, Standing::Proposed, "{name}");
    assert_eq!(d.restaurant.proposed_by.as_ref(), Some(&p.id));
    d.restaurant.id
}

/// The ids the side list shows (what the map shows too: one filter serves both).
fn listed(p: &Person) -> Vec<RestaurantId> {
    let page = api::restaurants::list(&p.store, &RestaurantFilter::default(), 500, 0).expect("list");
    page.items.into_iter().map(|i| i.id).collect()
}

/// The restaurant names a CSV export writes.
fn exported(p: &Person) -> String {
    let out = tempfile::NamedTempFile::new().expect("temp");
    api::exports::csv(&p.store, out.path()).expect("export");
    std::fs::read_to_string(out.path()).expect("read")
}

#[test]
fn sync_a_volunteer_proposes_an_organiser_confirms_or_rejects_and_visits_stay() {
    let team = team();
    let mut olu = team.person("Olu", Role::Organiser);
    let mut amina = team.person("Amina", Role::Volunteer);
    let known = olu.add_restaurant("Zaza Kitchen", 1);
    olu.sync(2);
    amina.sync(2);

    // Amina finds two places on the street, visits both and edits one of her proposals.
    let habesha = propose(&mut amina, "Habesha Corner", 3);
    let kiosk = propose(&mut amina, "Kiosk 7", 4);
    amina.visit(&habesha, Outcome::Agreed, 5);
    amina.visit(&kiosk, Outcome::Spoke, 5);
    let mut d = tablemap_core::domain::merge::draft_of(&amina.detail(&habesha).restaurant);
    d.phone = Some("020 7946 0101".into());
    api::restaurants::update(&mut amina.store, &habesha, d, at(6)).expect("her own proposal");
    // ...but not Olu's restaurant, nor decide her own proposal.
    let refused = api::restaurants::decide(&mut amina.store, &habesha, Standing::Confirmed, at(6))
        .expect_err("a volunteer deciding")
        .to_string();
    assert_eq!(
        refused,
        "a volunteer may not confirm or reject proposed restaurants: ask an organiser or a coordinator"
    );
    let mut zaza = tablemap_core::domain::merge::draft_of(&amina.detail(&known).restaurant);
    zaza.phone = Some("0".into());
    assert!(api::restaurants::update(&mut amina.store, &known, zaza, at(6)).is_err());
    let report = amina.sync(7);
    assert_eq!(report.refused, Vec::<String>::new());
    assert_eq!(team.count("restaurants"), 3);

    // Olu sees both proposals (on the map, marked), and exports neither.
    olu.sync(8);
    assert_eq!(olu.detail(&habesha).restaurant.standing, Standing::Proposed);
    assert_eq!(olu.detail(&habesha).restaurant.phone.as_deref(), Some("020 7946 0101"));
    assert_eq!(olu.detail(&habesha).visits.len(), 1);
    let list = api::restaurants::list(&olu.store, &RestaurantFilter::default(), 500, 0).expect("list");
    let marked: Vec<(&str, bool)> = list.items.iter().map(|i| (i.name.as_str(), i.proposed)).collect();
    assert_eq!(marked, [("Habesha Corner", true), ("Kiosk 7", true), ("Zaza Kitchen", false)]);
    let csv = exported(&olu);
    assert!(csv.contains("Zaza Kitchen") && !csv.contains("Habesha") && !csv.contains("Kiosk"), "{csv}");

    // Olu confirms one and rejects the other; a second decision is refused in words.
    api::restaurants::decide(&mut olu.store, &habesha, Standing::Confirmed, at(9)).expect("confirm");
    api::restaurants::decide(&mut olu.store, &kiosk, Standing::Rejected, at(9)).expect("reject");
    let again = api::restaurants::decide(&mut olu.store, &kiosk, Standing::Confirmed, at(9)).unwrap_err();
    assert_eq!(again.to_string(), "\u{201c}Kiosk 7\u{201d} is not waiting for a decision: it is rejected");
    assert_eq!(olu.sync(10).refused, Vec::<String>::new());
    amina.sync(11);

    for p in [&olu, &amina] {
        assert_eq!(p.detail(&habesha).restaurant.standing, Standing::Confirmed);
        assert_eq!(p.detail(&kiosk).restaurant.standing, Standing::Rejected);
        // Rejected: off the list and the map, its visit kept.
        assert_eq!(listed(p), [habesha.clone(), known.clone()]);
        assert_eq!(p.detail(&kiosk).visits.len(), 1);
        let csv = exported(p);
        assert!(csv.contains("Habesha Corner") && !csv.contains("Kiosk"), "{csv}");
    }
    // Decided: Amina no longer edits it.
    let mut d = tablemap_core::domain::merge::draft_of(&amina.detail(&habesha).restaurant);
    d.phone = None;
    let refused = api::restaurants::update(&mut amina.store, &habesha, d, at(12)).unwrap_err().to_string();
    assert!(refused.starts_with("a volunteer may not add, edit or import restaurants"), "{refused}");
}

/// Written straight to the server with her own login, a volunteer's restaurant that does not say
/// it is a proposal, an edit of someone else's proposal, and a decision are all refused.
#[test]
fn sync_a_volunteer_cannot_slip_a_restaurant_or_a_decision_past_the_server() {
    let team = team();
    let mut amina = team.person("Amina", Role::Volunteer);
    let mut bo = team.person("Bo", Role::Volunteer);
    let bos = propose(&mut bo, "Bo's find", 1);
    bo.visit(&bos, Outcome::Spoke, 2);
    assert_eq!(bo.sync(3).refused, Vec::<String>::new());
    let mut c = crate::sync_attacks::client(&amina);
    let tries = [
        "INSERT INTO tablemap.restaurants (id, source, created_at) VALUES \
         ('01JPRP00000000000000000001', 'manual', '2026-06-01T10:00:00.000Z')"
            .to_string(),
        format!(
            "INSERT INTO tablemap.restaurants (id, source, created_at, proposed, created_by) VALUES \
             ('01JPRP00000000000000000002', 'manual', '2026-06-01T10:00:00.000Z', true, '{}')",
            bo.id.as_str()
        ),
        format!(
            "SELECT tablemap.put_field('{}', 'name', '\"Mine now\"', '{:016}-00000-00000000000000aa', NULL)",
            bos.as_str(),
            at(4).timestamp_millis()
        ),
        format!(
            "SELECT tablemap.put_fields(jsonb_build_array(jsonb_build_object('restaurant_id', '{}', 'field', \
             'standing', 'value', 'confirmed', 'hlc', '{:016}-00000-00000000000000aa')))",
            bos.as_str(),
            at(4).timestamp_millis()
        ),
    ];
    for sql in &tries {
        let e = c.batch_execute(sql).expect_err(sql);
        assert!(
            crate::sync_attacks::message(&e).contains("row-level security")
                || crate::sync_attacks::message(&e)
                    .contains("only organisers and coordinators edit restaurants"),
            "{sql}: {e}"
        );
    }
    // Bo still edits his own proposal the same way.
    let d = RestaurantDraft {
        name: "Bo's find, renamed".into(),
        lat: 51.5465,
        lon: -0.0755,
        ..Default::default()
    };
    api::restaurants::update(&mut bo.store, &bos, d, at(5)).expect("his own");
    assert_eq!(bo.sync(6).refused, Vec::<String>::new());
    amina.sync(7);
    assert_eq!(amina.detail(&bos).restaurant.name, "Bo's find, renamed");
    assert_eq!(amina.detail(&bos).restaurant.standing, Standing::Proposed);
}

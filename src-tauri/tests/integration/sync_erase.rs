//! Erasure across a team, against a real PostgreSQL: a coordinator erases a restaurant; the
//! server deletes every row of it and keeps a tombstone; every member's machine erases its copy
//! at its next pull; an offline member's queued visit to it is refused, not brought back; a
//! volunteer cannot erase; a volunteer's erasure renames them everywhere.

use crate::sync::{at, team};
use tablemap_core::api;
use tablemap_core::domain::Outcome;
use tablemap_core::sync::server::Role;

#[test]
fn sync_a_coordinators_erasure_reaches_every_machine_and_nothing_brings_it_back() {
    let team = team();
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let mut olu = team.person("Olu", Role::Organiser);
    let zaza = cora.add_restaurant("Zaza Kitchen", 1);
    let kept = cora.add_restaurant("Habesha Corner", 1);
    cora.sync(2);
    amina.sync(2);
    olu.sync(2);
    amina.visit(&zaza, Outcome::Agreed, 3);
    amina.visit(&kept, Outcome::Spoke, 3);
    amina.sync(4);
    olu.sync(4);
    cora.sync(4);
    assert_eq!(olu.detail(&zaza).visits.len(), 1);

    // A volunteer may not erase, on a team.
    let refused = api::erase::restaurant(&mut amina.store, &zaza, at(5)).expect_err("a volunteer erasing");
    assert_eq!(
        refused.to_string(),
        "a volunteer may not erase a restaurant or a volunteer: ask a coordinator"
    );

    // Olu, offline, logs another visit to Zaza before hearing of the erasure.
    olu.visit(&zaza, Outcome::Spoke, 5);

    let erased = api::erase::restaurant(&mut cora.store, &zaza, at(6)).expect("erase");
    assert_eq!(erased.visits, 1);
    let report = cora.sync(7);
    assert_eq!(report.refused, Vec::<String>::new());
    let on_server = |sql: &str| -> i64 { team.admin().query_one(sql, &[]).expect("count").get(0) };
    let id = zaza.as_str();
    let cases = [
        (format!("SELECT count(*) FROM tablemap.restaurants WHERE id = '{id}'"), 0),
        (format!("SELECT count(*) FROM tablemap.restaurant_fields WHERE restaurant_id = '{id}'"), 0),
        (format!("SELECT count(*) FROM tablemap.visits WHERE restaurant_id = '{id}'"), 0),
        (format!("SELECT count(*) FROM tablemap.erasures WHERE id = '{id}' AND kind = 'restaurant'"), 1),
        ("SELECT count(*) FROM tablemap.restaurants".to_string(), 1),
        ("SELECT count(*) FROM tablemap.visits".to_string(), 1),
    ];
    for (sql, want) in &cases {
        assert_eq!(on_server(sql), *want, "{sql}");
    }
    // The tombstone says who and when, and no name.
    let who: String =
        team.admin().query_one("SELECT erased_by FROM tablemap.erasures", &[]).expect("row").get(0);
    assert_eq!(who, cora.id.0);

    // Olu syncs: the visit to the erased restaurant is refused (never stored), and the pull
    // erases his copy.
    let report = olu.sync(8);
    assert_eq!(report.pulled_erasures, 1);
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    assert!(report.refused[0].contains("a coordinator erased this restaurant"), "{}", report.refused[0]);
    assert!(api::restaurants::detail(&olu.store, &zaza).is_err());
    assert_eq!(olu.detail(&kept).visits.len(), 1);
    assert_eq!(on_server(&format!("SELECT count(*) FROM tablemap.visits WHERE restaurant_id = '{id}'")), 0);
    // Olu's refused change named the erased restaurant: the erasure took it too.
    assert_eq!(api::sync::status(&olu.store).expect("status").refused, 0);

    amina.sync(9);
    assert!(api::restaurants::detail(&amina.store, &zaza).is_err());
    let left = |p: &crate::sync::Person, sql: &str| -> i64 {
        p.store.conn().query_row(sql, [id], |r| r.get(0)).expect("count")
    };
    for p in [&amina, &olu] {
        assert_eq!(left(p, "SELECT count(*) FROM visits WHERE restaurant_id = ?1"), 0);
        assert_eq!(left(p, "SELECT count(*) FROM erasures WHERE id = ?1"), 1);
    }

    // A volunteer's erasure: their visits stay, under a former volunteer's name, everywhere.
    let name = api::erase::volunteer(&mut cora.store, amina.id.as_str(), at(10)).expect("erase Amina");
    assert!(name.starts_with("Former volunteer "), "{name}");
    assert_eq!(cora.sync(11).refused, Vec::<String>::new());
    olu.sync(12);
    let visit = &olu.detail(&kept).visits[0];
    assert_eq!(visit.volunteer_name, name);
    let server_name: String = team
        .admin()
        .query_one("SELECT display_name FROM tablemap.volunteers WHERE id = $1", &[&amina.id.0])
        .expect("row")
        .get(0);
    assert_eq!(server_name, name);
}

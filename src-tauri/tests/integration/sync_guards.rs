//! What the team server refuses to trust, and what a pull refuses to take, against a real
//! PostgreSQL: writes that try to get round row-level security or the merge, clocks far ahead,
//! another machine's settings, a server whose schema is older than the client.

use crate::sync::{at, team, visit_as, Person};
use chrono::Duration;
use tablemap_core::api;
use tablemap_core::domain::area::Geometry;
use tablemap_core::domain::{Outcome, RestaurantDraft};
use tablemap_core::store::Store;
use tablemap_core::sync::server::{self, NewPerson, Role};
use tablemap_core::sync::{admin_config, Tls};

fn client(p: &Person) -> postgres::Client {
    api::sync::team(&p.store).expect("team").expect("joined").connect().expect("connect")
}

fn square() -> Geometry {
    let (w, s, e, n) = (-0.08, 51.54, -0.07, 51.55);
    Geometry::Polygon { coordinates: vec![vec![[w, s], [e, s], [e, n], [w, n], [w, s]]] }
}

#[test]
fn sync_the_server_refuses_writes_that_go_round_its_rules() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let mut olu = team.person("Olu", Role::Organiser);
    let mut amina = team.person("Amina", Role::Volunteer);
    let mut bo = team.person("Bo", Role::Volunteer);
    coord.sync(0);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    api::areas::create(&mut coord.store, "Dalston", square(), at(2)).unwrap();
    api::areas::assign(&mut coord.store, "Dalston", "Bo", 7, false, at(3)).unwrap();
    api::areas::assign(&mut coord.store, "Dalston", "Amina", 7, true, at(4)).unwrap();
    coord.sync(5);
    for p in [&mut olu, &mut amina, &mut bo] {
        p.sync(6);
    }

    let refused = |c: &mut postgres::Client, sql: &str| {
        let e = c.batch_execute(sql).expect_err(sql);
        e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string())
    };
    // An organiser cannot write a field round put_field (its stamps and review list).
    let mut o = client(&olu);
    let why = refused(
        &mut o,
        &format!(
            "UPDATE tablemap.restaurant_fields SET value = '\"X\"' WHERE restaurant_id = '{}'",
            r.as_str()
        ),
    );
    assert!(why.contains("permission denied"), "{why}");
    // Bo claimed Dalston once, but Amina holds it now: Bo cannot release it.
    let mut b = client(&bo);
    let area: String = b.query_one("SELECT id FROM tablemap.areas", &[]).unwrap().get(0);
    let why = refused(
        &mut b,
        &format!(
            "INSERT INTO tablemap.area_claims (id, area_id, volunteer_id, body, hlc) VALUES \
             ('01ZZZZZZZZZZZZZZZZZZZZZZZZ', '{area}', NULL, '{{\"claimed_at\": \"2026-06-01T12:00:00Z\"}}', 'x')"
        ),
    );
    assert!(why.contains("row-level security"), "{why}");
    // A row written with a made-up low txid still gets its own transaction's.
    let mut a = client(&amina);
    a.batch_execute(&format!(
        "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, hlc, txid) \
         VALUES ('01JVISIT0000000000000000AA', '{}', tablemap.my_volunteer_id(), '2026-06-01T10:00:00.000Z', \
         '2026-06-01T10:00:00.000Z', 'spoke', 'x', '1')",
        r.as_str()
    ))
    .unwrap();
    assert_eq!(coord.sync(7).pulled_visits, 1, "pulled like any other row");
    // A claim whose body says something else than its checked columns: the columns stand.
    a.batch_execute(&format!(
        "INSERT INTO tablemap.area_claims (id, area_id, volunteer_id, body, hlc) VALUES \
         ('01JCLAIM0000000000000000AA', '{area}', tablemap.my_volunteer_id(), \
          jsonb_build_object('id', 'other', 'area_id', 'other', 'volunteer_id', NULL, \
          'claimed_at', '2026-06-01T11:00:00.000Z', 'expires_at', '2026-06-08T11:00:00.000Z'), 'x')"
    ))
    .unwrap();
    coord.sync(8);
    let holder = api::areas::summary(&coord.store, "Dalston", at(9)).unwrap().holder.unwrap();
    assert_eq!(holder.volunteer_name, "Amina", "a claim by Amina, not a release");
    // A time a day and more ahead is refused by the server, in words.
    let why = refused(
        &mut a,
        &format!(
            "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, hlc) \
             VALUES ('01JVISIT0000000000000000AB', '{}', tablemap.my_volunteer_id(), '2099-01-01T00:00:00.000Z', \
             '2099-01-01T00:00:00.000Z', 'do_not_contact', 'x')",
            r.as_str()
        ),
    );
    assert!(why.contains("more than a day ahead"), "{why}");
}

#[test]
fn sync_a_clock_far_ahead_is_refused_and_does_not_drag_others_along() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let mut olu = team.person("Olu", Role::Organiser);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    coord.sync(2);
    olu.sync(3);
    // Olu's computer thinks it is three years later: the edit is refused, and says why.
    let years = Duration::days(3 * 365).num_minutes();
    let mut d = tablemap_core::domain::merge::draft_of(&olu.detail(&r).restaurant);
    d.phone = Some("020 7000 9999".into());
    api::restaurants::update(&mut olu.store, &r, d, at(years)).unwrap();
    let report = olu.sync(years + 1);
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    assert!(report.refused[0].contains("more than a day ahead"), "{}", report.refused[0]);
    // The team never saw it: Cora's edit (by the real clock) stands on the server and with her,
    // and her clock was not dragged three years ahead. Olu keeps his refused change on his own
    // machine (listed as refused) until his date is put right.
    let mut d = tablemap_core::domain::merge::draft_of(&coord.detail(&r).restaurant);
    d.phone = Some("020 7000 1234".into());
    api::restaurants::update(&mut coord.store, &r, d, at(10)).unwrap();
    coord.sync(11);
    olu.sync(12);
    let mut admin = client(&coord);
    let on_server: String = admin
        .query_one(
            "SELECT value #>> '{}' FROM tablemap.restaurant_fields WHERE restaurant_id = $1 AND field = 'phone'",
            &[&r.as_str()],
        )
        .unwrap()
        .get(0);
    assert_eq!(on_server, "020 7000 1234");
    let stamp: String = coord
        .store
        .conn()
        .query_row("SELECT value FROM sync_state WHERE key = 'hlc'", [], |r| r.get(0))
        .unwrap();
    assert!(stamp.as_str() < format!("{:016}", at(60).timestamp_millis()).as_str(), "{stamp}");
    assert_eq!(api::sync::status(&olu.store).unwrap().refused, 1);
}

#[test]
fn sync_only_the_campaign_travels_never_this_machines_settings() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let olu = team.person("Olu", Role::Organiser);
    let before = api::settings::get(&coord.store).unwrap().tile_url;
    let mut o = client(&olu);
    o.batch_execute(
        "INSERT INTO tablemap.campaign_settings (key, value, hlc) \
         VALUES ('tile_url', '\"https://evil.example/{z}/{x}/{y}.png\"', '0001780000000000-00000-00000000000000aa')",
    )
    .unwrap();
    coord.sync(1);
    assert_eq!(api::settings::get(&coord.store).unwrap().tile_url, before);
}

#[test]
fn sync_what_a_volunteer_logged_alone_goes_under_their_team_name() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    coord.sync(2);
    // Amina used Tablemap alone first, logging under her own name, then pulls the restaurant
    // through a coordinator's copy (here: she joins, syncs, and logged before under "Amina").
    let (config, tls) = admin_config(&team_url(&team)).unwrap();
    let invite = server::add_user(
        &config,
        &Tls::plain(tls),
        NewPerson { name: "Amina", role: Role::Volunteer, public_host: None },
        at(3),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("amina.sqlite")).unwrap();
    let draft =
        RestaurantDraft { name: "Marrakech Grill".into(), lat: 51.55, lon: -0.07, ..Default::default() };
    let own = api::restaurants::add(&mut store, draft, at(4)).unwrap().restaurant.id;
    let me = api::volunteers::add(
        &mut store,
        tablemap_core::domain::VolunteerDraft { display_name: "Amina".into(), contact: None },
        at(4),
    )
    .unwrap();
    api::sync::join(&mut store, &invite.join_code(), at(5)).unwrap();
    // Her own restaurant (its row and nine fields) is refused: volunteers do not add
    // restaurants. It stays here.
    let first = api::sync::sync(&mut store, at(6)).unwrap();
    assert_eq!(first.refused.len(), 10, "{:?}", first.refused);
    assert!(first
        .refused
        .iter()
        .all(|r| r.contains("only organisers and coordinators may add or edit restaurants")));
    assert!(api::restaurants::detail(&store, &own).is_ok(), "kept here");
    api::visits::record(&mut store, visit_as(&r, &me.id, Outcome::Spoke, 7), at(7)).unwrap();
    // Logged under her local name, her visit goes under her team id and is accepted.
    let report = api::sync::sync(&mut store, at(8)).unwrap();
    assert_eq!((report.pushed, report.refused.len()), (1, 0), "{:?}", report.refused);
    coord.sync(9);
    let seen = coord.detail(&r).visits;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].volunteer_id.as_str(), invite.volunteer_id);
}

#[test]
fn sync_against_an_older_server_schema_stops_and_keeps_everything() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    coord.add_restaurant("Zaza Kitchen", 1);
    let (config, tls) = admin_config(&team_url(&team)).unwrap();
    let mut admin = tablemap_core::sync::connect(&config, &Tls::plain(tls)).unwrap();
    admin.batch_execute("DROP FUNCTION tablemap.put_fields(jsonb)").unwrap();
    let err = api::sync::sync(&mut coord.store, at(2)).unwrap_err().to_string();
    assert!(err.contains("older than this Tablemap") && err.contains("server init"), "{err}");
    let status = api::sync::status(&coord.store).unwrap();
    assert_eq!(status.refused, 0, "nothing set aside as refused");
    assert!(status.waiting > 0, "everything still waiting");
}

fn team_url(team: &crate::sync::Team) -> String {
    team.admin_url()
}

#[test]
fn sync_a_server_restored_from_a_backup_is_read_again_from_the_start() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    coord.sync(2);
    // Amina's cursor is far ahead of anything this server has issued (as after a restore).
    amina
        .store
        .conn()
        .execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('cursor', '999999999')", [])
        .unwrap();
    let report = amina.sync(3);
    assert_eq!(report.pulled_restaurants, 1, "{report:?}");
    assert_eq!(amina.detail(&r).restaurant.name, "Zaza Kitchen");
    let cursor: String = amina
        .store
        .conn()
        .query_row("SELECT value FROM sync_state WHERE key = 'cursor'", [], |r| r.get(0))
        .unwrap();
    assert!(cursor.parse::<u64>().unwrap() < 999_999_999, "{cursor}");
}

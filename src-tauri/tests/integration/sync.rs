//! Team sync against a real PostgreSQL (tests/support/postgres.rs): several local databases
//! playing different people, each scenario a campaign meets (a volunteer, an organiser, a coordinator).

use crate::pg_server::TestPostgres;
use crate::support;
use chrono::{DateTime, Duration, Utc};
use std::path::PathBuf;
use tablemap_core::api;
use tablemap_core::domain::{
    ConsentAnswer, ConsentKind, NewConsent, NewVisit, Outcome, RestaurantDraft, RestaurantId, Status,
    VolunteerId,
};
use tablemap_core::stickers::campaign::Campaign;
use tablemap_core::store::Store;
use tablemap_core::sync::server::{self, NewPerson, Role};
use tablemap_core::sync::{admin_config, push, Tls, TlsMode};

pub(crate) struct Team {
    pg: TestPostgres,
    dir: tempfile::TempDir,
}

pub(crate) struct Person {
    pub store: Store,
    path: PathBuf,
    pub id: VolunteerId,
}

pub(crate) fn team() -> Team {
    let pg = TestPostgres::start();
    let (config, tls) = admin_config(&pg.admin_url()).expect("url");
    assert_eq!(tls, TlsMode::Disable);
    assert_eq!(
        server::init(&config, &Tls::plain(tls)).expect("init"),
        (1..=server::latest()).collect::<Vec<_>>()
    );
    // Re-runnable: the second time applies nothing.
    assert!(server::init(&config, &Tls::plain(tls)).expect("init again").is_empty());
    Team { pg, dir: tempfile::tempdir().expect("tempdir") }
}

/// A team whose server has the schema up to `version` only (as before an upgrade).
pub(crate) fn team_at(version: i32) -> Team {
    let pg = TestPostgres::start();
    let (config, tls) = admin_config(&pg.admin_url()).expect("url");
    assert_eq!(
        server::init_to(&config, &Tls::plain(tls), version).expect("init"),
        (1..=version).collect::<Vec<_>>()
    );
    Team { pg, dir: tempfile::tempdir().expect("tempdir") }
}

impl Team {
    pub fn person(&self, name: &str, role: Role) -> Person {
        let (config, tls) = admin_config(&self.pg.admin_url()).expect("url");
        let team = server::add_user(
            &config,
            &Tls::plain(tls),
            NewPerson { name, role, public_host: None },
            support::now(),
        )
        .expect("add user");
        let path = self.dir.path().join(format!("{name}.sqlite"));
        let mut store = Store::open(&path).expect("store");
        let joined = api::sync::join(&mut store, &team.join_code(), support::now()).expect("join");
        Person { store, path, id: VolunteerId(joined.volunteer_id) }
    }

    pub fn admin_url(&self) -> String {
        self.pg.admin_url()
    }

    /// The admin's own connection.
    pub fn admin(&self) -> postgres::Client {
        let (config, tls) = admin_config(&self.pg.admin_url()).expect("url");
        tablemap_core::sync::connect(&config, &Tls::plain(tls)).expect("connect")
    }

    /// Rows in a server table, as the admin sees them.
    pub fn count(&self, table: &str) -> i64 {
        let (config, tls) = admin_config(&self.pg.admin_url()).expect("url");
        let mut c = tablemap_core::sync::connect(&config, &Tls::plain(tls)).expect("connect");
        c.query_one(&format!("SELECT count(*) FROM tablemap.{table}"), &[]).expect("count").get(0)
    }
}

/// A plain visit to `r` by `volunteer` at `minutes`: no stickers, note or follow-up.
pub(crate) fn visit_as(
    r: &RestaurantId,
    volunteer: &VolunteerId,
    outcome: Outcome,
    minutes: i64,
) -> NewVisit {
    NewVisit {
        restaurant_id: r.clone(),
        volunteer_id: volunteer.clone(),
        visited_at: Some(at(minutes)),
        outcome,
        stickers_left: 0,
        note: None,
        follow_up_on: None,
        corrects: None,
        sticker_codes: vec![],
    }
}

pub(crate) fn at(minutes: i64) -> DateTime<Utc> {
    support::now() + Duration::minutes(minutes)
}

impl Person {
    pub fn sync(&mut self, minutes: i64) -> api::sync::SyncReport {
        api::sync::sync(&mut self.store, at(minutes)).expect("sync")
    }

    pub fn add_restaurant(&mut self, name: &str, minutes: i64) -> RestaurantId {
        let draft = RestaurantDraft { name: name.into(), lat: 51.546, lon: -0.075, ..Default::default() };
        api::restaurants::add(&mut self.store, draft, at(minutes)).expect("add").restaurant.id
    }

    pub fn visit(&mut self, r: &RestaurantId, outcome: Outcome, minutes: i64) {
        let visit = visit_as(r, &self.id, outcome, minutes);
        api::visits::record(&mut self.store, visit, at(minutes)).expect("visit");
    }

    pub fn detail(&self, r: &RestaurantId) -> api::RestaurantDetail {
        api::restaurants::detail(&self.store, r).expect("detail")
    }

    pub fn visit_ids(&self, r: &RestaurantId) -> Vec<String> {
        let mut ids: Vec<String> = self.detail(r).visits.into_iter().map(|v| v.id.0).collect();
        ids.sort();
        ids
    }
}

/// A team of a coordinator and two volunteers who all have one restaurant.
fn three() -> (Team, Person, Person, Person, RestaurantId) {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let mut bo = team.person("Bo", Role::Volunteer);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    assert_eq!(coord.sync(2).refused, Vec::<String>::new());
    amina.sync(3);
    bo.sync(3);
    (team, coord, amina, bo, r)
}

#[test]
fn sync_two_volunteers_offline_visit_the_same_restaurant_and_everyone_has_both_once() {
    let (team, mut coord, mut amina, mut bo, r) = three();
    assert_eq!(amina.detail(&r).restaurant.name, "Zaza Kitchen");
    amina.visit(&r, Outcome::Spoke, 10);
    bo.visit(&r, Outcome::ComeBack, 11);
    amina.sync(20);
    bo.sync(21);
    amina.sync(22);
    coord.sync(23);
    let want = bo.visit_ids(&r);
    assert_eq!(want.len(), 2);
    for p in [&amina, &bo, &coord] {
        assert_eq!(p.visit_ids(&r), want);
        assert_eq!(p.detail(&r).summary.status, Status::FollowUp);
    }
    assert_eq!(team.count("visits"), 2);
    // The coordinator sees everyone: the volunteers are known by name on every machine.
    let names: Vec<String> =
        api::volunteers::list(&coord.store).unwrap().into_iter().map(|v| v.display_name).collect();
    assert_eq!(names, ["Amina", "Bo", "Cora"]);
    let status = api::sync::status(&amina.store).unwrap();
    assert_eq!((status.waiting, status.refused, status.last_error), (0, 0, None));
}

#[test]
fn sync_pushing_the_same_changes_twice_changes_nothing() {
    let (team, _coord, mut amina, _bo, r) = three();
    amina.visit(&r, Outcome::Agreed, 10);
    let consent = NewConsent {
        restaurant_id: r.clone(),
        kind: ConsentKind::DisplaySticker,
        answer: ConsentAnswer::Yes,
        recorded_by: amina.id.clone(),
    };
    api::visits::record_consent(&mut amina.store, consent, at(11)).unwrap();
    // A copy of the database before the push: as if this machine died after the server
    // committed but before it emptied its outbox.
    let copy = amina.path.with_extension("copy");
    amina.store.conn().execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
    assert_eq!(amina.sync(20).pushed, 2);
    let before = (team.count("visits"), team.count("consent_records"), team.count("restaurant_fields"));
    drop(amina.store);
    std::fs::copy(&copy, &amina.path).unwrap();
    let _ = std::fs::remove_file(amina.path.with_extension("sqlite-wal"));
    amina.store = Store::open(&amina.path).unwrap();
    assert_eq!(api::sync::status(&amina.store).unwrap().waiting, 2);
    assert_eq!(amina.sync(21).pushed, 2);
    assert_eq!(
        (team.count("visits"), team.count("consent_records"), team.count("restaurant_fields")),
        before
    );
    assert_eq!(amina.visit_ids(&r).len(), 1);
    assert_eq!(api::sync::status(&amina.store).unwrap().waiting, 0);
}

#[test]
fn sync_cut_off_half_way_then_rerun_loses_and_duplicates_nothing() {
    let (team, mut coord, mut amina, _bo, r) = three();
    for i in 0..5 {
        amina.visit(&r, Outcome::NoAnswer, 10 + i);
    }
    {
        // Two entries go, then the connection is dropped mid-sync.
        let joined = api::sync::team(&amina.store).unwrap().unwrap();
        let mut client = joined.connect().unwrap();
        let done = push::push(&mut amina.store, &mut client, Some(2)).unwrap();
        assert_eq!(done.sent, 2);
    }
    assert_eq!(team.count("visits"), 2);
    assert_eq!(api::sync::status(&amina.store).unwrap().waiting, 3);
    amina.sync(30);
    coord.sync(31);
    assert_eq!(team.count("visits"), 5);
    assert_eq!(amina.visit_ids(&r).len(), 5);
    assert_eq!(coord.visit_ids(&r), amina.visit_ids(&r));
}

#[test]
fn sync_a_volunteer_is_refused_before_anything_is_queued_in_the_permission_tables_words() {
    let (team, mut coord, mut amina, mut bo, r) = three();
    // Amina's machine knows Bo (pulled); it will not log a visit under his name, nor change
    // the campaign's words, and queues nothing of either.
    let forged = visit_as(&r, &bo.id, Outcome::DoNotContact, 10);
    let refused = api::visits::record(&mut amina.store, forged, at(10)).unwrap_err().to_string();
    assert_eq!(refused, "a volunteer may not log a visit or consent for someone else: ask a coordinator");
    let campaign = Campaign {
        name: "Amina's campaign".into(),
        base_url: "https://mc.org.uk/S".into(),
        ..Campaign::default()
    };
    let refused = api::stickers::save_campaign(&mut amina.store, campaign, at(11)).unwrap_err().to_string();
    assert_eq!(
        refused,
        "a volunteer may not change the campaign's words, sticker address or logo: ask an organiser or a coordinator"
    );
    amina.visit(&r, Outcome::Spoke, 12);
    let status = api::sync::status(&amina.store).unwrap();
    assert_eq!((status.waiting, status.refused), (1, 0));
    assert_eq!(status.allowed, tablemap_core::domain::permissions::allowed(Role::Volunteer));

    let report = amina.sync(20);
    assert_eq!((report.pushed, report.refused.len()), (1, 0), "{:?}", report.refused);
    assert_eq!(team.count("visits"), 1);
    assert_eq!(team.count("campaign_settings"), 0);

    // An organiser's campaign reaches everyone.
    let mut olu = team.person("Olu", Role::Organiser);
    let campaign = Campaign {
        name: "Welcome here".into(),
        base_url: "https://mc.org.uk/S".into(),
        ..Campaign::default()
    };
    api::stickers::save_campaign(&mut olu.store, campaign, at(30)).unwrap();
    assert!(olu.sync(31).refused.is_empty());
    bo.sync(32);
    coord.sync(32);
    assert_eq!(api::stickers::campaign(&bo.store).unwrap().name, "Welcome here");
    // The coordinator may record for someone else (paper walk sheets).
    let paper = visit_as(&r, &bo.id, Outcome::Agreed, 33);
    api::visits::record(&mut coord.store, paper, at(33)).unwrap();
    assert!(coord.sync(34).refused.is_empty());
    assert_eq!(team.count("visits"), 2);
}

/// Changes queued under one role and sent after a coordinator lowered it are refused by the
/// server, kept here as "not accepted by the team" with the reason, and go once the role
/// allows them again and the person asks.
#[test]
fn sync_changes_queued_before_a_role_change_are_refused_by_the_server_and_kept_to_send_again() {
    let team = team();
    let (config, tls) = admin_config(&team.admin_url()).unwrap();
    let tls = Tls::plain(tls);
    let mut olu = team.person("Olu", Role::Organiser);
    let r = olu.add_restaurant("Zaza Kitchen", 1);
    olu.sync(2);
    // Offline, Olu changes the campaign's words and a phone number; meanwhile she is made a volunteer.
    let campaign = Campaign {
        name: "Welcome here".into(),
        base_url: "https://mc.org.uk/S".into(),
        ..Campaign::default()
    };
    api::stickers::save_campaign(&mut olu.store, campaign, at(3)).unwrap();
    let mut d = tablemap_core::domain::merge::draft_of(&olu.detail(&r).restaurant);
    d.phone = Some("020 7000 1234".into());
    api::restaurants::update(&mut olu.store, &r, d.clone(), at(4)).unwrap();
    server::set_role(&config, &tls, "Olu", Role::Volunteer).unwrap();
    let report = olu.sync(5);
    assert_eq!(report.refused.len(), 2, "{:?}", report.refused);
    let all = report.refused.join("\n");
    assert!(all.contains("only organisers and coordinators may change the campaign settings"), "{all}");
    assert!(all.contains("only organisers and coordinators may add or edit restaurants"), "{all}");
    let status = api::sync::status(&olu.store).unwrap();
    assert_eq!((status.role.as_deref(), status.waiting, status.refused), (Some("volunteer"), 0, 2));
    assert_eq!(status.refusals.len(), 2);
    assert_eq!(team.count("campaign_settings"), 0);
    // Her window now refuses the same things itself.
    let again = api::restaurants::update(&mut olu.store, &r, d, at(6)).unwrap_err().to_string();
    assert!(again.starts_with("a volunteer may not add, edit or import restaurants"), "{again}");
    // Organiser again: asked, the refused changes go.
    server::set_role(&config, &tls, "Olu", Role::Organiser).unwrap();
    olu.sync(7);
    assert_eq!(api::sync::retry_refused(&mut olu.store).unwrap(), 2);
    let report = olu.sync(8);
    assert_eq!((report.pushed, report.refused.len()), (2, 0), "{:?}", report.refused);
    assert_eq!(team.count("campaign_settings"), 1);
}

#[test]
fn sync_a_concurrent_edit_of_one_field_lands_on_the_review_list() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let mut olu = team.person("Olu", Role::Organiser);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    coord.sync(2);
    olu.sync(3);
    let edit = |p: &mut Person, phone: &str, minutes: i64| {
        let mut d = tablemap_core::domain::merge::draft_of(&p.detail(&r).restaurant);
        d.phone = Some(phone.into());
        api::restaurants::update(&mut p.store, &r, d, at(minutes)).unwrap();
    };
    // Both change the phone from the same (empty) value while offline; Cora's is later.
    edit(&mut olu, "020 7000 1111", 10);
    edit(&mut coord, "020 7000 2222", 11);
    // A later, unrelated edit by Olu to another field merges without a review.
    let mut d = tablemap_core::domain::merge::draft_of(&olu.detail(&r).restaurant);
    d.website = Some("zaza.example".into());
    api::restaurants::update(&mut olu.store, &r, d, at(12)).unwrap();
    olu.sync(20);
    coord.sync(21);
    olu.sync(22);
    for p in [&olu, &coord] {
        let got = p.detail(&r).restaurant;
        assert_eq!(got.phone.as_deref(), Some("020 7000 2222"));
        assert_eq!(got.website.as_deref(), Some("zaza.example"));
    }
    assert_eq!(team.count("reviews"), 1);
    let (field, kept, other): (String, String, String) = coord
        .store
        .conn()
        .query_row("SELECT field, kept_value, other_value FROM sync_reviews", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        (field.as_str(), kept.as_str(), other.as_str()),
        ("phone", "\"020 7000 2222\"", "\"020 7000 1111\"")
    );
    let on_olu: i64 =
        olu.store.conn().query_row("SELECT count(*) FROM sync_reviews", [], |r| r.get(0)).unwrap();
    assert_eq!(on_olu, 0, "only coordinators read the review list");
}

#[test]
fn sync_a_withdrawn_consent_and_do_not_contact_win_over_older_changes() {
    let (_team, mut coord, mut amina, mut bo, r) = three();
    let consent = |p: &Person, answer| NewConsent {
        restaurant_id: r.clone(),
        kind: ConsentKind::ListedPublicly,
        answer,
        recorded_by: p.id.clone(),
    };
    // Amina heard yes in the morning but syncs late; Bo heard the owner withdraw it, and not
    // to come back, in the afternoon.
    let yes = consent(&amina, ConsentAnswer::Yes);
    api::visits::record_consent(&mut amina.store, yes, at(10)).unwrap();
    amina.visit(&r, Outcome::Agreed, 10);
    let no = consent(&bo, ConsentAnswer::No);
    api::visits::record_consent(&mut bo.store, no, at(300)).unwrap();
    bo.visit(&r, Outcome::DoNotContact, 300);
    bo.sync(301);
    amina.sync(400);
    bo.sync(401);
    coord.sync(402);
    for p in [&amina, &bo, &coord] {
        let d = p.detail(&r);
        assert_eq!(d.consents.listed_publicly.map(|c| c.answer), Some(ConsentAnswer::No));
        assert_eq!(d.summary.status, Status::DoNotContact);
    }
}

#[test]
fn sync_without_a_team_or_server_says_so_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("solo.sqlite")).unwrap();
    let err = api::sync::sync(&mut store, support::now()).unwrap_err().to_string();
    assert!(err.contains("has not joined a team"), "{err}");
    assert!(api::sync::join(&mut store, "tablemap1:garbage", support::now()).is_err());
    // A server that is not there: the error is kept for the window's status line.
    let gone = tablemap_core::sync::TeamConnection {
        host: "127.0.0.1".into(),
        port: 1,
        dbname: "x".into(),
        user: "amina".into(),
        password: "p".into(),
        tls: TlsMode::Disable,
        volunteer_id: "01J0000000000000000000000A".into(),
        name: "Amina".into(),
        role: "volunteer".into(),
        ca_pem: None,
    };
    api::sync::join(&mut store, &gone.join_code(), support::now()).unwrap();
    let err = api::sync::sync(&mut store, support::now()).unwrap_err().to_string();
    assert!(err.contains("could not reach the team server at 127.0.0.1:1"), "{err}");
    assert_eq!(api::sync::status(&store).unwrap().last_error, Some(err));
}

#[test]
fn sync_the_command_line_from_server_init_to_sync() {
    let pg = TestPostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cora.sqlite");
    let url = pg.admin_url();
    let init = support::tablemap(&db, &["server", "init", "--url", &url]).ok();
    let all: Vec<i32> = (1..=server::latest()).collect();
    assert!(init.contains(&format!("applied team schema versions {all:?}")), "{init}");
    let again = support::tablemap(&db, &["server", "init", "--url", &url]).ok();
    assert!(again.contains("up to date"), "{again}");
    let added =
        support::tablemap(&db, &["server", "add-user", "Cora B", "--role", "coordinator", "--url", &url])
            .ok();
    let code = added.lines().last().unwrap().to_string();
    assert!(code.starts_with("tablemap1:"), "{added}");
    // The code is pasted, never typed on the command line (`ps` and the shell's history).
    let joined = support::tablemap_with_input(&db, &["join"], &format!("{code}\n")).ok();
    assert!(joined.contains("as Cora B (coordinator)"), "{joined}");
    let login = added.lines().next().unwrap().rsplit("login '").next().unwrap().trim_end_matches('\'');
    assert!(login.starts_with("tm_") && !login.contains("cora"), "an opaque login: {added}");
    support::tablemap(&db, &["restaurants", "add", "--name", "Zaza", "--lat", "51.5", "--lon", "-0.07"]).ok();
    let synced = support::tablemap(&db, &["sync", "--once"]).ok();
    assert!(synced.starts_with("pushed 10 changes"), "{synced}");
    let status = support::tablemap(&db, &["sync", "--status"]).ok();
    assert!(status.contains("\"waiting\": 0"), "{status}");
    let dup = support::tablemap(&db, &["server", "add-user", "Cora B", "--role", "volunteer", "--url", &url]);
    assert_ne!(dup.code, 0);
    assert!(dup.stderr.contains("is on the team already"), "{}", dup.stderr);
}

#[test]
fn sync_what_was_recorded_before_joining_is_shared_and_the_demo_set_is_not() {
    let team = team();
    let (config, tls) = admin_config(&team.pg.admin_url()).expect("url");
    let invite = server::add_user(
        &config,
        &Tls::plain(tls),
        NewPerson { name: "Dee", role: Role::Coordinator, public_host: None },
        support::now(),
    )
    .expect("add user");
    // Working alone first: the demo set, and a restaurant of her own. Nothing is queued yet.
    let path = team.dir.path().join("dee.sqlite");
    let mut store = Store::open(&path).expect("store");
    tablemap_core::demo::seed(&mut store, 30, 1, at(0)).expect("demo");
    let draft =
        RestaurantDraft { name: "Marrakech Grill".into(), lat: 51.55, lon: -0.07, ..Default::default() };
    let own = api::restaurants::add(&mut store, draft, at(1)).expect("add").restaurant.id;
    assert_eq!(api::sync::status(&store).expect("status").waiting, 0, "alone, nothing is queued");
    let outbox: i64 = store.conn().query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).expect("count");
    assert_eq!(outbox, 0);

    // Joining queues her own restaurant (not the demo set); syncing sends it.
    api::sync::join(&mut store, &invite.join_code(), at(2)).expect("join");
    assert!(api::sync::status(&store).expect("status").waiting > 0);
    let report = api::sync::sync(&mut store, at(3)).expect("sync");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(team.count("restaurants"), 1, "only her own restaurant reached the team");
    let mut other = team.person("Eve", Role::Volunteer);
    other.sync(4);
    assert_eq!(other.detail(&own).restaurant.name, "Marrakech Grill");
}

#[test]
fn sync_leaving_a_team_keeps_the_data_and_stops_sharing() {
    let team = team();
    let mut coord = team.person("Cora", Role::Coordinator);
    let r = coord.add_restaurant("Zaza Kitchen", 1);
    coord.sync(2);
    coord.visit(&r, Outcome::Spoke, 3);
    assert_eq!(api::sync::status(&coord.store).unwrap().waiting, 1);
    assert_eq!(api::sync::leave(&mut coord.store).unwrap(), 1, "the visit not sent yet");
    let status = api::sync::status(&coord.store).unwrap();
    assert!(!status.joined && status.waiting == 0, "{status:?}");
    assert_eq!(coord.visit_ids(&r).len(), 1, "kept here");
    coord.visit(&r, Outcome::Agreed, 4);
    assert_eq!(api::sync::status(&coord.store).unwrap().waiting, 0, "no longer queued");
    assert!(api::sync::sync(&mut coord.store, at(5)).unwrap_err().to_string().contains("has not joined"));
    assert!(api::sync::leave(&mut coord.store).is_err(), "not in a team");
    assert_eq!(team.count("visits"), 0);
}

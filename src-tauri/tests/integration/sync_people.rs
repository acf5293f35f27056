//! People come and go, against a real PostgreSQL: `server users`, `set-role`, `rotate` and
//! `remove-user`, as the admin runs them, and what the person's machine then meets.

use crate::support;
use crate::sync::{team, Person};
use tablemap_core::api;
use tablemap_core::domain::Outcome;
use tablemap_core::sync::server::{self, Role};
use tablemap_core::sync::{admin_config, Tls};

fn client(p: &Person) -> postgres::Client {
    api::sync::team(&p.store).expect("team").expect("joined").connect().expect("connect")
}

fn still_open(c: &mut postgres::Client) -> bool {
    c.simple_query("SELECT 1").is_ok()
}

#[test]
fn sync_people_are_listed_re_roled_rotated_and_removed() {
    let team = team();
    let (config, tls) = admin_config(&team.admin_url()).unwrap();
    let tls = Tls::plain(tls);
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let r = cora.add_restaurant("Zaza Kitchen", 1);
    cora.sync(2);
    amina.sync(3);

    // Who is on the team, and when the server last saw them.
    let people = server::users(&config, &tls).unwrap();
    let names: Vec<(&str, &str, bool)> =
        people.iter().map(|p| (p.name.as_str(), p.role.as_str(), p.last_sync.is_some())).collect();
    assert_eq!(names, [("Cora", "coordinator", true), ("Amina", "volunteer", true)]);
    assert!(people.iter().all(|p| p.login.starts_with("tm_") && !p.login.contains("amina")));

    // A new role counts from the next sync: an organiser may edit restaurants.
    server::set_role(&config, &tls, "amina", Role::Organiser).unwrap();
    amina.sync(4);
    assert_eq!(api::sync::status(&amina.store).unwrap().role.as_deref(), Some("organiser"));
    let mut d = tablemap_core::domain::merge::draft_of(&amina.detail(&r).restaurant);
    d.phone = Some("020 7000 1234".into());
    api::restaurants::update(&mut amina.store, &r, d, crate::sync::at(5)).unwrap();
    let report = amina.sync(6);
    assert_eq!((report.pushed, report.refused.len()), (1, 0), "{:?}", report.refused);

    // A rotated login: its open connection ends, the old join code stops working, the new one works.
    let mut open = client(&amina);
    let fresh = server::rotate(&config, &tls, "Amina", None).unwrap();
    assert!(!still_open(&mut open), "the old connection was ended");
    let err = api::sync::sync(&mut amina.store, crate::sync::at(7)).unwrap_err().to_string();
    assert!(err.contains("did not accept the login") && err.contains("new join code"), "{err}");
    api::sync::join(&mut amina.store, &fresh.join_code(), crate::sync::at(8)).unwrap();
    amina.visit(&r, Outcome::Spoke, 9);
    assert_eq!(amina.sync(10).pushed, 1);

    // Removed: at once, whatever connection they hold; what they recorded stays, under their name.
    let mut open = client(&amina);
    let gone = server::remove_user(&config, &tls, "Amina").unwrap();
    assert!(gone.removed.is_some());
    assert!(!still_open(&mut open));
    let err = api::sync::sync(&mut amina.store, crate::sync::at(11)).unwrap_err().to_string();
    assert!(err.contains("did not accept the login"), "{err}");
    // A revoked login still trying, by hand: refused at the door.
    let mut by_hand = api::sync::team(&amina.store).unwrap().unwrap();
    by_hand.password = fresh.password.clone();
    assert!(by_hand.connect().is_err());
    cora.sync(12);
    let visits = cora.detail(&r).visits;
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].volunteer_name, "Amina");
    let listed = server::users(&config, &tls).unwrap();
    assert!(listed.iter().any(|p| p.name == "Amina" && p.removed.is_some()));
    // Nothing more can be done to a removed person but adding them again.
    let again = server::set_role(&config, &tls, &gone.login, Role::Coordinator).unwrap_err().to_string();
    assert!(again.contains("was removed"), "{again}");
    let unknown = server::remove_user(&config, &tls, "Nobody").unwrap_err().to_string();
    assert!(unknown.contains("server users"), "{unknown}");
}

#[test]
fn sync_the_admin_commands_from_the_command_line() {
    let team = team();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.sqlite");
    let url = team.admin_url();
    let run = |args: &[&str]| support::tablemap(&db, &[args, &["--url", &url]].concat());
    let added = run(&["server", "add-user", "Bo", "--role", "volunteer"]).ok();
    let code = added.lines().last().unwrap().to_string();
    let bo_db = dir.path().join("bo.sqlite");
    support::tablemap_with_input(&bo_db, &["join"], &format!("{code}\n")).ok();
    support::tablemap(&bo_db, &["sync", "--once"]).ok();
    let users = run(&["server", "users"]).ok();
    let bo_line = users.lines().find(|l| l.starts_with("Bo ")).unwrap_or_else(|| panic!("{users}"));
    assert!(
        bo_line.contains("volunteer") && bo_line.contains("on the team") && !bo_line.contains("never"),
        "{users}"
    );
    let set = run(&["server", "set-role", "Bo", "--role", "coordinator"]).ok();
    assert!(set.contains("is now coordinator"), "{set}");
    let rotated = run(&["server", "rotate", "Bo"]).ok();
    let new_code = rotated.lines().last().unwrap().to_string();
    assert!(new_code.starts_with("tablemap1:") && new_code != code, "{rotated}");
    let stale = support::tablemap(&bo_db, &["sync", "--once"]);
    assert_ne!(stale.code, 0);
    assert!(stale.stderr.contains("new join code"), "{}", stale.stderr);
    let removed = run(&["server", "remove-user", "Bo"]).ok();
    assert!(removed.contains("removed Bo"), "{removed}");
    let users = run(&["server", "users"]).ok();
    assert!(users.lines().any(|l| l.starts_with("Bo ") && l.contains("removed 20")), "{users}");
    let empty = support::tablemap_with_input(&bo_db, &["join"], "\n");
    assert_ne!(empty.code, 0);
    assert!(empty.stderr.contains("no join code was given"), "{}", empty.stderr);
}

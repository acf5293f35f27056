//! A team's server from before schema 5 already holds rows that break its rules (written by a
//! hostile member with an older Tablemap). Clients hold them back with their reason and go on;
//! `server init` then moves them to `tablemap.quarantine`, where a coordinator can read them and
//! no pull ever finds them.

use crate::sync::team_at;
use tablemap_core::api;
use tablemap_core::domain::Outcome;
use tablemap_core::sync::server::{self, Role};
use tablemap_core::sync::{admin_config, Tls};

#[test]
fn sync_rows_stored_before_the_checks_are_quarantined_by_server_init() {
    let team = team_at(4);
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let r = cora.add_restaurant("Zaza Kitchen", 1);
    cora.sync(2);
    amina.sync(3);
    amina.visit(&r, Outcome::Spoke, 4);
    amina.sync(4);
    let good = amina.visit_ids(&r)[0].clone();
    // What schema 4 let through, written as the admin to stand for what members once could.
    let mut admin = team.admin();
    let visit = |id: &str, visited: &str, corrects: Option<&str>| {
        format!(
            "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, corrects, hlc) \
             VALUES ('{id}', '{r}', '{me}', '{visited}', '2026-06-01T12:00:00.000Z', 'declined', {c}, 'x');",
            r = r.as_str(),
            me = amina.id.as_str(),
            c = corrects.map_or("NULL".to_string(), |c| format!("'{c}'"))
        )
    };
    admin
        .batch_execute(&format!(
            "ALTER TABLE tablemap.visits DISABLE TRIGGER USER; ALTER TABLE tablemap.consent_records DISABLE TRIGGER USER;
             {} {} {} {}
             INSERT INTO tablemap.consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at, hlc)
             VALUES ('01JBADCONSENT0000000000001', '{r}', 'listed_publicly', 'yes', '{me}', 'epoch', 'x');
             ALTER TABLE tablemap.visits ENABLE TRIGGER USER; ALTER TABLE tablemap.consent_records ENABLE TRIGGER USER;",
            visit("01JBADVISIT000000000000001", "tomorrow", None),
            visit("01JBADVISIT000000000000002", "2026-06-01T12:00:00.000Z", Some("01JBADVISIT000000000000001")),
            visit("01JBADVISIT000000000000003", "2026-06-01T12:00:00.000Z", Some(&good)),
            visit("01JBADVISIT000000000000004", "2026-06-01T12:01:00.000Z", Some(&good)),
            r = r.as_str(),
            me = amina.id.as_str(),
        ))
        .unwrap();

    // A client pulls them, holds back what it cannot trust, and its sync goes on.
    let report = cora.sync(10);
    let held = api::sync::status(&cora.store).unwrap().held;
    assert!(held.iter().any(|h| h.contains("01JBADCONSENT0000000000001")), "{held:?}");
    assert!(held.iter().any(|h| h.contains("01JBADVISIT000000000000001")), "{held:?}");
    assert!(report.pulled_visits >= 1, "the sound rows land: {report:?}");
    assert_eq!(cora.detail(&r).consents.listed_publicly, None, "the 'epoch' yes never counts");

    // The upgrade moves every row that breaks the new rules aside, with its reason.
    let (config, tls) = admin_config(&team.admin_url()).unwrap();
    assert_eq!(server::init(&config, &Tls::plain(tls)).unwrap(), vec![5]);
    let mut quarantined: Vec<(String, String, String)> = admin
        .query("SELECT kind, id, reason FROM tablemap.quarantine ORDER BY kind, id", &[])
        .unwrap()
        .into_iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    quarantined.sort();
    let want = [
        ("consent", "01JBADCONSENT0000000000001", "its recorded_at is not a time"),
        ("visit", "01JBADVISIT000000000000001", "its visited_at is not a time"),
        ("visit", "01JBADVISIT000000000000002", "it corrects a visit set aside"),
        ("visit", "01JBADVISIT000000000000004", "it corrects a visit that was corrected already"),
    ];
    let got: Vec<(&str, &str, &str)> =
        quarantined.iter().map(|(k, i, r)| (k.as_str(), i.as_str(), r.as_str())).collect();
    assert_eq!(got, want);
    assert_eq!(team.count("visits"), 2, "Amina's visit and its one correction stay");
    // A coordinator reads the quarantine; a volunteer cannot.
    let mut as_cora = api::sync::team(&cora.store).unwrap().unwrap().connect().unwrap();
    let n: i64 = as_cora.query_one("SELECT count(*) FROM tablemap.quarantine", &[]).unwrap().get(0);
    assert_eq!(n, 4);
    let mut as_amina = api::sync::team(&amina.store).unwrap().unwrap().connect().unwrap();
    assert!(as_amina.query_one("SELECT count(*) FROM tablemap.quarantine", &[]).is_err());

    // Someone joining now never sees them; the checks hold for every row.
    let mut dee = team.person("Dee", Role::Volunteer);
    dee.sync(20);
    assert!(api::sync::status(&dee.store).unwrap().held.is_empty());
    assert_eq!(dee.visit_ids(&r).len(), 2);
    cora.sync(21);
}

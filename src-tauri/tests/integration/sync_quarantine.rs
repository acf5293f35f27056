//! A team's server from before schema 5 already holds rows that break its rules (written by a
//! hostile member with an older Tablemap). `server init` moves them to `tablemap.quarantine`,
//! where a coordinator can read them and no pull ever finds them.

use crate::sync::team_at;
use tablemap_core::api;
use tablemap_core::sync::server::{self, Role};
use tablemap_core::sync::{admin_config, Tls};

#[test]
fn sync_rows_stored_before_the_checks_are_quarantined_by_server_init() {
    let team = team_at(4);
    // An older team, as its server holds it: a volunteer, a restaurant, a visit and its one
    // correction, and what schema 4 let through (written as the admin, standing for what members
    // once could write).
    let mut admin = team.admin();
    let visit = |id: &str, visited: &str, corrects: Option<&str>| {
        format!(
            "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, corrects, hlc) \
             VALUES ('{id}', 'RZAZA', 'VAMINA', '{visited}', '2026-06-01T12:00:00.000Z', 'declined', {c}, 'x');",
            c = corrects.map_or("NULL".to_string(), |c| format!("'{c}'"))
        )
    };
    let stamp = "0001780000000000-00000-00000000000000aa";
    admin
        .batch_execute(&format!(
            "INSERT INTO tablemap.volunteers (id, display_name, created_at) VALUES ('VAMINA', 'Amina', '2026-05-01T10:00:00.000Z');
             INSERT INTO tablemap.restaurants (id, source, created_at) VALUES ('RZAZA', 'manual', '2026-05-01T10:00:00.000Z');
             INSERT INTO tablemap.restaurant_fields (restaurant_id, field, value, hlc) VALUES
                 ('RZAZA', 'name', '\"Zaza Kitchen\"', '{stamp}'), ('RZAZA', 'position', '[51.546, -0.075]', '{stamp}');
             {good} {fix}",
            good = visit("01JGOODVISIT00000000000001", "2026-05-02T12:00:00.000Z", None),
            fix = visit("01JGOODVISIT00000000000002", "2026-05-02T12:00:00.000Z", Some("01JGOODVISIT00000000000001")),
        ))
        .unwrap();
    // Later, in a transaction of its own.
    admin
        .batch_execute(&format!(
            "ALTER TABLE tablemap.visits DISABLE TRIGGER USER; ALTER TABLE tablemap.consent_records DISABLE TRIGGER USER;
             {} {} {}
             INSERT INTO tablemap.consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at, hlc)
             VALUES ('01JBADCONSENT0000000000001', 'RZAZA', 'listed_publicly', 'yes', 'VAMINA', 'epoch', 'x');
             ALTER TABLE tablemap.visits ENABLE TRIGGER USER; ALTER TABLE tablemap.consent_records ENABLE TRIGGER USER;",
            visit("01JBADVISIT000000000000001", "tomorrow", None),
            visit("01JBADVISIT000000000000002", "2026-06-01T12:00:00.000Z", Some("01JBADVISIT000000000000001")),
            visit("01JBADVISIT000000000000004", "2026-06-01T12:01:00.000Z", Some("01JGOODVISIT00000000000001")),
        ))
        .unwrap();

    // The upgrade moves every row that breaks the new rules aside, with its reason.
    let (config, tls) = admin_config(&team.admin_url()).unwrap();
    assert_eq!(server::init(&config, &Tls::plain(tls)).unwrap(), (5..=server::latest()).collect::<Vec<_>>());
    let quarantined: Vec<(String, String, String)> = admin
        .query("SELECT kind, id, reason FROM tablemap.quarantine ORDER BY kind, id", &[])
        .unwrap()
        .into_iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let want = [
        ("consent", "01JBADCONSENT0000000000001", "its recorded_at is not a time"),
        ("visit", "01JBADVISIT000000000000001", "its visited_at is not a time"),
        ("visit", "01JBADVISIT000000000000002", "it corrects a visit set aside"),
        ("visit", "01JBADVISIT000000000000004", "it corrects a visit that was corrected already"),
    ];
    let got: Vec<(&str, &str, &str)> =
        quarantined.iter().map(|(k, i, r)| (k.as_str(), i.as_str(), r.as_str())).collect();
    assert_eq!(got, want);
    assert_eq!(team.count("visits"), 2, "the visit and its one correction stay");
    assert_eq!(team.count("consent_records"), 0);

    // A coordinator reads the quarantine; a volunteer cannot. Someone syncing now never sees
    // what was set aside, and holds nothing back: the checks hold for every row.
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut dee = team.person("Dee", Role::Volunteer);
    let mut as_cora = api::sync::team(&cora.store).unwrap().unwrap().connect().unwrap();
    let n: i64 = as_cora.query_one("SELECT count(*) FROM tablemap.quarantine", &[]).unwrap().get(0);
    assert_eq!(n, 4);
    let mut as_dee = api::sync::team(&dee.store).unwrap().unwrap().connect().unwrap();
    assert!(as_dee.query_one("SELECT count(*) FROM tablemap.quarantine", &[]).is_err());
    for p in [&mut cora, &mut dee] {
        let report = p.sync(20);
        assert_eq!((report.pulled_restaurants, report.pulled_visits), (1, 2), "{report:?}");
        assert!(api::sync::status(&p.store).unwrap().held.is_empty());
        let r = tablemap_core::domain::RestaurantId("RZAZA".into());
        assert_eq!(p.detail(&r).consents.listed_publicly, None, "the 'epoch' yes is gone");
    }
}

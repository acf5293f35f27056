//! The permission table (`domain::permissions`) against the team server's grants and row-level
//! security: for every action, a write that needs it, tried by each role with their own login in
//! a transaction that is rolled back. The server must take it exactly when the table says the
//! role may, so the window, the command line and the server cannot drift apart.

use crate::sync_attacks::{
    area_with, campaign, circle, claim, client, message, quoted, run, stage, stamp, template_on_page, visit,
    Scene, Stage, Write,
};
use tablemap_core::domain::permissions::{allows, Action, Role};

/// A write that only a role allowed `action` may make.
fn write_for(action: Action, s: &Scene, bo: &str) -> Write {
    let someone_else = format!("'{bo}'");
    let other_visit = format!("'{}'", s.bo_visit);
    match action {
        Action::LogOwnVisits => visit("01JPRM00000000000000000001", s, &[]),
        Action::LogForOthers => visit("01JPRM00000000000000000002", s, &[("volunteer_id", &someone_else)]),
        Action::Reopen => visit("01JPRM00000000000000000003", s, &[("outcome", "'reopened'")]),
        Action::CorrectOthersVisits => visit(
            "01JPRM00000000000000000004",
            s,
            &[("corrects", &other_visit), ("outcome", "'declined'")],
        ),
        Action::ProposeRestaurants => Write::Sql(format!(
            "INSERT INTO tablemap.restaurants (id, source, created_at, proposed) VALUES \
             ('01JPRM0000000000000000000A', 'manual', {}, true)",
            quoted(30)
        )),
        Action::DecideProposals => Write::Sql(format!(
            "SELECT tablemap.put_field('{}', 'standing', '\"rejected\"', '{}', NULL)",
            s.restaurant,
            stamp(30)
        )),
        Action::EditRestaurants => Write::Sql(format!(
            "SELECT tablemap.put_field('{}', 'phone', '\"020 7946 0000\"', '{}', NULL)",
            s.restaurant,
            stamp(30)
        )),
        Action::PrintStickers => Write::Sql(
            "INSERT INTO tablemap.print_batches (id, body) VALUES ('01JPRM00000000000000000005', \
             '{\"codes\": [\"7K3M9QX\"]}')"
                .into(),
        ),
        Action::ManageTemplates => template_on_page(s, "custom-permission", 595.0),
        Action::EditCampaign => campaign("https://migrantscontribute.example/S", "#1b1f23"),
        Action::DrawAreas => area_with(s, "01JPRM00000000000000000006", circle(12)),
        Action::ClaimAreas => claim("01JPRM00000000000000000007", s, &quoted(30), &quoted(60)),
        Action::AssignAreas => Write::Sql(format!(
            "INSERT INTO tablemap.area_claims (id, area_id, volunteer_id, body, hlc) VALUES \
             ('01JPRM00000000000000000008', '{area}', {someone_else}, jsonb_build_object('id', \
             '01JPRM00000000000000000008', 'area_id', '{area}', 'volunteer_id', {someone_else}, 'claimed_at', \
             {from}, 'expires_at', {to}), '{hlc}')",
            area = s.area,
            from = quoted(30),
            to = quoted(60),
            hlc = stamp(30)
        )),
        Action::AddVolunteers => Write::Sql(format!(
            "INSERT INTO tablemap.volunteers (id, display_name, created_at) VALUES \
             ('01JPRM00000000000000000009', 'Dee', {})",
            quoted(30)
        )),
        Action::Review => Write::Sql("SELECT count(*) FROM tablemap.reviews".into()),
        Action::Erase => Write::Sql(format!(
            "SELECT tablemap.erase('restaurant', '{}', {})",
            s.restaurant,
            quoted(30)
        )),
        Action::SetTeamRetention => Write::Sql(format!(
            "INSERT INTO tablemap.campaign_settings (key, value, hlc) VALUES ('note_retention', \
             '{{\"months\": 6}}', '{}')",
            stamp(30)
        )),
    }
}

#[test]
fn sync_the_permission_table_is_what_the_server_enforces() {
    let Stage { team: _team, cora, olu, amina, bo, r: _, scene } = stage();
    let mut logins = [
        (Role::Volunteer, client(&amina)),
        (Role::Organiser, client(&olu)),
        (Role::Coordinator, client(&cora)),
    ];
    let mut disagree = Vec::new();
    for action in Action::ALL {
        for (role, c) in logins.iter_mut() {
            let write = write_for(action, &scene, bo.id.as_str());
            c.batch_execute("BEGIN").expect("begin");
            let done = run(c, &write);
            c.batch_execute("ROLLBACK").expect("rollback");
            let table = allows(*role, action);
            if done.is_ok() != table {
                let server = match &done {
                    Ok(()) => "took it".to_string(),
                    Err(e) => format!("refused it ({})", message(e)),
                };
                disagree.push(format!("{action:?} by {role:?}: the table says {table}, the server {server}"));
            }
        }
    }
    assert!(disagree.is_empty(), "{disagree:#?}");
}

/// Changes the server refused (queued under a role since taken away) are dropped on request:
/// undone here, statuses worked out again, and after the next sync this machine shows exactly
/// what the team has; nothing of them reaches the server.
#[test]
fn sync_dropping_refused_changes_undoes_them_and_shows_what_the_team_has() {
    use crate::sync::{at, team, visit_as};
    use tablemap_core::api;
    use tablemap_core::domain::{Outcome, Status};
    use tablemap_core::stickers::campaign::Campaign;
    use tablemap_core::sync::server;
    use tablemap_core::sync::{admin_config, Tls};

    let team = team();
    let (config, tls) = admin_config(&team.admin_url()).expect("url");
    let tls = Tls::plain(tls);
    let mut cora = team.person("Cora", Role::Coordinator);
    let bo = team.person("Bo", Role::Volunteer);
    let r = cora.add_restaurant("Zaza Kitchen", 1);
    cora.sync(2);
    // Offline: a phone number, a visit typed in for Bo, the campaign's words; meanwhile the
    // admin makes her a volunteer.
    let mut d = tablemap_core::domain::merge::draft_of(&cora.detail(&r).restaurant);
    d.phone = Some("020 7946 0000".into());
    api::restaurants::update(&mut cora.store, &r, d, at(3)).expect("phone");
    api::visits::record(&mut cora.store, visit_as(&r, &bo.id, Outcome::DoNotContact, 4), at(4))
        .expect("for Bo");
    let words = Campaign {
        name: "Cora's words".into(),
        base_url: "https://mc.org.uk/S".into(),
        ..Campaign::default()
    };
    api::stickers::save_campaign(&mut cora.store, words, at(4)).expect("campaign");
    server::set_role(&config, &tls, "Cora", Role::Volunteer).expect("set role");
    let report = cora.sync(5);
    assert_eq!(report.refused.len(), 3, "{:?}", report.refused);
    assert_eq!(cora.detail(&r).summary.status, Status::DoNotContact);

    assert_eq!(api::sync::drop_refused(&mut cora.store).expect("drop"), 3);
    // Undone at once: the visit is gone and the status worked out again.
    assert_eq!(cora.detail(&r).visits.len(), 0);
    assert_eq!(cora.detail(&r).summary.status, Status::NotContacted);
    let report = cora.sync(6);
    assert_eq!(report.refused, Vec::<String>::new());
    let here = cora.detail(&r).restaurant;
    assert_eq!((here.name.as_str(), here.phone.as_deref()), ("Zaza Kitchen", None));
    assert_eq!(api::stickers::campaign(&cora.store).expect("campaign").name, Campaign::default().name);
    let status = api::sync::status(&cora.store).expect("status");
    assert_eq!((status.waiting, status.refused), (0, 0));
    assert_eq!((team.count("visits"), team.count("campaign_settings")), (0, 0));
    // Nothing left to drop.
    assert_eq!(api::sync::drop_refused(&mut cora.store).expect("again"), 0);
}

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

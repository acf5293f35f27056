//! How long the team keeps visit notes, against a real PostgreSQL: a coordinator's choice is the
//! team's. The server blanks older notes at the next sync, every member's machine blanks its own
//! copies when it pulls the choice, and an older visit that reaches the server late (from a
//! member who was offline) arrives without its note. Only a coordinator chooses for the team
//! (the permission table's test tries the others); a member's own choice stays on their machine.

use crate::sync::{at, team, visit_as, Person};
use tablemap_core::api;
use tablemap_core::api::retention::Retention;
use tablemap_core::domain::{NewVisit, Outcome, RestaurantId};
use tablemap_core::sync::server::Role;

/// About a month, in the minutes `at` counts.
const MONTH: i64 = 60 * 24 * 31;

fn noted_visit(p: &mut Person, r: &RestaurantId, minutes: i64, note: &str, recorded: i64) {
    let visit = NewVisit { note: Some(note.into()), ..visit_as(r, &p.id, Outcome::Spoke, minutes) };
    api::visits::record(&mut p.store, visit, at(recorded)).expect("visit");
}

fn local_notes(p: &Person, r: &RestaurantId) -> Vec<Option<String>> {
    let mut notes: Vec<_> = p.detail(r).visits.into_iter().map(|v| (v.visited_at, v.note)).collect();
    notes.sort();
    notes.into_iter().map(|(_, n)| n).collect()
}

fn months(n: Option<u32>) -> Retention {
    Retention { note_months: n, geocoding_months: 12 }
}

#[test]
fn sync_a_coordinators_note_months_blank_old_notes_on_the_server_and_on_every_machine() {
    let team = team();
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut amina = team.person("Amina", Role::Volunteer);
    let mut olu = team.person("Olu", Role::Organiser);
    let r = cora.add_restaurant("Zaza Kitchen", 1);
    cora.sync(2);
    amina.sync(2);
    olu.sync(2);
    // Amina types in two paper sheets: one from eight months ago, one from last month.
    noted_visit(&mut amina, &r, -8 * MONTH, "Owner: Selam, back on Tuesday", 3);
    noted_visit(&mut amina, &r, -MONTH, "Asked for a bigger sticker", 3);
    amina.sync(4);
    olu.sync(4);
    cora.sync(4);
    // Olu, offline from here, types in a sheet from seven months ago.
    noted_visit(&mut olu, &r, -7 * MONTH, "Olu's late note", 5);

    // Amina's own choice stays hers: her notes go, the team's stay.
    assert!(!api::retention::status(&amina.store, at(5)).expect("status").sets_for_team);
    let on_server = || -> Vec<Option<String>> {
        team.admin()
            .query("SELECT note FROM tablemap.visits ORDER BY visited_at", &[])
            .expect("notes")
            .iter()
            .map(|row| row.get(0))
            .collect()
    };
    let mut amina_alone = team.person("Amina's laptop", Role::Volunteer);
    amina_alone.sync(5);
    assert_eq!(local_notes(&amina_alone, &r).iter().flatten().count(), 2);
    api::retention::set(&mut amina_alone.store, months(Some(3)), at(6)).expect("her own choice");
    assert_eq!(local_notes(&amina_alone, &r), [None, Some("Asked for a bigger sticker".into())]);
    amina_alone.sync(7);
    assert_eq!(on_server().iter().flatten().count(), 2, "a volunteer's choice is hers alone");

    // Cora chooses six months for the team.
    let before = api::retention::status(&cora.store, at(8)).expect("status");
    assert!(before.sets_for_team);
    assert_eq!(before.team_note_months, None);
    let applied = api::retention::set(&mut cora.store, months(Some(6)), at(8)).expect("set");
    assert_eq!(applied.notes_blanked, 1, "Cora's own copy of the old note");
    let report = cora.sync(9);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(on_server(), [None, Some("Asked for a bigger sticker".into())]);

    // Amina pulls the choice: her copy of the old note goes; the recent one stays.
    amina.sync(10);
    assert_eq!(local_notes(&amina, &r), [None, Some("Asked for a bigger sticker".into())]);
    let status = api::retention::status(&amina.store, at(10)).expect("status");
    assert_eq!((status.team_note_months, status.old_notes), (Some(6), 0));
    // Her own longer choice does not keep what the team's shorter one blanks.
    api::retention::set(&mut amina.store, months(Some(24)), at(11)).expect("longer");
    assert_eq!(api::retention::status(&amina.store, at(11)).expect("status").old_after_months, 6);

    // Olu comes back online: his late visit reaches the server without its note, and his own
    // copy is blanked by the pull.
    let report = olu.sync(12);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(on_server(), [None, None, Some("Asked for a bigger sticker".into())]);
    assert_eq!(local_notes(&olu, &r), [None, None, Some("Asked for a bigger sticker".into())]);
    assert!(!api::retention::status(&olu.store, at(12)).expect("status").sets_for_team, "an organiser");

    // Cora goes back to keeping notes: a late old note is kept again.
    api::retention::set(&mut cora.store, months(None), at(13)).expect("keep");
    cora.sync(14);
    noted_visit(&mut amina, &r, -9 * MONTH, "An old sheet found in a drawer", 15);
    amina.sync(16);
    assert_eq!(on_server().first().cloned().flatten().as_deref(), Some("An old sheet found in a drawer"));
    assert_eq!(api::retention::status(&amina.store, at(16)).expect("status").team_note_months, None);
}

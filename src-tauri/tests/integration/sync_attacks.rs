//! A malicious teammate, against a real PostgreSQL: each case is a write a member could make
//! with their own login and any PostgreSQL client (psql, a script), going round Tablemap. Each
//! is refused by the server, or held back by every other member's machine with its reason; in
//! every case the others' sync goes on and what they hold is unchanged.

use crate::sync::{at, team, visit_as, Person};
use serde_json::{json, Value};
use tablemap_core::api;
use tablemap_core::domain::area::Geometry;
use tablemap_core::domain::{ConsentAnswer, ConsentKind, NewConsent, NewVisit, Outcome, RestaurantId};
use tablemap_core::sync::server::Role;

/// What must come of an attack.
#[derive(Debug)]
enum Want {
    /// The server refuses it; its error says this.
    Refused(&'static str),
    /// The server takes it; every other member's machine holds it back with this reason.
    Held(&'static str),
    /// The server takes it; it waits on every other machine for a parent that never comes.
    Waiting,
    /// Nothing wrong with it (real ward files have self-crossing outlines): it lands everywhere.
    Lands,
}

/// How the attack is written.
pub(crate) enum Write {
    Sql(String),
    /// A template or area through `put_document`, with a body made from a real one.
    Document {
        table: &'static str,
        id: String,
        body: Value,
    },
}

struct Attack {
    what: &'static str,
    by: Role,
    write: Write,
    want: Want,
}

/// What the attacks aim at: one restaurant, visits by two volunteers, an area and a template.
pub(crate) struct Scene {
    pub restaurant: String,
    pub bo_visit: String,
    pub amina_visit: String,
    pub area: String,
    pub area_body: Value,
    pub template_body: Value,
}

pub(crate) fn quoted(minutes: i64) -> String {
    format!("'{}'", at(minutes).to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

pub(crate) fn stamp(minutes: i64) -> String {
    format!("{:016}-00000-00000000000000aa", at(minutes).timestamp_millis())
}

/// An insert into `table` with `defaults` overridden by `over` (column, SQL expression).
pub(crate) fn insert(table: &str, defaults: &[(&str, String)], over: &[(&str, &str)]) -> String {
    let mut columns: Vec<(&str, String)> = defaults.to_vec();
    for (column, value) in over {
        match columns.iter_mut().find(|(c, _)| c == column) {
            Some(slot) => slot.1 = value.to_string(),
            None => columns.push((column, value.to_string())),
        }
    }
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let values: Vec<&str> = columns.iter().map(|(_, v)| v.as_str()).collect();
    format!("INSERT INTO tablemap.{table} ({}) VALUES ({})", names.join(", "), values.join(", "))
}

pub(crate) fn visit(id: &str, s: &Scene, over: &[(&str, &str)]) -> Write {
    let defaults = [
        ("id", format!("'{id}'")),
        ("restaurant_id", format!("'{}'", s.restaurant)),
        ("volunteer_id", "tablemap.my_volunteer_id()".to_string()),
        ("visited_at", quoted(20)),
        ("recorded_at", quoted(20)),
        ("outcome", "'spoke'".to_string()),
        ("hlc", format!("'{}'", stamp(20))),
    ];
    Write::Sql(insert("visits", &defaults, over))
}

pub(crate) fn consent(id: &str, s: &Scene, over: &[(&str, &str)]) -> Write {
    let defaults = [
        ("id", format!("'{id}'")),
        ("restaurant_id", format!("'{}'", s.restaurant)),
        ("kind", "'listed_publicly'".to_string()),
        ("answer", "'yes'".to_string()),
        ("recorded_by", "tablemap.my_volunteer_id()".to_string()),
        ("recorded_at", quoted(20)),
        ("hlc", format!("'{}'", stamp(20))),
    ];
    Write::Sql(insert("consent_records", &defaults, over))
}

pub(crate) fn claim(id: &str, s: &Scene, claimed: &str, expires: &str) -> Write {
    Write::Sql(format!(
        "INSERT INTO tablemap.area_claims (id, area_id, volunteer_id, body, hlc) VALUES ('{id}', '{area}', \
         tablemap.my_volunteer_id(), jsonb_build_object('id', '{id}', 'area_id', '{area}', \
         'volunteer_id', tablemap.my_volunteer_id(), 'claimed_at', {claimed}, 'expires_at', {expires}), '{hlc}')",
        area = s.area,
        hlc = stamp(20)
    ))
}

pub(crate) fn campaign(base_url: &str, text_colour: &str) -> Write {
    let mut value =
        serde_json::to_value(tablemap_core::stickers::campaign::Campaign::default()).expect("campaign");
    value["base_url"] = json!(base_url);
    value["text_colour"] = json!(text_colour);
    Write::Sql(format!(
        "INSERT INTO tablemap.campaign_settings (key, value, hlc) VALUES ('campaign', '{}', '{}') \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, hlc = excluded.hlc",
        value.to_string().replace('\'', "''"),
        stamp(20)
    ))
}

/// The scene's template with its page shrunk to `width` points (its labels fall off it).
pub(crate) fn template_on_page(s: &Scene, id: &str, width: f64) -> Write {
    let mut body = s.template_body.clone();
    let mut definition: Value =
        serde_json::from_str(body["definition"].as_str().expect("definition")).expect("template");
    definition["id"] = json!(id);
    definition["page"]["width"] = json!(width);
    body["id"] = json!(id);
    body["definition"] = json!(definition.to_string());
    Write::Document { table: "templates", id: id.into(), body }
}

/// The scene's area with another outline (`ring` as [lon, lat] points).
pub(crate) fn area_with(s: &Scene, id: &str, ring: Vec<[f64; 2]>) -> Write {
    let mut body = s.area_body.clone();
    body["id"] = json!(id);
    body["name"] = json!(format!("Area {id}"));
    body["geometry"] = json!(json!({"type": "Polygon", "coordinates": [ring]}).to_string());
    Write::Document { table: "areas", id: id.into(), body }
}

/// A closed ring of `n` distinct points on a small circle.
pub(crate) fn circle(n: usize) -> Vec<[f64; 2]> {
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            [-0.075 + 0.01 * a.cos(), 51.545 + 0.01 * a.sin()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn attacks(s: &Scene) -> Vec<Attack> {
    use Role::{Coordinator, Organiser, Volunteer};
    use Want::*;
    let five_mb = "repeat('x', 5000000)";
    let overlong = format!("'{}'", "A".repeat(65));
    let bo = format!("'{}'", s.bo_visit);
    let mine = format!("'{}'", s.amina_visit);
    let a = |what, by, write, want| Attack { what, by, write, want };
    vec![
        a("a consent stamped 'epoch' (it would outrank every real answer)", Volunteer,
          consent("01JATK00000000000000000001", s, &[("recorded_at", "'epoch'")]), Refused("is not a time")),
        a("a visit at 'tomorrow' (it stopped every pull)", Volunteer,
          visit("01JATK00000000000000000002", s, &[("visited_at", "'tomorrow'")]), Refused("is not a time")),
        a("a visit recorded 'today'", Volunteer,
          visit("01JATK00000000000000000003", s, &[("recorded_at", "'today'")]), Refused("is not a time")),
        a("a consent at 'infinity'", Volunteer,
          consent("01JATK00000000000000000004", s, &[("recorded_at", "'infinity'")]), Refused("is not a time")),
        a("a visit in 2099", Volunteer,
          visit("01JATK00000000000000000005", s, &[("visited_at", "'2099-01-01T00:00:00.000Z'"),
              ("outcome", "'do_not_contact'")]), Refused("more than a day ahead")),
        a("a visit on the 30th of February", Volunteer,
          visit("01JATK00000000000000000006", s, &[("visited_at", "'2026-02-30T10:00:00.000Z'")]),
          Refused("is not a time")),
        a("a visit with a 5 MB note", Volunteer,
          visit("01JATK00000000000000000007", s, &[("note", five_mb)]), Refused("visits_note")),
        a("a visit that left a million stickers", Volunteer,
          visit("01JATK00000000000000000008", s, &[("stickers_left", "1000000")]), Refused("visits_stickers")),
        a("a visit with an outcome Tablemap does not know", Volunteer,
          visit("01JATK00000000000000000009", s, &[("outcome", "'bribed'")]), Refused("visits_outcome_check")),
        a("a consent of a kind Tablemap never records (nationality)", Volunteer,
          consent("01JATK00000000000000000010", s, &[("kind", "'nationality'")]), Refused("consent_records_kind_check")),
        a("a visit with a non-ASCII id", Volunteer,
          visit("01JATK0000000000000000ÄÖÜ", s, &[]), Refused("visits_ids")),
        a("a visit with a 65-character id", Volunteer,
          visit("", s, &[("id", &overlong)]), Refused("visits_ids")),
        a("a follow-up on 'tomorrow'", Volunteer,
          visit("01JATK00000000000000000013", s, &[("follow_up_on", "'tomorrow'")]), Refused("visits_follow_up")),
        a("a volunteer reopening a do-not-contact", Volunteer,
          visit("01JATK00000000000000000014", s, &[("outcome", "'reopened'")]), Refused("row-level security")),
        a("a volunteer correcting another volunteer's visit", Volunteer,
          visit("01JATK00000000000000000015", s, &[("corrects", &bo), ("outcome", "'declined'")]),
          Refused("row-level security")),
        a("a second correction of one visit", Volunteer,
          visit("01JATK00000000000000000016", s, &[("corrects", &mine), ("outcome", "'declined'")]),
          Refused("visits_corrects_once")),
        a("a visit logged as someone else", Volunteer,
          visit("01JATK00000000000000000017", s, &[("volunteer_id", &format!("(SELECT volunteer_id FROM \
              tablemap.visits WHERE id = {bo})"))]), Refused("row-level security")),
        a("a sticker change whose batch and visit never arrive", Volunteer,
          Write::Sql(format!("INSERT INTO tablemap.sticker_events (id, code, state, restaurant_id, volunteer_id, \
              visit_id, at, hlc) VALUES ('01JATK00000000000000000018', '7K3M9QX', 'placed', '{}', \
              tablemap.my_volunteer_id(), '01JNEVER000000000000000000', {}, 'x')", s.restaurant, quoted(20))),
          Waiting),
        a("a sticker code that is not a code", Volunteer,
          Write::Sql(format!("INSERT INTO tablemap.sticker_events (id, code, state, at, hlc) VALUES \
              ('01JATK00000000000000000019', '<img src=x>', 'placed', {}, 'x')", quoted(20))),
          Refused("sticker_events_code")),
        a("a claim that never expires", Volunteer,
          claim("01JATK00000000000000000020", s, &quoted(20), "'infinity'"), Refused("area_claims_times")),
        a("a claim for 200 days", Volunteer,
          claim("01JATK00000000000000000021", s, &quoted(20), &quoted(200 * 24 * 60)), Held("expires_at")),
        a("a 5 MB note on an area", Volunteer,
          Write::Sql(format!("INSERT INTO tablemap.area_notes (id, area_id, volunteer_id, body) VALUES \
              ('01JATK00000000000000000022', '{area}', tablemap.my_volunteer_id(), jsonb_build_object('note', \
              {five_mb}, 'written_at', {t}))", area = s.area, t = quoted(20))),
          Refused("area_notes_note")),
        a("a campaign whose stickers point at javascript:", Organiser,
          campaign("javascript:alert(1)", "#1b1f23"), Refused("campaign_base_url")),
        a("a campaign colour that breaks out of its style", Organiser,
          campaign("https://migrantscontribute.example/S", "red;}</style><script>"), Held("colour")),
        a("a template whose labels fall off the page", Organiser,
          template_on_page(s, "custom-off-the-page", 10.0), Held("outside the page")),
        a("an area of 50,001 points", Coordinator,
          area_with(s, "01JATK00000000000000000026", circle(50_001)), Refused("areas_points")),
        a("an area whose outline crosses itself", Coordinator,
          area_with(s, "01JATK00000000000000000027",
              [(0, 0), (4, 0), (4, 4), (2, 4), (3, 5), (3, 3), (0, 4), (0, 0)]
                  .map(|(x, y)| [-0.08 + f64::from(x) * 0.0025, 51.54 + f64::from(y) * 0.0025]).to_vec()),
          Lands),
    ]
}

pub(crate) fn client(p: &Person) -> postgres::Client {
    api::sync::team(&p.store).expect("team").expect("joined").connect().expect("connect")
}

pub(crate) fn run(c: &mut postgres::Client, write: &Write) -> Result<(), postgres::Error> {
    match write {
        Write::Sql(sql) => c.batch_execute(sql),
        Write::Document { table, id, body } => c
            .execute(
                "SELECT tablemap.put_document($1, $2, $3::text::jsonb, $4)",
                &[table, id, &body.to_string(), &stamp(20)],
            )
            .map(|_| ()),
    }
}

pub(crate) fn message(e: &postgres::Error) -> String {
    e.as_db_error().map(|d| format!("{} {:?}", d.message(), d.constraint())).unwrap_or_else(|| e.to_string())
}

/// A team of four (Cora coordinator, Olu organiser, Amina and Bo volunteers) sharing one
/// restaurant with the owner's "no" to a public listing, an area, Olu's template, a visit by Bo,
/// and Amina's visit with her own correction: what the attacks (and the permission cases) aim at.
pub(crate) struct Stage {
    pub team: crate::sync::Team,
    pub cora: Person,
    pub olu: Person,
    pub amina: Person,
    pub bo: Person,
    pub r: RestaurantId,
    pub scene: Scene,
}

pub(crate) fn stage() -> Stage {
    let team = team();
    let mut cora = team.person("Cora", Role::Coordinator);
    let mut olu = team.person("Olu", Role::Organiser);
    let mut amina = team.person("Amina", Role::Volunteer);
    let mut bo = team.person("Bo", Role::Volunteer);
    let r = cora.add_restaurant("Zaza Kitchen", 1);
    let no = NewConsent {
        restaurant_id: r.clone(),
        kind: ConsentKind::ListedPublicly,
        answer: ConsentAnswer::No,
        recorded_by: cora.id.clone(),
    };
    api::visits::record_consent(&mut cora.store, no, at(2)).expect("stage");
    let (w, s, e, n) = (-0.08, 51.54, -0.07, 51.55);
    let square = Geometry::Polygon { coordinates: vec![vec![[w, s], [e, s], [e, n], [w, n], [w, s]]] };
    api::areas::create(&mut cora.store, "Dalston", square, at(2)).expect("stage");
    cora.sync(3);
    let template = api::stickers::templates(&olu.store).expect("stage").remove(0);
    let template = tablemap_core::stickers::template::Template { id: "custom-olu".into(), ..template };
    api::stickers::save_template(&mut olu.store, template, "custom", at(4)).expect("stage");
    olu.sync(4);
    bo.sync(4);
    bo.visit(&r, Outcome::Spoke, 5);
    bo.sync(5);
    amina.sync(5);
    amina.visit(&r, Outcome::ComeBack, 6);
    amina.sync(6);
    let bo_visit = bo.visit_ids(&r)[0].clone();
    let amina_visit = amina.visit_ids(&r).into_iter().find(|v| *v != bo_visit).expect("stage");
    // Amina corrects her own visit once, as she may.
    let fix = NewVisit {
        corrects: Some(tablemap_core::domain::VisitId(amina_visit.clone())),
        ..visit_as(&r, &amina.id, Outcome::Agreed, 7)
    };
    api::visits::record(&mut amina.store, fix, at(7)).expect("stage");
    let fixed = amina.sync(7);
    assert_eq!((fixed.pushed, fixed.refused.len()), (1, 0), "{:?}", fixed.refused);
    let mut admin = client(&cora);
    let area_row = admin.query_one("SELECT id, body::text FROM tablemap.areas", &[]).expect("stage");
    let template_body: String = admin
        .query_one("SELECT body::text FROM tablemap.templates WHERE id = 'custom-olu'", &[])
        .expect("stage")
        .get(0);
    let scene = Scene {
        restaurant: r.as_str().to_string(),
        bo_visit,
        amina_visit,
        area: area_row.get(0),
        area_body: serde_json::from_str(&area_row.get::<_, String>(1)).expect("stage"),
        template_body: serde_json::from_str(&template_body).expect("stage"),
    };
    Stage { team, cora, olu, amina, bo, r, scene }
}

#[test]
fn sync_attacks_by_a_member_are_refused_or_held_back_and_the_team_goes_on() {
    let Stage { team: _team, mut cora, mut olu, amina, mut bo, r, scene } = stage();
    let admin = client(&cora);
    cora.sync(8);
    bo.sync(8);
    let before = (cora.detail(&r), bo.detail(&r));
    assert_eq!(before.1.visits.len(), 3, "Bo's, Amina's and her correction");
    let clients =
        [(Role::Volunteer, client(&amina)), (Role::Organiser, client(&olu)), (Role::Coordinator, admin)];
    let mut clients: Vec<(Role, postgres::Client)> = clients.into_iter().collect();

    let mut minute = 10;
    for attack in attacks(&scene) {
        let c = &mut clients.iter_mut().find(|(role, _)| *role == attack.by).unwrap().1;
        let done = run(c, &attack.write);
        let held_before = api::sync::status(&bo.store).unwrap().held.len();
        let waiting_before = api::sync::status(&bo.store).unwrap().parked;
        match (&attack.want, done) {
            (Want::Refused(why), Err(e)) => {
                assert!(message(&e).contains(why), "{}: refused, but for {}", attack.what, message(&e))
            }
            (Want::Refused(_), Ok(())) => panic!("{}: the server took it", attack.what),
            (_, Err(e)) => panic!("{}: the server refused it ({})", attack.what, message(&e)),
            (_, Ok(())) => {}
        }
        // Every other member's sync goes on.
        minute += 1;
        cora.sync(minute);
        olu.sync(minute);
        bo.sync(minute);
        let status = api::sync::status(&bo.store).unwrap();
        match attack.want {
            Want::Held(why) => {
                assert_eq!(status.held.len(), held_before + 1, "{}: {:?}", attack.what, status.held);
                assert!(status.held.iter().any(|h| h.contains(why)), "{}: {:?}", attack.what, status.held);
                let at_cora = api::sync::status(&cora.store).unwrap().held;
                assert!(at_cora.iter().any(|h| h.contains(why)), "{}: {at_cora:?}", attack.what);
            }
            Want::Waiting => assert_eq!(status.parked, waiting_before + 1, "{}", attack.what),
            Want::Lands => {
                let names: Vec<String> =
                    api::areas::list(&bo.store, at(minute)).unwrap().into_iter().map(|a| a.name).collect();
                assert!(
                    names.iter().any(|n| n.starts_with("Area ")),
                    "{}: {names:?} {:?}",
                    attack.what,
                    status.held
                );
            }
            Want::Refused(_) => {
                assert_eq!(status.held.len(), held_before, "{}", attack.what);
                assert_eq!(status.parked, waiting_before, "{}", attack.what);
            }
        }
    }

    // What the others hold of the restaurant is as it was: the owner's "no" stands, no visit
    // was added or changed, the status is the same; and a real visit still travels.
    let after = (cora.detail(&r), bo.detail(&r));
    for (was, is) in [(&before.0, &after.0), (&before.1, &after.1)] {
        assert_eq!(was.visits, is.visits);
        assert_eq!(was.consents, is.consents);
        assert_eq!(was.summary, is.summary);
    }
    let latest = |p: &Person, r: &RestaurantId| p.detail(r).consents.listed_publicly.map(|c| c.answer);
    assert_eq!(latest(&cora, &r), Some(ConsentAnswer::No));
    assert_eq!(latest(&bo, &r), Some(ConsentAnswer::No));
    assert_eq!(tablemap_core::api::stickers::campaign(&bo.store).unwrap().text_colour, "#1b1f23");
    bo.visit(&r, Outcome::Agreed, 200);
    bo.sync(201);
    assert_eq!(cora.sync(202).pulled_visits, 1);
    assert_eq!(cora.detail(&r).visits.len(), 4);
}

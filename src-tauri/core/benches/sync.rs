//! `cargo bench -p tablemap-core --bench sync`: team sync against a throwaway local PostgreSQL
//! (tests/support/postgres.rs). A coordinator who has joined a team adds 5,000 restaurants
//! around London and logs 10,000 visits; the first sync pushes all of it into the empty server
//! and pulls it into a volunteer's empty database; then rounds of 100 changes (50 visits, 50
//! edits) go the same way. The targets (first sync < 5 s, 100 changes < 0.3 s) are printed beside the figures; nothing here passes
//! or fails on time. The counts are checked: a fast sync that lost rows is no figure.

#[path = "support/memory.rs"]
mod memory;
#[path = "../../../tests/support/postgres.rs"]
mod pg_server;

use chrono::{Duration as Days, Utc};
use memory::{peak_since, reset_peak};
use pg_server::TestPostgres;
use std::path::Path;
use std::time::{Duration, Instant};
use tablemap_core::api;
use tablemap_core::demo::Rng;
use tablemap_core::domain::merge::draft_of;
use tablemap_core::domain::{NewVisit, Outcome, RestaurantDraft, RestaurantId, VolunteerId};
use tablemap_core::store::Store;
use tablemap_core::sync::server::{self, NewPerson, Role};
use tablemap_core::sync::{admin_config, push};

const FIRST_TARGET: f64 = 5.0;
const INCREMENTAL_TARGET: f64 = 0.3;

struct Person {
    store: Store,
    id: VolunteerId,
}

/// A person added on the server by the admin, who joins from a new, empty database.
fn person(admin_url: &str, dir: &Path, name: &str, role: Role) -> anyhow::Result<Person> {
    let (config, tls) = admin_config(admin_url)?;
    let team = server::add_user(
        &config,
        &tablemap_core::sync::Tls::plain(tls),
        NewPerson { name, role, public_host: None },
        Utc::now(),
    )?;
    let mut store = Store::open(&dir.join(format!("{name}.sqlite")))?;
    let joined = api::sync::join(&mut store, &team.join_code(), Utc::now())?;
    Ok(Person { store, id: VolunteerId(joined.volunteer_id) })
}

/// (district, centre lat, centre lon, street): the restaurants spread a kilometre or two around
/// each, over most of London.
const STREETS: &[(&str, f64, f64, &str)] = &[
    ("E8", 51.5467, -0.0755, "Kingsland High Street"),
    ("E1", 51.5180, -0.0712, "Whitechapel Road"),
    ("E7", 51.5371, 0.0341, "Green Street"),
    ("SE15", 51.4700, -0.0690, "Rye Lane"),
    ("SW9", 51.4613, -0.1145, "Atlantic Road"),
    ("N15", 51.5878, -0.0730, "West Green Road"),
    ("HA0", 51.5533, -0.2920, "Ealing Road"),
    ("UB1", 51.5110, -0.3760, "The Broadway"),
    ("N7", 51.5530, -0.1130, "Holloway Road"),
    ("W2", 51.5180, -0.1700, "Edgware Road"),
];
/// (name, cuisine, language)
const KITCHENS: &[(&str, &str, &str)] = &[
    ("Anatolia", "Turkish", "Turkish"),
    ("Lalibela", "Ethiopian", "Amharic"),
    ("Saigon", "Vietnamese", "Vietnamese"),
    ("Aleppo", "Syrian", "Arabic"),
    ("Zaza", "Kurdish", "Kurdish"),
    ("Mama Africa", "Nigerian", "Yoruba"),
    ("Lahore", "Pakistani", "Urdu"),
    ("Dhaka", "Bangladeshi", "Bengali"),
    ("Tbilisi", "Georgian", "Georgian"),
    ("Sabor", "Colombian", "Spanish"),
    ("Jaffna", "Sri Lankan", "Tamil"),
    ("Kabul", "Afghan", "Dari"),
];
const KINDS: &[&str] = &["Kitchen", "Grill", "Café", "Ocakbasi", "Bakery", "Canteen", "House", "Express"];
const HOURS: &[&str] = &["Mo-Su 11:00-23:00", "Mo-Sa 12:00-22:00", "Tu-Su 17:00-23:30", "Mo-Fr 08:00-16:00"];

fn restaurant(rng: &mut Rng) -> RestaurantDraft {
    let (district, lat, lon, street) = STREETS[rng.below(STREETS.len())];
    let (word, cuisine, language) = KITCHENS[rng.below(KITCHENS.len())];
    let letter = |rng: &mut Rng| char::from(b"ABDEFGHJLNPQRSTUWXYZ"[rng.below(20)]);
    RestaurantDraft {
        name: format!("{word} {}", KINDS[rng.below(KINDS.len())]),
        address: Some(format!("{} {street}, London", 1 + rng.below(300))),
        postcode: Some(format!("{district} {}{}{}", 1 + rng.below(9), letter(rng), letter(rng))),
        lat: lat + (rng.unit() + rng.unit() - 1.0) * 0.02,
        lon: lon + (rng.unit() + rng.unit() - 1.0) * 0.03,
        cuisines: vec![cuisine.to_string()],
        languages: vec![language.to_string(), "English".to_string()],
        opening_hours: Some(HOURS[rng.below(HOURS.len())].to_string()),
        phone: Some(format!("020 {} {}", 7000 + rng.below(999), 1000 + rng.below(8999))),
        website: None,
    }
}

fn visit(rng: &mut Rng, restaurant: &RestaurantId, volunteer: &VolunteerId, days_ago: i64) -> NewVisit {
    const OUTCOMES: &[Outcome] =
        &[Outcome::NoAnswer, Outcome::Spoke, Outcome::Spoke, Outcome::Agreed, Outcome::Declined];
    let outcome = OUTCOMES[rng.below(OUTCOMES.len())];
    NewVisit {
        restaurant_id: restaurant.clone(),
        volunteer_id: volunteer.clone(),
        visited_at: Some(Utc::now() - Days::days(days_ago) - Days::minutes(rng.below(600) as i64)),
        outcome,
        stickers_left: 0,
        note: (rng.below(3) == 0).then(|| "Owner asked for leaflets in their language.".to_string()),
        follow_up_on: None,
        corrects: None,
        sticker_codes: vec![],
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// CPU time (user and system) a process has used, from /proc (Linux; 100 ticks a second).
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// One line of the closing table: what, how long, how many rows, and the target if any.
struct Figure {
    stage: String,
    time: Duration,
    rows: Option<usize>,
    target: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let n = env("TABLEMAP_BENCH_SYNC_RESTAURANTS", 5_000);
    let v = env("TABLEMAP_BENCH_SYNC_VISITS", 10_000);
    let rounds = env("TABLEMAP_BENCH_SYNC_ROUNDS", 5).max(1);
    let label = format!("sync/{n}+{v}");

    let t = Instant::now();
    let pg = TestPostgres::start();
    let (config, tls) = admin_config(&pg.admin_url())?;
    server::init(&config, &tablemap_core::sync::Tls::plain(tls))?;
    let dir = tempfile::tempdir()?;
    // Join first: nothing is queued in a database that has not joined a team.
    let mut cora = person(&pg.admin_url(), dir.path(), "Cora", Role::Coordinator)?;
    let mut amina = person(&pg.admin_url(), dir.path(), "Amina", Role::Volunteer)?;
    println!(
        "{label}: setup: PostgreSQL started, team schema, two people joined: {:.2} s",
        secs(t.elapsed())
    );

    // The coordinator's data, each restaurant added as the window adds one (its own
    // transaction), the visits typed in from walk sheets (one transaction).
    let mut rng = Rng(2026);
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(api::restaurants::add(&mut cora.store, restaurant(&mut rng), Utc::now())?.restaurant.id);
    }
    let added = t.elapsed();
    let t = Instant::now();
    let visits: Vec<NewVisit> = (0..v)
        .map(|i| {
            let days_ago = 1 + rng.below(60) as i64;
            visit(&mut rng, &ids[i % n], &cora.id, days_ago)
        })
        .collect();
    api::visits::record_many(&mut cora.store, visits, Utc::now())?;
    let logged = t.elapsed();
    let waiting = api::sync::status(&cora.store)?.waiting as usize;
    println!(
        "{label}: setup: {n} restaurants added one by one {:.1} s, {v} visits in one transaction {:.1} s; \
         outbox {waiting} entries",
        secs(added),
        secs(logged)
    );

    let mut table = Vec::new();

    // One statement's round trip to the server: a push sends one per outbox entry.
    let team = api::sync::team(&cora.store)?.expect("joined");
    let t = Instant::now();
    let mut client = team.connect()?;
    let connect_time = t.elapsed();
    let ping = client.prepare("SELECT 1")?;
    let t = Instant::now();
    for _ in 0..2_000 {
        client.query_one(&ping, &[])?;
    }
    let round_trip = t.elapsed() / 2_000;
    drop(client);
    println!(
        "{label}: connecting (password check) {:.1} ms; then one prepared statement's round trip {:.0} µs",
        secs(connect_time) * 1000.0,
        secs(round_trip) * 1e6
    );

    // First sync, push: the coordinator's whole outbox into the empty server. The outbox holds
    // the restaurants (each a row and its fields) first, then the visits: pushed in two goes to
    // see what each costs, on one connection as a sync does.
    let start = reset_peak();
    let ours = cpu_secs("self");
    let t = Instant::now();
    let mut client = team.connect()?;
    let places = push::push(&mut cora.store, &mut client, Some(waiting - v))?;
    let places_time = t.elapsed();
    let visits = push::push(&mut cora.store, &mut client, None)?;
    let push_time = t.elapsed();
    let ours = cpu_secs("self") - ours;
    let backend: i32 = client.query_one("SELECT pg_backend_pid()", &[])?.get(0);
    let theirs = cpu_secs(&backend.to_string());
    drop(client);
    for p in [&places, &visits] {
        assert!(p.refused.is_empty(), "{:?}", p.refused);
    }
    let pushed = places.sent + visits.sent;
    assert_eq!((pushed, visits.sent), (waiting, v));
    println!(
        "{label}: first sync, push: {pushed} entries in {:.2} s ({:.0} entries/s; restaurants with their \
         fields {:.2} s for {}, visits {:.2} s for {}), {}",
        secs(push_time),
        pushed as f64 / secs(push_time),
        secs(places_time),
        places.sent,
        secs(push_time - places_time),
        visits.sent,
        peak_since(start)
    );
    println!(
        "{label}: first sync, push: CPU {ours:.2} s in this process, {theirs:.2} s in the server's backend \
         (one statement per change would add {:.2} s of round trips alone: {pushed} at {:.0} µs)",
        secs(round_trip) * pushed as f64,
        secs(round_trip) * 1e6
    );
    table.push(Figure {
        stage: "first sync: push (coordinator)".into(),
        time: push_time,
        rows: Some(pushed),
        target: None,
    });
    table.push(Figure {
        stage: "  of which restaurants with their fields".into(),
        time: places_time,
        rows: Some(places.sent),
        target: None,
    });
    table.push(Figure {
        stage: "  of which visits".into(),
        time: push_time - places_time,
        rows: Some(visits.sent),
        target: None,
    });

    // First sync, pull: the volunteer's empty database takes everything.
    let start = reset_peak();
    let t = Instant::now();
    let report = api::sync::sync(&mut amina.store, Utc::now())?;
    let pull_time = t.elapsed();
    let pulled = (report.pulled_restaurants + report.pulled_fields + report.pulled_visits) as usize;
    println!(
        "{label}: first sync, pull into an empty database: {} restaurants, {} fields, {} visits in {:.2} s \
         ({:.0} rows/s), {}",
        report.pulled_restaurants,
        report.pulled_fields,
        report.pulled_visits,
        secs(pull_time),
        pulled as f64 / secs(pull_time),
        peak_since(start)
    );
    let count = |s: &Store, table: &str| -> anyhow::Result<usize> {
        Ok(s.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0))? as usize)
    };
    assert_eq!((report.pulled_restaurants as usize, report.pulled_visits as usize), (n, v));
    assert_eq!((count(&amina.store, "restaurants")?, count(&amina.store, "visits")?), (n, v));
    table.push(Figure {
        stage: "first sync: pull (volunteer, empty db)".into(),
        time: pull_time,
        rows: Some(pulled),
        target: None,
    });
    table.push(Figure {
        stage: "first sync: push + pull".into(),
        time: push_time + pull_time,
        rows: None,
        target: Some(FIRST_TARGET),
    });

    // The coordinator's next sync reads back everything it pushed (its cursor starts at 0).
    let t = Instant::now();
    let back = api::sync::sync(&mut cora.store, Utc::now())?;
    let back_time = t.elapsed();
    println!(
        "{label}: the coordinator's next sync (its own rows come back; {} restaurants, {} fields, {} visits \
         new to it): {:.2} s",
        back.pulled_restaurants,
        back.pulled_fields,
        back.pulled_visits,
        secs(back_time)
    );
    table.push(Figure {
        stage: "coordinator's next sync (own rows back)".into(),
        time: back_time,
        rows: None,
        target: None,
    });

    // Incremental rounds: 50 visits and 50 edits on 100 different restaurants, then the
    // coordinator's sync (push, and the pull of its own changes) and the volunteer's (pull).
    let (mut pushes, mut pulls, mut trips) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let base = (round * 100) % n;
        for k in 0..50 {
            let r = &ids[(base + k) % n];
            api::visits::record(&mut cora.store, visit(&mut rng, r, &cora.id, 0), Utc::now())?;
        }
        for k in 50..100 {
            let r = &ids[(base + k) % n];
            let mut draft = draft_of(&api::restaurants::detail(&cora.store, r)?.restaurant);
            draft.opening_hours = Some(format!("Mo-Su 11:00-2{}:{:02}", round % 4, k));
            api::restaurants::update(&mut cora.store, r, draft, Utc::now())?;
        }
        let t = Instant::now();
        let out = api::sync::sync(&mut cora.store, Utc::now())?;
        let push_time = t.elapsed();
        let t = Instant::now();
        let came = api::sync::sync(&mut amina.store, Utc::now())?;
        let pull_time = t.elapsed();
        assert_eq!((out.pushed, out.refused.len()), (100, 0));
        assert_eq!((came.pulled_visits, came.pulled_fields), (50, 50), "{came:?}");
        println!(
            "{label}: incremental round {}: coordinator's sync (pushed {}) {:.0} ms, volunteer's sync (pulled \
             {} visits, {} fields) {:.0} ms",
            round + 1,
            out.pushed,
            secs(push_time) * 1000.0,
            came.pulled_visits,
            came.pulled_fields,
            secs(pull_time) * 1000.0
        );
        pushes.push(push_time);
        pulls.push(pull_time);
        trips.push(push_time + pull_time);
    }
    assert_eq!(count(&amina.store, "visits")?, v + 50 * rounds);
    for (what, times, target) in [
        ("coordinator's sync (push)", &mut pushes, None),
        ("volunteer's sync (pull)", &mut pulls, None),
        ("round trip", &mut trips, Some(INCREMENTAL_TARGET)),
    ] {
        times.sort();
        for (stat, time) in [("median", times[times.len() / 2]), ("max", times[times.len() - 1])] {
            table.push(Figure {
                stage: format!("incremental, 100 changes: {what}, {stat}"),
                time,
                rows: Some(100),
                target,
            });
        }
    }

    println!();
    println!("{label}: {rounds} incremental rounds; release build, PostgreSQL on loopback (fsync off)");
    println!("{:<64} {:>9} {:>7} {:>9}  target", "stage", "time", "rows", "rows/s");
    for f in &table {
        let rows = f.rows.map_or(String::new(), |r| r.to_string());
        let rate = f.rows.map_or(String::new(), |r| format!("{:.0}", r as f64 / secs(f.time)));
        let target = f.target.map_or(String::new(), |t| format!("under {t} s"));
        println!("{:<64} {:>7.3} s {rows:>7} {rate:>9}  {target}", f.stage, secs(f.time));
    }
    Ok(())
}

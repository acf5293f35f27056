//! Schema 9 rewrote the server's shape checks (ids, times, days, sticker codes, clock stamps)
//! to match faster. They must accept and refuse exactly what schema 8's did: each input below is
//! put to the functions of a schema-8 server, then again after `server init` brings it to 9.

use crate::sync::team_at;
use tablemap_core::sync::server;
use tablemap_core::sync::{admin_config, Tls};

/// (check, input, what schema 8 answers)
const CASES: &[(&str, &str, Option<bool>)] = &[
    ("is_id", "01JGOODVISIT00000000000001", Some(true)),
    ("is_id", "a", Some(true)),
    ("is_id", "", Some(false)),
    ("is_id", "A_b-9", Some(true)),
    ("is_id", "x y", Some(false)),
    ("is_id", "ünï", Some(false)),
    ("is_id", "abc\n", Some(false)),
    ("is_id", "64", Some(true)),
    ("is_id", "65", Some(false)),
    ("is_time", "2026-06-01T10:00:00.000Z", Some(true)),
    ("is_time", "2026-06-01T10:00:00Z", Some(true)),
    ("is_time", "2026-06-01T10:00:00.123456789Z", Some(true)),
    ("is_time", "2026-06-01T10:00:00.1234567890Z", Some(false)),
    ("is_time", "2026-06-01T10:00:00.Z", Some(false)),
    ("is_time", "1999-12-31T23:59:59.000Z", Some(false)),
    ("is_time", "2999-12-31T23:59:59.000Z", Some(true)),
    ("is_time", "3000-01-01T00:00:00.000Z", Some(false)),
    ("is_time", "2026-13-01T10:00:00.000Z", Some(false)),
    ("is_time", "2026-00-01T10:00:00.000Z", Some(false)),
    ("is_time", "2026-06-32T10:00:00.000Z", Some(false)),
    ("is_time", "2026-06-00T10:00:00.000Z", Some(false)),
    ("is_time", "2026-06-01T24:00:00.000Z", Some(false)),
    ("is_time", "2026-06-01T10:60:00.000Z", Some(false)),
    ("is_time", "2026-06-01T10:00:60.000Z", Some(false)),
    ("is_time", "2026-06-01 10:00:00.000Z", Some(false)),
    ("is_time", "2026-06-01T10:00:00.000+01:00", Some(false)),
    ("is_time", "epoch", Some(false)),
    ("is_time", "infinity", Some(false)),
    ("is_date", "2026-06-01", Some(true)),
    ("is_date", "2026-02-31", Some(true)),
    ("is_date", "1999-06-01", Some(false)),
    ("is_date", "2026-6-1", Some(false)),
    ("is_date", "2026-06-01T10:00:00.000Z", Some(false)),
    ("is_date", "today", Some(false)),
    ("is_code", "7K3M9QX", Some(true)),
    ("is_code", "7K3M9Q", Some(false)),
    ("is_code", "7K3M9QXX", Some(false)),
    ("is_code", "7K3M9QI", Some(false)),
    ("is_code", "7k3m9qx", Some(false)),
    ("is_stamp", "0001780000000000-00000-00000000000000aa", Some(true)),
    ("is_stamp", "0001780000000000-00000-00000000000000AA", Some(false)),
    ("is_stamp", "001780000000000-000000-00000000000000aa", Some(false)),
    ("is_stamp", "0001780000000000-0000-000000000000000aa", Some(false)),
    ("is_stamp", "0001780000000000-00000-00000000000000a", Some(false)),
    ("is_stamp", "0001780000000000-00000-00000000000000aaa", Some(false)),
    ("is_stamp", "0001780000000000000000-000000000000000aa", Some(false)),
    ("is_stamp", "x", Some(false)),
];

/// The input a case names: "64" and "65" stand for ids of that many letters.
fn input(text: &str) -> String {
    match text.parse::<usize>() {
        Ok(n) => "A".repeat(n),
        Err(_) => text.to_string(),
    }
}

/// What the server answers for every case, and for NULL to each check. A clock stamp is checked
/// by a trigger, not a function: it is put through an insert into a scratch table carrying it.
fn answers(admin: &mut postgres::Client) -> Vec<Option<bool>> {
    admin
        .batch_execute(
            "DROP TABLE IF EXISTS stamps; CREATE TEMP TABLE stamps (hlc text);
             CREATE TRIGGER stamps_check BEFORE INSERT ON stamps FOR EACH ROW EXECUTE FUNCTION tablemap.check_stamp();",
        )
        .expect("scratch table");
    let mut out = Vec::new();
    for (check, text, _) in CASES {
        let value = input(text);
        out.push(if *check == "is_stamp" {
            let mut tx = admin.transaction().expect("transaction");
            let ok = tx.execute("INSERT INTO stamps VALUES ($1)", &[&value]).is_ok();
            drop(tx);
            Some(ok)
        } else {
            admin.query_one(&format!("SELECT tablemap.{check}($1)"), &[&value]).expect("check").get(0)
        });
    }
    for check in ["is_id", "is_time", "is_date", "is_code"] {
        out.push(admin.query_one(&format!("SELECT tablemap.{check}(NULL)"), &[]).expect("check").get(0));
    }
    out
}

#[test]
fn sync_shape_checks_of_schema_9_answer_as_schema_8_did() {
    let team = team_at(8);
    let mut admin = team.admin();
    let before = answers(&mut admin);
    let mut expected: Vec<Option<bool>> = CASES.iter().map(|c| c.2).collect();
    expected.extend([None, None, None, None]);
    assert_eq!(before, expected, "schema 8, case by case: {CASES:?}");

    let (config, tls) = admin_config(&team.admin_url()).expect("url");
    assert_eq!(server::init_to(&config, &Tls::plain(tls), 9).expect("init"), vec![9]);
    let mut admin = team.admin();
    let after = answers(&mut admin);
    for (i, case) in CASES.iter().enumerate() {
        assert_eq!(after[i], before[i], "{case:?}");
    }
    assert_eq!(after[CASES.len()..], before[CASES.len()..], "NULL in, NULL out");
}

//! Runs the real `tablemap` binary on temporary database files. Commands are written as command
//! lines (single quotes group words) so each case reads as a person would type it.

use crate::support::{self, Run};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Splits a command line on spaces, keeping 'quoted words' together.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            _ => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(current);
    }
    out
}

fn tablemap(db: &Path, line: &str) -> Run {
    let words = words(line);
    support::tablemap(db, &words.iter().map(String::as_str).collect::<Vec<_>>())
}

fn ok(db: &Path, line: &str) -> String {
    tablemap(db, line).ok()
}

fn json(db: &Path, line: &str) -> Value {
    let out = ok(db, line);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn count(v: &Value) -> Option<usize> {
    v.as_array().map(Vec::len)
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.sqlite");
    (dir, db)
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(words("a  'b c' d''"), vec!["a", "b c", "d"]);
    assert_eq!(words("--name ''"), vec!["--name", ""]);
}

#[test]
fn demo_then_list_as_json_with_snake_case_keys() {
    let (_dir, db) = temp_db();
    assert!(ok(&db, "demo").contains("seeded 60 demo restaurants"));
    let list = json(&db, "restaurants list --format json");
    let items = list.as_array().expect("an array");
    assert_eq!(items.len(), 60);
    for key in ["id", "name", "lat", "lon", "status", "postcode", "last_visit_at", "follow_up_on"] {
        assert!(items[0].get(key).is_some(), "missing key {key} in {}", items[0]);
    }
    // The same seed gives the same set.
    let (_dir2, db2) = temp_db();
    ok(&db2, "demo");
    let names = |v: &Value| v.as_array().map(|a| a.iter().map(|r| r["name"].clone()).collect::<Vec<_>>());
    assert_eq!(names(&list), names(&json(&db2, "restaurants list --format json")));
}

/// Demo rows never reach an export, and `demo remove` takes them out, keeping a demo restaurant
/// the person visited themselves (as theirs); `--as-real` data is exported.
#[test]
fn demo_rows_are_never_exported_and_remove_keeps_what_the_person_visited() {
    let (dir, db) = temp_db();
    ok(&db, "demo --restaurants 20");
    let out = dir.path().join("all.csv");
    let exported = ok(&db, &format!("export csv --out {}", out.display()));
    assert!(exported.contains("exported 0 restaurants"), "{exported}");
    let list = json(&db, "restaurants list --format json");
    let visited = list[0]["id"].as_str().expect("id").to_string();
    let name = list[0]["name"].as_str().expect("name").to_string();
    ok(&db, &format!("visits add --restaurant {visited} --volunteer Rosa --outcome spoke"));
    let removed = ok(&db, "demo remove");
    assert!(removed.contains("removed 19 demo restaurants"), "{removed}");
    assert!(removed.contains(&format!("kept 1 you visited yourself, now yours: {name}")), "{removed}");
    assert_eq!(count(&json(&db, "restaurants list --format json")), Some(1));
    ok(&db, "doctor");
    let exported = ok(&db, &format!("export csv --out {}", out.display()));
    assert!(exported.contains("exported 1 restaurants"), "{exported}");

    let (_dir2, db2) = temp_db();
    assert!(ok(&db2, "demo --restaurants 5 --as-real").contains("generated (exportable)"));
    let exported = ok(&db2, &format!("export csv --out {}", out.display()));
    assert!(exported.contains("exported 5 restaurants"), "{exported}");
}

#[test]
fn add_show_and_log_a_visit() {
    let (_dir, db) = temp_db();
    let add = "restaurants add --name 'Lalibela Kitchen' --lat 51.5467 --lon -0.0755 --postcode 'e8 2aa' --cuisine ethiopian";
    let id = ok(&db, add).trim().to_string();
    assert_eq!(id.len(), 26, "a ULID: {id}");

    let shown = json(&db, &format!("restaurants show {id} --format json"));
    assert_eq!(shown["name"], "Lalibela Kitchen");
    assert_eq!(shown["postcode"], "E8 2AA");
    assert_eq!(shown["status"], "not_contacted");
    assert_eq!(shown["visits"], Value::Array(vec![]));

    let out = ok(
        &db,
        &format!("visits add --restaurant {id} --volunteer Amina --outcome agreed --note 'Loved it' --follow-up 2099-01-31"),
    );
    assert!(out.contains("agreed"), "{out}");
    let shown = json(&db, &format!("restaurants show {id} --format json"));
    assert_eq!(shown["status"], "agreed");
    assert_eq!(shown["follow_up_on"], "2099-01-31");
    assert_eq!(count(&shown["visits"]), Some(1));
    assert_eq!(shown["visits"][0]["volunteer_name"], "Amina");
    assert_eq!(shown["visits"][0]["outcome"], "agreed");
    assert_eq!(shown["visits"][0]["note"], "Loved it");

    // A sticker, then a visit that finds nobody: the sticker stands.
    ok(&db, &format!("visits add --restaurant {id} --volunteer amina --outcome sticker_placed --stickers 1"));
    ok(&db, &format!("visits add --restaurant {id} --volunteer Tom --outcome no_answer"));
    let shown = json(&db, &format!("restaurants show {id} --format json"));
    assert_eq!(shown["status"], "sticker_placed");
    assert_eq!(shown["stickers_left"], 1);
    let volunteers = json(&db, "volunteers list --format json");
    assert_eq!(count(&volunteers), Some(2), "Amina matched case-insensitively: {volunteers}");

    let table = ok(&db, &format!("restaurants show {id}"));
    assert!(table.contains("sticker_placed") && table.contains("visits (3)"), "{table}");

    let found = json(&db, "restaurants list --status sticker_placed --search lalib --format json");
    assert_eq!(count(&found), Some(1));
    assert_eq!(count(&json(&db, "restaurants list --status declined --format json")), Some(0));
}

/// Erasing from the command line: asked first (a script must say --yes), then gone with its
/// visits; a volunteer erased keeps their visits under a former name.
#[test]
fn erase_a_restaurant_and_a_volunteer() {
    let (_dir, db) = temp_db();
    let id =
        ok(&db, "restaurants add --name 'Lalibela Kitchen' --lat 51.5467 --lon -0.0755").trim().to_string();
    let other = ok(&db, "restaurants add --name 'Zaza' --lat 51.5468 --lon -0.0756").trim().to_string();
    ok(
        &db,
        &format!("visits add --restaurant {id} --volunteer Amina --outcome agreed --note 'Owner: Selam'"),
    );
    ok(&db, &format!("visits add --restaurant {other} --volunteer Amina --outcome spoke"));

    let asked = tablemap(&db, &format!("restaurants erase {id}"));
    assert_eq!(asked.code, 1, "{}", asked.stderr);
    assert!(
        asked.stderr.contains("Erase Lalibela Kitchen") && asked.stderr.contains("--yes"),
        "{}",
        asked.stderr
    );
    assert_eq!(json(&db, &format!("restaurants show {id} --format json"))["name"], "Lalibela Kitchen");

    let out = ok(&db, &format!("restaurants erase {id} --yes"));
    assert!(out.contains("erased Lalibela Kitchen with 1 visits"), "{out}");
    let gone = tablemap(&db, &format!("restaurants show {id}"));
    assert_ne!(gone.code, 0);
    assert_eq!(count(&json(&db, "restaurants list --format json")), Some(1));
    ok(&db, "doctor");

    let out = ok(&db, "volunteers erase amina --yes");
    assert!(out.contains("erased Amina's name and contact"), "{out}");
    let shown = json(&db, &format!("restaurants show {other} --format json"));
    let name = shown["visits"][0]["volunteer_name"].as_str().expect("name").to_string();
    assert!(name.starts_with("Former volunteer "), "{name}");
}

/// Retention from the command line: the choice shown, set, applied; caches cleared.
#[test]
fn retention_set_show_apply_and_clear_caches() {
    let (dir, db) = temp_db();
    let id =
        ok(&db, "restaurants add --name 'Lalibela Kitchen' --lat 51.5467 --lon -0.0755").trim().to_string();
    ok(&db, &format!("visits add --restaurant {id} --volunteer Amina --outcome spoke --note 'Owner: Selam' --visited-at 2020-01-01T12:00:00Z"));
    let shown = ok(&db, "retention show");
    assert!(
        shown.contains("visit notes: kept") && shown.contains("1 visit notes are older than 12 months"),
        "{shown}"
    );
    let set = ok(&db, "retention set --notes-months 12 --geocoding-months 6");
    assert!(set.contains("blanked 1 visit notes"), "{set}");
    let shown = json(&db, &format!("restaurants show {id} --format json"));
    assert_eq!(shown["visits"][0]["note"], Value::Null);
    assert!(ok(&db, "retention show").contains("blanked after 12 months"));
    assert!(ok(&db, "retention set --notes-months off").contains("blanked 0"));
    let refused = tablemap(&db, "retention set --notes-months 0");
    assert_ne!(refused.code, 0);
    let cache = dir.path().join("no-cache-yet.sqlite");
    let cleared = ok(&db, &format!("retention clear-caches --tile-cache {}", cache.display()));
    assert!(cleared.contains("cleared 0 map tiles"), "{cleared}");
    assert!(!cache.exists(), "a cache that was never made stays unmade");
}

/// Consent from the command line: the owner's answers recorded, the latest of each kind standing,
/// and the public map following the "listed publicly" answer, withdrawal included.
#[test]
fn consent_is_recorded_and_shown_from_the_command_line() {
    let (dir, db) = temp_db();
    let id =
        ok(&db, "restaurants add --name 'Lalibela Kitchen' --lat 51.5467 --lon -0.0755").trim().to_string();
    ok(&db, &format!("visits add --restaurant {id} --volunteer Amina --outcome agreed"));
    let cases = [
        ("display_sticker", "yes"),
        ("listed_publicly", "yes"),
        ("self_identifies_migrant_owned", "unknown"),
    ];
    for (kind, answer) in cases {
        let out = ok(
            &db,
            &format!("consent record --restaurant {id} --kind {kind} --answer {answer} --volunteer Amina"),
        );
        assert_eq!(out.trim(), format!("Lalibela Kitchen: {kind} = {answer}"));
    }
    let shown = json(&db, &format!("consent show {id} --format json"));
    assert_eq!(shown["listed_publicly"]["answer"], "yes");
    assert_eq!(shown["listed_publicly"]["recorded_by_name"], "Amina");
    assert_eq!(shown["self_identifies_migrant_owned"]["answer"], "unknown");
    let site = dir.path().join("site");
    let listed = ok(&db, &format!("export public-map --out {}", site.display()));
    assert!(listed.contains("exported 1 restaurants"), "{listed}");
    // The owner withdraws: the newer "no" stands and the public map drops them.
    ok(
        &db,
        &format!("consent record --restaurant {id} --kind listed_publicly --answer no --volunteer Amina"),
    );
    let table = ok(&db, &format!("consent show {id}"));
    assert!(table.contains("listed_publicly") && table.contains("no"), "{table}");
    let listed = ok(&db, &format!("export public-map --out {}", site.display()));
    assert!(listed.contains("exported 0 restaurants"), "{listed}");
    // Refused in words: an unknown kind (no nationality, ever), an unknown volunteer.
    let run = tablemap(
        &db,
        &format!("consent record --restaurant {id} --kind nationality --answer yes --volunteer Amina"),
    );
    assert_ne!(run.code, 0);
    let run = tablemap(
        &db,
        &format!("consent record --restaurant {id} --kind listed_publicly --answer yes --volunteer Nobody"),
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("Nobody"), "{}", run.stderr);
}

#[test]
fn a_correction_replaces_the_visit_it_corrects() {
    let (_dir, db) = temp_db();
    let id = ok(&db, "restaurants add --name Asmara --lat 51.5 --lon -0.1").trim().to_string();
    ok(&db, &format!("visits add --restaurant {id} --volunteer Kwame --outcome declined"));
    let shown = json(&db, &format!("restaurants show {id} --format json"));
    let wrong = shown["visits"][0]["id"].as_str().expect("visit id").to_string();
    ok(
        &db,
        &format!("visits add --restaurant {id} --volunteer Kwame --outcome come_back --corrects {wrong}"),
    );
    let shown = json(&db, &format!("restaurants show {id} --format json"));
    assert_eq!(shown["status"], "follow_up");
    assert_eq!(count(&shown["visits"]), Some(2), "the corrected visit is kept");
    let again = tablemap(
        &db,
        &format!("visits add --restaurant {id} --volunteer Kwame --outcome agreed --corrects {wrong}"),
    );
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already corrected"), "{}", again.stderr);
}

/// Bad input: a non-zero exit, one line on stderr that names the problem, and nothing written.
#[test]
fn bad_input_is_refused_with_one_line() {
    let (_dir, db) = temp_db();
    let id = ok(&db, "restaurants add --name Beirut --lat 51.5 --lon -0.1").trim().to_string();
    let visit = format!("visits add --restaurant {id} --volunteer Sam");
    let cases: Vec<(String, &str)> = vec![
        ("restaurants add --name X --lat 91 --lon 0".into(), "lat"),
        ("restaurants add --name X --lat 0 --lon -181".into(), "lon"),
        ("restaurants add --name '  ' --lat 0 --lon 0".into(), "name"),
        ("restaurants add --name X --lat north --lon 0".into(), "north"),
        ("restaurants add --name X --lat 0".into(), "--lon"),
        ("restaurants show 01NOSUCHRESTAURANT0000000".into(), "no restaurant with id"),
        ("restaurants list --status happy".into(), "unknown status 'happy'"),
        (format!("{visit} --outcome maybe"), "unknown outcome 'maybe'"),
        (format!("{visit} --outcome spoke --follow-up 31/01/2099"), "not a date"),
        (format!("{visit} --outcome spoke --stickers 99"), "stickers_left"),
        (format!("{visit} --outcome spoke --follow-up 2001-01-01"), "follow_up_on"),
        ("visits add --restaurant nope --volunteer Sam --outcome spoke".into(), "no restaurant with id nope"),
        (format!("visits add --restaurant {id} --volunteer '' --outcome spoke"), "display_name"),
        ("demo".into(), "already has 1 restaurants"),
        ("settings set --tile-url ftp://example.org/{z}/{x}/{y}".into(), "tile_url"),
    ];
    for (line, expected) in cases {
        let r = tablemap(&db, &line);
        assert_ne!(r.code, 0, "{line} should fail");
        assert_eq!(r.stderr.trim().lines().count(), 1, "{line}: one line, got {:?}", r.stderr);
        assert!(r.stderr.contains(expected), "{line}: {:?} should mention {expected:?}", r.stderr);
    }
    // Nothing was written by any of them: one restaurant, no visits, no volunteers.
    assert_eq!(count(&json(&db, "restaurants list --format json")), Some(1));
    assert_eq!(json(&db, &format!("restaurants show {id} --format json"))["visits"], Value::Array(vec![]));
    assert_eq!(json(&db, "volunteers list --format json"), Value::Array(vec![]));
}

#[test]
fn help_and_version_exit_zero() {
    let (_dir, db) = temp_db();
    assert!(ok(&db, "--help").contains("restaurants"));
    assert!(ok(&db, "--version").starts_with("tablemap "));
}

/// `restaurants list` shows at most one page of 500; `--offset` pages on, `--all` takes every
/// match, and a bigger `--limit` is refused with what to use instead, never silently cut.
#[test]
fn list_pages_with_offset_and_all() {
    let (_dir, db) = temp_db();
    assert!(ok(&db, "demo --restaurants 600").contains("seeded 600 demo restaurants"));
    let ids = |line: &str| -> Vec<String> {
        let v = json(&db, line);
        let items = v.as_array().unwrap_or_else(|| panic!("{line}: not an array: {v}"));
        items.iter().map(|r| r["id"].as_str().expect("id").to_string()).collect()
    };
    // (command line, how many rows)
    let cases = [
        ("restaurants list --format json", 500),
        ("restaurants list --all --format json", 600),
        ("restaurants list --offset 550 --limit 100 --format json", 50),
        ("restaurants list --offset 500 --all --format json", 100),
        ("restaurants list --offset 100 --limit 10 --format json", 10),
        ("restaurants list --offset 600 --format json", 0),
        ("restaurants list --limit 0 --format json", 0),
        // A limit above one page is honoured page by page, never cut.
        ("restaurants list --limit 700 --format json", 600),
        ("restaurants list --limit 501 --format json", 501),
        ("restaurants list --offset 50 --limit 520 --format json", 520),
    ];
    for (line, expected) in cases {
        assert_eq!(ids(line).len(), expected, "{line}");
    }
    // --all is the pages put together: every restaurant once, in the same order.
    let all = ids("restaurants list --all --format json");
    let mut paged = ids("restaurants list --limit 500 --format json");
    paged.extend(ids("restaurants list --offset 500 --format json"));
    assert_eq!(all, paged);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 600, "no restaurant twice");

    // The line under the table says which rows it shows and how to see the others.
    // (command line, a line it prints, or None for no hint at all)
    let tables = [
        ("restaurants list", Some("(1–500 of 600 shown; the next with --offset 500, every one with --all")),
        ("restaurants list --offset 500", Some("(501–600 of 600 shown)")),
        (
            "restaurants list --offset 100 --limit 10",
            Some("(101–110 of 600 shown; the next with --offset 110"),
        ),
        ("restaurants list --limit 0", Some("(none of 600 shown; every one with --all")),
        ("restaurants list --all", None),
    ];
    for (line, hint) in tables {
        let out = ok(&db, line);
        match hint {
            Some(h) => {
                assert!(out.contains(h), "{line}: {h:?} missing from the last line {:?}", out.lines().last())
            }
            None => {
                assert!(!out.contains("shown"), "{line}: no hint when every row is shown");
                assert_eq!(out.lines().count(), 601, "{line}: the header and 600 rows");
            }
        }
    }

    // Refused, with one line that says what to use instead.
    let refused = [
        ("restaurants list --limit many", "not a number"),
        ("restaurants list --all --limit 10", "--limit"),
        ("restaurants list --offset -1", "-1"),
    ];
    for (line, expected) in refused {
        let r = tablemap(&db, line);
        assert_ne!(r.code, 0, "{line} should fail");
        assert_eq!(r.stdout, "", "{line}: nothing on stdout");
        assert_eq!(r.stderr.trim().lines().count(), 1, "{line}: one line, got {:?}", r.stderr);
        assert!(r.stderr.contains(expected), "{line}: {:?} should mention {expected:?}", r.stderr);
    }
}

/// `restaurants edit` changes only the options given; "" empties one, and a refused edit keeps
/// the restaurant as it was.
#[test]
fn edit_changes_only_what_is_given() {
    let (_dir, db) = temp_db();
    let add = "restaurants add --name Asmara --lat 51.5 --lon -0.1 --postcode 'E8 2AA' --phone '020 7946 0000' --website https://asmara.example";
    let id = ok(&db, add).trim().to_string();
    // (options, then name, postcode, phone, website)
    let cases: Vec<(&str, &str, Value, Value, Value)> = vec![
        (
            "--phone '020 7946 1111'",
            "Asmara",
            "E8 2AA".into(),
            "020 7946 1111".into(),
            "https://asmara.example".into(),
        ),
        ("--website ''", "Asmara", "E8 2AA".into(), "020 7946 1111".into(), Value::Null),
        (
            "--name 'Asmara Café' --postcode ''",
            "Asmara Café",
            Value::Null,
            "020 7946 1111".into(),
            Value::Null,
        ),
    ];
    for (options, name, postcode, phone, website) in cases {
        let out = ok(&db, &format!("restaurants edit {id} {options}"));
        assert_eq!(out.trim(), format!("updated {name}"), "{options}");
        let shown = json(&db, &format!("restaurants show {id} --format json"));
        assert_eq!(shown["name"], name, "{options}");
        assert_eq!(shown["postcode"], postcode, "{options}");
        assert_eq!(shown["phone"], phone, "{options}");
        assert_eq!(shown["website"], website, "{options}");
    }
    for (line, expected) in [
        (format!("restaurants edit {id} --name ' '"), "name"),
        ("restaurants edit 01NOSUCHRESTAURANT0000000 --phone 1".to_string(), "no restaurant with id"),
    ] {
        let r = tablemap(&db, &line);
        assert_ne!(r.code, 0, "{line} should fail");
        assert!(r.stderr.contains(expected), "{line}: {:?} should mention {expected:?}", r.stderr);
    }
    assert_eq!(json(&db, &format!("restaurants show {id} --format json"))["name"], "Asmara Café");
}

/// `doctor`, `backup` and `restore`: a backup taken while another connection is open checks out
/// on its own, a restore puts it back and keeps what it replaced, and anything that is not a
/// good backup is refused with nothing changed.
#[test]
fn doctor_backup_and_restore() {
    let (dir, db) = temp_db();
    ok(&db, "demo --restaurants 40");
    assert!(ok(&db, "doctor").starts_with("all well: 40 restaurants"));
    // The window's own connection, open (and reading) while the backup is taken.
    let window = tablemap_core::store::Store::open(&db).expect("open");
    window.conn().execute_batch("BEGIN; SELECT count(*) FROM visits;").expect("read");
    let backup = dir.path().join("backups/monday.sqlite");
    assert!(ok(&db, &format!("backup --out {}", backup.display())).contains("backed up to"));
    window.conn().execute_batch("COMMIT").expect("end");
    assert!(ok(&backup, "doctor").starts_with("all well: 40 restaurants"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(
            (mode(&db), mode(&backup)),
            (0o600, 0o600),
            "the database and its backup: the user's alone"
        );
    }
    let visits = |db: &Path| json(db, "restaurants list --all --format json").as_array().map(Vec::len);
    let id =
        ok(&db, "restaurants add --name 'Added after the backup' --lat 51.5 --lon -0.07").trim().to_string();
    assert_eq!(visits(&db), Some(41));

    // Without a terminal and without --yes, restore asks for --yes and changes nothing.
    let asked = tablemap(&db, &format!("restore {}", backup.display()));
    assert_ne!(asked.code, 0);
    assert!(asked.stderr.contains("--yes"), "{}", asked.stderr);
    let done = ok(&db, &format!("restore {} --yes", backup.display()));
    assert!(done.contains("restored 40 restaurants"), "{done}");
    assert_eq!(visits(&db), Some(40));
    let kept = done.rsplit("kept in ").next().map(|p| PathBuf::from(p.trim())).expect("the copy");
    assert_eq!(
        json(&kept, &format!("restaurants show {id} --format json"))["name"],
        "Added after the backup"
    );
    assert!(ok(&db, "doctor").starts_with("all well"));

    // Not a backup: refused, nothing changed.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").expect("write");
    for bad in [text.display().to_string(), dir.path().join("missing.sqlite").display().to_string()] {
        let run = tablemap(&db, &format!("restore {bad} --yes"));
        assert_ne!(run.code, 0, "{bad}");
    }
    assert_eq!(visits(&db), Some(40));

    // A stored status its visits do not give: doctor says which, and fails.
    let store = tablemap_core::store::Store::open(&db).expect("open");
    store.conn().execute("UPDATE restaurant_status SET status = 'declined' WHERE status != 'declined' AND rowid = (SELECT min(rowid) FROM restaurant_status WHERE status != 'declined')", [])
        .expect("damage");
    let sick = tablemap(&db, "doctor");
    assert_ne!(sick.code, 0);
    assert!(
        sick.stdout.contains("status: restaurant") && sick.stdout.contains("stored as declined"),
        "{}",
        sick.stdout
    );
    // A damaged file cannot be backed up as if it were whole.
    let refused = tablemap(&db, &format!("backup --out {}", dir.path().join("bad.sqlite").display()));
    assert_ne!(refused.code, 0);
    assert!(!dir.path().join("bad.sqlite").exists());
}

/// `report --format json` on visits typed in with their own day: the keys the issue names, the
/// figures `api::report` gives (one use-case), a future day refused.
#[test]
fn report_counts_visits_typed_in_with_their_own_day() {
    let (_dir, db) = temp_db();
    let add = |name: &str| {
        ok(&db, &format!("restaurants add --name '{name}' --lat 51.5467 --lon -0.0755")).trim().to_string()
    };
    let (a, b) = (add("Lalibela Kitchen"), add("Zahle"));
    let visit = |id: &str, outcome: &str, at: &str| {
        ok(&db, &format!("visits add --restaurant {id} --volunteer Amina --outcome {outcome} --at {at}"))
    };
    visit(&a, "spoke", "2026-11-02");
    visit(&a, "sticker_placed", "2026-11-10T18:30");
    visit(&b, "declined", "2026-11-11");
    visit(&b, "spoke", "2026-10-30");
    let refused = tablemap(
        &db,
        &format!("visits add --restaurant {a} --volunteer Amina --outcome spoke --at 2099-01-01"),
    );
    assert!(refused.code != 0 && refused.stderr.contains("future"), "{}", refused.stderr);
    let bad = tablemap(
        &db,
        &format!("visits add --restaurant {a} --volunteer Amina --outcome spoke --at 'next tuesday'"),
    );
    assert!(bad.code != 0 && bad.stderr.contains("2026-11-02T14:30"), "{}", bad.stderr);

    let r = json(&db, "report --month 2026-11 --format json");
    for key in ["funnel", "by_status", "weeks", "areas", "stickers", "follow_ups"] {
        assert!(r.get(key).is_some(), "{key} in {r}");
    }
    let funnel = &r["funnel"];
    let got: Vec<i64> = ["known", "contacted", "agreed", "sticker_placed"]
        .iter()
        .map(|k| funnel[k].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(got, [2, 2, 1, 1], "{funnel}");
    assert_eq!(r["beside"]["declined"], 1);
    let weeks: Vec<(String, i64)> = r["weeks"]
        .as_array()
        .expect("weeks")
        .iter()
        .map(|w| (w["start"].as_str().unwrap_or_default().to_string(), w["visits"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(weeks[0], ("2026-10-26".to_string(), 0), "30 October is October's");
    assert_eq!(weeks[1], ("2026-11-02".to_string(), 1));
    assert_eq!(weeks[2], ("2026-11-09".to_string(), 2));
    let statuses = r["by_status"].as_array().expect("by_status");
    assert_eq!(statuses.len(), 8, "every status, with zeros");
    // The table says the same.
    let table = ok(&db, "report --month 2026-11");
    assert!(table.contains("2026-11-01 to 2026-11-30"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["2", "2", "1", "1", "1", "0", "0"]),
        "{table}"
    );
    // Only one way to ask for a period.
    assert_ne!(tablemap(&db, "report --month 2026-11 --from 2026-11-01 --to 2026-11-30").code, 0);
}

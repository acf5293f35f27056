//! `tablemap report --out FILE.pdf`: the meeting's PDF shows the figures `--format json` gives
//! (read back with pdftotext), counts only.

use crate::support::{tablemap, tool};
use serde_json::Value;
use std::path::Path;

fn ok(db: &Path, args: &[&str]) -> String {
    tablemap(db, args).ok()
}

/// The PDF's text, laid out as on the page (a table row stays one line).
fn pdf_text(pdf: &Path) -> String {
    tool("pdftotext", &["-layout", &pdf.to_string_lossy(), "-"])
}

/// True when some line of `text` starts with `first` and its last words are `figures`.
fn row(text: &str, first: &str, figures: &[String]) -> bool {
    text.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        l.trim_start().starts_with(first)
            && words.len() >= figures.len()
            && words[words.len() - figures.len()..].iter().zip(figures).all(|(a, b)| a == b)
    })
}

fn n(v: &Value) -> String {
    v.as_u64().map(|n| n.to_string()).unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn the_meeting_pdf_shows_the_figures_the_json_gives_and_counts_only() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let areas = dir.path().join("wards.geojson");
    std::fs::write(&areas, crate::support::fixture("areas/hackney-wards.geojson")).expect("areas");
    ok(&db, &["areas", "import", &areas.to_string_lossy()]);
    let add = |name: &str, lat: &str, lon: &str| {
        ok(&db, &["restaurants", "add", "--name", name, "--lat", lat, "--lon", lon]).trim().to_string()
    };
    let a = add("Lalibela Kitchen", "51.5467", "-0.0755");
    let b = add("Zahle", "51.5450", "-0.0700");
    let c = add("Mangal Ocakbasi", "51.5500", "-0.0760");
    let visit = |id: &str, who: &str, outcome: &str, at: &str, note: &str| {
        ok(
            &db,
            &[
                "visits",
                "add",
                "--restaurant",
                id,
                "--volunteer",
                who,
                "--outcome",
                outcome,
                "--at",
                at,
                "--note",
                note,
            ],
        );
    };
    visit(&a, "Amina", "spoke", "2026-11-02", "The owner's private words");
    visit(&a, "Amina", "sticker_placed", "2026-11-10T18:30", "Stuck on the door");
    visit(&b, "Kwame", "agreed", "2026-11-11", "Agreed on the phone");
    visit(&c, "Kwame", "declined", "2026-11-24", "Not interested");
    visit(&b, "Kwame", "spoke", "2026-10-30", "October");

    let pdf = dir.path().join("november.pdf");
    let run =
        tablemap(&db, &["report", "--month", "2026-11", "--format", "json", "--out", &pdf.to_string_lossy()]);
    let r: Value = serde_json::from_str(&run.ok()).expect("json");
    let text = pdf_text(&pdf);
    let pages = tool("pdfinfo", &[&pdf.to_string_lossy()]);
    assert!(pages.contains("Pages:           1") || pages.contains("Pages:           2"), "{pages}");

    assert!(text.contains("November 2026"), "{text}");
    assert!(text.contains("report for the meeting"), "{text}");
    let f = &r["funnel"];
    assert_eq!(
        [&f["known"], &f["contacted"], &f["agreed"], &f["sticker_placed"]].map(n),
        ["3", "3", "2", "1"]
    );
    assert!(row(&text, "Known", &[n(&f["known"])]), "{text}");
    for (label, key) in
        [("Contacted", "contacted"), ("Agreed", "agreed"), ("Sticker placed", "sticker_placed")]
    {
        let share =
            format!("({}%)", (f[key].as_f64().unwrap() * 100.0 / f["known"].as_f64().unwrap()).round());
        assert!(row(&text, label, &[n(&f[key]), share]), "{label}: {text}");
    }
    assert!(text.contains(&format!("declined {}", n(&r["beside"]["declined"]))), "{text}");
    // Each stage's restaurants, listed: as many as the funnel counts.
    for stage in ["known", "contacted", "agreed", "sticker_placed"] {
        let listed: Value = serde_json::from_str(&ok(
            &db,
            &[
                "restaurants",
                "list",
                "--reached",
                stage,
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--format",
                "json",
            ],
        ))
        .expect("json");
        assert_eq!(listed.as_array().map(Vec::len), f[stage].as_u64().map(|n| n as usize), "{stage}");
    }
    for w in r["weeks"].as_array().expect("weeks") {
        let day = chrono::NaiveDate::parse_from_str(w["start"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let first = day.format("%-d %B %Y").to_string();
        assert!(
            row(&text, &first, &[n(&w["visits"]), n(&w["agreed"]), n(&w["sticker_placed"])]),
            "{first}: {text}"
        );
    }
    let areas = r["areas"].as_array().expect("areas");
    assert!(!areas.is_empty());
    for a in areas {
        let placed = a["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["status"] == "sticker_placed")
            .map_or("0".to_string(), |s| n(&s["count"]));
        let share = if a["restaurants"] == 0 {
            "-".to_string()
        } else {
            format!("{}%", (a["share_contacted"].as_f64().unwrap() * 100.0).round())
        };
        let name = a["name"].as_str().unwrap();
        assert!(
            row(&text, name, &[n(&a["restaurants"]), n(&a["contacted"]), placed, share]),
            "{name}: {text}"
        );
    }
    assert!(text.contains("2 volunteers logged visits"), "{text}");
    // Counts only: no notes, no names of volunteers unless asked for.
    for absent in ["private words", "Stuck on the door", "Amina", "Kwame"] {
        assert!(!text.contains(absent), "{absent} is in the PDF: {text}");
    }

    // The whole campaign, with a batch printed and volunteers by name.
    let stickers = dir.path().join("stickers.pdf");
    ok(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "avery-l7160",
            "--count",
            "3",
            "--out",
            &stickers.to_string_lossy(),
        ],
    );
    let pdf = dir.path().join("campaign.pdf");
    let r: Value = serde_json::from_str(&ok(
        &db,
        &["report", "--campaign", "--with-volunteers", "--format", "json", "--out", &pdf.to_string_lossy()],
    ))
    .expect("json");
    let text = pdf_text(&pdf);
    assert_eq!(r["stickers"]["all"]["printed"], 3);
    assert!(text.contains("3 printed in all"), "{text}");
    assert!(text.contains("in drawers 3"), "{text}");
    for v in r["volunteers"].as_array().expect("volunteers by name") {
        let name = v["name"].as_str().unwrap();
        let figures = ["visits", "agreed", "sticker_placed", "follow_ups_owed"].map(|k| n(&v[k]));
        assert!(row(&text, name, &figures), "{name}: {text}");
    }
    assert!(!text.contains("private words"), "{text}");

    // A file that cannot be written (its folder is a file) is refused, and the file in the way
    // is left as it was.
    let before = std::fs::read(&stickers).expect("stickers");
    let nowhere = stickers.join("r.pdf");
    let refused = tablemap(&db, &["report", "--out", &nowhere.to_string_lossy()]);
    assert!(refused.code != 0 && refused.stderr.contains("r.pdf"), "{}", refused.stderr);
    assert_eq!(std::fs::read(&stickers).expect("stickers"), before);
}

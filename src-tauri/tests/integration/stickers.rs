//! Sticker PDFs as a printer and a phone see them: page sizes from pdfinfo, fonts from
//! pdffonts, and every label rendered at 300 dpi (one crop per label, as zbarimg misses codes
//! on whole pages) and its QR code decoded with zbarimg.

use crate::support;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tablemap_core::stickers::{builtin, to_mm};

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (make test installs it)"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tablemap(db: &Path, args: &[&str]) -> String {
    support::tablemap(db, args).ok()
}

/// Runs tablemap expecting it to fail with `want` in its message.
fn refuse(db: &Path, args: &[&str], want: &str) {
    let r = support::tablemap(db, args);
    assert!(r.code != 0 && r.stderr.contains(want), "{args:?}: {}", r.stderr);
}

/// The same URL as a browser sees it (scheme and host are case-insensitive).
fn same_url(a: &str, b: &str) -> bool {
    matches!((url::Url::parse(a), url::Url::parse(b)), (Ok(x), Ok(y)) if x == y)
}

/// Decodes the QR code on label `slot` of page `page` (1-based) of `pdf`.
fn decode_label(
    pdf: &Path,
    template: &tablemap_core::stickers::Template,
    page: u32,
    slot: u32,
    work: &Path,
) -> Option<String> {
    let (left, top) = template.label_origin(slot)?;
    let px = |points: f64| ((to_mm(points) / 25.4) * 300.0).round() as i64;
    let (x, y, w, h) = (px(left), px(top), px(template.shape.width()), px(template.shape.height()));
    let stem = work.join(format!("p{page}-l{slot}"));
    let stem_s = stem.to_string_lossy().into_owned();
    let pdf_s = pdf.to_string_lossy().into_owned();
    let p = page.to_string();
    run(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-f",
            &p,
            "-l",
            &p,
            "-x",
            &x.to_string(),
            "-y",
            &y.to_string(),
            "-W",
            &w.to_string(),
            "-H",
            &h.to_string(),
            "-png",
            "-singlefile",
            &pdf_s,
            &stem_s,
        ],
    );
    let out = Command::new("zbarimg").args(["-q", "--raw", &format!("{stem_s}.png")]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}

#[test]
fn every_builtin_template_prints_true_to_size_and_every_code_scans_to_its_own_url() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(
        &db,
        &["stickers", "campaign", "--url", "https://mc.org.uk/S", "--headline", "#MigrantsContribute"],
    );
    for t in builtin::all() {
        let per_sheet = t.count();
        // A sheet and a bit (three labels on the second page), or two posters.
        let count = if per_sheet == 1 { 2 } else { per_sheet + 3 };
        let pdf = dir.path().join(format!("{}.pdf", t.id));
        let out = tablemap(
            &db,
            &[
                "stickers",
                "print",
                "--template",
                &t.id,
                "--count",
                &count.to_string(),
                "--out",
                &pdf.to_string_lossy(),
            ],
        );
        let batch = out.lines().last().expect("batch id").trim().to_string();

        let info = run("pdfinfo", &[&pdf.to_string_lossy()]);
        assert!(info.contains("Pages:           2"), "{}: {info}", t.id);
        let size = info.lines().find(|l| l.starts_with("Page size:")).expect("page size");
        let expected = if t.page.name == "A4" { "595.276 x 841.89 pts" } else { "612 x 792 pts" };
        assert!(size.contains(expected), "{}: {size}", t.id);

        let fonts = run("pdffonts", &[&pdf.to_string_lossy()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{}: no fonts", t.id);
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert!(cols[0].chars().nth(6) == Some('+'), "{}: {row} is not a subset name", t.id);
            assert_eq!(
                &cols[cols.len() - 5..cols.len() - 2],
                &["yes", "yes", "yes"],
                "{}: {row} embedded/subset/unicode",
                t.id
            );
        }

        let detail: Value =
            serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
                .expect("json");
        let codes = detail["codes"].as_array().expect("codes");
        assert_eq!(codes.len() as u32, count, "{}", t.id);
        let mut decoded = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let (page, slot) = ((i as u32 / per_sheet) + 1, i as u32 % per_sheet);
            let got = decode_label(&pdf, &t, page, slot, dir.path())
                .unwrap_or_else(|| panic!("{}: label {i} did not scan", t.id));
            let want = code["url"].as_str().expect("url");
            assert!(same_url(&got, want), "{}: label {i} scans to {got}, recorded {want}", t.id);
            assert_eq!(code["state"], "printed");
            decoded.push(got.to_ascii_lowercase());
        }
        decoded.sort();
        decoded.dedup();
        assert_eq!(decoded.len() as u32, count, "{}: every code is different", t.id);
    }
}

#[test]
fn start_at_a_part_used_sheet_and_preassigned_restaurants() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--restaurants", "10"]);
    tablemap(&db, &["stickers", "campaign", "--url", "https://mc.org.uk/S", "--query", "utm_source=sticker"]);
    let list: Value =
        serde_json::from_str(&tablemap(&db, &["restaurants", "list", "--format", "json"])).expect("json");
    let ids: Vec<&str> =
        list.as_array().expect("list").iter().take(3).map(|r| r["id"].as_str().expect("id")).collect();
    let names: Vec<&str> =
        list.as_array().expect("list").iter().take(3).map(|r| r["name"].as_str().expect("name")).collect();
    let pdf = dir.path().join("pre.pdf");
    let mut args = vec!["stickers", "print", "--template", "avery-l7160", "--start-at", "20", "--out"];
    let pdf_s = pdf.to_string_lossy().into_owned();
    args.push(&pdf_s);
    for id in &ids {
        args.extend(["--for-restaurant", id]);
    }
    let batch = tablemap(&db, &args).lines().last().expect("batch").to_string();
    let t = builtin::find("avery-l7160").expect("template");
    assert!(run("pdfinfo", &[&pdf_s]).contains("Pages:           2"));
    // Labels 20 and 21 on page 1, then the first label of page 2.
    let detail: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json");
    let places = [(1, 19), (1, 20), (2, 0)];
    for (i, (page, slot)) in places.iter().enumerate() {
        let got = decode_label(&pdf, &t, *page, *slot, dir.path()).expect("scans");
        let code = &detail["codes"][i];
        assert!(same_url(&got, code["url"].as_str().expect("url")), "{got}");
        assert!(got.ends_with("?utm_source=sticker"), "{got}");
        assert_eq!(code["restaurant_id"], ids[i]);
        assert_eq!(code["restaurant_name"], names[i]);
    }
    // Labels before the start are left blank.
    assert!(decode_label(&pdf, &t, 1, 0, dir.path()).is_none());
    let text = run("pdftotext", &["-f", "1", "-l", "1", &pdf_s, "-"]);
    assert!(text.contains(names[0]), "the restaurant's name is printed: {text}");
}

#[test]
fn bad_print_requests_are_refused_and_leave_no_file() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let pdf = dir.path().join("x.pdf");
    let pdf_s = pdf.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--template", "avery-l7160", "--count", "5", "--url", "http://mc.org.uk/S"], "https"),
        (vec!["--template", "avery-l7160", "--count", "5", "--url", "https://a@evil.example/S"], "user name"),
        (vec!["--template", "L9999", "--count", "5"], "no label template"),
        (vec!["--template", "avery-l7160", "--count", "0"], "count"),
        (vec!["--template", "avery-l7160"], "count"),
        (vec!["--template", "avery-l7160", "--count", "5", "--start-at", "22"], "label 22 does not exist"),
        (vec!["--template", "avery-l7160", "--count", "5", "--ec", "X"], "error-correction"),
        (vec!["--template", "avery-l7160", "--for-restaurant", "nope"], "no restaurant"),
    ];
    for (extra, want) in cases {
        let mut args = vec!["stickers", "print", "--out", &pdf_s];
        args.extend(extra.iter());
        let r = support::tablemap(&db, &args);
        assert_ne!(r.code, 0, "{extra:?} should fail");
        assert!(r.stderr.contains(want), "{extra:?}: {}", r.stderr);
        assert!(!pdf.exists(), "{extra:?} left a file");
    }
    let leftovers = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn a_tiny_label_with_a_long_url_warns_about_module_size() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let pdf = dir.path().join("tiny.pdf");
    let r = support::tablemap(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "avery-l7651",
            "--count",
            "3",
            "--ec",
            "H",
            "--url",
            "https://www.migrantscontribute.org.uk/stickers/campaign-2026/windows",
            "--out",
            &pdf.to_string_lossy(),
        ],
    );
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("warning: QR modules print at 0."), "{}", r.stderr);
}

#[test]
fn the_calibration_page_marks_every_label() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let pdf = dir.path().join("cal.pdf");
    tablemap(&db, &["stickers", "calibration", "--template", "avery-l7160", "--out", &pdf.to_string_lossy()]);
    assert!(run("pdfinfo", &[&pdf.to_string_lossy()]).contains("Pages:           1"));
    assert!(run("pdftotext", &[&pdf.to_string_lossy(), "-"]).contains("Tablemap calibration: Avery L7160"));
}

#[test]
fn stickers_are_followed_from_printer_to_window() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--restaurants", "5"]);
    let list: Value =
        serde_json::from_str(&tablemap(&db, &["restaurants", "list", "--format", "json"])).expect("json");
    let (a, b) =
        (list[0]["id"].as_str().expect("id").to_string(), list[1]["id"].as_str().expect("id").to_string());
    let pdf = dir.path().join("s.pdf").to_string_lossy().into_owned();
    let volunteer = "Amina";
    let blank = tablemap(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "avery-l7160",
            "--count",
            "3",
            "--for-volunteer",
            volunteer,
            "--out",
            &pdf,
        ],
    );
    let blank = blank.lines().last().expect("batch").to_string();
    let pre = tablemap(
        &db,
        &["stickers", "print", "--template", "avery-l7160", "--for-restaurant", &a, "--out", &pdf],
    );
    let pre = pre.lines().last().expect("batch").to_string();
    let codes = |batch: &str| -> Value {
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", batch, "--format", "json"])).expect("json")
    };
    let blank_codes = codes(&blank);
    assert!(blank_codes["codes"].as_array().expect("codes").iter().all(|c| c["state"] == "with_volunteer"));
    let first = blank_codes["codes"][0]["code"].as_str().expect("code").to_string();
    let pre_code = codes(&pre)["codes"][0]["code"].as_str().expect("code").to_string();

    // Placing a blank sticker, typed in lower case with a hyphen as a volunteer might.
    let typed = format!("{}-{}", &first[..3], &first[3..]).to_lowercase();
    tablemap(
        &db,
        &[
            "visits",
            "add",
            "--restaurant",
            &b,
            "--volunteer",
            volunteer,
            "--outcome",
            "sticker_placed",
            "--sticker",
            &typed,
        ],
    );
    let after = codes(&blank);
    assert_eq!(after["codes"][0]["state"], "placed");
    assert_eq!(after["codes"][0]["placed_at_restaurant"], list[1]["name"]);
    let shown: Value =
        serde_json::from_str(&tablemap(&db, &["restaurants", "show", &b, "--format", "json"])).expect("json");
    assert_eq!(shown["status"], "sticker_placed");

    let place = |restaurant: &str, code: &str, outcome: &str| -> Vec<String> {
        let words = [
            "visits",
            "add",
            "--restaurant",
            restaurant,
            "--volunteer",
            volunteer,
            "--outcome",
            outcome,
            "--sticker",
            code,
        ];
        words.iter().map(|w| w.to_string()).collect()
    };
    // The same sticker cannot go up twice; a pre-assigned one only at its restaurant; the
    // code must exist; codes only go with sticker_placed.
    let cases = [
        (place(&a, &first, "sticker_placed"), "already placed"),
        (place(&b, &pre_code, "sticker_placed"), "was printed for"),
        (place(&b, "ZZZZZZZ", "sticker_placed"), "no sticker code"),
        (place(&b, &pre_code, "agreed"), "sticker_placed"),
    ];
    for (args, want) in cases {
        refuse(&db, &args.iter().map(String::as_str).collect::<Vec<_>>(), want);
    }
    tablemap(&db, &place(&a, &pre_code, "sticker_placed").iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(codes(&pre)["codes"][0]["state"], "placed");
}

/// Debian's glabels-data (installed by `make test`): every template file, imported at once.
const GLABELS: &str = "/usr/share/libglabels-3.0/templates";

#[test]
fn glabels_template_files_import_and_print() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let mut files: Vec<String> = std::fs::read_dir(GLABELS)
        .unwrap_or_else(|e| panic!("{GLABELS}: {e} (make test installs glabels-data)"))
        .filter_map(|e| e.ok())
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with("-templates.xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} template files", files.len());
    let declared: usize =
        files.iter().map(|f| std::fs::read_to_string(f).expect("read").matches("<Template ").count()).sum();
    let mut args = vec!["stickers", "import-glabels"];
    args.extend(files.iter().map(String::as_str));
    let out = support::tablemap(&db, &args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stdout = &out.stdout;
    let numbers: Vec<usize> =
        stdout.split_whitespace().filter_map(|w| w.trim_end_matches(',').parse().ok()).collect();
    let (imported, skipped) = (numbers[0], numbers[1]);
    assert_eq!(imported + skipped, declared, "every template is imported or skipped with a reason: {stdout}");
    assert!(imported > 1500, "{stdout}");
    assert!(out.stderr.lines().all(|l| l.starts_with("skipped ") && l.contains(": ")), "each skip says why");

    // Three products from three files, as gLabels defines them (lengths in points).
    let all: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "templates", "--format", "json"])).expect("json");
    let find = |id: &str| {
        all.as_array()
            .expect("list")
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id}"))
    };
    #[rustfmt::skip]
    let cases: &[(&str, u64, f64, f64)] = &[
        ("glabels-avery-l7160", 21, 181.4, 108.0),       // an alias (equiv="7160") in avery-iso
        ("glabels-herma-4102", 44, 136.913, 72.0),        // herma-iso
        ("glabels-avery-5160", 30, 189.0, 72.0),          // inches, in avery-us
    ];
    for (id, count, w, h) in cases {
        let t = find(id);
        let layouts = t["layouts"].as_array().expect("layouts");
        let n: u64 = layouts
            .iter()
            .map(|l| l["columns"].as_u64().unwrap_or(0) * l["rows"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(n, *count, "{id}");
        assert!((t["shape"]["width"].as_f64().expect("w") - w).abs() < 0.01, "{id}");
        assert!((t["shape"]["height"].as_f64().expect("h") - h).abs() < 0.01, "{id}");
    }

    // And an imported sheet prints, with codes that scan.
    let pdf = dir.path().join("herma.pdf");
    let batch = tablemap(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "glabels-herma-4102",
            "--count",
            "2",
            "--out",
            &pdf.to_string_lossy(),
        ],
    );
    let batch = batch.lines().last().expect("batch").to_string();
    let detail: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json");
    let template: tablemap_core::stickers::Template =
        serde_json::from_value(find("glabels-herma-4102")).expect("template");
    let got = decode_label(&pdf, &template, 1, 1, dir.path()).expect("scans");
    assert!(same_url(&got, detail["codes"][1]["url"].as_str().expect("url")));
}

#[test]
fn a_broken_glabels_file_imports_nothing_and_says_where() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let good = dir.path().join("good.xml");
    let bad = dir.path().join("bad.xml");
    std::fs::write(&good, r#"<Glabels-templates><Template brand="Acme" part="1" size="A4"><Label-rectangle width="60mm" height="30mm"><Layout nx="3" ny="8" x0="10mm" y0="20mm" dx="65mm" dy="32mm"/></Label-rectangle></Template></Glabels-templates>"#).expect("write");
    std::fs::write(
        &bad,
        "<Glabels-templates>\n  <Template brand=\"Acme\" part=\"2\">\n</Glabels-templates>\n",
    )
    .expect("write");
    let r = support::tablemap(
        &db,
        &["stickers", "import-glabels", &good.to_string_lossy(), &bad.to_string_lossy()],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("bad.xml: line 3, column"), "{}", r.stderr);
    let all: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "templates", "--format", "json"])).expect("json");
    assert!(
        all.as_array().expect("list").iter().all(|t| !t["id"].as_str().unwrap_or("").starts_with("glabels-")),
        "nothing imported"
    );
}

#[test]
fn custom_templates_and_printer_calibration() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let add = [
        "stickers",
        "add-template",
        "--id",
        "shop40",
        "--name",
        "Shop 40",
        "--grid",
        "4x10",
        "--left",
        "9.75",
        "--top",
        "21.5",
    ];
    let id = tablemap(
        &db,
        &[&add[..], &["--label", "45.7x25.4", "--h-pitch", "48.26", "--v-pitch", "25.4"]].concat(),
    );
    assert_eq!(id.trim(), "custom-shop40");
    refuse(
        &db,
        &[&add[..], &["--label", "45.7x25.4", "--h-pitch", "58.26", "--v-pitch", "25.4"]].concat(),
        "outside the page",
    );
    refuse(
        &db,
        &[&add[..], &["--label", "45.7x25.4", "--h-pitch", "40", "--v-pitch", "25.4"]].concat(),
        "overlap",
    );
    refuse(
        &db,
        &[&add[..], &["--label", "wide", "--h-pitch", "48.26", "--v-pitch", "25.4"]].concat(),
        "63.5x38.1",
    );
    refuse(&db, &["stickers", "calibrate", "--scale", "1.5"], "between 0.9 and 1.1");
    refuse(&db, &["stickers", "calibrate", "--offset-x", "25"], "within 20 mm");

    // A printer that prints 20 mm too far left is corrected by shifting everything 20 mm right:
    // the code is then found 20 mm to the right of where the sheet puts the label.
    tablemap(&db, &["stickers", "calibrate", "--offset-x", "20"]);
    let pdf = dir.path().join("shifted.pdf");
    tablemap(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "custom-shop40",
            "--count",
            "2",
            "--out",
            &pdf.to_string_lossy(),
        ],
    );
    let t: Vec<tablemap_core::stickers::Template> =
        serde_json::from_str(&tablemap(&db, &["stickers", "templates", "--format", "json"])).expect("json");
    let t = t.into_iter().find(|t| t.id == "custom-shop40").expect("saved");
    let shifted = |by_mm: f64| {
        let mut m = t.clone();
        m.layouts[0].left += tablemap_core::stickers::mm(by_mm);
        m
    };
    assert!(decode_label(&pdf, &shifted(20.0), 1, 1, dir.path()).is_some(), "found 20 mm to the right");
    assert!(decode_label(&pdf, &shifted(-20.0), 1, 1, dir.path()).is_none(), "and not 20 mm to the left");
}

/// A round logo, as a PNG with transparency.
fn logo_png(path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), 64, 64);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().expect("header");
    let data: Vec<u8> = (0..64 * 64)
        .flat_map(|i| {
            let (x, y) = (i % 64, i / 64);
            let inside = (x - 32) * (x - 32) + (y - 32) * (y - 32) < 30 * 30;
            [15u8, 95, 90, if inside { 255 } else { 0 }]
        })
        .collect();
    w.write_image_data(&data).expect("data");
}

#[test]
fn a_logo_in_the_middle_prints_at_level_h_and_every_code_still_scans() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let logo = dir.path().join("logo.png");
    logo_png(&logo);
    tablemap(
        &db,
        &["stickers", "campaign", "--url", "https://mc.org.uk/S", "--logo", &logo.to_string_lossy()],
    );
    let pdf = dir.path().join("logo.pdf");
    let r = support::tablemap(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "avery-l7160",
            "--count",
            "21",
            "--ec",
            "Q",
            "--out",
            &pdf.to_string_lossy(),
        ],
    );
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("level H instead of Q"));
    let batch = r.stdout.lines().last().expect("batch").to_string();
    let detail: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json");
    assert_eq!(detail["batch"]["ec_level"], "H");
    let images = run("pdfimages", &["-list", &pdf.to_string_lossy()]);
    assert!(images.lines().any(|l| l.contains(" image ") && l.contains("64    64")), "{images}");
    let t = builtin::find("avery-l7160").expect("template");
    for slot in 0..21 {
        let got = decode_label(&pdf, &t, 1, slot, dir.path())
            .unwrap_or_else(|| panic!("label {slot} with a logo did not scan"));
        assert!(same_url(&got, detail["codes"][slot as usize]["url"].as_str().expect("url")));
    }
    // A file that is not a PNG is refused and the logo stays as it was.
    let not_png = dir.path().join("logo.gif");
    std::fs::write(&not_png, b"GIF89a").expect("write");
    refuse(&db, &["stickers", "campaign", "--logo", &not_png.to_string_lossy()], "not a PNG");
    // An SVG logo is drawn to a PNG and works the same.
    let svg = dir.path().join("logo.svg");
    std::fs::write(&svg, r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4.5" fill="#c83c28"/></svg>"##)
        .expect("write");
    tablemap(&db, &["stickers", "campaign", "--logo", &svg.to_string_lossy()]);
    let out = tablemap(
        &db,
        &[
            "stickers",
            "print",
            "--template",
            "avery-l7160",
            "--count",
            "1",
            "--ec",
            "H",
            "--out",
            &pdf.to_string_lossy(),
        ],
    );
    let batch = out.lines().last().expect("batch").to_string();
    let detail: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json");
    let got = decode_label(&pdf, &t, 1, 0, dir.path()).expect("scans with an SVG logo");
    assert!(same_url(&got, detail["codes"][0]["url"].as_str().expect("url")));
    assert!(run("pdfimages", &["-list", &pdf.to_string_lossy()]).contains("600   600"));
    tablemap(&db, &["stickers", "campaign", "--no-logo"]);
}

#[test]
fn stickers_move_on_through_their_life() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--restaurants", "3"]);
    let pdf = dir.path().join("m.pdf").to_string_lossy().into_owned();
    let batch =
        tablemap(&db, &["stickers", "print", "--template", "avery-l7160", "--count", "2", "--out", &pdf]);
    let batch = batch.lines().last().expect("batch").to_string();
    let detail: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json");
    let (one, two) = (
        detail["codes"][0]["code"].as_str().expect("code"),
        detail["codes"][1]["code"].as_str().expect("code"),
    );
    let restaurant =
        serde_json::from_str::<Value>(&tablemap(&db, &["restaurants", "list", "--format", "json"]))
            .expect("json")[0]["id"]
            .as_str()
            .expect("id")
            .to_string();

    refuse(&db, &["stickers", "mark", one, "--state", "with_volunteer"], "who has the sticker");
    refuse(&db, &["stickers", "mark", one, "--state", "placed"], "logging a visit");
    refuse(&db, &["stickers", "mark", "ABCDEF", "--state", "missing"], "not a sticker code");
    assert!(tablemap(&db, &["stickers", "mark", one, "--state", "with_volunteer", "--volunteer", "Amina"])
        .contains("with_volunteer"));
    assert!(
        tablemap(&db, &["stickers", "mark", &one.to_lowercase(), "--state", "missing"]).contains("missing")
    );
    refuse(&db, &["stickers", "mark", one, "--state", "replaced"], "cannot become replaced");
    tablemap(
        &db,
        &[
            "visits",
            "add",
            "--restaurant",
            &restaurant,
            "--volunteer",
            "Amina",
            "--outcome",
            "sticker_placed",
            "--sticker",
            two,
        ],
    );
    assert!(tablemap(&db, &["stickers", "mark", two, "--state", "replaced"]).contains("replaced"));
    let detail: Value =
        serde_json::from_str(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json");
    assert_eq!(detail["codes"][0]["state"], "missing");
    assert_eq!(detail["codes"][1]["state"], "replaced");
}

#[test]
fn a_sheet_of_printed_stickers_is_handed_to_a_volunteer_in_one_go() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    tablemap(&db, &["demo", "--restaurants", "3"]);
    let pdf = dir.path().join("h.pdf").to_string_lossy().into_owned();
    let out =
        tablemap(&db, &["stickers", "print", "--template", "avery-l7160", "--count", "5", "--out", &pdf]);
    let batch = out.lines().last().expect("batch").to_string();
    let codes = |db: &Path| -> Vec<String> {
        let detail: Value =
            serde_json::from_str(&tablemap(db, &["stickers", "batch", &batch, "--format", "json"]))
                .expect("json");
        detail["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .map(|c| c["state"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let first =
        serde_json::from_str::<Value>(&tablemap(&db, &["stickers", "batch", &batch, "--format", "json"]))
            .expect("json")["codes"][0]["code"]
            .as_str()
            .expect("code")
            .to_string();
    tablemap(&db, &["stickers", "mark", &first, "--state", "missing"]);
    refuse(&db, &["stickers", "hand-out", &batch, "--volunteer", "Nobody Here"], "volunteer");
    let said = tablemap(&db, &["stickers", "hand-out", &batch, "--volunteer", "Amina"]);
    assert!(said.contains("4 stickers") && said.contains("Amina"), "{said}");
    assert_eq!(
        codes(&db),
        ["missing", "with_volunteer", "with_volunteer", "with_volunteer", "with_volunteer"]
    );
    refuse(
        &db,
        &["stickers", "hand-out", &batch, "--volunteer", "Amina"],
        "handed out, placed or lost already",
    );
}

/// Dark pixels in a region of page 1, in mm from the page's top-left.
fn dark_pixels(pdf: &Path, x_mm: f64, y_mm: f64, w_mm: f64, h_mm: f64, work: &Path) -> usize {
    let px = |v: f64| ((v / 25.4) * 300.0).round() as i64;
    let stem = work.join("region");
    run(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-f",
            "1",
            "-l",
            "1",
            "-gray",
            "-x",
            &px(x_mm).to_string(),
            "-y",
            &px(y_mm).to_string(),
        ]
        .into_iter()
        .map(str::to_string)
        .chain([
            "-W".into(),
            px(w_mm).to_string(),
            "-H".into(),
            px(h_mm).to_string(),
            "-png".into(),
            "-singlefile".into(),
        ])
        .chain([pdf.to_string_lossy().into_owned(), stem.to_string_lossy().into_owned()])
        .collect::<Vec<_>>()
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(work.join("region.png")).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("info");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut buf).expect("frame");
    buf[..frame.buffer_size()].iter().filter(|v| **v < 128).count()
}

#[test]
fn cut_marks_sit_just_outside_the_corners() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    for (flag, marked) in [("--cut-marks", true), ("--outlines", false)] {
        let pdf = dir.path().join("c.pdf");
        tablemap(
            &db,
            &[
                "stickers",
                "print",
                "--template",
                "avery-l7160",
                "--count",
                "1",
                flag,
                "--out",
                &pdf.to_string_lossy(),
            ],
        );
        // Left of the first label's top-left corner (7.21 mm, 15.15 mm), along its top edge.
        let dark = dark_pixels(&pdf, 2.5, 14.65, 4.0, 1.0, dir.path());
        assert_eq!(dark > 0, marked, "{flag}: {dark} dark pixels");
    }
}

#[test]
fn campaign_words_in_other_scripts_are_shaped_embedded_and_searchable() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let headline = "#المهاجرون_يساهمون";
    let second = "ሰላም እንኳን ደህና መጡ";
    tablemap(
        &db,
        &[
            "stickers",
            "campaign",
            "--url",
            "https://mc.org.uk/S",
            "--headline",
            headline,
            "--second-line",
            second,
            "--font",
            "serif",
        ],
    );
    let pdf = dir.path().join("scripts.pdf");
    tablemap(
        &db,
        &["stickers", "print", "--template", "avery-l7163", "--count", "2", "--out", &pdf.to_string_lossy()],
    );
    let fonts = run("pdffonts", &[&pdf.to_string_lossy()]);
    for face in ["NotoNaskhArabic-Bold", "NotoSansEthiopic-Regular", "NotoSerif-Bold"] {
        assert!(fonts.contains(face), "{face} embedded: {fonts}");
    }
    // The ToUnicode maps make the words searchable and copyable.
    let text = run("pdftotext", &["-f", "1", "-l", "1", &pdf.to_string_lossy(), "-"]);
    assert!(text.contains("ሰላም"), "{text}");
    let t = builtin::find("avery-l7163").expect("template");
    assert!(decode_label(&pdf, &t, 1, 0, dir.path()).is_some());
}

/// A print whose batch cannot be recorded (another process holds the database) fails in words
/// and leaves the PDF that was at the same path before exactly as it was.
#[test]
fn a_failed_print_leaves_the_previous_pdf_as_it_was() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("t.sqlite");
    let mut store = tablemap_core::store::Store::open(&db).expect("store");
    let out = dir.path().join("batch.pdf");
    let req = || support::blank_print(3, out.clone());
    tablemap_core::api::stickers::print(&mut store, req(), support::now(), &mut |_, _| true)
        .expect("first print");
    let first = std::fs::read(&out).expect("first pdf");
    // Someone else holds the write lock until after the busy timeout: recording the second
    // batch fails once its PDF is written.
    let other = tablemap_core::store::Store::open(&db).expect("open");
    other.conn().execute_batch("BEGIN IMMEDIATE").expect("lock");
    let failed = tablemap_core::api::stickers::print(&mut store, req(), support::now(), &mut |_, _| true);
    assert!(failed.is_err());
    other.conn().execute_batch("ROLLBACK").expect("unlock");
    assert_eq!(std::fs::read(&out).expect("still there"), first, "the previous PDF, byte for byte");
    let litter: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.contains(".previous-") || n.ends_with(".part"))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
}

/// The batch is recorded before its PDF takes its place; when the PDF then cannot be placed
/// (here a folder of the person's stands at that name), the batch is taken back whole and the
/// folder is left as it was.
#[test]
fn a_pdf_that_cannot_be_placed_takes_its_batch_back() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = tablemap_core::store::Store::open(&dir.path().join("t.sqlite")).expect("store");
    let out = dir.path().join("batch.pdf");
    std::fs::create_dir(&out).expect("a folder at the name");
    std::fs::write(out.join("mine.txt"), "mine").expect("write");
    let req = support::blank_print(3, out.clone());
    let failed = tablemap_core::api::stickers::print(&mut store, req, support::now(), &mut |_, _| true);
    assert!(matches!(failed, Err(tablemap_core::api::ApiError::File { .. })), "{failed:?}");
    assert!(tablemap_core::api::stickers::batches(&store).expect("batches").is_empty());
    let codes: i64 =
        store.conn().query_row("SELECT count(*) FROM sticker_codes", [], |r| r.get(0)).expect("count");
    let events: i64 =
        store.conn().query_row("SELECT count(*) FROM sticker_events", [], |r| r.get(0)).expect("count");
    assert_eq!((codes, events), (0, 0));
    assert_eq!(std::fs::read_to_string(out.join("mine.txt")).expect("kept"), "mine");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

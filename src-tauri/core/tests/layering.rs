//! The core's layering, checked by its edges: every `crate::…` and `super::…` path in
//! `src/` (in `use` lines and inline) is an arrow from the file's top module to another, and no
//! arrow may run from a lower layer to a higher one. The layers are the ones ARCHITECTURE.md
//! draws (its `layers` block), so the picture and the check cannot drift. Inside a top module,
//! sibling files must not form a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, top first, and the sideways arrows allowed within a layer.
struct Layers {
    rank: BTreeMap<String, usize>,
    sideways: BTreeSet<(String, String)>,
}

impl Layers {
    /// Reads the fenced block that starts with "```layers": one layer a line (modules separated
    /// by spaces), top first; `allow: a -> b, c -> d` lines name the sideways arrows.
    fn from_architecture(text: &str) -> Layers {
        let block = text.split("```layers\n").nth(1).expect("ARCHITECTURE.md has a ```layers block");
        let block = block.split("```").next().expect("the layers block ends");
        let mut rank = BTreeMap::new();
        let mut sideways = BTreeSet::new();
        let mut level = 0;
        for line in block.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            if let Some(arrows) = line.strip_prefix("allow:") {
                for arrow in arrows.split(',') {
                    let (a, b) = arrow.split_once("->").expect("an allowed arrow is `a -> b`");
                    sideways.insert((a.trim().to_string(), b.trim().to_string()));
                }
            } else {
                for module in line.split_whitespace() {
                    assert!(rank.insert(module.to_string(), level).is_none(), "{module} is in two layers");
                }
                level += 1;
            }
        }
        Layers { rank, sideways }
    }
}

/// A file's module path: `api/areas.rs` is `[api, areas]`, `api/mod.rs` is `[api]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(String::from).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code without comments and string literals, so words in them are not arrows.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let b = source.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i = source[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            i = source[start..].find(&close).map_or(b.len(), |e| start + e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '"' (lifetimes have no closing quote two bytes on).
            out.push_str("' '");
            i += 3;
        } else {
            let c = source[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The module paths a file names, resolved from the crate root: `crate::a::b` is `[a, b]`,
/// `super::x` from `[api, areas]` is `[api, x]`. A `{…}` group yields each of its first names.
fn paths_named(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let starts_word = i == 0 || !is_ident(bytes[i - 1]);
        let (mut base, mut j) = if starts_word && rest.starts_with("crate::") {
            (Vec::new(), i + "crate::".len())
        } else if starts_word && rest.starts_with("super::") {
            let mut base = module.to_vec();
            let mut j = i;
            while code[j..].starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            (base, j)
        } else {
            i += 1;
            continue;
        };
        // Follow `name::name::…`, then a `{…}` group if there is one.
        loop {
            let end = j + code[j..].bytes().take_while(|&c| is_ident(c)).count();
            if end > j {
                base.push(code[j..end].to_string());
                j = end;
                if code[j..].starts_with("::") {
                    j += 2;
                    continue;
                }
                found.push(base.clone());
            } else if code[j..].starts_with('{') {
                let close = code[j..].find('}').map_or(code.len(), |e| j + e);
                for item in code[j + 1..close].split(',') {
                    let first: String =
                        item.trim().bytes().take_while(|&c| is_ident(c)).map(char::from).collect();
                    if !first.is_empty() && first != "self" {
                        let mut p = base.clone();
                        p.push(first);
                        found.push(p);
                    } else if first == "self" {
                        found.push(base.clone());
                    }
                }
                j = close;
            } else {
                found.push(base.clone());
            }
            break;
        }
        i = j.max(i + 1);
    }
    found
}

/// Every problem in `files` (path under src/, source text): arrows that run up or sideways
/// without leave, modules the layers do not place, and cycles among sibling files.
fn check(files: &[(String, String)], layers: &Layers) -> Vec<String> {
    let mut problems = Vec::new();
    let mut siblings: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let tops: BTreeSet<String> = files.iter().filter_map(|(f, _)| module_of(f).first().cloned()).collect();
    for top in &tops {
        if !layers.rank.contains_key(top) {
            problems.push(format!("module {top} is in no layer of ARCHITECTURE.md"));
        }
    }
    for (file, source) in files {
        let module = module_of(file);
        let Some(from) = module.first() else { continue };
        for path in paths_named(&module, &code_only(source)) {
            let Some(to) = path.first().filter(|t| tops.contains(*t)) else { continue };
            if to == from {
                // Inside one top module: remember arrows between sibling files (not to a parent).
                let (a, b) = (&module, &path);
                let depth = a.len().min(b.len());
                let common = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
                if common < depth {
                    siblings.entry(a[..=common].to_vec()).or_default().insert(b[..=common].to_vec());
                }
                continue;
            }
            let (Some(rf), Some(rt)) = (layers.rank.get(from), layers.rank.get(to)) else { continue };
            let arrow = format!("{file}: {from} -> {to} ({})", path.join("::"));
            if rt < rf {
                problems.push(format!("{arrow} runs up a layer"));
            } else if rt == rf && !layers.sideways.contains(&(from.clone(), to.clone())) {
                problems.push(format!("{arrow} runs sideways without leave in ARCHITECTURE.md"));
            }
        }
    }
    problems.extend(cycles(&siblings));
    problems
}

/// Cycles in the graph of arrows between sibling modules, each reported once.
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        out: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let ring: Vec<String> = stack[at..].iter().chain([node]).map(|n| n.join("::")).collect();
            out.push(format!("cycle: {}", ring.join(" -> ")));
            return;
        }
        if !done.insert(node.clone()) {
            return;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done, out);
        }
        stack.pop();
    }
    let mut out = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut out);
    }
    out
}

fn sources(dir: &Path, under: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, under, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.strip_prefix(under).expect("under src").to_string_lossy().replace('\\', "/");
            out.push((name, std::fs::read_to_string(&path).expect("read")));
        }
    }
}

fn architecture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md");
    std::fs::read_to_string(path).expect("ARCHITECTURE.md")
}

#[test]
fn the_tree_keeps_its_layers() {
    let layers = Layers::from_architecture(&architecture());
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.len() > 100, "read {} files", files.len());
    let problems = check(&files, &layers);
    assert!(problems.is_empty(), "layering broken:\n{}", problems.join("\n"));
}

#[test]
fn planted_arrows_are_caught() {
    let layers = Layers::from_architecture(
        "```layers\n# top first\ndemo api\nsync sources\nstore walk stickers\ndomain\nallow: demo -> api, walk -> stickers\n```",
    );
    // (files, how many problems, a word every problem shares)
    let cases: &[(&[(&str, &str)], usize, &str)] = &[
        // Downward arrows, in every spelling, are fine.
        (&[("api/a.rs", "use crate::store::Store;\nuse crate::{domain, sync::x};"), ("store/mod.rs", ""), ("domain/mod.rs", ""), ("sync/mod.rs", "")], 0, ""),
        // A planted back-arrow: the domain naming stickers (the old code-format arrow).
        (&[("domain/visit.rs", "fn f() { crate::stickers::codes::normalise(\"x\"); }"), ("stickers/codes.rs", "")], 1, "runs up"),
        // Through super:: from a nested file, and inside a brace group.
        (&[("store/x/y.rs", "use super::super::super::api::ApiError;"), ("api/mod.rs", "")], 1, "runs up"),
        (&[("sync/pull.rs", "use crate::{domain::Hlc, api::sync};"), ("api/mod.rs", ""), ("domain/mod.rs", "")], 1, "runs up"),
        // Sideways needs leave: walk -> stickers has it, stickers -> walk does not.
        (&[("walk/sheet.rs", "use crate::stickers::pdf;"), ("stickers/pdf.rs", "")], 0, ""),
        (&[("stickers/pdf.rs", "use crate::walk::route;"), ("walk/route.rs", "")], 1, "sideways"),
        (&[("demo.rs", "use crate::api::ApiError;"), ("api/mod.rs", "")], 0, ""),
        // Words in comments and strings are not arrows.
        (&[("domain/a.rs", "// see crate::api::x\n/* crate::api */ let s = \"crate::api::y\"; let r = r#\"crate::api\"#;"), ("api/mod.rs", "")], 0, ""),
        // A module the layers do not place.
        (&[("server/mod.rs", "")], 1, "no layer"),
        // Sibling files that name each other (the old consent <-> merge cycle).
        (&[("domain/consent.rs", "use super::merge::x;"), ("domain/merge.rs", "use super::consent::y;")], 1, "cycle"),
        // A child naming its parent module is not a cycle.
        (&[("domain/mod.rs", "pub mod merge; pub use merge::x;"), ("domain/merge.rs", "use super::Status;")], 0, ""),
    ];
    for (i, (files, count, word)) in cases.iter().enumerate() {
        let files: Vec<(String, String)> =
            files.iter().map(|(f, s)| (f.to_string(), s.to_string())).collect();
        let problems = check(&files, &layers);
        assert_eq!(problems.len(), *count, "case {i}: {problems:#?}");
        assert!(problems.iter().all(|p| p.contains(word)), "case {i}: {problems:#?}");
    }
}

#[test]
fn paths_resolve_from_the_crate_root() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let cases: &[(&str, &str, &[&str])] = &[
        ("api/areas.rs", "use crate::store::areas;", &["store::areas"]),
        ("api/areas.rs", "use super::Result;", &["api::Result"]),
        ("api/mod.rs", "use super::store;", &["store"]),
        ("walk/sheet/pen.rs", "use super::super::route::x;", &["walk::route::x"]),
        ("api/x.rs", "use crate::{a, b::c, self};", &["a", "b", ""]),
        ("api/x.rs", "my_crate::api::x(); supersede::y();", &[]),
    ];
    for (file, code, want) in cases {
        let got: Vec<String> = paths_named(&module_of(file), code).iter().map(|p| p.join("::")).collect();
        let want: Vec<String> = want.iter().map(|w| m(w).join("::")).collect();
        assert_eq!(got, want, "{file}: {code}");
    }
}

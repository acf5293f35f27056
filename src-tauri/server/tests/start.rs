//! The binary as an operator meets it: a setting or a database that stops it from starting is
//! one clear line on standard error and exit status 2; its dependency tree has no Tauri, WebKit
//! or GTK, so it builds and runs on a plain server.

use std::process::Command;

fn start(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tablemap-server"))
        .args(args)
        .env_remove("TABLEMAP_DATABASE_URL")
        .env_remove("TABLEMAP_LANDING")
        .output()
        .expect("run tablemap-server");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_start_that_cannot_serve_says_why_in_one_line_and_exits_2() {
    // Port 9 on this machine: nothing listens there (the discard service is never run here).
    let unreachable = "postgres://tablemap_web@127.0.0.1:9/campaign";
    let cases: [(&[&str], &str); 4] = [
        (
            &["--database-url", unreachable, "--landing", "https://mc.example/"],
            "tablemap-server: cannot reach the database at 127.0.0.1:9: ",
        ),
        (
            &["--database-url", "postgres://", "--landing", "https://mc.example/"],
            "tablemap-server: --database-url: the database address needs a host name",
        ),
        (
            &["--database-url", unreachable, "--landing", "mc.example"],
            "tablemap-server: --landing: an address such as https://",
        ),
        (
            &["--database-url", unreachable, "--landing", "https://mc.example/", "--listen", "nowhere"],
            "invalid value 'nowhere' for '--listen <LISTEN>'",
        ),
    ];
    for (args, want) in cases {
        let (code, stderr) = start(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        if want.starts_with("tablemap-server:") {
            assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        }
    }
}

#[test]
fn the_service_depends_on_no_tauri_webkit_or_gtk() {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "-p", "tablemap-server", "-e", "normal", "--prefix", "none"])
        .output()
        .expect("cargo tree");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().any(|l| l.starts_with("tablemap-core ")), "the tree is read: {tree}");
    let gui: Vec<&str> = tree
        .lines()
        .filter(|l| {
            let name = l.split_whitespace().next().unwrap_or("");
            ["tauri", "wry", "tao", "webkit2gtk", "gtk", "gdk", "glib", "rfd"].iter().any(|g| {
                name == *g || name.starts_with(&format!("{g}-")) || name.starts_with(&format!("{g}_"))
            })
        })
        .collect();
    assert!(gui.is_empty(), "{gui:?}");
}

#!/usr/bin/env bash
# The architecture's invariants (ARCHITECTURE.md), checked on every test run.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
bad() { printf 'invariant broken: %s\n%s\n' "$1" "$2" >&2; fail=1; }

core=src-tauri/core/src

# Only the app crate knows about Tauri: the core's dependency graph holds no GUI crate at all.
gui_crates() { grep -E '^(tauri|tauri-[a-z-]+|wry|webkit2gtk|webkit2gtk-sys|gtk|gtk-sys|gdk|javascriptcore-rs) ' | sort -u; }
# The web service (tablemap-server) runs on a plain server: no GUI crate in its graph either.
for crate in tablemap-core tablemap-server; do
  if tree=$(cargo tree -p "$crate" -e normal,build --prefix none 2>&1); then
    hits=$(gui_crates <<<"$tree" || true)
    [ -n "$hits" ] && bad "$crate must not depend on Tauri, WebKit or GTK" "$hits"
  else
    bad "cargo tree -p $crate failed" "$tree"
  fi
done
# The same filter finds them in the app's graph, so it can fail.
[ -z "$(cargo tree -p tablemap -e normal --prefix none 2>/dev/null | gui_crates)" ] && bad "the GUI-crate check found no Tauri in the app either" "(gui_crates is broken)"
# Inside the app crate, only app.rs and commands/ use Tauri (the CLI runs without a window).
hits=$(grep -rnE '\btauri(::|_)' src-tauri/src --include='*.rs' | grep -vE '^src-tauri/src/(app\.rs|commands/)' || true)
[ -n "$hits" ] && bad "only app.rs and commands/ may use tauri" "$hits"

# Only sources/ talks to the network.
hits=$(grep -rn 'reqwest' "$core" src-tauri/src --include='*.rs' | grep -v "^$core/sources/" || true)
[ -n "$hits" ] && bad "only sources/ may use reqwest" "$hits"

# Only sync/ talks to the team server.
hits=$(grep -rnE '\bpostgres(::|_)' "$core" src-tauri/src --include='*.rs' | grep -vE "^($core/sync/|src-tauri/src/cli/team\.rs)" || true)
[ -n "$hits" ] && bad "only sync/ (and the CLI's server commands) may use the postgres client" "$hits"

# Domain rules do no I/O and read no clock.
hits=$(grep -rnE 'Utc::now|SystemTime::now|std::fs|rusqlite' "$core/domain" || true)
[ -n "$hits" ] && bad "domain/ takes time as an argument and does no I/O" "$hits"

# Walk lists read no clock and write only to the io::Write they are given.
hits=$(grep -rnE 'Utc::now|Local::now|SystemTime::now|std::fs|File::|rusqlite' "$core/walk" || true)
[ -n "$hits" ] && bad "walk/ takes time as an argument and does no file or database I/O" "$hits"

# Only one UI module calls into Rust.
hits=$(grep -rln '@tauri-apps/api' ui/src | grep -v '^ui/src/lib/api.ts$' || true)
[ -n "$hits" ] && bad "only ui/src/lib/api.ts may import @tauri-apps/api" "$hits"

# Nothing a user typed reaches HTML.
hits=$(grep -rnE 'innerHTML|outerHTML|insertAdjacentHTML|\{@html|document\.write|bindPopup\(|bindTooltip\(' ui/src || true)
[ -n "$hits" ] && bad "no HTML sinks in the UI: build DOM nodes or use text" "$hits"

# The public map page builds its popups from text too.
hits=$(grep -nE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write' "$core"/exports/public_map/* || true)
[ -n "$hits" ] && bad "the public map must put data into the page as text" "$hits"

# No column for nationality or immigration status, in any migration.
hits=$(grep -vE '^\s*--' src-tauri/core/migrations/*.sql src-tauri/core/server-migrations/*.sql | grep -iE 'nationality|immigration|citizenship|visa|asylum|ethnic' || true)
[ -n "$hits" ] && bad "the schema must not store nationality or immigration status" "$hits"

# The capability grants exactly the commands build.rs declares.
declared=$(grep -oE '^\s+"[a-z_]+",' src-tauri/build.rs | tr -d ' ",' | tr '_' '-' | sed 's/^/allow-/' | sort)
granted=$(grep -oE '"allow-[a-z-]+"' src-tauri/capabilities/default.json | tr -d '"' | sort)
[ "$declared" != "$granted" ] && bad "capabilities/default.json must grant exactly build.rs's commands" "$(diff <(echo "$declared") <(echo "$granted"))"

[ $fail -eq 0 ] && echo "invariants: all hold"
exit $fail

#!/usr/bin/env bash
# Installs what Tablemap needs to build (`run`) or to build and test (`test`), skipping what is
# already there. On Debian/Ubuntu it installs the system packages itself (with sudo when not
# root); elsewhere it prints exactly what to install.
set -euo pipefail
purpose=${1:-run}
cd "$(dirname "$0")/.."

build_pkgs=(build-essential pkg-config file curl libwebkit2gtk-4.1-dev libgtk-3-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev)
# postgresql: the team-sync tests start a throwaway server (initdb + pg_ctl, tests/support/postgres.rs).
# xdotool: the e2e tests type into the native save and folder dialogs (WebDriver cannot).
# gnome-keyring, libsecret-tools, dbus-daemon: the key tests use a real Secret Service
# (gnome-keyring under dbus-run-session).
test_pkgs=(xvfb xauth xdotool webkit2gtk-driver zbar-tools poppler-utils glabels-data postgresql
  gnome-keyring libsecret-tools dbus-daemon)
# The benchmarks also run the peers: glabels-3-batch, reportlab + segno in a venv, and nginx
# (the web service's peer in bench-serve).
bench_pkgs=(glabels python3-venv nginx)
pkgs=("${build_pkgs[@]}")
[ "$purpose" = test ] && pkgs+=("${test_pkgs[@]}")
[ "$purpose" = bench ] && pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}")

say() { printf 'deps: %s\n' "$*" >&2; }

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      -o DPkg::Lock::Timeout=900 "${missing[@]}" >/dev/null
  fi
else
  say "not a Debian/Ubuntu system: install the equivalents of these packages yourself:"
  say "  ${pkgs[*]}"
  say "(Fedora: webkit2gtk4.1-devel openssl-devel librsvg2-devel libappindicator-gtk3-devel xdotool;"
  say " Arch: webkit2gtk-4.1 base-devel openssl librsvg libappindicator-gtk3 xdotool; see tauri.app's prerequisites)"
fi

if ! command -v cargo >/dev/null 2>&1; then
  say "Rust is missing: install it from rustup.rs (stable, 1.85 or newer), then run make again"
  exit 1
fi

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  say "Node.js 20.19 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none))."
  say "Install it from your distribution (Debian 13: apt-get install nodejs npm) or nodejs.org, then run make again"
  exit 1
fi

# The UI's npm packages, exactly as locked; reinstalled when the lock file changes.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing the UI's npm packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$cargo_bin/tauri-driver" ]; then
    say "installing tauri-driver (cargo install tauri-driver --locked)"
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
fi

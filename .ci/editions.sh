#!/usr/bin/env bash
# The expansion of `#[chaos]` and `chaos::point!` compiled and run in user crates of every edition
# (tests/editions/e2018, e2021, e2024: one program, tests/editions/shared.rs), with chaos compiled
# in. The three share one target directory, so chaos and its dependencies build once.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/tests/editions/target}"
for edition in 2018 2021 2024; do
    echo "== edition $edition"
    cargo run -j2 --quiet --manifest-path "tests/editions/e$edition/Cargo.toml"
done

#!/usr/bin/env bash
# The browser half of `make bench`: builds tests/idb_bench.rs for wasm (speed-optimised
# profile `wasm-bench`), runs it in headless Chromium through wasm-bindgen-test-runner,
# and prints its JSON lines; then runs the native replay over the same number of events
# in this run and prints the wasm-vs-native ratio as one more JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT=900

out=$(mktemp)
trap 'rm -f "$out"' EXIT
cargo test --profile wasm-bench --target wasm32-unknown-unknown -p event-dojo --test idb_bench -- --nocapture 2>&1 | tee "$out" >&2
browser=$(grep '^{"' "$out" || true)
if [ -z "$browser" ]; then
  echo "the browser benchmark printed no results" >&2
  exit 1
fi

wasm_line=$(grep '"replay/full-wasm/' <<<"$browser")
events=$(sed -E 's/.*full-wasm\/([0-9]+)-events.*/\1/' <<<"$wasm_line")
cargo build -q --profile native-release -p dojo-cli
native_line=$(./target/native-release/dojo bench replay --events "$events" --seeks 20 --baseline-seeks 2 2>/dev/null | grep "\"replay/full/$events-events\"")

echo "$browser"
node -e '
  const wasm = JSON.parse(process.argv[1]), native = JSON.parse(process.argv[2]);
  const ratio = Math.round(wasm.value / native.value * 100) / 100;
  console.log(JSON.stringify({ bench: wasm.bench.replace("full-wasm", "wasm-vs-native"), value: wasm.value, unit: "events/s",
    baseline: "native", baseline_value: native.value, ratio }));
' "$wasm_line" "$native_line"

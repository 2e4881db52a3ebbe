#!/usr/bin/env bash
# The browser half of `make bench`: builds tests/idb_bench.rs and tests/match_bench.rs for
# wasm (speed-optimised profile `wasm-bench`), runs them in headless Chromium through
# wasm-bindgen-test-runner, and prints their JSON lines; then runs the native replay and
# the native matcher benchmark over the same events in this run and prints each
# wasm-vs-native ratio as one more JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT=900

out=$(mktemp)
trap 'rm -f "$out"' EXIT
cargo test --profile wasm-bench --target wasm32-unknown-unknown -p event-dojo --test idb_bench -- --nocapture 2>&1 | tee "$out" >&2
cargo test --profile wasm-bench --target wasm32-unknown-unknown -p event-dojo --test match_bench -- --nocapture 2>&1 | tee -a "$out" >&2
browser=$(grep '^{"' "$out" || true)
if [ -z "$browser" ]; then
  echo "the browser benchmark printed no results" >&2
  exit 1
fi

wasm_line=$(grep '"replay/full-wasm/' <<<"$browser")
events=$(sed -E 's/.*full-wasm\/([0-9]+)-events.*/\1/' <<<"$wasm_line")
cargo build -q --profile native-release -p dojo-cli
native_line=$(./target/native-release/dojo bench replay --events "$events" --seeks 20 --baseline-seeks 2 2>/dev/null | grep "\"replay/full/$events-events\"")

matcher_events=$(grep '"match-wasm/' <<<"$browser" | head -1 | sed -E 's/.*"events":([0-9]+).*/\1/')
native_match=$(./target/native-release/dojo bench match --events "$matcher_events" --rules 100,1000 --reference-seconds 0.2 2>/dev/null | grep '^{"bench":"match/')

echo "$browser"
node -e '
  const wasm = JSON.parse(process.argv[1]), native = JSON.parse(process.argv[2]);
  const ratio = Math.round(wasm.value / native.value * 100) / 100;
  console.log(JSON.stringify({ bench: wasm.bench.replace("full-wasm", "wasm-vs-native"), value: wasm.value, unit: "events/s",
    baseline: "native", baseline_value: native.value, ratio }));
' "$wasm_line" "$native_line"

# The matcher in wasm against the same sets natively, on the same events: the match
# counts must agree, and each set's ratio is wasm events/s over native events/s.
node -e '
  const lines = (text) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const native = new Map(lines(process.argv[2]).map((n) => [n.bench, n]));
  for (const w of lines(process.argv[1]).filter((l) => l.bench.startsWith("match-wasm/"))) {
    const n = native.get(w.bench.replace("match-wasm/", "match/"));
    if (!n) { console.error(`no native figure for ${w.bench}`); process.exit(1); }
    if (n.matches !== w.matches) { console.error(`${w.bench}: ${w.matches} matches in wasm, ${n.matches} natively`); process.exit(1); }
    console.log(JSON.stringify({ bench: w.bench.replace("match-wasm/", "match-wasm-vs-native/"), value: w.value, unit: "events/s",
      baseline: "native", baseline_value: n.value, ratio: Math.round(w.value / n.value * 100) / 100 }));
  }
' "$browser" "$native_match"

#!/usr/bin/env bash
# Runs every check and test layer in order and prints each layer's summary:
# formatting, clippy (native and wasm), native tests, cfn-lint over the CloudFormation
# export of every shipped design, dojo aws compare of every shipped design against a
# local AWS emulator (moto) with an interrupted run, a fuzzing smoke run (5 s per target), browser tests
# (wasm-bindgen-test in headless Chromium),
# a release build and its first-download size against wasm-budget.txt, end-to-end tests (Playwright + axe), and the classroom, team and instructor journeys again
# against a second broker (RabbitMQ's Web MQTT plugin).
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

summaries=()
layer() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
started=$(date +%s)

layer "format"
cargo fmt --all -- --check
summaries+=("format: cargo fmt --check clean")

layer "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings
layer "clippy (wasm32, app)"
cargo clippy --target wasm32-unknown-unknown -p event-dojo -p dojo-idb --all-targets -- -D warnings
summaries+=("clippy: clean on native and wasm32")

layer "native tests"
native_log=$(mktemp)
cargo test --workspace 2>&1 | tee "$native_log"
# Tests that need npm's packages (installed by the setup) and are ignored by a bare
# cargo test: exported OpenAPI 3.0 documents against the specification's schema.
cargo test -p dojo-engine --lib -- --ignored openapi_3_0 2>&1 | tee -a "$native_log"
native=$(awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed", p, f }' "$native_log")
summaries+=("native (cargo test --workspace): $native")

layer "CloudFormation templates (dojo export cloudformation, cfn-lint)"
# Every shipped design (the scenario presets and the lab's examples) as a template.
cargo build -q -p dojo-cli
cfn_dir=$(mktemp -d)
cfn_count=0
for design in engine/presets/*.json docs/examples/*.json; do
  ./target/debug/dojo export cloudformation "$design" > "$cfn_dir/$(basename "$design" .json).yaml"
  cfn_count=$((cfn_count + 1))
done
set +e
.tools/cfn/bin/cfn-lint "$cfn_dir"/*.yaml
cfn_status=$?
set -e
if [ "$cfn_status" -ne 0 ]; then
  echo "cfn-lint found problems in the generated templates"
  exit "$cfn_status"
fi
summaries+=("cfn-lint: $cfn_count templates, 0 errors, 0 warnings")

layer "AWS emulator (dojo aws compare against moto, every shipped design)"
aws_log=$(mktemp)
set +e
python3 scripts/aws-emulator.py --jobs 8 2>&1 | tee "$aws_log"
aws_status=${PIPESTATUS[0]}
set -e
aws_designs=$(sed -nE 's/^aws emulator: ([0-9]+) designs compared, ([0-9]+) failed$/\1/p' "$aws_log")
aws_failed=$(sed -nE 's/^aws emulator: ([0-9]+) designs compared, ([0-9]+) failed$/\2/p' "$aws_log")
while IFS= read -r line; do summaries+=("$line"); done < <(grep -E '^(emulator compare|interrupted run):' "$aws_log")
if [ "$aws_status" -ne 0 ]; then
  echo "dojo aws compare found differences docs/aws.md does not list, or an interrupted run left something behind"
  exit "$aws_status"
fi

layer "fuzzing smoke run (cargo fuzz, 5 s per target)"
fuzz_log=$(mktemp)
scripts/fuzz.sh smoke 2>&1 | tee "$fuzz_log"
fuzz_targets=$(awk 'p { n++ } /^target +executions/ { p = 1 } END { print n + 0 }' "$fuzz_log")
fuzz_runs=$(awk 'p { s += $2 } /^target +executions/ { p = 1 } END { print s + 0 }' "$fuzz_log")
summaries+=("fuzzing smoke: $fuzz_targets targets, $fuzz_runs executions, no crash")

layer "browser tests (wasm-bindgen-test, headless Chromium)"
browser_log=$(mktemp)
cargo test --target wasm32-unknown-unknown -p event-dojo --test idb_store 2>&1 | tee "$browser_log"
browser=$(awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed", p, f }' "$browser_log")
summaries+=("browser (wasm-bindgen-test in Chromium): $browser")

layer "release build (trunk build --release)"
trunk build --release
# The same app for a static host's sub-path, for e2e/subpath.spec.mjs.
trunk build --release --public-url /dojo/sub/ --dist dist-sub
# The first download and each page's added bytes; over the budget in wasm-budget.txt,
# the run fails at its end (after the tests, so one run reports everything).
size_log=$(mktemp)
set +e
node scripts/size-report.mjs dist 2>&1 | tee "$size_log"
size_status=${PIPESTATUS[0]}
set -e
while IFS= read -r line; do summaries+=("$line"); done < <(grep -E '^(first download|each other page|within budget|OVER BUDGET)' "$size_log")

layer "end-to-end tests (Playwright + axe, Chromium)"
# A free loopback port, so a server left on the default port cannot block the run.
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
export E2E_PORT=${E2E_PORT:-$(free_port)}
export E2E_SUB_PORT=${E2E_SUB_PORT:-$(free_port)}
e2e_log=$(mktemp)
set +e
npx playwright test 2>&1 | tee "$e2e_log"
e2e_status=${PIPESTATUS[0]}
set -e
count() { awk -v word="$1" '$1 ~ /^[0-9]+$/ && $2 == word { n = $1 } END { print n + 0 }' "$2"; }
e2e_passed=$(count passed "$e2e_log")
e2e_failed=$(count failed "$e2e_log")
e2e_flaky=$(count flaky "$e2e_log")
summaries+=("end-to-end (Playwright): ${e2e_passed:-0} passed, ${e2e_failed:-0} failed, ${e2e_flaky:-0} flaky (passed on their retry)")
# The failing journeys by name, so the summary at the end of a long log says which.
failed_names() { grep -E '^ +✘' "$1" | sed -E 's/^ +✘ +[0-9]+ +/    failed: /; s/ \([0-9.]+m?s\)$//' || true; }
while IFS= read -r line; do [ -n "$line" ] && summaries+=("$line"); done < <(failed_names "$e2e_log")

layer "classroom journeys against a second broker (RabbitMQ with Web MQTT)"
rabbit_log=$(mktemp)
set +e
DOJO_BROKER=rabbitmq npx playwright test e2e/classroom.spec.mjs e2e/team.spec.mjs e2e/instructor.spec.mjs 2>&1 | tee "$rabbit_log"
rabbit_status=${PIPESTATUS[0]}
set -e
rabbit_passed=$(count passed "$rabbit_log")
rabbit_failed=$(count failed "$rabbit_log")
summaries+=("classroom, team and instructor journeys on RabbitMQ: ${rabbit_passed:-0} passed, ${rabbit_failed:-0} failed")
while IFS= read -r line; do [ -n "$line" ] && summaries+=("$line"); done < <(failed_names "$rabbit_log")
e2e_passed=$(( ${e2e_passed:-0} + ${rabbit_passed:-0} ))
e2e_failed=$(( ${e2e_failed:-0} + ${rabbit_failed:-0} ))
if [ "$e2e_status" -eq 0 ]; then e2e_status=$rabbit_status; fi

layer "summary ($(( $(date +%s) - started ))s)"
printf '  %s\n' "${summaries[@]}"
if [ "$e2e_status" -ne 0 ]; then
  echo "end-to-end tests failed"
  exit "$e2e_status"
fi
if [ "$size_status" -ne 0 ]; then
  echo "the start page's wasm is over its budget (wasm-budget.txt)"
  exit "$size_status"
fi
# One plain closing line over every layer, for CI parsers.
total_passed=0
total_failed=0
for s in "$native" "$cfn_count passed, 0 failed" "${aws_designs:-0} passed, ${aws_failed:-0} failed" "$browser" "${e2e_passed:-0} passed, ${e2e_failed:-0} failed"; do
  total_passed=$(( total_passed + $(echo "$s" | grep -oE '^[0-9]+') ))
  total_failed=$(( total_failed + $(echo "$s" | awk '{ print $3 + 0 }') ))
done
echo "$total_passed passed, $total_failed failed"

#!/usr/bin/env bash
# Runs every fuzz target under fuzz/ (docs/fuzzing.md) with cargo fuzz on stable Rust
# (--sanitizer none) and prints each target's executions, rate and new coverage.
#   scripts/fuzz.sh               10,000,000 executions per target (about an hour on 2 cores)
#   scripts/fuzz.sh smoke         5 seconds per target (the test command's layer)
#   RUNS=N scripts/fuzz.sh        N executions per target;  TARGETS="json mqtt_wire" to pick
# The committed seeds (fuzz/corpus/<target>) are only read; what a run finds goes to
# target/fuzz-corpus/<target>. A crash stops the run and leaves its input under
# fuzz/artifacts/<target>/: reproduce it with the command cargo fuzz prints, fix it, and
# add it as a regression test next to the code it broke.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

mode=${1:-full}
targets=${TARGETS:-$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^dojo-fuzz$')}
case "$mode" in
  smoke) limit=(-max_total_time=5) ;;
  full) limit=(-runs="${RUNS:-10000000}") ;;
  *) echo "usage: scripts/fuzz.sh [full|smoke]" >&2; exit 2 ;;
esac

cargo fuzz build --sanitizer none -O
printf '%-22s %14s %10s %8s %8s\n' target executions "exec/s" seconds coverage
for t in $targets; do
  work="target/fuzz-corpus/$t"
  mkdir -p "$work"
  log=$(mktemp)
  started=$(date +%s)
  # -timeout: an input that takes 5 s is a hang; -rss_limit_mb: more than 2 GiB is a leak
  # or a bomb. Both count as crashes.
  if ! cargo fuzz run --sanitizer none -O "$t" "$work" "fuzz/corpus/$t" -- \
      "${limit[@]}" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t failed: its input is under fuzz/artifacts/$t/" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-22s %14s %10s %8s %8s\n' "$t" "$runs" "$rate" "$(( $(date +%s) - started ))" "${cov:-?}"
  rm -f "$log"
done

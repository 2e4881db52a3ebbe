#!/usr/bin/env python3
"""The matcher benchmark over several process runs: the median and the spread.

    cargo build --profile native-release -p dojo-cli
    python3 scripts/bench-match-runs.py [RUNS] [dojo bench match options...]

One process run of `dojo bench match` can land fast or slow as a whole (on this shared
host the speed changes in stretches of seconds, whatever runs), so a single figure says
little. This runs the
benchmark RUNS times (default 5) as separate processes, with the same options, and
prints per pattern set the median, the lowest and the highest events/s, and the spread
(highest over lowest). Prints measurements; asserts nothing.
"""
import json
import statistics
import subprocess
import sys

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
options = sys.argv[2:] or ["--rules", "100,1000"]
figures = {}
for run in range(runs):
    out = subprocess.run(
        ["./target/native-release/dojo", "bench", "match", *options],
        check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith('{"bench"'):
            row = json.loads(line)
            figures.setdefault(row["bench"], []).append(row["value"])
    print(f"run {run + 1} of {runs} done", file=sys.stderr)

print(f"| set | median events/s | lowest | highest | spread | runs |")
print(f"|---|---:|---:|---:|---:|---:|")
for bench, values in figures.items():
    lo, hi = min(values), max(values)
    print(f"| {bench.removeprefix('match/')} | {statistics.median(values):,.0f} | {lo:,.0f} | {hi:,.0f} | {hi / lo:.2f}x | {len(values)} |")

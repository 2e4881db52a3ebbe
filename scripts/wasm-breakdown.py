#!/usr/bin/env python3
"""Where the app's wasm bytes go, by crate.

    cargo build --release --target wasm32-unknown-unknown -p event-dojo
    cargo install twiggy --locked          # once
    python3 scripts/wasm-breakdown.py [WASM]

Reads the release wasm as cargo leaves it (before wasm-bindgen and wasm-opt, so it still
has function names), asks twiggy for every item's size, and adds them up by the crate
that names the function. Name and wasm-bindgen sections are left out of the total:
the shipped file has neither. wasm-opt -Oz then shrinks the rest by about a fifth, in
roughly the same proportions. Prints a Markdown table.
"""
import collections
import csv
import io
import re
import subprocess
import sys

wasm = sys.argv[1] if len(sys.argv) > 1 else "target/wasm32-unknown-unknown/release/event-dojo.wasm"
out = subprocess.run(
    ["twiggy", "top", "-n", "1000000", "--format", "csv", wasm],
    check=True, capture_output=True, text=True,
).stdout

GROUPS = {
    "tachys": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "reactive_graph": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "leptos": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "leptos_router": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "leptos_dom": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "either_of": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "any_spawner": "Leptos (tachys, reactive_graph, leptos, leptos_router, either_of, …)",
    "serde_core": "serde (serde, serde_core, serde_json)",
    "serde": "serde (serde, serde_core, serde_json)",
    "serde_json": "serde (serde, serde_core, serde_json)",
    "core": "Rust core and alloc (generic code, formatting, collections)",
    "alloc": "Rust core and alloc (generic code, formatting, collections)",
    "std": "Rust core and alloc (generic code, formatting, collections)",
    "hashbrown": "Rust core and alloc (generic code, formatting, collections)",
    "js_sys": "wasm-bindgen, js-sys, web-sys, indexed_db_futures",
    "web_sys": "wasm-bindgen, js-sys, web-sys, indexed_db_futures",
    "wasm_bindgen": "wasm-bindgen, js-sys, web-sys, indexed_db_futures",
    "wasm_bindgen_futures": "wasm-bindgen, js-sys, web-sys, indexed_db_futures",
    "indexed_db_futures": "wasm-bindgen, js-sys, web-sys, indexed_db_futures",
    "toml": "toml (exercise packs)",
    "toml_parser": "toml (exercise packs)",
    "toml_datetime": "toml (exercise packs)",
    "imbl": "imbl, archery (persistent maps of the simulation)",
    "archery": "imbl, archery (persistent maps of the simulation)",
}


def group(name):
    if name.startswith("data segment"):
        return "data (strings, tables, embedded exercises and narration)"
    # `<T as crate::Trait>::f`: the trait's crate wrote it; `crate[hash]::…`: drop the hash.
    name = re.sub(r"^<&?T as ", "<", re.sub(r"\[[0-9a-f]{16}\]", "", name))
    m = re.match(r"^[<&\s]*(?:dyn |impl |mut )?([A-Za-z_][A-Za-z0-9_]*)(::)?", name)
    if not m or not m.group(2):
        # `export "…"`, `T as …`, glue without a path: code the linker names by role.
        return "unnamed glue (exports, generic shims)"
    crate = m.group(1)
    return GROUPS.get(crate, crate)


sizes = collections.Counter()
for row in csv.DictReader(io.StringIO(out)):
    name = row["Name"]
    # Names and wasm-bindgen's sections, and its describe exports, are gone from the
    # shipped file (wasm-bindgen strips them).
    if name.startswith('"') or name.startswith("custom section") or "__wbindgen_describe" in name:
        continue
    sizes[group(name)] += int(row["ShallowSize"])
total = sum(sizes.values())
print(f"| part | bytes | share |\n|---|---:|---:|")
for part, n in sizes.most_common(14):
    print(f"| {part} | {n:,} | {100 * n / total:.1f}% |")
rest = total - sum(n for _, n in sizes.most_common(14))
print(f"| everything else | {rest:,} | {100 * rest / total:.1f}% |")
print(f"| **total** (code and data, before wasm-opt) | {total:,} | 100% |")

# The project's own code, by module: what lazily loaded pages could take out of the start.
own = collections.Counter()
for row in csv.DictReader(io.StringIO(out)):
    name = re.sub(r"\[[0-9a-f]{16}\]", "", row["Name"])
    m = re.search(r"\b(event_dojo::features::[a-z_]+|event_dojo::[a-z_]+|dojo_engine::[a-z_]+)", name)
    if m and not name.startswith('"'):
        own[m.group(1)] += int(row["ShallowSize"])
print("\n| module (functions whose name mentions it) | bytes |\n|---|---:|")
for module, n in own.most_common(20):
    print(f"| `{module}` | {n:,} |")

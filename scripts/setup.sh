#!/usr/bin/env bash
# Installs what the project needs and skips what is already there.
#   scripts/setup.sh serve   wasm target, trunk, wasm-bindgen-cli, wasm-split-cli, npm
#                            packages (binaryen's wasm-opt)
#   scripts/setup.sh test    all of the above, plus Debian chromium, chromium-driver and
#                            rabbitmq-server, cfn-lint (PyPI) in .tools/cfn, moto's
#                            AWS emulator (PyPI) in .tools/moto, and cargo-fuzz (crates.io)
#   scripts/setup.sh rabbitmq  rabbitmq-server only (for make rabbitmq)
# Everything comes from a package registry (crates.io, npm, Debian); nothing downloads a
# prebuilt binary or a browser from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
mode=${1:-test}
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The wasm-bindgen version the app is locked to; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32-unknown-unknown target: present"
  else
    say "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if command -v trunk >/dev/null && trunk --version | grep -q " $TRUNK_VERSION\$"; then
    say "trunk $TRUNK_VERSION: present"
  else
    say "installing trunk $TRUNK_VERSION from crates.io (about 16 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local want
  want=$(wasm_bindgen_version)
  if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $want\$" \
    && command -v wasm-bindgen-test-runner >/dev/null; then
    say "wasm-bindgen-cli $want: present"
    return
  fi
  say "installing wasm-bindgen-cli $want (matches Cargo.lock)"
  # --locked is preferred; some releases pin a dependency version the registry no longer
  # serves, in which case the resolver picks compatible versions instead.
  cargo install wasm-bindgen-cli --version "$want" --locked --force \
    || cargo install wasm-bindgen-cli --version "$want" --force
}

# wasm-split-cli, pinned: scripts/split.mjs cuts the app's wasm into the start page's
# module and one per group of pages with it after every trunk build.
WASM_SPLIT_VERSION=0.2.4
ensure_wasm_split() {
  if command -v wasm-split-cli >/dev/null \
    && cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    say "wasm-split-cli $WASM_SPLIT_VERSION: present"
  else
    say "installing wasm-split-cli $WASM_SPLIT_VERSION from crates.io (about 2 minutes on 2 cores)"
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
  fi
}

ensure_npm_packages() {
  if [ -x node_modules/.bin/playwright ] && [ -x node_modules/.bin/wasm-opt ] \
    && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    say "npm packages: present"
  else
    say "installing npm packages from package-lock.json (Playwright without its browser, axe-core, binaryen, the classroom broker, the OpenAPI 3.0 schema)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium and chromedriver: present ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
  else
    say "installing Debian chromium and chromium-driver"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
}

# cfn-lint from PyPI, pinned, in its own virtual environment under .tools/ (Debian's
# python3 needs python3-venv for that).
CFN_LINT_VERSION=1.58.0
ensure_python_venv() {
  if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    say "installing Debian python3 and python3-venv"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv
  fi
}

ensure_cfn_lint() {
  if [ -x .tools/cfn/bin/cfn-lint ] && .tools/cfn/bin/cfn-lint --version 2>/dev/null | grep -q " $CFN_LINT_VERSION"; then
    say "cfn-lint $CFN_LINT_VERSION: present"
    return
  fi
  ensure_python_venv
  say "installing cfn-lint $CFN_LINT_VERSION (pip, into .tools/cfn)"
  rm -rf .tools/cfn
  python3 -m venv .tools/cfn
  .tools/cfn/bin/pip install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
}

# moto's server mode, pinned: the local AWS endpoint scripts/aws-emulator.py runs every
# shipped design against with dojo aws compare (docs/aws.md). It brings boto3, which the
# script uses to list what a run left behind.
MOTO_VERSION=5.2.6
ensure_moto() {
  if [ -x .tools/moto/bin/moto_server ] && .tools/moto/bin/pip show moto 2>/dev/null | grep -qx "Version: $MOTO_VERSION"; then
    say "moto $MOTO_VERSION: present"
    return
  fi
  ensure_python_venv
  say "installing moto[server] $MOTO_VERSION (pip, into .tools/moto)"
  rm -rf .tools/moto
  python3 -m venv .tools/moto
  .tools/moto/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
}

# cargo-fuzz, pinned: the fuzz targets (docs/fuzzing.md) build with it on stable Rust.
CARGO_FUZZ_VERSION=0.13.2
ensure_cargo_fuzz() {
  if command -v cargo-fuzz >/dev/null && cargo fuzz --version | grep -q " $CARGO_FUZZ_VERSION\$"; then
    say "cargo-fuzz $CARGO_FUZZ_VERSION: present"
  else
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io (about 3 minutes on 2 cores)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
  fi
}

# RabbitMQ with its Web MQTT plugin (Debian's rabbitmq-server ships the plugin): the
# second broker the classroom journeys run against. Its system service is not started;
# scripts/rabbitmq.mjs runs it as an ordinary process with a directory of its own.
ensure_rabbitmq() {
  if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    say "rabbitmq-server: present"
  else
    say "installing Debian rabbitmq-server (the classroom's second broker)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server
  fi
}

if [ "$mode" = rabbitmq ]; then
  ensure_rabbitmq
  exit 0
fi
ensure_wasm_target
ensure_trunk
ensure_wasm_bindgen
ensure_wasm_split
ensure_npm_packages
if [ "$mode" = test ]; then
  ensure_chromium
  ensure_rabbitmq
  ensure_cfn_lint
  ensure_moto
  ensure_cargo_fuzz
fi
say "done"

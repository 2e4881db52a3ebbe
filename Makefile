# The two commands of the README. Each installs whatever is missing first.
.PHONY: serve test setup-serve setup-test build bench broker rabbitmq fuzz

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true

## make serve: install the toolchain if needed, then serve the app on http://127.0.0.1:8080
serve: setup-serve
	trunk serve --dist target/serve-dist

## make test: install everything if needed, then run every check and test layer
test: setup-test
	scripts/test.sh

## make build: a release build into dist/
build: setup-serve
	trunk build --release

## make bench: the matcher benchmark on a generated 100,000-event corpus (five
## processes: each set's median and spread), then the
## browser benchmark (IndexedDB appends against raw JS, read_all, wasm replay and the
## matcher in wasm against native) in headless Chromium, then the release build's time
## to a usable page on emulated Fast 3G with a 4x CPU slowdown, and the long tasks and
## frame times while a million-event sample loads, then the console's read-model
## rebuild of it (in the store worker) with the page's long tasks, then the long tasks
## while the workshop runs, compares and branches (in the run worker)
bench: setup-test
	cargo build --profile native-release -p dojo-cli
	python3 scripts/bench-match-runs.py 5 --rules 1,10,100,1000
	scripts/bench-browser.sh
	trunk build --release
	node scripts/slow-network.mjs
	node scripts/log-million.mjs
	node scripts/workshop-tasks.mjs

## make fuzz: every fuzz target for 10 million executions (RUNS=N to change), with
## cargo fuzz on stable Rust; see docs/fuzzing.md
fuzz: setup-test
	scripts/fuzz.sh full

## make broker: the classroom's MQTT broker (aedes, MQTT over WebSocket) on
## ws://127.0.0.1:8883/, keeping its sessions in .broker-data/; HOST=0.0.0.0 for a LAN
broker: setup-serve
	node scripts/broker.mjs --host $(or $(HOST),127.0.0.1) --port $(or $(PORT),8883) --data .broker-data

## make rabbitmq: the classroom on RabbitMQ's Web MQTT plugin instead (Debian's
## rabbitmq-server, installed by make test's setup): ws://127.0.0.1:15675/ws
rabbitmq:
	scripts/setup.sh rabbitmq
	node scripts/rabbitmq.mjs --host $(or $(HOST),127.0.0.1) --port $(or $(PORT),15675) --data .rabbitmq-data

setup-serve:
	scripts/setup.sh serve

setup-test:
	scripts/setup.sh test

#!/usr/bin/env bash
# The whole test suite, as the README's second command and CI run it:
# generated-code check, the dependency check, unit + end-to-end tests (real sockets, processes, SQLite files),
# the hostile-client probes (issue 13), the metrics output (issue 15), the export round trip (issue 16), the web pages in a real browser (issue 18), the PostgreSQL store with replicas (issue 19), fuzzers, the kill -9 crash test, the fault tests (issue 15), the deploy checks and the local-run scripts end to end.
# FUZZ_SECONDS (default 60) and CRASH_ROUNDS (default 50) scale the long parts.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CRASH_ROUNDS=${CRASH_ROUNDS:-50}
step() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

step "dependencies"
scripts/install-deps.sh

step "protobuf-c generated code is current"
scripts/gen-protos.sh --check
step "generated Swift bridge and method table are current"
scripts/gen-wire.py --check

step "every target imports exactly its declared dependencies"
scripts/check-deps.py

step "build (debug, with tests)"
swift build --build-tests 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking|Planning|Merging)' || true
swift build --build-tests >/dev/null

step "swift test"
swift test --skip-build 2>&1 | tee /tmp/khaosan-swift-test.log | grep -E '^(✘|✔ Test run|✘ Test run)|error:' || true
grep -q '✔ Test run with' /tmp/khaosan-swift-test.log || { echo "swift test failed"; grep -E '✘' /tmp/khaosan-swift-test.log | head -50; exit 1; }

step "hostile clients against real daemons (debug build, about 40 s)"
Tests/Scripts/hostile-clients.py --bin "$(swift build --show-bin-path)"

step "metrics: both services' Prometheus text, parsed by prometheus_client (about 5 s)"
Tests/Scripts/metrics-test.py --bin "$(swift build --show-bin-path)"

step "export: every fixture release as CSV and JSON Lines through real daemons, read back by Python's csv (about 5 s)"
Tests/Scripts/export-test.py --bin "$(swift build --show-bin-path)"
step "web: khaosan-web in Debian's chromium through selenium (about 30 s)"
Tests/Scripts/web-test.py --bin "$(swift build --show-bin-path)"
step "names: person:/org:/place: against real daemons over the fixtures (about 6 s)"
Tests/Scripts/names-test.py --bin "$(swift build --show-bin-path)"
step "diff, similar and search --collapse against real daemons (about 15 s)"
Tests/Scripts/changes-test.py --bin "$(swift build --show-bin-path)"
step "alerts: watch, resume, queryd restart, saved run, Atom feeds checked by feedparser (about 15 s)"
Tests/Scripts/alerts-test.py --bin "$(swift build --show-bin-path)"

step "postgres: a primary + streaming standby (scripts/pg-cluster.sh), writer and replica queryd, faults (about 60 s)"
Tests/Scripts/postgres-test.py --require --bin "$(swift build --show-bin-path)"

step "fuzz: thaigov parser (${FUZZ_SECONDS}s)"
Fuzz/run-parser-fuzz.sh "$FUZZ_SECONDS"
step "fuzz: protobuf-c unpack through the bridge (${FUZZ_SECONDS}s)"
Fuzz/run-wire-fuzz.sh "$FUZZ_SECONDS"
step "fuzz: the query language (${FUZZ_SECONDS}s)"
Fuzz/run-query-fuzz.sh "$FUZZ_SECONDS"
step "fuzz: the server channel handler (${FUZZ_SECONDS}s, after a sanitizer build of NIO in .build/fuzz)"
Fuzz/run-channel-fuzz.sh "$FUZZ_SECONDS"

step "crash test: kill -9 during streamed ingest, ${CRASH_ROUNDS} rounds"
Tests/Scripts/crash-test.sh "$CRASH_ROUNDS"

step "faults: disk full under the journal (root), khaosan-queryd stopped 30 s, a bit-flipped journal"
Tests/Scripts/fault-tests.py --bin "$(swift build --show-bin-path)" disk-full
Tests/Scripts/fault-tests.py --bin "$(swift build --show-bin-path)" queryd-stopped
Tests/Scripts/fault-tests.py --bin "$(swift build --show-bin-path)" journal-bitflip

step "deploy: systemd units and scripts"
Tests/Scripts/ci-deploy-check.sh

# One release build for both deploy tests: the static-stdlib build install.sh makes. A second
# (local.sh's plain .build/release) cost as long again: 8-10 minutes on two cores, more on a slow
# or busy machine (34 minutes beside another build, 2026-12-01), time CI's 90 minutes can spare.
step "release build (static Swift stdlib, as install.sh builds it) for the deploy tests"
# shellcheck source=Deploy/common.sh
. Deploy/common.sh
RELEASE_BIN=$(static_build --quiet)

step "deploy: local run end to end (that release build)"
KHAOSAN_BIN_DIR=$RELEASE_BIN Tests/Scripts/e2e-test.sh

step "deploy: system install in a private mount namespace"
if [ "$(id -u)" -eq 0 ]; then KHAOSAN_BIN_DIR=$RELEASE_BIN Tests/Scripts/install-test.sh; else echo "skipped: needs root"; fi

step "all passed"

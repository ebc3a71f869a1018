#!/usr/bin/env bash
# Builds the libFuzzer target for the release parser (Fuzz/parser/main.swift compiled together
# with Sources/KhaosanModel/*.swift, address sanitizer on) and runs it.
#
#   Fuzz/run-parser-fuzz.sh [seconds]      default 60
#
# Seeds: the test fixtures (real thaigov files, crafted bad files, JSON). New inputs go to
# $FUZZ_OUT/corpus (default /tmp/khaosan-fuzz-parser/corpus) and are reused by the next run;
# a crashing input is written to $FUZZ_OUT/crash-*.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
secs=${1:-60}
out=${FUZZ_OUT:-/tmp/khaosan-fuzz-parser}
mkdir -p "$out/corpus"

swiftc -sanitize=fuzzer,address -parse-as-library -O \
    -swift-version 6 -package-name khaosan -module-name KhaosanParserFuzz \
    -enable-upcoming-feature ExistentialAny \
    -enable-upcoming-feature InternalImportsByDefault \
    -enable-upcoming-feature MemberImportVisibility \
    "$here/parser/main.swift" "$root"/Sources/KhaosanModel/*.swift \
    -o "$out/parser-fuzz"

cd "$out"
exec ./parser-fuzz \
    -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/" \
    "$out/corpus" "$root/Sources/KhaosanTestSupport/Fixtures"

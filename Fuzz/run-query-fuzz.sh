#!/usr/bin/env bash
# Builds the libFuzzer target for the query language (Fuzz/query) and runs it for N seconds
# (default 60). SwiftPM has no fuzzer mode, so the modules the parser needs are built with swiftc
# one at a time, each only as far as the parser reaches: all of KhaosanModel, the search stream
# of KhaosanThai (SearchText, NormalizedText: no lexicon), the query types of KhaosanIndex;
# then the harness with QueryParser.swift and StoreTypes.swift. Corpus and crashes go to
# .build/fuzz-query/; keep a crashing input as a test in Tests/KhaosanQueryTests.
#   Fuzz/run-query-fuzz.sh [seconds] [extra libFuzzer flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
out="${FUZZ_OUT:-$root/.build/fuzz-query}"
mkdir -p "$out/obj" "$out/swiftmodules" "$out/corpus" "$out/crashes"
cd "$root"
common=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name khaosan -swift-version 6
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault
    -enable-upcoming-feature MemberImportVisibility -I "$out/swiftmodules")
module() {
    local name=$1; shift
    swiftc "${common[@]}" -wmo -c -module-name "$name" -emit-module-path "$out/swiftmodules/$name.swiftmodule" \
        "$@" -o "$out/obj/$name.o"
}
module KhaosanModel Sources/KhaosanModel/*.swift
module KhaosanThai Sources/KhaosanThai/SearchText.swift Sources/KhaosanThai/Normalized.swift
module KhaosanIndex Sources/KhaosanIndex/IndexQuery.swift Sources/KhaosanIndex/IndexPeriod.swift Sources/KhaosanIndex/CivilMonth.swift
swiftc "${common[@]}" -module-name QueryFuzz Fuzz/query/main.swift \
    Sources/KhaosanQuery/Store/QueryParser.swift Sources/KhaosanQuery/Store/EntityFilter.swift Sources/KhaosanQuery/Store/StoreTypes.swift Sources/KhaosanQuery/Store/StoreFacet.swift \
    "$out"/obj/*.o -o "$out/query-fuzz"
"$out/query-fuzz" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/crashes/" "$@" "$out/corpus" Fuzz/query/seeds

#!/usr/bin/env bash
# Fuzzes the server's connection pipeline with libFuzzer + AddressSanitizer for N seconds
# (default 60): the handlers RPCServer installs on an accepted connection
# (ServerConnection.installHandlers: frame reader, admission, router, replies, limits, budgets),
# on a NIOAsyncTestingChannel with a real router (unary, server-, client- and bidirectional
# streaming, one that throws, one that never ends, one that sleeps, the Health service). Each
# input is a setup byte, a schedule and the peer's bytes (Fuzz/channel/FuzzInput.swift): the
# bytes arrive in reads whose sizes the schedule sets (one byte, random splits, whole frames),
# between which it closes the channel, fires channelInactive or an error, drains, fails writes
# as a gone peer does (EPIPE inside the flush, the socket drained, then close: a close during a
# read or during a handler's write), runs the event loop and moves its clock (frame-read
# timeouts, deadlines, the budget's stuck timer). After the peer hangs up it checks: no crash
# (ASan, exclusivity checks: a debug build), the channel closed, ServerConnection.run returned
# with no call open and no handler running, the uid's call count and the connection's
# request-byte budget back at zero, and the server's output well-formed frames answering only
# streams the peer named.
#   Fuzz/run-channel-fuzz.sh [seconds] [extra libFuzzer flags...]
# SwiftPM builds it (debug, libFuzzer + ASan, -DKHAOSAN_FUZZ; see below) in
# .build/fuzz, its own scratch path, so the normal build is left alone; a cold build of NIO
# with the sanitizers takes a few minutes. Corpus and crashes go to .build/fuzz-channel/; the
# seeds (Fuzz/channel/seeds) are written by a plain build of the same target:
#   swift run KhaosanChannelFuzz --make-seeds Fuzz/channel/seeds
# and a plain build replays a crashing input (`swift run KhaosanChannelFuzz FILE`); keep each
# one found as a test in Tests/KhaosanRPCTests. Leak detection is off: the Swift runtime's
# caches and the testing loop's threads make libFuzzer's per-input malloc/free count differ
# on every input, which costs a LeakSanitizer pass each; the invariants above check what leaks
# would matter (calls, handlers, budget).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
out="${FUZZ_OUT:-$root/.build/fuzz-channel}"
mkdir -p "$out/corpus" "$out/crashes"
cd "$root"
build=(swift build --scratch-path .build/fuzz -c debug)
# Not `--sanitize fuzzer --sanitize address`: SwiftPM passes those as two -sanitize= flags and
# the Swift driver (6.3.1) keeps only the last for the frontend, so the Swift code got either
# no coverage or no AddressSanitizer. `--sanitize fuzzer` stays (SwiftPM then links libFuzzer's
# main instead of renaming the target's entry point); the one combined flag comes after it.
if ! "${build[@]}" --product KhaosanChannelFuzz --sanitize fuzzer \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address \
    -Xswiftc -enforce-exclusivity=checked -Xswiftc -DKHAOSAN_FUZZ >"$out/build.log" 2>&1; then
    grep -Ev '^\[[0-9]+/[0-9]+\]|Cannot export local symbol' "$out/build.log" >&2
    echo "run-channel-fuzz: the fuzz target did not build" >&2
    exit 1
fi
bin=$("${build[@]}" --show-bin-path)/KhaosanChannelFuzz
# A crash is reported by libFuzzer and ASan; the Swift runtime's backtracer, launched as well,
# was seen to outlive the crashed process with its output still open.
SWIFT_BACKTRACE=enable=no "$bin" -max_total_time="$seconds" -max_len=16384 -timeout=60 -rss_limit_mb=4096 -detect_leaks=0 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$@" "$out/corpus" Fuzz/channel/seeds

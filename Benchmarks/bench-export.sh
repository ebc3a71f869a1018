#!/usr/bin/env bash
# Export benchmark (issue 16, item 3), run by hand (not CI):
#   Benchmarks/bench-export.sh [CORPUS_DIR]     (default /tmp/corpus/data: the 2020-2024 tarballs,
#                                              unpacked there from /work/shared/corpus if missing)
# Ingests the corpus through the real services (release build), then runs `khaosan export -o FILE`
# for a small and a large result set, each as metadata-only CSV, full-text CSV and full-text
# JSON Lines, and prints per run: rows, releases/s, MB/s of output, and the peak resident memory of
# the exporter on both sides: the client's (/usr/bin/time's %M) and khaosan-queryd's during that
# export (its peak is reset before each run through /proc/PID/clear_refs, then VmHWM is read;
# also its resident size before the run, so the export's own share shows). Constant memory means
# the large set's peaks are the small set's, though it has 100x the rows.
# Env:
#   BENCH_DB=/path/home/query.db  keep the database there: ingested into it when missing, reused when
#                                 present (e.g. one built by bench-search.sh; its khaosan-queryd must
#                                 read the same format). Unset: a fresh ingest into the run's folder
#   BENCH_SKIP_BUILD=1            use the existing .build/release binaries
#   BENCH_BIN=DIR                 binaries from DIR (implies BENCH_SKIP_BUILD=1)
#   BENCH_SUBSET=N                ingest only the first N files (sorted) of the corpus: for a loaded
#                                 machine; the summary says so
#   BENCH_SMALL='"ปุ๋ย"'          the small set's query (default: a phrase with some hundreds of hits)
#   BENCH_KEEP=1                  keep the run's folder (database and export files)
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:-/tmp/corpus/data}
STAMP=$(date +%Y%m%d-%H%M%S)
LOG=/tmp/bench-export-$STAMP.log
RUN=/tmp/bench-export-$STAMP
SMALL=${BENCH_SMALL:-ปุ๋ย}
mkdir -p "$RUN"
exec > >(tee "$LOG") 2>&1
load() { cut -d' ' -f1-3 /proc/loadavg; }
section() { echo; echo "=== $* ($(date -u +%T) UTC, load $(load))"; }

echo "# bench-export $STAMP"
echo "date:     $(date -u -Is)"
echo "host:     $(hostname), nproc $(nproc), $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "memory:   $(free -m | awk '/^Mem:/ { print $2 " MB total, " $7 " MB available" }')"
echo "commit:   $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (working tree has uncommitted changes)')"
echo "swift:    $(swift --version 2>&1 | head -1)"
echo "load:     $(load) at start (the machine is shared: other work may be running)"

section "0. corpus and binaries"
if [ -z "${BENCH_DB:-}" ] && [ ! -d "$CORPUS" ]; then
    if [ "$CORPUS" = /tmp/corpus/data ] && [ -d /work/shared/corpus ]; then
        echo "unpacking the 2020-2024 corpus into /tmp/corpus"
        mkdir -p /tmp/corpus
        for y in 2020 2021 2022 2023 2024; do tar -xJf "/work/shared/corpus/thaigov-$y.tar.xz" -C /tmp/corpus || exit 1; done
    else
        echo "no corpus at $CORPUS"; exit 2
    fi
fi
if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
else
    if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
        (cd "$ROOT" && swift build -c release --product khaosan && swift build -c release --product khaosan-queryd \
            && swift build -c release --product khaosan-ingestd) | grep -Ev '^\[[0-9]+/[0-9]+\]' || exit 1
    fi
    BIN=$ROOT/.build/release
fi
for b in khaosan khaosan-queryd khaosan-ingestd; do [ -x "$BIN/$b" ] || { echo "missing $BIN/$b"; exit 2; }; done
echo "binaries: $BIN"

section "1. database"
INGEST=1
if [ -n "${BENCH_DB:-}" ]; then
    [ "$(basename "$BENCH_DB")" = query.db ] || { echo "BENCH_DB must name a query.db (the services' file name in KHAOSAN_HOME)"; exit 2; }
    KHOME=$(dirname "$BENCH_DB")
    if [ -f "$BENCH_DB" ]; then INGEST=0; echo "reusing $BENCH_DB"; else echo "ingesting into $BENCH_DB (kept)"; fi
else
    KHOME=$RUN/home
fi
mkdir -p "$KHOME"
export KHAOSAN_HOME=$KHOME NO_COLOR=1
unset KHAOSAN_QUERY_SOCKET KHAOSAN_INGEST_SOCKET
start_queryd() {
    "$BIN/khaosan-queryd" --log-level warning >>"$KHOME/queryd.log" 2>&1 &
    QPID=$!
    for _ in $(seq 1 1800); do [ -S "$KHOME/query.sock" ] && break; sleep 0.1; done
    [ -S "$KHOME/query.sock" ] || { echo "khaosan-queryd did not start"; tail -20 "$KHOME/queryd.log"; exit 1; }
}
start_queryd
"$BIN/khaosan-ingestd" --log-level warning >"$KHOME/ingestd.log" 2>&1 &
IPID=$!
trap 'kill $QPID $IPID 2>/dev/null; wait $QPID $IPID 2>/dev/null; [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$RUN"' EXIT
for _ in $(seq 1 600); do [ -S "$KHOME/ingest.sock" ] && break; sleep 0.1; done
SUBSET_NOTE="whole corpus"
if [ "$INGEST" = 1 ]; then
    SRC=$CORPUS
    if [ -n "${BENCH_SUBSET:-}" ]; then
        SRC=$RUN/subset
        mkdir -p "$SRC"
        find "$CORPUS" -type f -name '*.txt' | sort | head -n "$BENCH_SUBSET" | while read -r f; do ln -s "$f" "$SRC/$(basename "$f")"; done
        SUBSET_NOTE="SUBSET: the first $BENCH_SUBSET files of the corpus (BENCH_SUBSET), not the whole corpus"
    fi
    t0=$(date +%s.%N)
    "$BIN/khaosan" ingest "$SRC" --wait-timeout 1800 >"$KHOME/ingest.out" 2>&1
    t1=$(date +%s.%N)
    grep -E "^(Ingested|Interrupted)" "$KHOME/ingest.out" | sed 's/\x1b\[[0-9;]*m//g'
    echo "ingest: $(python3 -c "print(f'{$t1 - $t0:.1f}')") s until searchable"
    # Let the query service write its index segments and checkpoint before measuring.
    sleep 5
fi
[ -n "${BENCH_SUBSET:-}" ] && [ "$INGEST" = 0 ] && SUBSET_NOTE="the database at $BENCH_DB (BENCH_SUBSET applies to an ingest only)"
# A fresh khaosan-queryd (SIGTERM: its index is flushed to files; then started again), so its
# resident size before an export is that of a service that opened the archive, not what an
# ingest left behind.
kill "$QPID"; wait "$QPID" 2>/dev/null
start_queryd
# Then until it is idle (under 0.1 s of CPU in 2 s, at most 5 minutes): a fresh archive's texts
# are compressed in the background once a dictionary is trained, and that is not the export's.
ticks() { awk '{ print $14 + $15 }' "/proc/$QPID/stat"; }
waited=0
while [ $waited -lt 300 ]; do
    a=$(ticks); sleep 2; b=$(ticks); waited=$((waited + 2))
    [ $((b - a)) -lt $(( $(getconf CLK_TCK) / 10 )) ] && break
done
echo "khaosan-queryd idle after ${waited} s"
"$BIN/khaosan" stats | head -5
echo "set: $SUBSET_NOTE; khaosan-queryd restarted before the exports (RSS $(awk '/VmRSS/ { print int($2 / 1024) " MB" }' /proc/$QPID/status))"

section "2. exports"
python3 - "$BIN/khaosan" "$QPID" "$RUN" "$SMALL" "$SUBSET_NOTE" <<'EOF'
import csv, io, os, subprocess, sys, time
csv.field_size_limit(sys.maxsize)  # a body can be longer than the module's default 128 KiB
khaosan, qpid, run, small, note = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

def status(key):
    for line in open(f"/proc/{qpid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # MB
    return float("nan")

results = []
for label, query in [("small", small), ("large (all)", "")]:
    for form, extra in [("csv", []), ("csv --full-text", ["--full-text"]), ("jsonl --full-text", ["--format", "jsonl", "--full-text"])]:
        out = os.path.join(run, "export.out")
        best = None
        for attempt in range(2):  # the better of two runs: the machine is shared
            with open(f"/proc/{qpid}/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            before = status("VmRSS")
            argv = [khaosan, "export", *([query] if query else []), *extra, "-o", out]
            # The client's peak through /usr/bin/time: a child forked from this Python process
            # would count this process's pages (the previous export read back) as its own.
            timing = os.path.join(run, "time.out")
            t0 = time.monotonic()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", timing, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            secs = time.monotonic() - t0
            if r.returncode != 0:
                sys.exit(f"{' '.join(argv)} failed: {r.stderr.decode()}")
            client_kb = int(open(timing).read().split()[-1])
            size = os.path.getsize(out)
            # Read back as a stream (rows counted by the csv module, or lines), then dropped.
            with open(out, newline="", encoding="utf-8") as f:
                rows = sum(1 for _ in f) if "jsonl" in form else sum(1 for _ in csv.reader(f)) - 1
            r = dict(set=label, form=form, rows=rows, secs=secs, mb=size / 1e6, client=client_kb / 1024,
                     server_before=before, server_peak=status("VmHWM"))
            if best is None or r["secs"] < best["secs"]:
                best = r
        results.append(best)
        b = best
        print(f"{b['set']:12} {b['form']:18} {b['rows']:>7} rows  {b['secs']:6.2f} s  {b['rows'] / b['secs']:>9,.0f} releases/s  "
              f"{b['mb'] / b['secs']:6.1f} MB/s  ({b['mb']:.1f} MB)  client peak {b['client']:.0f} MB  "
              f"queryd {b['server_before']:.0f} -> peak {b['server_peak']:.0f} MB", flush=True)

print()
print(f"Set: {note}; small = query {small!r}; rows = CSV records / JSON lines (one per release, no --versions).")
print()
print("| set | format | rows | time | releases/s | MB/s | client peak RSS | khaosan-queryd RSS before -> peak |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for b in results:
    print(f"| {b['set']} | `{b['form']}` | {b['rows']:,} | {b['secs']:.2f} s | {b['rows'] / b['secs']:,.0f} | {b['mb'] / b['secs']:.1f} | "
          f"{b['client']:.0f} MB | {b['server_before']:.0f} -> {b['server_peak']:.0f} MB |")
EOF
echo
echo "log: $LOG"

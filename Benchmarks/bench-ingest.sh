#!/usr/bin/env bash
# Whole-corpus ingest alone, run by hand (BENCHMARKS.md, issue 6):
#   Benchmarks/bench-ingest.sh [CORPUS_DIR]      (default /tmp/corpus/data; release binaries must exist)
# Starts khaosan-queryd and khaosan-ingestd on a fresh KHAOSAN_HOME, runs `khaosan ingest` until
# Sync says everything is searchable, and prints the wall time, each daemon's CPU time and the
# database size and each daemon's memory (peak and resident) right after Sync and once the WAL has
# been emptied, then how long khaosan-queryd takes to stop (SIGTERM until it exits; Deploy's unit
# allows 90 s), how many index segment files it leaves, its peak memory over the whole run (read
# until it exits), and how long a start on that home takes until it answers (it indexes again from
# the log what the stop left in memory).
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# KHAOSAN_BIN_DIR: another build's binaries (e.g. main's, to interleave runs against it).
BIN=${KHAOSAN_BIN_DIR:-$ROOT/.build/release}
CORPUS=${1:-/tmp/corpus/data}
for b in khaosan khaosan-queryd khaosan-ingestd; do
    [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: swift build -c release first" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/khaosan-bench-ingest.XXXXXX)
export KHAOSAN_HOME=$WORK/home
mkdir -p "$KHAOSAN_HOME"
"$BIN/khaosan-queryd" --log-level warning >"$WORK/queryd.log" 2>&1 & QP=$!
"$BIN/khaosan-ingestd" --log-level warning >"$WORK/ingestd.log" 2>&1 & IP=$!
# KEEP_HOME=DIR: move the ingested home there at the end (to look at what was stored).
trap 'kill $IP $QP 2>/dev/null; wait 2>/dev/null; if [ -n "${KEEP_HOME:-}" ]; then mv "$KHAOSAN_HOME" "$KEEP_HOME"; fi; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -S "$KHAOSAN_HOME/query.sock" ] && [ -S "$KHAOSAN_HOME/ingest.sock" ] && break; sleep 0.1; done
mem() { awk '/^VmHWM|^VmRSS/ { printf "%s %d MB ", $1, $2 / 1024 }' "/proc/$1/status"; }
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
db() { echo $(( $(stat -c %s "$KHAOSAN_HOME/query.db" 2>/dev/null || echo 0) + $(stat -c %s "$KHAOSAN_HOME/query.db-wal" 2>/dev/null || echo 0) )); }
echo "$(date -Is) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD), binaries $BIN"
T0=$(date +%s.%N)
"$BIN/khaosan" ingest "$CORPUS" --wait-timeout 1800 >"$WORK/ingest.out" 2>&1
T1=$(date +%s.%N)
grep -E "^(Ingested|Searchable)" "$WORK/ingest.out"
echo "wall until searchable: $(elapsed $T0 $T1) s; CPU: khaosan-queryd $(cpu $QP) s, khaosan-ingestd $(cpu $IP) s"
echo "database + WAL right after Sync: $(db) bytes"
echo "memory right after Sync: khaosan-queryd $(mem $QP); khaosan-ingestd $(mem $IP)"
sleep 4
echo "database + WAL 4 s later: $(db) bytes"
echo "memory 4 s later: khaosan-queryd $(mem $QP); khaosan-ingestd $(mem $IP)"
TS=$(date +%s.%N)
kill -TERM $QP
# The stop writes the index's memory segments out: its peak counts too, so VmHWM is read until
# the process has exited (a zombie has no VmHWM line).
HWM=
while [ -r "/proc/$QP/status" ] && ! grep -q '^State:.*Z' "/proc/$QP/status" 2>/dev/null; do
    h=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$QP/status" 2>/dev/null); [ -n "$h" ] && HWM=$h
    sleep 0.2
done
wait $QP 2>/dev/null
TE=$(date +%s.%N)
echo "khaosan-queryd stop (SIGTERM until exit): $(elapsed $TS $TE) s; index segment files left: $(find "$KHAOSAN_HOME/query.db.index" -type f -name '*.kseg' 2>/dev/null | wc -l); VmHWM over its whole run: ${HWM:-?} MB"
TS=$(date +%s.%N)
"$BIN/khaosan-queryd" --log-level warning >>"$WORK/queryd.log" 2>&1 & QP=$!
for _ in $(seq 1200); do "$BIN/khaosan" stats >/dev/null 2>&1 && break; sleep 0.1; done
TE=$(date +%s.%N)
echo "khaosan-queryd start on that home until it answers: $(elapsed $TS $TE) s; CPU $(cpu $QP) s; memory $(mem $QP)"

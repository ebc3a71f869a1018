#!/usr/bin/env bash
# Corpus-scale benchmark, run by hand (not CI: 10-20 minutes on 2 cores):
#   Benchmarks/bench-corpus.sh [CORPUS_DIR]        (default /tmp/corpus/data, the unpacked year tarballs)
# In one run: release build; ingest of the whole corpus through both services (wall time, MB/s,
# releases/s, peak RSS of each daemon, database size); query latency (server side, through the
# CLI against khaosan-queryd and in-process with KhaosanBench search); single-thread parser
# throughput on data/2023; the SQLite FTS5 trigram anchor (build, size, latency, exact-phrase
# recall of both). Prints a Markdown table at the end; the whole output goes to
# /tmp/bench-corpus-<date>.log.
# Env: BENCH_SKIP_BUILD=1 uses the existing .build/release binaries; BENCH_KEEP=1 keeps the
# temporary KHAOSAN_HOME and the anchor database.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:-/tmp/corpus/data}
STAMP=$(date +%Y%m%d-%H%M%S)
LOG=/tmp/bench-corpus-$STAMP.log
exec > >(tee "$LOG") 2>&1

if [ ! -d "$CORPUS" ]; then
    echo "bench-corpus: $CORPUS is not a directory; unpack the corpus first, e.g." >&2
    echo "  mkdir -p /tmp/corpus && for y in 2020 2021 2022 2023 2024; do tar -xJf /work/shared/corpus/thaigov-\$y.tar.xz -C /tmp/corpus; done" >&2
    exit 2
fi
CORPUS=$(cd "$CORPUS" && pwd)
PARSE_DIR=$CORPUS/2023
[ -d "$PARSE_DIR" ] || PARSE_DIR=$CORPUS

now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { python3 -c "import sys; print(f'{int(sys.argv[1] or 0) / 1024:.0f}')" "${1:-0}"; }
section() { echo; echo "=== $* ($(date +%T), load $(load))"; }

BENCH_START=$(now)
echo "# bench-corpus $STAMP"
echo "date:     $(date -Is)"
echo "host:     $(hostname), nproc $(nproc), $(uname -sr)"
echo "commit:   $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (working tree has uncommitted changes)')"
echo "swift:    $(swift --version 2>&1 | head -1)"
echo "python:   $(python3 --version 2>&1), sqlite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')"
echo "load:     $(load) (other work may be running on this machine)"
echo "corpus:   $CORPUS"
free -g
RAW_FILES=$(find "$CORPUS" -type f ! -name '.*' | wc -l)
RAW_BYTES=$(find "$CORPUS" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
echo "corpus files: $RAW_FILES, bytes: $RAW_BYTES"

section "1. release build"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    echo "skipped (BENCH_SKIP_BUILD=1)"
else
    B0=$(now)
    # One plain build: with several --product flags SwiftPM builds only the last one.
    (cd "$ROOT" && swift build -c release 2>&1 \
        | grep -E "error:|Compiling|Linking|Build (of product|complete)" | tail -8) || { echo "release build failed"; exit 1; }
    echo "build seconds: $(secs "$B0" "$(now)")"
fi
BIN=$ROOT/.build/release
for b in khaosan khaosan-queryd khaosan-ingestd KhaosanBench; do
    [ -x "$BIN/$b" ] || { echo "missing $BIN/$b"; exit 1; }
done

WORK=$(mktemp -d /tmp/khaosan-bench.XXXXXX)
export KHAOSAN_HOME=$WORK/home
mkdir -p "$KHAOSAN_HOME"
QFILE=$WORK/queries.tsv
python3 "$ROOT/Benchmarks/anchor_fts5_trigram.py" queries "$CORPUS" "$QFILE"

QPID= IPID= SPID=
cleanup() {
    for p in $SPID $IPID $QPID; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

section "2. ingest (KHAOSAN_HOME=$KHAOSAN_HOME)"
"$BIN/khaosan-queryd" --log-level warning >"$KHAOSAN_HOME/queryd.log" 2>&1 &
QPID=$!
"$BIN/khaosan-ingestd" --log-level warning >"$KHAOSAN_HOME/ingestd.log" 2>&1 &
IPID=$!
for _ in $(seq 1 100); do
    [ -S "$KHAOSAN_HOME/query.sock" ] && [ -S "$KHAOSAN_HOME/ingest.sock" ] && break
    sleep 0.1
done
if ! [ -S "$KHAOSAN_HOME/query.sock" ] || ! [ -S "$KHAOSAN_HOME/ingest.sock" ]; then
    echo "daemons did not create their sockets within 10 s"; tail -20 "$KHAOSAN_HOME"/*.log; exit 1
fi
echo "khaosan-queryd pid $QPID, khaosan-ingestd pid $IPID"
# RSS and load every 2 s, for the peak and a timeline in the log.
(
    echo -e "t\tload1\tqueryd_rss_kb\tingestd_rss_kb"
    t0=$(date +%s)
    while kill -0 "$QPID" 2>/dev/null || kill -0 "$IPID" 2>/dev/null; do
        echo -e "$(( $(date +%s) - t0 ))\t$(cut -d' ' -f1 /proc/loadavg)\t$(status_kb "$QPID" VmRSS)\t$(status_kb "$IPID" VmRSS)"
        sleep 2
    done
) >"$WORK/rss.tsv" &
SPID=$!

I0=$(now)
"$BIN/khaosan" ingest "$CORPUS" --wait-timeout 1800 >"$WORK/ingest.out" 2>&1
INGEST_RC=$?
INGEST_S=$(secs "$I0" "$(now)")
echo "khaosan ingest exit status: $INGEST_RC (1 = some files rejected)"
head -40 "$WORK/ingest.out"
SUMMARY=$(grep -E "^(Ingested|Interrupted)" "$WORK/ingest.out" | head -1 | sed 's/\x1b\[[0-9;]*m//g')
num() { echo "$SUMMARY" | grep -oE "[0-9,]+ $1" | head -1 | tr -d ',' | cut -d' ' -f1; }
ACCEPTED=$(num accepted); DUPLICATE=$(num duplicate); UPDATED=$(num updated); REJECTED=$(num rejected)
ACCEPTED=${ACCEPTED:-0}; DUPLICATE=${DUPLICATE:-0}; UPDATED=${UPDATED:-0}; REJECTED=${REJECTED:-0}
STORED=$(( ACCEPTED + UPDATED ))
ALIVE_Q=$(kill -0 "$QPID" 2>/dev/null && echo yes || echo "NO (died)")
ALIVE_I=$(kill -0 "$IPID" 2>/dev/null && echo yes || echo "NO (died)")
Q_HWM_INGEST=$(status_kb "$QPID" VmHWM); I_HWM_INGEST=$(status_kb "$IPID" VmHWM)
DB_BYTES=$(( $(stat -c %s "$KHAOSAN_HOME/query.db" 2>/dev/null || echo 0) + $(stat -c %s "$KHAOSAN_HOME/query.db-wal" 2>/dev/null || echo 0) ))
INGEST_MBS=$(python3 -c "print(f'{$RAW_BYTES / 1e6 / $INGEST_S:.1f}')")
INGEST_RPS=$(python3 -c "print(f'{($ACCEPTED + $DUPLICATE + $UPDATED + $REJECTED) / $INGEST_S:.0f}')")
DB_RATIO=$(python3 -c "print(f'{$DB_BYTES / $RAW_BYTES:.3f}')")
echo "ingest wall s: $INGEST_S ($INGEST_MBS MB/s, $INGEST_RPS files/s); accepted $ACCEPTED, duplicate $DUPLICATE, updated $UPDATED, rejected $REJECTED"
echo "daemons alive after ingest: queryd $ALIVE_Q, ingestd $ALIVE_I; VmHWM queryd $(mb "$Q_HWM_INGEST") MB, ingestd $(mb "$I_HWM_INGEST") MB"
ls -l "$KHAOSAN_HOME"/query.db* 2>/dev/null
echo "database bytes (query.db + -wal): $DB_BYTES = $DB_RATIO x raw; ingest state dir: $(du -sb "$KHAOSAN_HOME/ingest" 2>/dev/null | cut -f1) bytes"
"$BIN/khaosan" stats 2>&1 | head -20

section "3a. query latency through khaosan-queryd (CLI, server-side tookMicros)"
# Each query once (first = the service's result cache is empty: ingest invalidated it), then 5
# more times (answered from the result cache). Server time parsed from the CLI's last line.
python3 - "$BIN/khaosan" "$QFILE" >"$WORK/cli-latency.txt" <<'PY'
import re, subprocess, sys, math
cli, qfile = sys.argv[1], sys.argv[2]
qs = [l.rstrip("\n").split("\t", 1) for l in open(qfile, encoding="utf-8") if l.strip() and not l.startswith("#")]
def server_ms(q):
    p = subprocess.run([cli, "search", "--", q], capture_output=True, text=True)
    m = re.search(r"\(server ([0-9.,]+) (µs|ms|s)\)", p.stdout + p.stderr)
    if not m:
        print(f"ERROR query {q!r}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}")
        return None
    v = float(m.group(1).replace(",", ""))
    return {"µs": v / 1000, "ms": v, "s": v * 1000}[m.group(2)]
def pct(xs, p):
    s = sorted(xs); k = math.ceil(p / 100 * len(s)); return s[min(max(k, 1), len(s)) - 1] if s else 0
first, rep = [], []
per = {}
for kind, q in qs:
    t = server_ms(q)
    if t is not None: first.append(t); per.setdefault(kind, []).append(t)
for _ in range(5):
    for kind, q in qs:
        t = server_ms(q)
        if t is not None: rep.append(t)
for name, xs in (("first", first), ("cached", rep)):
    print(f"cli-server {name} n={len(xs)} p50={pct(xs, 50):.3f} ms p99={pct(xs, 99):.3f} ms max={max(xs) if xs else 0:.3f} ms")
for kind, xs in per.items():
    print(f"cli-server first {kind} n={len(xs)} p50={pct(xs, 50):.3f} ms p99={pct(xs, 99):.3f} ms")
PY
cat "$WORK/cli-latency.txt"
Q_RSS_AFTER=$(status_kb "$QPID" VmRSS); Q_HWM=$(status_kb "$QPID" VmHWM)
echo "khaosan-queryd after the query run: VmRSS $(mb "$Q_RSS_AFTER") MB, VmHWM $(mb "$Q_HWM") MB"

section "3b. query latency in-process (KhaosanBench search: ReleaseStore.search, top 10 with snippets)"
"$BIN/KhaosanBench" search "$KHAOSAN_HOME/query.db" "$QFILE" --limit 10 --repetitions 5 --ids-out "$WORK/khaosan-ids.jsonl" >"$WORK/search.txt" 2>&1
echo "exit status $?"
grep -v "^query	" "$WORK/search.txt"
echo "slowest queries (first execution, in-process):"
grep "^query	" "$WORK/search.txt" | awk -F'\t' '{ split($5, a, "="); print a[2] "\t" $0 }' | sort -rn | head -8 | cut -f2-
echo "all queries:"
grep "^query	" "$WORK/search.txt"

section "stopping the services"
# The WAL right after Sync holds the last batches; khaosan-queryd empties it once writes stop.
REST_BYTES=$(( $(stat -c %s "$KHAOSAN_HOME/query.db" 2>/dev/null || echo 0) + $(stat -c %s "$KHAOSAN_HOME/query.db-wal" 2>/dev/null || echo 0) ))
REST_RATIO=$(python3 -c "print(f'{$REST_BYTES / $RAW_BYTES:.3f}')")
ls -l "$KHAOSAN_HOME"/query.db* 2>/dev/null
echo "database bytes at rest (query.db + -wal, after the query runs): $REST_BYTES = $REST_RATIO x raw"
Q_HWM=$(status_kb "$QPID" VmHWM); I_HWM=$(status_kb "$IPID" VmHWM)
Q_RSS_END=$(status_kb "$QPID" VmRSS)
echo "VmHWM just before stop: khaosan-queryd $(mb "$Q_HWM") MB, khaosan-ingestd $(mb "$I_HWM") MB"
kill -TERM "$IPID" "$QPID" 2>/dev/null
for p in $IPID $QPID; do
    for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$p" 2>/dev/null; then echo "pid $p still running 30 s after SIGTERM"; fi
done
wait "$IPID"; echo "khaosan-ingestd exit status $?"
wait "$QPID"; echo "khaosan-queryd exit status $?"
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null
QPID= IPID= SPID=
PEAK_SAMPLED=$(awk -F'\t' 'NR > 1 { if ($3 > q) q = $3; if ($4 > i) i = $4; if ($2 > l) l = $2 } END { printf "sampled peaks: queryd RSS %d MB, ingestd RSS %d MB, load1 %s", q / 1024, i / 1024, l }' "$WORK/rss.tsv")
echo "$PEAK_SAMPLED"
echo "RSS timeline (every 2 s): see below"
awk 'NR == 1 || NR % 5 == 2' "$WORK/rss.tsv"
for f in "$KHAOSAN_HOME"/queryd.log "$KHAOSAN_HOME"/ingestd.log; do
    echo "--- $(basename "$f"): $(wc -l <"$f") lines (log level warning); last 15:"
    tail -15 "$f"
done

section "4. parse throughput (KhaosanBench parse $PARSE_DIR, one thread)"
"$BIN/KhaosanBench" parse "$PARSE_DIR" --passes 2 | tee "$WORK/parse.txt"

section "5. anchor: SQLite FTS5 trigram (python3 sqlite3, in-process)"
python3 "$ROOT/Benchmarks/anchor_fts5_trigram.py" run "$CORPUS" "$QFILE" --db "$WORK/anchor.db" \
    --khaosan-ids "$WORK/khaosan-ids.jsonl" --repetitions 5 --slow-ms 1000 | tee "$WORK/anchor.txt"

section "summary"
field() { grep -m1 "$1" "$2" | grep -oE "$3=[0-9.]+" | cut -d= -f2; }
K_FIRST_P50=$(field "^search first all" "$WORK/search.txt" p50); K_FIRST_P99=$(field "^search first all" "$WORK/search.txt" p99)
K_CACHED_P50=$(field "^search cached all" "$WORK/search.txt" p50); K_CACHED_P99=$(field "^search cached all" "$WORK/search.txt" p99)
K_WARM_P50=$(field "^search uncached-warm all" "$WORK/search.txt" p50); K_WARM_P99=$(field "^search uncached-warm all" "$WORK/search.txt" p99)
C_FIRST_P50=$(field "^cli-server first n" "$WORK/cli-latency.txt" p50); C_FIRST_P99=$(field "^cli-server first n" "$WORK/cli-latency.txt" p99)
C_CACHED_P50=$(field "^cli-server cached" "$WORK/cli-latency.txt" p50); C_CACHED_P99=$(field "^cli-server cached" "$WORK/cli-latency.txt" p99)
A_FIRST_P50=$(field "^anchor query first all" "$WORK/anchor.txt" p50); A_FIRST_P99=$(field "^anchor query first all" "$WORK/anchor.txt" p99)
A_REP_P50=$(field "^anchor query repeat all" "$WORK/anchor.txt" p50); A_REP_P99=$(field "^anchor query repeat all" "$WORK/anchor.txt" p99)
A_BUILD=$(grep -m1 "^anchor build_s" "$WORK/anchor.txt" | awk '{ print $3 }')
A_RATIO=$(grep -m1 "^anchor db_ratio" "$WORK/anchor.txt" | awk '{ print $3 }')
A_ZERO=$(grep -m1 "^anchor zero_result_queries" "$WORK/anchor.txt" | sed 's/^anchor zero_result_queries: //; s/; list:.*//')
recall() { grep -m1 "^anchor recall_$1_$2:" "$WORK/anchor.txt" | sed 's/^[^:]*: //'; }
P_LINE=$(grep -m1 "^parse pass 2" "$WORK/parse.txt" || grep -m1 "^parse pass 1" "$WORK/parse.txt")
P_MBS=$(echo "$P_LINE" | grep -oE "[0-9.]+ MB/s" | cut -d' ' -f1); P_RPS=$(echo "$P_LINE" | grep -oE "[0-9]+ releases/s" | cut -d' ' -f1)
NQ=$(grep -c $'\t' "$QFILE")

cat <<EOF

## bench-corpus $STAMP — $(hostname), nproc $(nproc), load at start/end: see log; commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)

Corpus: $RAW_FILES files, $(python3 -c "print(f'{$RAW_BYTES/1e6:.0f}')") MB ($CORPUS). Query set: $NQ queries ($QFILE classes: phrase, name, short, word, english).

| figure | value | target |
|---|---|---|
| ingest wall (khaosan ingest, until searchable) | $INGEST_S s | ≤ 45 s |
| ingest throughput | $INGEST_MBS MB/s, $INGEST_RPS files/s | |
| accepted / duplicate / updated / rejected | $ACCEPTED / $DUPLICATE / $UPDATED / $REJECTED | |
| peak RSS khaosan-queryd (VmHWM, after ingest / at stop) | $(mb "$Q_HWM_INGEST") / $(mb "$Q_HWM") MB | < 500 MB (ingest), ≤ 300 MB (query) |
| peak RSS khaosan-ingestd (VmHWM at stop) | $(mb "$I_HWM") MB | < 500 MB |
| queryd VmRSS after the query run | $(mb "$Q_RSS_AFTER") MB | ≤ 300 MB |
| database (query.db + -wal) / raw, right after Sync | $DB_BYTES B = $DB_RATIO× | |
| database (query.db + -wal) / raw, at rest | $REST_BYTES B = $REST_RATIO× | ≤ 1.2× |
| search, in-process, first execution p50 / p99 | $K_FIRST_P50 / $K_FIRST_P99 ms | ≤ 1 / ≤ 10 ms |
| search, in-process, new store (uncached, warm pages) p50 / p99 | $K_WARM_P50 / $K_WARM_P99 ms | |
| search, in-process, result-cache hits (5 reps) p50 / p99 | $K_CACHED_P50 / $K_CACHED_P99 ms | |
| search via queryd, server tookMicros, first p50 / p99 | $C_FIRST_P50 / $C_FIRST_P99 ms | ≤ 1 / ≤ 10 ms |
| search via queryd, server tookMicros, repeats p50 / p99 | $C_CACHED_P50 / $C_CACHED_P99 ms | |
| exact-phrase recall, Khaosan, all title phrases | $(recall khaosan all) | |
| exact-phrase recall, Khaosan, Thai phrases | $(recall khaosan thai) | |
| exact-phrase recall, Khaosan, phrases with Latin letters | $(recall khaosan latin) | |
| parse, one thread ($(basename "$PARSE_DIR")) | $P_MBS MB/s, $P_RPS releases/s | |
| anchor FTS5 trigram build | $A_BUILD s | |
| anchor db / raw | $A_RATIO× | |
| anchor query first p50 / p99 | $A_FIRST_P50 / $A_FIRST_P99 ms | |
| anchor query repeat p50 / p99 (queries under 1 s only) | $A_REP_P50 / $A_REP_P99 ms | |
| anchor queries with 0 rows (trigram: a term under 3 characters never matches) | $A_ZERO | |
| exact-phrase recall, anchor, all / Thai / Latin | $(recall anchor all) / $(recall anchor thai) / $(recall anchor latin) | |

Total bench time: $(secs "$BENCH_START" "$(now)") s; load now $(load). Log: $LOG
EOF

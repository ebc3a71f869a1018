#!/usr/bin/env bash
# Search benchmark of issue 12, run by hand (not CI: 10-15 minutes on 2 cores):
#   Benchmarks/bench-search.sh [CORPUS_DIR]        (default /tmp/corpus/data: the 2020-2024 tarballs,
#                                                unpacked there from /work/shared/corpus if missing)
# In one run on this machine, every engine fed the same parsed texts (`khaosan parse --json`):
#  - a query set generated from the corpus with a fixed seed (Benchmarks/bench_search.py queries:
#    title-word, title-phrase, name, english, short, latin-partial, thai-partial);
#  - Khaosan in-process (`KhaosanBench search`, the ReleaseStore.search the Search RPC runs; top 10
#    with snippets and the exact total), without and with facets, on a database built by the
#    real services (`khaosan ingest` through khaosan-ingestd into khaosan-queryd);
#  - anchors: Tantivy (PyPI) with exact character-bigram phrases (count=True, top 10) and SQLite
#    FTS5 trigram (count + top 10 + snippet);
#  - the engines interleaved in BENCH_ROUNDS rounds (order rotated; each round runs every query
#    once in a freshly started process: first execution), p50/p95/p99 per engine and class,
#    ratios to Tantivy per round;
#  - exact-phrase recall and precision of all three against a literal scan of the parsed texts
#    (every query; Khaosan's full id lists), and the title-as-query rank check (200 releases).
# Prints a Markdown summary at the end; the whole output goes to /tmp/bench-search-<stamp>.log.
# Env:
#   BENCH_DB=/path/home/query.db  reuse the database (and its index) there if it exists and was
#                                 built by the same khaosan-queryd binary (sha1 in bench-built.txt),
#                                 else build it there by ingesting, and keep it (the services need
#                                 the name query.db in KHAOSAN_HOME). A folder this script did not
#                                 make is never deleted. Unset: a fresh ingest into the run's folder.
#   BENCH_DB_REUSE_ANY=1          reuse BENCH_DB even if another khaosan-queryd built it
#   BENCH_SKIP_BUILD=1            use the existing .build/release binaries
#   BENCH_BIN=DIR                 take khaosan, khaosan-queryd, khaosan-ingestd and KhaosanBench
#                                 from DIR instead (implies BENCH_SKIP_BUILD=1), e.g. a copy of an
#                                 earlier build to compare against
#   BENCH_ROUNDS=3                interleaved latency rounds
#   BENCH_WORK=/tmp/bench-search-work   cache (parsed texts) and per-run folders
#   BENCH_REUSE_ANCHORS=1         reuse the anchor indexes of an earlier run in BENCH_WORK (their
#                                 build figures are then the earlier run's, and said so)
#   BENCH_SEED=N                  query-set seed (default: bench_search.py's)
#   BENCH_PARAGRAPHS=space|break  a paragraph break in the truth and the anchors' texts: whitespace
#                                 like any other (space, default: a phrase may span two paragraphs)
#                                 or a break no phrase matches across (see bench_search.py)
#   BENCH_KEEP=1                  keep the run's own database (without BENCH_DB it is deleted at
#                                 the end: 0.7 GB a run)
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:-/tmp/corpus/data}
STAMP=$(date +%Y%m%d-%H%M%S)
LOG=/tmp/bench-search-$STAMP.log
WORKBASE=${BENCH_WORK:-/tmp/bench-search-work}
RUN=$WORKBASE/run-$STAMP
ROUNDS=${BENCH_ROUNDS:-3}
PY=python3
HELPER=$ROOT/Benchmarks/bench_search.py
mkdir -p "$RUN"
exec > >(tee "$LOG") 2>&1

now() { date +%s.%N; }
secs() { $PY -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
section() { echo; echo "=== $* ($(date -u +%T) UTC, load $(load))"; }
SEED_ARG=(); [ -n "${BENCH_SEED:-}" ] && SEED_ARG=(--seed "$BENCH_SEED")

BENCH_START=$(now)
echo "# bench-search $STAMP"
echo "date:     $(date -u -Is)"
echo "host:     $(hostname), nproc $(nproc), $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "memory:   $(free -m | awk '/^Mem:/ { print $2 " MB total, " $7 " MB available" }')"
echo "commit:   $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (working tree has uncommitted changes)')"
git -C "$ROOT" status --short 2>/dev/null | head -20 | sed 's/^/          /'
echo "swift:    $(swift --version 2>&1 | head -1)"
[ -n "${BENCH_BIN:-}" ] && echo "binaries: $BENCH_BIN (BENCH_BIN: not built from this tree by this run)"
echo "load:     $(load) at start (the machine is shared: other work may be running)"
echo "run dir:  $RUN"
export BENCH_PARAGRAPHS=${BENCH_PARAGRAPHS:-space}
echo "truth:    literal scan, paragraph breaks as $BENCH_PARAGRAPHS (BENCH_PARAGRAPHS)"

section "0. corpus and tools"
if [ ! -d "$CORPUS" ]; then
    if [ "$CORPUS" = /tmp/corpus/data ] && [ -d /work/shared/corpus ]; then
        echo "unpacking the 2020-2024 corpus into /tmp/corpus"
        mkdir -p /tmp/corpus
        for y in 2020 2021 2022 2023 2024; do tar -xJf "/work/shared/corpus/thaigov-$y.tar.xz" -C /tmp/corpus || exit 1; done
    else
        echo "bench-search: $CORPUS is not a directory; unpack the corpus first, e.g." >&2
        echo "  mkdir -p /tmp/corpus && for y in 2020 2021 2022 2023 2024; do tar -xJf /work/shared/corpus/thaigov-\$y.tar.xz -C /tmp/corpus; done" >&2
        exit 2
    fi
fi
CORPUS=$(cd "$CORPUS" && pwd)
if ! $PY -c "import tantivy" 2>/dev/null; then
    echo "installing tantivy (pip)"
    $PY -m pip install --quiet tantivy || { echo "pip install tantivy failed"; exit 1; }
fi
echo "python:   $($PY --version 2>&1), sqlite $($PY -c 'import sqlite3; print(sqlite3.sqlite_version)'), $($PY -c 'import tantivy; print(tantivy.__version__)')"
RAW_FILES=$(find "$CORPUS" -type f ! -name '.*' | wc -l)
RAW_BYTES=$(find "$CORPUS" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
echo "corpus:   $CORPUS: $RAW_FILES files, $RAW_BYTES bytes"

section "1. release build"
if [ -n "${BENCH_BIN:-}" ]; then
    echo "skipped: binaries from BENCH_BIN=$BENCH_BIN ($(ls -l --time-style=+%FT%T "$BENCH_BIN/KhaosanBench" 2>/dev/null | awk '{ print "KhaosanBench of " $6 }'))"
elif [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    echo "skipped (BENCH_SKIP_BUILD=1)"
else
    B0=$(now)
    (cd "$ROOT" && nice swift build -c release 2>&1 \
        | grep -E "error:|Compiling|Linking|Build (of product|complete)" | tail -8) || { echo "release build failed"; exit 1; }
    echo "build seconds: $(secs "$B0" "$(now)")"
fi
BIN=${BENCH_BIN:-$ROOT/.build/release}
for b in khaosan khaosan-queryd khaosan-ingestd KhaosanBench; do
    [ -x "$BIN/$b" ] || { echo "missing $BIN/$b"; exit 1; }
done

section "2. parsed texts (khaosan parse --json, cached)"
# The cache is keyed by the corpus listing and the parser's sources (KhaosanModel, KhaosanThai).
FP=$( { find "$CORPUS" -type f ! -name '.*' -printf '%P %s\n' | LC_ALL=C sort; \
        git -C "$ROOT" rev-parse HEAD:Sources/KhaosanModel HEAD:Sources/KhaosanThai 2>/dev/null; \
        git -C "$ROOT" diff HEAD -- Sources/KhaosanModel Sources/KhaosanThai 2>/dev/null; } | sha1sum | cut -c1-12)
PARSED=$WORKBASE/parsed-$FP.jsonl
if [ -s "$PARSED" ]; then
    echo "reusing $PARSED"
else
    P0=$(now)
    "$BIN/khaosan" parse --json "$CORPUS" >"$PARSED.tmp" 2>"$RUN/parse.err"
    rc=$?
    [ $rc -le 1 ] || { echo "khaosan parse failed ($rc)"; tail "$RUN/parse.err"; rm -f "$PARSED.tmp"; exit 1; }
    mv "$PARSED.tmp" "$PARSED"
    echo "khaosan parse --json of $RAW_FILES files: $(secs "$P0" "$(now)") s -> $PARSED"
fi
$PY - "$PARSED" <<'PY'
import json, sys, collections
c = collections.Counter(); ids = set(); n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line); n += 1
    if "error" in o: c["rejected " + o["error"]["code"]] += 1
    else: c["accepted " + o["language"]] += 1; ids.add(o["id"])
print(f"parsed lines {n}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) + f"; distinct ids {len(ids)}")
PY

section "3. query sets"
QFILE=$RUN/queries.tsv
TFILE=$RUN/title-queries.tsv
$PY "$HELPER" queries "$PARSED" "$QFILE" "${SEED_ARG[@]}" || exit 1
$PY "$HELPER" title-queries "$PARSED" "$TFILE" "${SEED_ARG[@]}" || exit 1
echo "queries:"
grep -v '^#' "$QFILE" | sed 's/^/  /'

section "4. Khaosan database (khaosan ingest through both services)"
DU() { du -sb --exclude=ingest --exclude='*.log' --exclude='*.out' --exclude='*.sock' --exclude='bench-*.txt' "$1" | cut -f1; }
if [ -n "${BENCH_DB:-}" ]; then
    [ "$(basename "$BENCH_DB")" = query.db ] || { echo "BENCH_DB must name a query.db (the services' file name in KHAOSAN_HOME)"; exit 2; }
    KHOME=$(dirname "$BENCH_DB")
else
    KHOME=$RUN/home
fi
DB=$KHOME/query.db
KHAOSAN_BUILD_S=
QUERYD_SHA=$(sha1sum "$BIN/khaosan-queryd" | cut -c1-16)
REUSE=0
if [ -n "${BENCH_DB:-}" ] && [ -f "$DB" ]; then
    built_sha=$(grep -oE 'queryd_sha1 [0-9a-f]+' "$KHOME/bench-built.txt" 2>/dev/null | cut -d' ' -f2)
    if [ "$built_sha" = "$QUERYD_SHA" ] || [ "${BENCH_DB_REUSE_ANY:-0}" = 1 ]; then
        REUSE=1
    elif [ -f "$KHOME/bench-built.txt" ]; then
        echo "$DB was built by another khaosan-queryd (${built_sha:-unknown}, now $QUERYD_SHA): deleting $KHOME and ingesting again"
        rm -rf "$KHOME"
    else
        echo "$DB was not made by this script (no bench-built.txt) and another khaosan-queryd may have built it;"
        echo "not deleting it: remove it yourself, point BENCH_DB elsewhere, or set BENCH_DB_REUSE_ANY=1"; exit 2
    fi
fi
if [ $REUSE = 1 ]; then
    echo "reusing $DB (BENCH_DB); built as: $(cat "$KHOME/bench-built.txt" 2>/dev/null || echo unknown)"
    KHAOSAN_BUILD_S=$(grep -oE 'ingest_s [0-9.]+' "$KHOME/bench-built.txt" 2>/dev/null | cut -d' ' -f2)
    [ -n "$KHAOSAN_BUILD_S" ] && KHAOSAN_BUILD_S="$KHAOSAN_BUILD_S (earlier)"
else
    mkdir -p "$KHOME"
    export KHAOSAN_HOME=$KHOME
    "$BIN/khaosan-queryd" --log-level warning >"$KHOME/queryd.log" 2>&1 &
    QPID=$!
    "$BIN/khaosan-ingestd" --log-level warning >"$KHOME/ingestd.log" 2>&1 &
    IPID=$!
    trap 'kill $IPID $QPID 2>/dev/null' EXIT
    for _ in $(seq 1 100); do
        [ -S "$KHOME/query.sock" ] && [ -S "$KHOME/ingest.sock" ] && break
        sleep 0.1
    done
    if ! [ -S "$KHOME/query.sock" ] || ! [ -S "$KHOME/ingest.sock" ]; then
        echo "daemons did not create their sockets within 10 s"; tail -20 "$KHOME"/*.log; exit 1
    fi
    I0=$(now)
    "$BIN/khaosan" ingest "$CORPUS" --wait-timeout 1800 >"$KHOME/ingest.out" 2>&1
    INGEST_RC=$?
    INGEST_S=$(secs "$I0" "$(now)")
    grep -E "^(Ingested|Interrupted)" "$KHOME/ingest.out" | sed 's/\x1b\[[0-9;]*m//g'
    echo "khaosan ingest: exit status $INGEST_RC (1 = some files rejected), $INGEST_S s until searchable (Sync)"
    # Let khaosan-queryd finish its background work (WAL checkpoint, index segments written or
    # merged) before it is stopped: wait until the folder's size has not changed for 3 s (at most 120 s).
    Q0=$(now); last=-1; stable=0
    for _ in $(seq 1 120); do
        cur=$(DU "$KHOME")
        if [ "$cur" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
        [ $stable -ge 3 ] && break
        last=$cur; sleep 1
    done
    echo "database folder quiet after $(secs "$Q0" "$(now)") s more ($(DU "$KHOME") bytes); stopping the services"
    kill -TERM "$IPID" "$QPID" 2>/dev/null
    wait "$IPID"; echo "khaosan-ingestd exit status $?"
    wait "$QPID"; echo "khaosan-queryd exit status $?"
    trap - EXIT
    unset KHAOSAN_HOME
    KHAOSAN_BUILD_S=$INGEST_S
    echo "commit $(git -C "$ROOT" rev-parse HEAD) queryd_sha1 $QUERYD_SHA bin $BIN ingest_s $INGEST_S date $(date -u -Is)" >"$KHOME/bench-built.txt"
fi
ls -l "$KHOME" | sed 's/^/  /'
KHAOSAN_BYTES=$(DU "$KHOME")
echo "Khaosan database + index on disk (KHAOSAN_HOME without ingest state, logs, sockets): $KHAOSAN_BYTES bytes = $($PY -c "print(f'{$KHAOSAN_BYTES / $RAW_BYTES:.3f}')") x raw"

section "5. anchor indexes"
TDIR=$WORKBASE/anchor-tantivy-$BENCH_PARAGRAPHS
FDB=$WORKBASE/anchor-fts5-$BENCH_PARAGRAPHS.db
if [ "${BENCH_REUSE_ANCHORS:-0}" = 1 ] && [ -d "$TDIR" ] && [ -f "$WORKBASE/anchor-tantivy-$BENCH_PARAGRAPHS-build.txt" ]; then
    echo "reusing $TDIR (BENCH_REUSE_ANCHORS=1); its build:"; cat "$WORKBASE/anchor-tantivy-$BENCH_PARAGRAPHS-build.txt"
else
    $PY "$HELPER" tantivy-build "$PARSED" "$TDIR" | tee "$WORKBASE/anchor-tantivy-$BENCH_PARAGRAPHS-build.txt" || exit 1
fi
if [ "${BENCH_REUSE_ANCHORS:-0}" = 1 ] && [ -f "$FDB" ] && [ -f "$WORKBASE/anchor-fts5-$BENCH_PARAGRAPHS-build.txt" ]; then
    echo "reusing $FDB (BENCH_REUSE_ANCHORS=1); its build:"; cat "$WORKBASE/anchor-fts5-$BENCH_PARAGRAPHS-build.txt"
else
    $PY "$HELPER" fts5-build "$PARSED" "$FDB" | tee "$WORKBASE/anchor-fts5-$BENCH_PARAGRAPHS-build.txt" || exit 1
fi
field() { grep -m1 "$1" "$2" | awk '{ print $3 }'; }
T_BUILD=$(field "^tantivy build_s" "$WORKBASE/anchor-tantivy-$BENCH_PARAGRAPHS-build.txt"); T_BYTES=$(field "^tantivy index_bytes" "$WORKBASE/anchor-tantivy-$BENCH_PARAGRAPHS-build.txt")
F_BUILD=$(field "^fts5 build_s" "$WORKBASE/anchor-fts5-$BENCH_PARAGRAPHS-build.txt"); F_BYTES=$(field "^fts5 index_bytes" "$WORKBASE/anchor-fts5-$BENCH_PARAGRAPHS-build.txt")
[ "${BENCH_REUSE_ANCHORS:-0}" = 1 ] && { T_BUILD="$T_BUILD (earlier)"; F_BUILD="$F_BUILD (earlier)"; }

section "6. latency: $ROUNDS interleaved rounds, every query once per engine and round (first execution)"
run_engine() { # round engine
    local r=$1 e=$2 out
    case $e in
        khaosan)
            out=$RUN/round$r-khaosan.txt
            "$BIN/KhaosanBench" search "$DB" "$QFILE" --limit 10 --repetitions 0 --no-warm >"$out" 2>&1 || echo "KhaosanBench exit $?"
            grep -E "^search (first all|open)" "$out" | sed "s/^/  round $r khaosan: /" ;;
        khaosan-facets)
            out=$RUN/round$r-khaosan-facets.txt
            "$BIN/KhaosanBench" search "$DB" "$QFILE" --limit 10 --repetitions 0 --no-warm --facets >"$out" 2>&1 || echo "KhaosanBench exit $?"
            grep -E "^search first all" "$out" | sed "s/^/  round $r khaosan+facets: /" ;;
        tantivy)
            $PY "$HELPER" tantivy-query "$TDIR" "$QFILE" "$RUN/round$r-tantivy.json" | sed "s/^/  round $r /" ;;
        fts5)
            $PY "$HELPER" fts5-query "$FDB" "$QFILE" "$RUN/round$r-fts5.json" | sed "s/^/  round $r /" ;;
    esac
}
ENGINES=(khaosan tantivy khaosan-facets fts5)
for r in $(seq 1 "$ROUNDS"); do
    echo "round $r ($(date -u +%T), load $(load))"
    n=${#ENGINES[@]}
    for i in $(seq 0 $((n - 1))); do
        run_engine "$r" "${ENGINES[$(( (i + r - 1) % n ))]}"
    done
done
grep -hE "^search first " "$RUN/round1-khaosan.txt" | sed 's/^/  round 1 khaosan per class: /'

section "7. exact-phrase recall and precision (every query; literal scan of the parsed texts)"
K0=$(now)
"$BIN/KhaosanBench" search "$DB" "$QFILE" --limit 10 --repetitions 0 --no-warm \
    --ids-out "$RUN/khaosan-ids.jsonl" --ids-class all --ids-cap 0 --ids-sort newest >"$RUN/khaosan-ids-run.txt" 2>&1 \
    || echo "KhaosanBench exit $?"
grep -E "^search (ids|note)" "$RUN/khaosan-ids-run.txt"
echo "Khaosan id lists: $(secs "$K0" "$(now)") s"
$PY "$HELPER" tantivy-query "$TDIR" "$QFILE" "$RUN/tantivy-ids.json" --ids >/dev/null
$PY "$HELPER" fts5-query "$FDB" "$QFILE" "$RUN/fts5-ids.json" --ids >/dev/null
$PY "$HELPER" truth "$PARSED" "$QFILE" "$RUN/truth.json"
$PY "$HELPER" score "$RUN/truth.json" "$QFILE" --khaosan "$RUN/khaosan-ids.jsonl" \
    --tantivy "$RUN/tantivy-ids.json" --fts5 "$RUN/fts5-ids.json" | tee "$RUN/score.txt" | grep -v "^  fts5 mismatch"
echo "(FTS5 trigram mismatches not listed: a term under 3 characters matches nothing there; $(grep -c '^  fts5 mismatch' "$RUN/score.txt") queries)"

section "8. title as query (200 random releases, Khaosan in-process)"
"$BIN/KhaosanBench" search "$DB" "$TFILE" --limit 10 --repetitions 0 --no-warm \
    --ids-out "$RUN/title-ids.jsonl" --ids-class title-rank --ids-cap 1 --ids-sort relevance >"$RUN/title-run.txt" 2>&1 \
    || echo "KhaosanBench exit $?"
grep -E "^search first all|^search note" "$RUN/title-run.txt"
$PY "$HELPER" title-score "$TFILE.expected" "$RUN/title-ids.jsonl" "$PARSED" | tee "$RUN/title-score.txt"

section "9. slowest queries (first execution, round 1)"
echo "Khaosan:"
grep "^query	" "$RUN/round1-khaosan.txt" | awk -F'\t' '{ split($5, a, "="); print a[2] "\t" $0 }' | sort -rn | head -8 | cut -f2- | sed 's/^/  /'
$PY - "$RUN/round1-tantivy.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
print("Tantivy:")
for e in sorted(r["queries"], key=lambda e: -(e["us"] or 0))[:8]:
    print(f"  {e['kind']}\t{e['query']}\ttotal={e['total']}\tfirst_us={int(e['us'] or 0)}")
PY

section "summary"
{
    echo "rounds=$ROUNDS"
    echo "raw_bytes=$RAW_BYTES"
    echo "khaosan_bytes=$KHAOSAN_BYTES"
    echo "khaosan_build_s=${KHAOSAN_BUILD_S:+ingest $KHAOSAN_BUILD_S}"
    echo "tantivy_bytes=$T_BYTES"
    echo "tantivy_build_s=$T_BUILD"
    echo "fts5_bytes=$F_BYTES"
    echo "fts5_build_s=$F_BUILD"
} >"$RUN/meta.txt"
NQ=$(grep -vc '^#' "$QFILE")
echo
echo "## bench-search $STAMP: $(hostname), nproc $(nproc), load at end $(load); commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes')${BENCH_BIN:+, binaries from $BENCH_BIN}"
echo
echo "Corpus $CORPUS: $RAW_FILES files, $($PY -c "print(f'{$RAW_BYTES/1e6:.0f}')") MB raw; $NQ queries ($(grep -v '^#' "$QFILE" | cut -f1 | uniq -c | awk '{ printf "%s%s %s", sep, $2, $1; sep=", " }'))."
echo
$PY "$HELPER" report "$RUN"
echo
echo "Exact phrases (recall / precision against the literal scan, all $NQ queries):"
grep -E "^score [a-z0-9]+ all:" "$RUN/score.txt" | sed 's/^score /- /'
echo "- Khaosan by class: $(grep -E '^score khaosan ' "$RUN/score.txt" | grep -v ' all:' | sed -E 's/^score khaosan ([^:]+): recall ([0-9.]+) precision ([0-9.]+).*/\1 \2 \/ \3/' | paste -sd ';' | sed 's/;/; /g')"
echo "- Tantivy by class: $(grep -E '^score tantivy ' "$RUN/score.txt" | grep -v ' all:' | sed -E 's/^score tantivy ([^:]+): recall ([0-9.]+) precision ([0-9.]+).*/\1 \2 \/ \3/' | paste -sd ';' | sed 's/;/; /g')"
echo "- $(head -1 "$RUN/title-score.txt")"
echo
echo "Total bench time: $(secs "$BENCH_START" "$(now)") s. Run folder: $RUN. Log: $LOG"
if [ -z "${BENCH_DB:-}" ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -rf "$RUN/home"
    echo "(deleted the run's database $RUN/home; BENCH_KEEP=1 keeps it, BENCH_DB=path/query.db keeps and reuses one)"
fi

#!/usr/bin/env bash
# Issue 17's figure through the real daemons: whole-corpus ingest until searchable with 1,000
# saved searches (each with its Atom feed) and one watcher, against the same ingest without them,
# interleaved (BENCHMARKS.md, "Alerts").
#   Benchmarks/bench-alerts.sh [CORPUS_DIR=/tmp/corpus/data] [PAIRS=2] [SAVED=1000]
# Release binaries: $KHAOSAN_BIN_DIR or .build/release (KhaosanBench too). The saved searches are
# distinct people's names the extractor finds in every tenth file of the corpus, quoted, in a
# seeded random order.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KHAOSAN_BIN_DIR:-$ROOT/.build/release}
CORPUS=${1:-/tmp/corpus/data}
PAIRS=${2:-2}
SAVED=${3:-1000}
for b in khaosan khaosan-queryd khaosan-ingestd KhaosanBench; do
    [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: swift build -c release first" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/khaosan-bench-alerts.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

# The saved searches' queries.
PARSED=$WORK/names.jsonl
find "$CORPUS" -type f -name '*.txt' | sort | awk 'NR % 10 == 0' | "$BIN/KhaosanBench" names - > "$PARSED" 2>/dev/null
python3 - "$PARSED" "$SAVED" > "$WORK/queries.txt" <<'EOF'
import json, random, sys
seen, names = set(), []
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    for e in r.get("people", []) + r.get("organisations", []):
        if len(e) >= 4 and '"' not in e and e not in seen:
            seen.add(e); names.append(e)
random.Random(17).shuffle(names)
for n in names[:int(sys.argv[2])]:
    print(f'"{n}"')
EOF
NQ=$(wc -l < "$WORK/queries.txt")
echo "$(date -Is) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD), binaries $BIN; $NQ saved searches from $PARSED"

cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
run() { # $1 = with|without
    local home=$WORK/home-$1
    rm -rf "$home"; mkdir -p "$home"
    export KHAOSAN_HOME=$home
    "$BIN/khaosan-queryd" --log-level warning >"$home/queryd.log" 2>&1 & local qp=$!
    "$BIN/khaosan-ingestd" --log-level warning >"$home/ingestd.log" 2>&1 & local ip=$!
    for _ in $(seq 100); do [ -S "$home/query.sock" ] && [ -S "$home/ingest.sock" ] && break; sleep 0.1; done
    local wp=""
    if [ "$1" = with ]; then
        local i=0
        while IFS= read -r q; do
            i=$((i + 1))
            "$BIN/khaosan" saved add "s$i" -- "$q" >/dev/null || echo "saved add s$i failed: $q" >&2
        done < "$WORK/queries.txt"
        "$BIN/khaosan" watch --json "รัฐบาล" > "$home/watch.jsonl" 2>"$home/watch.err" & wp=$!
        sleep 0.5
    fi
    local cpu0; cpu0=$(cpu $qp)
    local t0 t1; t0=$(date +%s.%N)
    "$BIN/khaosan" ingest "$CORPUS" --wait-timeout 1800 >"$home/ingest.out" 2>&1
    t1=$(date +%s.%N)
    local wall; wall=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
    echo "$wall" > "$WORK/wall-$1"
    local events=0
    if [ -n "$wp" ]; then
        sleep 3
        events=$(wc -l < "$home/watch.jsonl")
        kill $wp 2>/dev/null; wait $wp 2>/dev/null
    fi
    local feeds; feeds=$(ls "$home/feeds" 2>/dev/null | wc -l)
    echo "  $1: until searchable $wall s; khaosan-queryd CPU during ingest $(python3 -c "print(f'{$(cpu $qp) - $cpu0:.2f}')") s; $(grep -E '^Searchable' "$home/ingest.out"); watch events $events; feed files $feeds"
    kill $ip $qp; wait $ip $qp 2>/dev/null
    rm -rf "$home"
}
for p in $(seq "$PAIRS"); do
    run without; a=$(cat "$WORK/wall-without")
    run with; b=$(cat "$WORK/wall-with")
    echo "pair $p: with / without = $(python3 -c "print(f'{$b / $a:.3f}')")"
done

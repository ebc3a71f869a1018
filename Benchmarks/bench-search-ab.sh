#!/usr/bin/env bash
# Interleaved A/B of KhaosanBench builds on one database, with the Tantivy anchor in every round
# (by hand; a few minutes). For a change to the search path, beside the full harness
# (bench-search.sh): the same queries, each build's first executions in freshly started
# processes, round after round, so the machine's drift hits every build alike.
#   Benchmarks/bench-search-ab.sh ROUNDS DIR_A DIR_B ...   (each DIR holds a KhaosanBench)
# Env:
#   DB=/tmp/bench-search-work/db-X/query.db   a database built by bench-search.sh (BENCH_DB)
#   QUERIES=.../queries.tsv                   a query set of a bench-search.sh run
#   TANTIVY=/tmp/bench-search-work/anchor-tantivy-space   its Tantivy index; empty: no anchor
# Prints per round every build's p50 / p99 and its ratio to Tantivy's p50 / p99, then per build
# the p50 of the per-query medians (each query's median first execution over the rounds) and,
# against the first build, the per-query ratio (median and geometric mean).
set -u -o pipefail
ROUNDS=${1:?usage: bench-search-ab.sh ROUNDS DIR_A [DIR_B ...]}; shift
[ $# -ge 1 ] || { echo "bench-search-ab.sh: name at least one build folder" >&2; exit 2; }
DB=${DB:?set DB to a query.db built by bench-search.sh}
QUERIES=${QUERIES:?set QUERIES to a bench-search.sh queries.tsv}
TANTIVY=${TANTIVY-/tmp/bench-search-work/anchor-tantivy-space}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d /tmp/bench-search-ab.XXXXXX)
for d in "$@"; do [ -x "$d/KhaosanBench" ] || { echo "bench-search-ab.sh: no KhaosanBench in $d" >&2; exit 2; }; done

field() { sed -n "s/.*$1=\([0-9.]*\) ms.*/\1/p" | head -1; }
echo "# bench-search-ab $(date -u +%FT%TZ) on $(hostname), nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# DB=$DB QUERIES=$QUERIES"
for r in $(seq 1 "$ROUNDS"); do
    line="round $r"
    tp50=""
    if [ -n "$TANTIVY" ]; then
        t=$(python3 "$HERE/bench_search.py" tantivy-query "$TANTIVY" "$QUERIES" "$OUT/tantivy.$r.json" | grep "first all")
        tp50=$(echo "$t" | field p50); tp99=$(echo "$t" | field p99)
        line="$line | tantivy $tp50 / $tp99"
    fi
    i=0
    for d in "$@"; do
        i=$((i + 1))
        "$d/KhaosanBench" search "$DB" "$QUERIES" --limit 10 --repetitions 0 --no-warm > "$OUT/b$i.$r.txt" 2>&1 \
            || { echo "bench-search-ab.sh: $d/KhaosanBench failed (see $OUT/b$i.$r.txt)" >&2; exit 1; }
        k=$(grep "first all" "$OUT/b$i.$r.txt")
        kp50=$(echo "$k" | field p50); kp99=$(echo "$k" | field p99)
        line="$line | $d $kp50 / $kp99"
        [ -n "$tp50" ] && line="$line ($(python3 -c "print(f'{$kp50/$tp50:.2f}x / {$kp99/$tp99:.2f}x')"))"
    done
    echo "$line"
done
python3 - "$OUT" "$ROUNDS" "$@" <<'PY'
import statistics as st, sys
out, rounds, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
medians = []
for i, d in enumerate(dirs, 1):
    per = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/b{i}.{r}.txt"):
            if line.startswith("query\t"):
                f = line.rstrip("\n").split("\t")
                us = next(int(x.split("=")[1]) for x in f if x.startswith("first_us="))
                per.setdefault((f[1], f[2]), []).append(us)
    m = {q: st.median(v) for q, v in per.items()}
    medians.append(m)
    print(f"{d}: p50 of per-query medians {st.median(m.values()) / 1000:.3f} ms over {len(m)} queries")
for d, m in zip(dirs[1:], medians[1:]):
    ratios = [m[q] / medians[0][q] for q in medians[0] if q in m and medians[0][q] > 0]
    print(f"{d} / {dirs[0]}: per-query ratio median {st.median(ratios):.3f}, geometric mean {st.geometric_mean(ratios):.3f}")
PY
rm -rf "$OUT"

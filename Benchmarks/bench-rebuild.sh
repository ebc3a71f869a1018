#!/usr/bin/env bash
# Index rebuild from SQLite (issue 12's "index rebuild from SQLite time reported"), run by hand:
#   Benchmarks/bench-rebuild.sh DB [BIN_DIR ...]
# DB is a query.db with releases (e.g. a bench-ingest.sh KEEP_HOME's, after its stop; or
# `sqlite3 HOME/query.db ".backup /tmp/src.db"`). For each BIN_DIR in turn (default
# .build/release; name several to interleave builds), khaosan-queryd starts on a fresh home holding
# only a copy of DB, so it finds no index and builds it from the stored releases; the script times
# the start until a search answers, then stops it and prints its CPU time, its peak memory and its
# segment files. With two or more BIN_DIRs the segment files of each build are compared byte for
# byte with the first build's (same releases, same code path: a change that should not alter the
# index must leave them identical).
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DB=${1:?usage: bench-rebuild.sh DB [BIN_DIR ...]}; shift
[ -f "$DB" ] || { echo "bench-rebuild.sh: $DB: no such database" >&2; exit 2; }
[ $# -ge 1 ] || set -- "$ROOT/.build/release"
for b in "$@"; do
    for x in khaosan khaosan-queryd; do
        [ -x "$b/$x" ] || { echo "bench-rebuild.sh: missing $b/$x (swift build -c release)" >&2; exit 2; }
    done
done
WORK=$(mktemp -d /tmp/khaosan-bench-rebuild.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "# bench-rebuild $(date -Is) on $(hostname), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), DB $DB ($(stat -c %s "$DB") bytes)"
i=0
for b in "$@"; do
    i=$((i + 1))
    home=$WORK/home-$i
    mkdir -p "$home"
    cp "$DB" "$home/query.db"
    t0=$(date +%s.%N)
    KHAOSAN_HOME=$home "$b/khaosan-queryd" --log-level warning >"$WORK/queryd-$i.log" 2>&1 &
    pid=$!
    answered=no
    for _ in $(seq 2400); do
        if KHAOSAN_HOME=$home timeout 5 "$b/khaosan" search "รัฐบาล" --limit 1 >/dev/null 2>&1; then answered=yes; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    t1=$(date +%s.%N)
    cpu=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$pid/stat" 2>/dev/null)
    hwm=$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null)
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    [ "$answered" = yes ] || { echo "bench-rebuild.sh: $b/khaosan-queryd never answered (log: $WORK/queryd-$i.log)" >&2; cat "$WORK/queryd-$i.log" >&2; exit 1; }
    files=$(ls "$home/query.db.index" | wc -l)
    same=""
    if [ "$i" -gt 1 ]; then
        same="segments identical to build 1: yes"
        for f in $(ls "$WORK/home-1/query.db.index"); do
            cmp -s "$WORK/home-1/query.db.index/$f" "$home/query.db.index/$f" || { same="segments identical to build 1: NO ($f differs)"; break; }
        done
    fi
    echo "build $i ($b): searchable after $(python3 -c "print(f'{$t1 - $t0:.1f}')") s; khaosan-queryd CPU $cpu s, VmHWM $hwm MB; $files index files${same:+; $same}"
done

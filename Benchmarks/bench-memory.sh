#!/usr/bin/env bash
# Resident memory of khaosan-queryd while searching and once idle (issue 12's targets: <= 300 MB
# querying, <= 150 MB idle). Starts khaosan-queryd on DATABASE (opened writable: it must be a
# database khaosan-queryd wrote, e.g. a kept Benchmarks/bench-search.sh run's home/query.db), runs
# every query of QUERIES (class<TAB>query lines) ROUNDS times through `khaosan search --facets`,
# reading VmRSS after every search and VmHWM at the end, then waits IDLE seconds and reads VmRSS.
#   Benchmarks/bench-memory.sh DATABASE QUERIES [ROUNDS=3] [IDLE=6]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DB=$1; QUERIES=$2; ROUNDS=${3:-3}; IDLE=${4:-6}
BIN=${KHAOSAN_BIN_DIR:-$ROOT/.build/release}
work=$(mktemp -d /tmp/kh-mem-XXXXXX)
export KHAOSAN_HOME=$work
"$BIN/khaosan-queryd" --socket "$work/query.sock" --database "$DB" --log-level warning > "$work/queryd.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do [ -S "$work/query.sock" ] && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {print $2}' /proc/$pid/status; }
echo "khaosan-queryd pid $pid on $DB; start RSS $(( $(rss) / 1024 )) MB"
peak=0; n=0
for r in $(seq "$ROUNDS"); do
  while IFS=$'\t' read -r kind q; do
    [ -z "$q" ] || [ "${kind:0:1}" = "#" ] && continue
    "$BIN/khaosan" search --query-socket "$work/query.sock" --facets --limit 10 -- "$q" > /dev/null 2>&1 || true
    v=$(rss); [ "$v" -gt "$peak" ] && peak=$v
    n=$((n + 1))
  done < "$QUERIES"
done
hwm=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
echo "searches $n: peak VmRSS after a search $((peak / 1024)) MB, VmHWM $((hwm / 1024)) MB"
sleep "$IDLE"
echo "idle ${IDLE} s later: VmRSS $(( $(rss) / 1024 )) MB"

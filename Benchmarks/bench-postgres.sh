#!/usr/bin/env bash
# The PostgreSQL store against embedded SQLite (issue 19), run by hand (BENCHMARKS.md):
#   Benchmarks/bench-postgres.sh [CORPUS_DIR]     (default /tmp/corpus/data; release binaries must exist)
# In one run, on a fresh primary + streaming standby (scripts/pg-cluster.sh, Unix sockets):
#  1. SQLite: khaosan-queryd + khaosan-ingestd on a fresh home; `khaosan ingest` of the corpus
#     until Sync says everything is searchable (as bench-ingest.sh);
#  2. PostgreSQL: a writer khaosan-queryd (--store on the primary) + khaosan-ingestd and a
#     replica (--replica, on the hot standby); the same ingest until searchable on the writer,
#     then until the replica's lag is 0; the replica's lag (`khaosan status --json`, polled every
#     0.1 s during the ingest) p50 / p99 / max, in changes;
#  3. query latency: the same searches, interleaved in BENCH_ROUNDS rounds, against the SQLite
#     khaosan-queryd and the replica: the server's time (took_us) and the client's wall time,
#     p50 / p99 (the index is local on both, so they should match).
# Env: BENCH_LIMIT=N ingests only the first N files (a smoke run); BENCH_ROUNDS (default 5);
# KHAOSAN_BIN_DIR: other binaries (default .build/release); KEEP=1 keeps the work directory.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KHAOSAN_BIN_DIR:-$ROOT/.build/release}
CORPUS=${1:-/tmp/corpus/data}
ROUNDS=${BENCH_ROUNDS:-5}
for b in khaosan khaosan-queryd khaosan-ingestd; do
    [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: swift build -c release first" >&2; exit 2; }
done
"$BIN/khaosan-queryd" --help | grep -q -- '--replica' || { echo "$BIN/khaosan-queryd has no --store/--replica (issue 19's store not built in)" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS (see Benchmarks/bench-ingest.sh)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/kbpg.XXXXXX)
chmod 0711 "$WORK"   # the PostgreSQL servers run as postgres and must reach $WORK/pg
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    "$ROOT/scripts/pg-cluster.sh" stop "$WORK/pg" >/dev/null 2>&1
    if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

if [ -n "${BENCH_LIMIT:-}" ]; then
    # The first N files, under their own relative paths (the path carries the date and category).
    mkdir -p "$WORK/corpus"
    (cd "$CORPUS" && find . -type f \( -name '*.txt' -o -name '*.json' \) | sort | head -n "$BENCH_LIMIT") | while IFS= read -r f; do
        mkdir -p "$WORK/corpus/$(dirname "$f")"
        ln -s "$CORPUS/$f" "$WORK/corpus/$f"
    done
    CORPUS=$WORK/corpus
fi
FILES=$(find -L "$CORPUS" -type f | wc -l)
echo "# bench-postgres $(date -u -Is)"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD), binaries $BIN"
echo "corpus: $CORPUS ($FILES files${BENCH_LIMIT:+, BENCH_LIMIT=$BENCH_LIMIT})"
"$ROOT/scripts/pg-cluster.sh" start "$WORK/pg" >/dev/null || exit 1
# shellcheck source=/dev/null
. "$WORK/pg/env"
echo "postgresql: $("$KHAOSAN_PG_BIN/postgres" --version), primary + streaming hot standby on Unix sockets"

start() {   # HOME NAME ARGS...: one daemon in that home, logging there
    local home=$1 name=$2
    shift 2
    mkdir -p "$home"
    KHAOSAN_HOME=$home "$BIN/$name" --log-level warning "$@" >>"$home/$name.log" 2>&1 &
    PIDS+=($!)
    LAST=$!
}
wait_socket() { for _ in $(seq 300); do [ -S "$1" ] && return 0; sleep 0.1; done; echo "no socket $1" >&2; exit 1; }

echo
echo "== 1. SQLite: ingest until searchable"
S=$WORK/sqlite
start "$S" khaosan-queryd; SQ=$LAST
start "$S" khaosan-ingestd; SI=$LAST
wait_socket "$S/query.sock"; wait_socket "$S/ingest.sock"
T0=$(now)
KHAOSAN_HOME=$S "$BIN/khaosan" ingest "$CORPUS" --quiet --wait-timeout 3600 >"$WORK/sqlite-ingest.out" 2>&1
T1=$(now)
echo "sqlite: wall until searchable $(secs "$T0" "$T1") s; CPU khaosan-queryd $(cpu $SQ) s, khaosan-ingestd $(cpu $SI) s"
echo "sqlite: $(KHAOSAN_HOME=$S "$BIN/khaosan" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["releases"])') releases"

echo
echo "== 2. PostgreSQL: writer on the primary, replica on the standby"
W=$WORK/writer R=$WORK/replica
start "$W" khaosan-queryd --store "$KHAOSAN_PG_PRIMARY"; WQ=$LAST
start "$W" khaosan-ingestd; WI=$LAST
wait_socket "$W/query.sock"; wait_socket "$W/ingest.sock"
# The writer creates the schema; a replica on the read-only standby refuses to start without it.
for _ in $(seq 300); do
    [ "$("$KHAOSAN_PG_BIN/psql" -X -At "$KHAOSAN_PG_STANDBY" -c "SELECT to_regclass('khaosan_migrations') IS NOT NULL" 2>/dev/null)" = t ] && break
    sleep 0.1
done
start "$R" khaosan-queryd --store "$KHAOSAN_PG_STANDBY" --replica; RQ=$LAST
wait_socket "$R/query.sock"
# The replica's lag, polled through the ingest; stops when told (the file below appears).
python3 - "$BIN/khaosan" "$R" "$WORK/lag.txt" "$WORK/stop-polling" <<'PY' &
import json, os, subprocess, sys, time
khaosan, home, out, stop = sys.argv[1:]
LAG_KEYS = ("store_lag_changes",)
with open(out, "w") as f:
    while not os.path.exists(stop):
        r = subprocess.run([khaosan, "status", "--json", "--timeout", "2", "--ingest-socket", home + "/none.sock"],
                           env=dict(os.environ, KHAOSAN_HOME=home), capture_output=True, text=True)
        for line in r.stdout.splitlines():
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get("service") == "queryd":
                lag = next((o[k] for k in LAG_KEYS if k in o), None)
                if lag is not None:
                    f.write(f"{time.time():.3f} {lag}\n"); f.flush()
        time.sleep(0.1)
PY
POLL=$!
T0=$(now)
KHAOSAN_HOME=$W "$BIN/khaosan" ingest "$CORPUS" --quiet --wait-timeout 3600 >"$WORK/pg-ingest.out" 2>&1
T1=$(now)
WANT=$(KHAOSAN_HOME=$W "$BIN/khaosan" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["releases"])')
for _ in $(seq 36000); do
    [ "$(KHAOSAN_HOME=$R "$BIN/khaosan" stats --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["releases"])' 2>/dev/null)" = "$WANT" ] && break
    sleep 0.1
done
T2=$(now)
touch "$WORK/stop-polling"; wait $POLL
echo "postgresql: wall until searchable on the writer $(secs "$T0" "$T1") s, on the replica $(secs "$T0" "$T2") s; $WANT releases"
echo "postgresql: CPU writer khaosan-queryd $(cpu $WQ) s, khaosan-ingestd $(cpu $WI) s, replica khaosan-queryd $(cpu $RQ) s"
echo "postgresql: database size $("$KHAOSAN_PG_BIN/psql" -X -At "$KHAOSAN_PG_PRIMARY" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
python3 - "$WORK/lag.txt" <<'PY'
import sys
lags = sorted(int(l.split()[1]) for l in open(sys.argv[1]) if l.strip())
if not lags:
    print("replica lag: no samples (status shows no lag key?)")
else:
    q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))]
    print(f"replica lag during the ingest (changes, {len(lags)} samples every 0.1 s): p50 {q(0.5)}, p99 {q(0.99)}, max {lags[-1]}")
PY

# Right after a load both nodes still search memory segments (written to files once writes
# stop, by the maintenance thread): measure the settled state, where both have written them.
settled() { # $1 = socket
    for _ in $(seq 600); do
        m=$("$BIN/khaosan" metrics --query --query-socket "$1" 2>/dev/null | awk '$1 == "khaosan_index_memory_segments" { print $2 }')
        [ "${m%.*}" = 0 ] && return 0
        sleep 0.2
    done
    echo "(memory segments not written out within 120 s on $1)"
}
settled "$S/query.sock"; settled "$R/query.sock"

echo
echo "== 3. query latency: SQLite khaosan-queryd vs the replica, $ROUNDS interleaved rounds (both with their memory segments written out)"
python3 - "$BIN/khaosan" "$S/query.sock" "$R/query.sock" "$ROUNDS" <<'PY'
import json, subprocess, sys, time
khaosan, sqlite_sock, replica_sock, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = ["วัคซีน", "นายกรัฐมนตรี", '"เศรษฐา ทวีสิน"', "ไฟ", "น้ำท่วม OR ฝุ่น", "ยา", "=ยา", "กระทรวงสาธารณสุข",
           "ประชุมคณะรัฐมนตรี", "Thailand", "Prime Minister", "economy AND Thailand", "cooperation", "ASEAN"]
setups = {"sqlite": sqlite_sock, "replica": replica_sock}
server = {k: [] for k in setups}; wall = {k: [] for k in setups}; mismatch = 0
for r in range(rounds):
    order = list(setups) if r % 2 == 0 else list(reversed(setups))
    for q in queries:
        answers = {}
        for name in order:
            t0 = time.perf_counter()
            out = subprocess.run([khaosan, "search", q, "--json", "--total", "--query-socket", setups[name]],
                                 capture_output=True, text=True).stdout.splitlines()
            wall[name].append((time.perf_counter() - t0) * 1000)
            total = json.loads(out[-1])
            server[name].append(total["took_us"] / 1000)
            answers[name] = (total["total"], [json.loads(l)["id"] for l in out[:-1]])
        mismatch += answers["sqlite"] != answers["replica"]
def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))]
for name in setups:
    print(f"{name:8s} server p50 {pct(server[name], .5):.2f} ms p99 {pct(server[name], .99):.2f} ms; "
          f"client wall p50 {pct(wall[name], .5):.1f} ms p99 {pct(wall[name], .99):.1f} ms ({len(server[name])} searches)")
print(f"answers differing between SQLite and the replica: {mismatch} of {len(queries) * rounds}")
PY

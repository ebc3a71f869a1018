#!/usr/bin/env bash
# Crash test (issue 6): while the CLI streams releases, kill -9 khaosan-ingestd or
# khaosan-queryd at a random moment, restart it, and repeat. At the end every release whose
# ingest was acknowledged must be found exactly once by a phrase from its body, and the database
# must pass PRAGMA integrity_check. khaosan-queryd writes index segments every 64 documents here
# (--index-flush-documents), so kills also land during segment writes and merges. Bounded: ROUNDS (default 50) rounds of at most a few seconds each.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-50}
PER_ROUND=${PER_ROUND:-40}
BIN=${KHAOSAN_BIN_DIR:-$(swift build --show-bin-path)}
for b in khaosan khaosan-queryd khaosan-ingestd; do
  [ -x "$BIN/$b" ] || swift build --product "$b" >/dev/null
done
export KHAOSAN_HOME=$(mktemp -d /tmp/kh-crash-XXXXXX)
export NO_COLOR=1
unset KHAOSAN_INGEST_SOCKET KHAOSAN_QUERY_SOCKET
work=$KHAOSAN_HOME/work
mkdir -p "$work"
qpid=""; ipid=""
start_query() { "$BIN/khaosan-queryd" --log-level warning --index-flush-documents 64 >>"$KHAOSAN_HOME/query.log" 2>&1 & qpid=$!; }
start_ingest() { "$BIN/khaosan-ingestd" --log-level warning >>"$KHAOSAN_HOME/ingest.log" 2>&1 & ipid=$!; }
# Ready means both daemons answer a call. A socket file alone proves nothing: a daemon killed with
# -9 leaves its file behind, and the restarted one removes that stale file before it binds anew, so
# a client started in between is refused (exit 3). `khaosan status` exits 3 only when one is unreachable.
wait_ready() {
  local rc
  for _ in $(seq 1 300); do
    rc=0; "$BIN/khaosan" status --timeout 2 >/dev/null 2>&1 || rc=$?
    [ "$rc" -ne 3 ] && return 0
    sleep 0.1
  done
  echo "crash-test: the daemons did not answer within 30 s" >&2; tail -20 "$KHAOSAN_HOME"/*.log >&2; exit 1
}
cleanup() { kill -9 $qpid $ipid 2>/dev/null || true; }
trap cleanup EXIT

# Distinct structured releases, each with a marker word found in no other release.
python3 - "$work" "$ROUNDS" "$PER_ROUND" <<'PY'
import json, os, sys
work, rounds, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
body = ["นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล", "The Cabinet approved the budget plan for fiscal year 2024."]
n = 0
for r in range(rounds + 1):
    d = os.path.join(work, f"round{r}")
    os.makedirs(d, exist_ok=True)
    for i in range(per):
        n += 1
        rid = 900000 + n
        rel = {"id": rid, "source_url": f"https://www.thaigov.go.th/news/contents/details/{rid}",
               "title": f"ข่าวทดสอบ crashmarker{rid}", "published": "2024-01-15", "category": "ด้านสังคม",
               "paragraphs": [f"เอกสารหมายเลข crashmarker{rid}"] + body}
        with open(os.path.join(d, f"ด้านสังคม_{i}_{rid}.json"), "w", encoding="utf-8") as f:
            json.dump(rel, f, ensure_ascii=False)
PY

start_query; start_ingest; wait_ready
kills_i=0; kills_q=0
for r in $(seq 0 $((ROUNDS - 1))); do
  "$BIN/khaosan" ingest --json --no-wait "$work/round$r" >"$work/acks$r.jsonl" 2>>"$work/cli.err" &
  cli=$!
  sleep "0.$(( RANDOM % 30 ))"
  if (( RANDOM % 2 )); then
    kill -9 "$ipid" 2>/dev/null || true; wait "$ipid" 2>/dev/null || true
    kills_i=$((kills_i + 1))
    wait "$cli" 2>/dev/null || true
    start_ingest; wait_ready
  else
    kill -9 "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true
    kills_q=$((kills_q + 1))
    wait "$cli" 2>/dev/null || true
    start_query; wait_ready
  fi
done
# The last round runs undisturbed and waits (Sync) until everything journaled is searchable.
"$BIN/khaosan" ingest --json "$work/round$ROUNDS" >"$work/acks$ROUNDS.jsonl"

acked=$(cat "$work"/acks*.jsonl | python3 -c '
import json, sys
ids = set()
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    o = json.loads(line)
    if o.get("status") in ("accepted", "duplicate", "updated"): ids.add(o["id"])
print(" ".join(str(i) for i in sorted(ids)))')
n_acked=$(wc -w <<<"$acked")
missing=0; doubled=0
for id in $acked; do
  hits=$("$BIN/khaosan" search "\"หมายเลข crashmarker$id\"" --json --limit 5 | grep -c '"id"' || true)
  if [ "$hits" -eq 0 ]; then missing=$((missing + 1)); echo "crash-test: acknowledged release $id is not searchable" >&2; fi
  if [ "$hits" -gt 1 ]; then doubled=$((doubled + 1)); echo "crash-test: release $id found $hits times" >&2; fi
done
kill -TERM "$ipid" "$qpid"; wait "$ipid" "$qpid" 2>/dev/null || true
integrity=$(sqlite3 "$KHAOSAN_HOME/query.db" "PRAGMA integrity_check")
segments=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["segments"]))' "$KHAOSAN_HOME/query.db.index/manifest.json" 2>/dev/null || echo 0)
echo "crash-test: rounds=$ROUNDS kills(ingestd)=$kills_i kills(queryd)=$kills_q acknowledged=$n_acked missing=$missing doubled=$doubled integrity=$integrity index-segments=$segments"
[ "$n_acked" -gt 0 ] && [ "$missing" -eq 0 ] && [ "$doubled" -eq 0 ] && [ "$integrity" = "ok" ] || exit 1
rm -rf "$KHAOSAN_HOME"

#!/usr/bin/env bash
# End-to-end test of local.sh, backup.sh and restore.sh against real daemons, in temp homes.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: Tests/Scripts/e2e-test.sh [--keep]

Runs, in fresh temp homes: local.sh start (twice: idempotent), status, the sample ingest and a
search; categories (one row per slug), an unknown --category on search, timeline and count
(exit 2, the closest named), get by #id, URL and --rev, search --json --total; an online backup while a second ingest runs between its database and journal copies
(the checkpoint-lowering path); restore refused while the daemons run; stop; restore into a new
home, start, and the same release count after the journal replay; a SIGKILL stop of a stopped
(SIGSTOP) daemon; a failing start. Binaries: $KHAOSAN_BIN_DIR, else the repo's .build/release
(local.sh builds them when missing). --keep leaves the temp dir for inspection. About 20 s.
EOF
}
KEEP=0
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --keep) KEEP=1 ;;
    *) echo "e2e-test.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEPLOY=$REPO/Deploy
SAMPLES="$REPO/Sources/KhaosanTestSupport/Fixtures/corpus"
BIN=${KHAOSAN_BIN_DIR:-$REPO/.build/release}
tmp=$(mktemp -d /tmp/khaosan-e2e.XXXXXX)
unset KHAOSAN_QUERY_SOCKET KHAOSAN_INGEST_SOCKET

cleanup() {
  local h
  for h in "$tmp"/home*; do
    [ -d "$h" ] && KHAOSAN_HOME=$h "$DEPLOY/local.sh" stop --no-build >/dev/null 2>&1 || true
  done
  if [ $KEEP -eq 1 ]; then echo "e2e-test.sh: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

step() { printf '\n== e2e: %s\n' "$*"; }
fail() { printf 'e2e-test.sh: FAIL: %s\n' "$*" >&2; exit 1; }
k() { "$BIN/khaosan" "$@"; }
count() { sqlite3 -readonly "$1/query.db" "SELECT count(*) FROM releases"; }

export KHAOSAN_HOME="$tmp/home1"
step "start, start again, status"
"$DEPLOY/local.sh" start
BIN=${KHAOSAN_BIN_DIR:-$REPO/.build/release}
out=$("$DEPLOY/local.sh" start) || fail "second start failed"
grep -q "already running" <<< "$out" || fail "second start did not say 'already running': $out"
"$DEPLOY/local.sh" status >/dev/null || fail "status exit $?"
for f in query.pid ingest.pid query.log ingest.log query.sock ingest.sock; do
  [ -e "$KHAOSAN_HOME/$f" ] || fail "$KHAOSAN_HOME/$f missing after start"
done
[ "$(stat -c %a "$KHAOSAN_HOME/query.sock")" = 660 ] || fail "query.sock mode is $(stat -c %a "$KHAOSAN_HOME/query.sock"), expected 660"

step "ingest part of the sample, back up while the rest is ingested"
k ingest "$SAMPLES/2020" >/dev/null 2>&1 || true
first=$(k stats --json 2>/dev/null | sed -n 's/.*"releases":\([0-9]*\).*/\1/p' | head -1 || true)
KHAOSAN_BACKUP_TEST_PAUSE=3 "$DEPLOY/backup.sh" "$tmp/backup" > "$tmp/backup.log" 2>&1 & bpid=$!
sleep 1
k ingest "$SAMPLES" >/dev/null 2>&1 || true
wait $bpid || { cat "$tmp/backup.log"; fail "backup.sh failed"; }
cat "$tmp/backup.log"
k search "นายกรัฐมนตรี" --limit 1 >/dev/null || fail "search failed"
total=$(count "$KHAOSAN_HOME")
[ "$total" -gt 0 ] || fail "no releases after the sample ingest"
grep -q '^integrity_check = ok' "$tmp/backup/MANIFEST" || fail "MANIFEST lacks integrity_check = ok"
backed=$(sed -n 's/^releases = //p' "$tmp/backup/MANIFEST")
echo "releases: $total live, ${first:-?} after the first ingest, $backed in the database copy"

step "finding one's way: categories, an unknown --category, get by #id, URL and --rev, search --total"
k categories --json > "$tmp/categories.jsonl" || fail "categories failed"
k stats --json > "$tmp/stats.json" || fail "stats failed"
python3 - "$tmp/categories.jsonl" "$tmp/stats.json" <<'PY' || fail "categories do not list one row per slug"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
stats = json.load(open(sys.argv[2], encoding="utf-8"))
slugs = [r["slug"] for r in rows]
assert rows and all(slugs), f"a category without a slug: {rows}"
assert len(set(slugs)) == len(slugs), f"a slug twice: {slugs}"
names = [r["name"] for r in rows]
assert len(set(names)) == len(names), f"a name twice: {names}"
assert sum(r["count"] for r in rows) == stats["releases"], "category counts do not add up to the releases"
assert [c["key"] for c in stats["categories"]] == slugs, "stats and categories disagree"
print(f"{len(rows)} categories, one row per slug")
PY
for cmd in "search ที่" "timeline ที่ --by year" "count --queries -"; do
  set +e
  # shellcheck disable=SC2086
  echo ที่ | k $cmd --category ekonomy > "$tmp/unknown.out" 2> "$tmp/unknown.err"; rc=$?
  set -e
  [ $rc -eq 2 ] || fail "$cmd --category ekonomy: exit $rc, expected 2"
  grep -q -- '--category "ekonomy"' "$tmp/unknown.err" || fail "$cmd: the error does not name the flag and value: $(cat "$tmp/unknown.err")"
  grep -q 'economy (ด้านเศรษฐกิจ)' "$tmp/unknown.err" || fail "$cmd: no suggestion: $(cat "$tmp/unknown.err")"
done
n_ok=$(k search ที่ --category 'ข่าวรอง นรม รมตนร' --json --total | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["total"])')
n_slug=$(k search ที่ --category deputy-pm --json --total | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["total"])')
[ "$n_ok" -gt 0 ] && [ "$n_ok" = "$n_slug" ] || fail "a spelling and the slug of deputy-pm filter differently: $n_ok vs $n_slug"
facet_total=$(k search ที่ --json --facets --limit 3 | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["total"])')
summary=$(k search ที่ --json --total --limit 3 | tail -1)
python3 - "$summary" "$facet_total" <<'PY' || fail "search --total: $summary"
import json, sys
s = json.loads(sys.argv[1])
assert s["total"] == int(sys.argv[2]) and s["returned"] == 3 and s["offset"] == 0 and "took_us" in s, s
PY
url=$(k get 73500 --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["source_url"])')
for ref in '#73500' "$url"; do
  [ "$(k get "$ref" --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["id"])')" = 73500 ] || fail "get $ref"
done
orig=$(ls "$SAMPLES"/2023/10/18/ด้านสังคม_3_*.txt)
mkdir -p "$tmp/v2"
sed 's/ของจีน/ของสาธารณรัฐประชาชนจีน/g' "$orig" > "$tmp/v2/$(basename "$orig")"
k ingest "$tmp/v2" > /dev/null || fail "ingesting a changed copy of 73500 failed"
k get 73500 --rev 1 --json > "$tmp/rev1.json" || fail "get --rev 1"
k get 73500 --json > "$tmp/rev2.json" || fail "get"
python3 - "$tmp/rev1.json" "$tmp/rev2.json" <<'PY' || fail "get --rev 1 is not the first version"
import json, sys
one, two = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
assert one["version"] == 1 and one["current_version"] == 2 and two["version"] == 2, (one["version"], two["version"])
assert not any("สาธารณรัฐประชาชนจีน" in p for p in one["paragraphs"])
assert any("สาธารณรัฐประชาชนจีน" in p for p in two["paragraphs"])
PY
set +e; k get 73500 --version 1 > /dev/null 2> "$tmp/version.err"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q -- "--rev 1" "$tmp/version.err" || fail "get --version 1: exit $rc, $(cat "$tmp/version.err")"

step "restore refuses while the daemons run"
if "$DEPLOY/restore.sh" "$tmp/backup" --home "$KHAOSAN_HOME" > "$tmp/refuse.log" 2>&1; then fail "restore.sh ran against a live home"; fi
grep -q "stop the services first" "$tmp/refuse.log" || { cat "$tmp/refuse.log"; fail "restore.sh refused for another reason"; }

step "stop"
"$DEPLOY/local.sh" stop
for f in query.sock ingest.sock query.pid ingest.pid; do [ ! -e "$KHAOSAN_HOME/$f" ] || fail "$f left after stop"; done

step "restore into a new home, start, replay"
home2="$tmp/home2"
"$DEPLOY/restore.sh" "$tmp/backup" --home "$home2"
KHAOSAN_HOME=$home2 "$DEPLOY/local.sh" start --no-build
# ingestd replays the journal after the restored checkpoint; wait until the count settles.
for _ in $(seq 1 50); do
  [ "$(count "$home2")" = "$total" ] && break
  sleep 0.2
done
[ "$(count "$home2")" = "$total" ] || fail "restored home has $(count "$home2") releases after replay, expected $total"
echo "restored home: $total releases after the replay (copy had $backed)"

step "a daemon that ignores SIGTERM is killed"
kill -STOP "$(cat "$home2/ingest.pid")"
out=$(KHAOSAN_HOME=$home2 KHAOSAN_STOP_TIMEOUT=1 "$DEPLOY/local.sh" stop 2>&1) || fail "stop failed: $out"
grep -q "sending SIGKILL" <<< "$out" || fail "no SIGKILL warning: $out"
[ ! -e "$home2/ingest.sock" ] || fail "ingest.sock left after SIGKILL stop"

step "a failing start reports and cleans up"
home3="$tmp/home3"
mkdir -p "$home3/query.db"   # a directory where the database should be: queryd cannot open it
if KHAOSAN_HOME=$home3 "$DEPLOY/local.sh" start --no-build > "$tmp/fail.log" 2>&1; then fail "start succeeded with a broken database path"; fi
grep -q "exited during start-up" "$tmp/fail.log" || { cat "$tmp/fail.log"; fail "unexpected failure message"; }
[ ! -e "$home3/query.pid" ] || fail "query.pid left after a failed start"

printf '\ne2e-test.sh: all passed\n'

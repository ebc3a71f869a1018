#!/usr/bin/env bash
# Web page benchmark of issue 18, run by hand (not CI):
#   Benchmarks/bench-web.sh
# Starts khaosan-queryd on a database of the corpus and khaosan-web in front of it (port 0, no
# rate limit), then asks for search pages (the full page: search with facets, the timeline
# chart, the two language counts: four QueryService calls) for a fixed list of queries, some
# with a category or a month filter, BENCH_ROUNDS times after one warm-up pass, one request at a
# time. Reports, from the Server-Timing header khaosan-web sends, the server-side page time
# (total, and its parts: waiting for khaosan-queryd, rendering) p50/p99, the client's wall time,
# and the page weight (HTML + the CSS and JS it links) of every page.
# Env:
#   BENCH_FROM=DIR   copy DIR/query.db (+ -wal) and DIR/query.db.index into the run's own home
#                    first (a database of the whole corpus built by the real services, e.g. by
#                    bench-search.sh); the original is never opened
#   BENCH_HOME=DIR   use the home DIR as it is (its query.db is opened and may be written)
#                    Neither: ingest CORPUS (default /tmp/corpus/data) through the services into
#                    a new home first
#   BENCH_BIN=DIR    khaosan, khaosan-queryd, khaosan-ingestd (default .build/release)
#   BENCH_WEB_BIN=DIR  khaosan-web (default BENCH_BIN)
#   BENCH_ROUNDS=5   measured passes over the query list
#   BENCH_KEEP=1     keep the run's home
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:-/tmp/corpus/data}
BIN=${BENCH_BIN:-$ROOT/.build/release}
WEB_BIN=${BENCH_WEB_BIN:-$BIN}
ROUNDS=${BENCH_ROUNDS:-5}
STAMP=$(date +%Y%m%d-%H%M%S)
WORK=/tmp/bench-web-$STAMP
mkdir -p "$WORK"
for b in "$BIN/khaosan-queryd" "$BIN/khaosan" "$WEB_BIN/khaosan-web"; do
  [ -x "$b" ] || { echo "bench-web: $b missing (swift build -c release --product ...; or set BENCH_BIN / BENCH_WEB_BIN)" >&2; exit 1; }
done

if [ -n "${BENCH_HOME:-}" ]; then
  HOME_DIR=$BENCH_HOME
else
  HOME_DIR=$WORK/home
  mkdir -p "$HOME_DIR"
  if [ -n "${BENCH_FROM:-}" ]; then
    echo "bench-web: copying $BENCH_FROM/query.db and its index into $HOME_DIR"
    cp "$BENCH_FROM/query.db" "$HOME_DIR/"
    [ ! -e "$BENCH_FROM/query.db-wal" ] || cp "$BENCH_FROM/query.db-wal" "$HOME_DIR/"
    [ ! -d "$BENCH_FROM/query.db.index" ] || cp -R "$BENCH_FROM/query.db.index" "$HOME_DIR/"
  fi
fi
export KHAOSAN_HOME=$HOME_DIR
unset KHAOSAN_QUERY_SOCKET KHAOSAN_INGEST_SOCKET
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # WORK holds the logs, and the home unless BENCH_HOME named one elsewhere (never deleted).
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "bench-web: kept $WORK"; fi
}
trap cleanup EXIT

"$BIN/khaosan-queryd" --socket "$HOME_DIR/query.sock" --database "$HOME_DIR/query.db" > "$WORK/queryd.log" 2>&1 &
pids+=($!)
# A database whose index files are of an older format has its index rebuilt first (minutes).
for _ in $(seq 1 6000); do [ -S "$HOME_DIR/query.sock" ] && break; sleep 0.2; done
[ -S "$HOME_DIR/query.sock" ] || { tail -20 "$WORK/queryd.log" >&2; echo "bench-web: khaosan-queryd did not start" >&2; exit 1; }
if [ -z "${BENCH_HOME:-}" ] && [ -z "${BENCH_FROM:-}" ]; then
  "$BIN/khaosan-ingestd" --socket "$HOME_DIR/ingest.sock" --query-socket "$HOME_DIR/query.sock" --state-dir "$HOME_DIR/ingest" > "$WORK/ingestd.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -S "$HOME_DIR/ingest.sock" ] && break; sleep 0.2; done
  echo "bench-web: ingesting $CORPUS"
  "$BIN/khaosan" ingest "$CORPUS" > /dev/null || true
fi
# Wait until the store answers (a copied database may catch its index up first).
for _ in $(seq 1 600); do "$BIN/khaosan" stats > /dev/null 2>&1 && break; sleep 0.5; done
"$WEB_BIN/khaosan-web" --port 0 --rate-limit 0 --query-socket "$HOME_DIR/query.sock" > "$WORK/web.log" 2>&1 &
pids+=($!)
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$WORK/web.log" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/web.log" >&2; echo "bench-web: khaosan-web did not start" >&2; exit 1; }

echo "bench-web: $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$BIN/khaosan" stats 2>/dev/null | head -3 | tr '\n' ' ')"
python3 - "$PORT" "$ROUNDS" <<'PY'
import re, statistics, sys, time, urllib.parse, urllib.request
port, rounds = int(sys.argv[1]), int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
queries = ["รัฐบาล", "นายกรัฐมนตรี", "ประชุม", "โควิด", "วัคซีน", "น้ำท่วม", "ภัยแล้ง", "เศรษฐกิจ", "การท่องเที่ยว",
           "ยาเสพติด", "ดิจิทัล", "ทุเรียน", "ASEAN", '"คณะรัฐมนตรี"', "ฝุ่น PM2.5", "ข้าว OR ยางพารา", "พลเอกประยุทธ์ จันทร์โอชา",
           "เศรษฐา ทวีสิน", "Soft Power", "อีอีซี"]
views = [{"q": q} for q in queries]
views += [{"q": "รัฐบาล", "category": "social"}, {"q": "โควิด", "month": "2021-07"}, {"q": "นายกรัฐมนตรี", "lang": "en"},
          {"q": "ประชุม", "sort": "newest", "page": "3"}]
assets = {}
def get(path):
    t0 = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as r:
        body = r.read()
        timing = r.headers.get("Server-Timing", "")
    return body, timing, (time.perf_counter() - t0) * 1000
def weight(html):
    total = len(html)
    for ref in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        if ref not in assets:
            assets[ref] = len(get(ref.decode())[0])
        total += assets[ref]
    return total
def parts(t):
    return {k: float(v) for k, v in re.findall(r"(\w+);dur=([\d.]+)", t)}
for v in views:  # warm-up
    get("/?" + urllib.parse.urlencode(v))
server, queryd, render, wall, weights = [], [], [], [], []
by_view = {}
for _ in range(rounds):
    for v in views:
        body, timing, ms = get("/?" + urllib.parse.urlencode(v))
        p = parts(timing)
        by_view.setdefault(urllib.parse.unquote_plus(urllib.parse.urlencode(v)), []).append(p["total"])
        server.append(p["total"]); queryd.append(p["queryd"]); render.append(p["render"]); wall.append(ms)
        weights.append(weight(body))
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]
print(f"pages: {len(server)} ({len(views)} views x {rounds} rounds, after one warm-up pass)")
print("| measure | p50 | p99 | max |")
print("|---|---|---|---|")
for name, xs in [("server-side page time (Server-Timing total)", server), ("  waiting for khaosan-queryd (4 calls at once)", queryd),
                 ("  rendering the HTML", render), ("client wall time (loopback HTTP)", wall)]:
    print(f"| {name} | {pct(xs, 50):.2f} ms | {pct(xs, 99):.2f} ms | {max(xs):.2f} ms |")
slow = sorted(by_view.items(), key=lambda kv: -statistics.median(kv[1]))[:4]
print("slowest views (median server-side ms): " + "; ".join(f"{k} {statistics.median(xs):.1f}" for k, xs in slow))
print(f"page weight (HTML + CSS + JS): median {statistics.median(weights) / 1000:.1f} kB, max {max(weights) / 1000:.1f} kB "
      f"(CSS + JS {sum(assets.values()) / 1000:.1f} kB); under 100 kB: {'yes' if max(weights) < 100_000 else 'NO'}")
PY

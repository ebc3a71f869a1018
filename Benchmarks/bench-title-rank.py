#!/usr/bin/env python3
"""Issue 5's ranking check: for 200 random releases of the corpus, the release's own title,
pasted as a query (quotes and parentheses dropped, as a user would type it), must rank that
release first in at least 95 % of cases.

Usage: KHAOSAN_HOME=... Benchmarks/bench-title-rank.py [CORPUS_DIR]   (khaosan-queryd running on
a database that holds the corpus, e.g. after Benchmarks/bench-corpus.sh with BENCH_KEEP=1)."""
import glob, json, os, random, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K = os.environ.get("KHAOSAN", os.path.join(root, ".build/release/khaosan"))
corpus = sys.argv[1] if len(sys.argv) > 1 else "/tmp/corpus/data"
files = sorted(glob.glob(os.path.join(corpus, "*/*/*/*.txt")))
random.seed(20261127)
picked = []
while len(picked) < 200:
    o = json.loads(subprocess.run([K, "parse", "--json", random.choice(files)], capture_output=True, text=True).stdout)
    if "error" not in o:
        picked.append((o["id"], o["title"]))
first, misses = 0, []
for rid, title in picked:
    q = title.replace('"', " ").replace("(", " ").replace(")", " ")
    r = subprocess.run([K, "search", q, "--json", "--limit", "5"], capture_output=True, text=True)
    ids = [json.loads(l)["id"] for l in r.stdout.splitlines() if l.startswith("{") and '"id"' in l]
    if ids and ids[0] == rid:
        first += 1
    else:
        misses.append((rid, title[:60], ids[:3]))
print(f"title as query: {first}/200 ranked first ({first / 2:.1f} %)")
for m in misses:
    print("  miss", m)

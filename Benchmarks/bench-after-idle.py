#!/usr/bin/env python3
"""A search after a pause, as a person searches.

Server-side time (the response's took_us) of queries each sent PAUSE seconds after the one before,
so khaosan-queryd has gone idle (2 s) and given its mapped pages back in between. Two or more
builds, each its own khaosan-queryd on its own copy of DATABASE (the services open it writable),
run side by side; every query goes to each build in turn, the order rotating, so the machine's
drift hits all alike. Prints per build the p50 / p90 / max of took_us and the resident set once
idle after the last query, and per query the ratio of each build to the first (median, geometric
mean).

    Benchmarks/bench-after-idle.py DATABASE QUERIES PAUSE N DIR_A [DIR_B ...]

DATABASE: a query.db with its query.db.index beside it (e.g. a kept bench-search.sh run's);
QUERIES: class<TAB>query lines (a bench-search.sh queries.tsv), of which the first N are sent.
"""
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    db, queries_path, pause, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    dirs = sys.argv[5:]
    queries = []
    with open(queries_path, encoding="utf-8") as f:
        for line in f:
            kind, _, q = line.rstrip("\n").partition("\t")
            if q and not kind.startswith("#"):
                queries.append(q)
    queries = queries[:n]
    work = tempfile.mkdtemp(prefix="kh-idle-")
    procs = []
    try:
        for i, d in enumerate(dirs):
            home = os.path.join(work, f"b{i}")
            os.makedirs(home)
            shutil.copy(db, os.path.join(home, "query.db"))
            shutil.copytree(db + ".index", os.path.join(home, "query.db.index"))
            log = open(os.path.join(home, "queryd.log"), "w")
            procs.append(subprocess.Popen(
                [os.path.join(d, "khaosan-queryd"), "--socket", os.path.join(home, "q.sock"),
                 "--database", os.path.join(home, "query.db"), "--log-level", "warning"],
                stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, KHAOSAN_HOME=home)))
        for i in range(len(dirs)):
            sock = os.path.join(work, f"b{i}", "q.sock")
            for _ in range(600):
                if os.path.exists(sock):
                    break
                time.sleep(0.1)
            else:
                sys.exit(f"bench-after-idle: khaosan-queryd of {dirs[i]} did not start")
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        print(f"# bench-after-idle {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} on {socket.gethostname()}, "
              f"nproc {os.cpu_count()}, load {load}; pause {pause} s, {len(queries)} queries")
        took = [[] for _ in dirs]
        for qi, q in enumerate(queries):
            time.sleep(pause)
            for j in range(len(dirs)):
                i = (j + qi) % len(dirs)
                home = os.path.join(work, f"b{i}")
                out = subprocess.run(
                    [os.path.join(dirs[i], "khaosan"), "search", "--query-socket", os.path.join(home, "q.sock"),
                     "--json", "--total", "--limit", "10", "--", q],
                    capture_output=True, text=True, env=dict(os.environ, KHAOSAN_HOME=home))
                last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
                try:
                    took[i].append(json.loads(last)["took_us"] / 1000)
                except (ValueError, KeyError):
                    sys.exit(f"bench-after-idle: {dirs[i]}: no took_us for {q!r}: {out.stderr.strip()[:200]}")
        time.sleep(pause)
        for i, d in enumerate(dirs):
            t = sorted(took[i])
            p90 = t[min(len(t) - 1, math.ceil(0.9 * len(t)) - 1)]
            print(f"{d}: p50 {statistics.median(t):.3f} ms, p90 {p90:.3f} ms, max {t[-1]:.3f} ms; "
                  f"VmRSS {rss_mb(procs[i].pid):.0f} MB idle after the last query")
        for i in range(1, len(dirs)):
            r = [a / b for a, b in zip(took[i], took[0]) if b > 0]
            geo = math.exp(sum(math.log(x) for x in r) / len(r))
            print(f"{dirs[i]} / {dirs[0]}: per-query ratio median {statistics.median(r):.3f}, geometric mean {geo:.3f}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

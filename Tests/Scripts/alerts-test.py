#!/usr/bin/env python3
"""Alerts test (issue 17): real khaosan-queryd and khaosan-ingestd in a temporary KHAOSAN_HOME,
the real CLI as separate processes:

- a saved search and a watch of the same query (and one of the saved search with --exec and
  --count); 5 releases ingested, 3 of them matching:
  exactly those 3 arrive, in journal order, with increasing positions;
- the watcher killed (SIGKILL), 2 more matching releases ingested (and one that does not
  match), a new watcher resuming from the last position printed: exactly the 2 arrive;
- khaosan-queryd killed (SIGKILL) while that watcher runs and 2 more are ingested meanwhile,
  then started again: the watcher reconnects by itself and receives exactly those 2, nothing
  lost or repeated;
- `saved run --since-last` returns exactly what the watch events were (ids and positions),
  then only what arrived after it;
- SIGTERM to khaosan-queryd with a watch open stops it at once (the watch ends, then resumes);
- the saved search's Atom feed parses with feedparser (no bozo), holds an entry per match,
  id = the source URL, newest first, and no temp file is left beside it.

    Tests/Scripts/alerts-test.py [--bin DIR] [--keep]

Needs `feedparser` (scripts/install-deps.sh pip-installs it). About 15 s on a debug build.
Prints one line per check and a final 'N passed, M failed'; exits 1 on any failure.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import feedparser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORD = "zebrafinch"
passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {what}")
    else:
        failed += 1
        print(f"FAIL  {what}")
    return ok


def release(i, matching):
    """A structured release; ids from 9000, published on distinct days so 'newest' is defined."""
    body = f"ข่าวทดสอบหมายเลข {i} เกี่ยวกับการประชุมคณะรัฐมนตรี"
    if matching:
        body += f" และโครงการ {WORD} ระยะที่ {i}"
    return {
        "id": 9000 + i, "source_url": f"https://www.thaigov.go.th/news/contents/details/{9000 + i}",
        "title": f"ทดสอบการแจ้งเตือน {i}", "published": f"2024-01-{i:02d}", "category": "ด้านสังคม",
        "language": "th", "paragraphs": [body],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    home = tempfile.mkdtemp(prefix="kh-alerts-", dir="/tmp")
    env = dict(os.environ, KHAOSAN_HOME=home, NO_COLOR="1")
    env.pop("KHAOSAN_INGEST_SOCKET", None)
    env.pop("KHAOSAN_QUERY_SOCKET", None)
    daemons = {}
    watchers = []
    inputs = os.path.join(home, "inputs")
    os.makedirs(inputs)

    def start(name):
        log = open(os.path.join(home, name + ".log"), "a")
        p = subprocess.Popen([os.path.join(bin_dir, name)], env=env, stdout=log, stderr=subprocess.STDOUT)
        daemons[name] = p
        sock = os.path.join(home, "query.sock" if name.endswith("queryd") else "ingest.sock")
        deadline = time.time() + 120
        while True:
            r = subprocess.run([os.path.join(bin_dir, "khaosan"), "stats" if name.endswith("queryd") else "status"],
                               env=env, capture_output=True, text=True)
            if os.path.exists(sock) and r.returncode == 0:
                return
            if p.poll() is not None or time.time() > deadline:
                sys.exit(f"{name} did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.1)

    def cli(*argv, expect=0):
        r = subprocess.run([os.path.join(bin_dir, "khaosan"), *argv], env=env, capture_output=True, text=True, timeout=120)
        if expect is not None and r.returncode != expect:
            check(False, f"khaosan {' '.join(argv)} exited {r.returncode}, expected {expect}: {r.stderr[-500:]}")
        return r

    def ingest_each(releases, tag):
        # One CLI call per release, each waiting until it is searchable: the journal order is
        # then the order here (one stream keeps many items in flight, parsed in parallel).
        for n, r in enumerate(releases):
            ingest([r], f"{tag}-{n}")

    def ingest(releases, tag, wait=True):
        d = os.path.join(inputs, tag)
        os.makedirs(d)
        for n, (i, m) in enumerate(releases):
            with open(os.path.join(d, f"{n:02d}-{i}.json"), "w") as f:
                json.dump(release(i, m), f, ensure_ascii=False)
        p = subprocess.Popen([os.path.join(bin_dir, "khaosan"), "ingest", d], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if wait:
            out, err = p.communicate(timeout=120)
            check(p.returncode == 0, f"ingest {tag}: exit {p.returncode} {err[-300:]}")
        return p

    class Watcher:
        def __init__(self, *extra):
            self.out_path = os.path.join(home, f"watch-{len(watchers)}.out")
            self.err_path = self.out_path + ".err"
            self.p = subprocess.Popen([os.path.join(bin_dir, "khaosan"), "watch", "--json", *extra], env=env,
                                      stdout=open(self.out_path, "w"), stderr=open(self.err_path, "w"))
            watchers.append(self)

        def events(self):
            with open(self.out_path) as f:
                return [json.loads(line) for line in f if line.strip()]

        def wait_live(self, times=1):
            deadline = time.time() + 60
            while open(self.err_path).read().count("live from position") < times:
                if time.time() > deadline or self.p.poll() is not None:
                    check(False, f"watcher live ({open(self.err_path).read()[-300:]})")
                    return
                time.sleep(0.05)

        def wait_events(self, n, timeout=60):
            deadline = time.time() + timeout
            while len(self.events()) < n and time.time() < deadline:
                time.sleep(0.05)
            # A moment more: anything extra (a repeat) would show up too.
            time.sleep(0.5)
            return self.events()

        def kill(self):
            self.p.send_signal(signal.SIGKILL)
            self.p.wait()

    try:
        start("khaosan-queryd")
        start("khaosan-ingestd")
        r = cli("saved", "add", "birds", WORD, "--json")
        check(json.loads(r.stdout or "{}").get("name") == "birds", "saved add prints the saved search")
        cli("saved", "add", "birds", WORD, expect=1)
        r = cli("saved", "add", "bad/name", WORD, expect=2)
        check("name" in r.stderr, f"a bad name is refused, naming the field: {r.stderr.strip()[:120]}")
        cli("saved", "add", "broken", '"unclosed', expect=2)
        listed = [json.loads(l)["name"] for l in cli("saved", "list", "--json").stdout.splitlines()]
        check(listed == ["birds"], f"saved list: {listed}")
        shown = cli("saved", "show", "birds").stdout
        check("query:     " + WORD in shown, "saved show prints the query")

        # 1. Watch, then 5 releases of which 3 match.
        w = Watcher(WORD)
        w.wait_live()
        hook_out = os.path.join(home, "hook.out")
        hooked = Watcher("--saved", "birds", "--count", "3", "--exec", f"cat >> {hook_out}")
        hooked.wait_live()
        first = [(1, True), (2, False), (3, True), (4, False), (5, True)]
        ingest_each(first, "first")
        got = w.wait_events(3)
        ids = [e["id"] for e in got]
        check(ids == [9001, 9003, 9005], f"watch: exactly the 3 matching releases in journal order: {ids}")
        positions = [e["position"] for e in got]
        check(positions == sorted(set(positions)), f"positions increase: {positions}")
        check(all(WORD in e["snippet"] for e in got), "each event's snippet shows the match")
        try:
            hooked.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        check(hooked.p.returncode == 0, f"watch --saved --count 3 exits 0 after 3 events (exit {hooked.p.returncode})")
        hook_lines = [json.loads(l) for l in open(hook_out)] if os.path.exists(hook_out) else []
        check([(e["id"], e["position"]) for e in hook_lines] == [(e["id"], e["position"]) for e in got],
              f"--exec got each event as JSON on its stdin: {[e['id'] for e in hook_lines]}")

        # 2. Kill the watcher, ingest 2 more matching (and one not), resume from the last position.
        w.kill()
        last = positions[-1]
        ingest_each([(6, True), (7, False), (8, True)], "second")
        w2 = Watcher(WORD, "--from-position", str(last))
        got2 = w2.wait_events(2)
        check([e["id"] for e in got2] == [9006, 9008], f"resumed: exactly the 2 missed: {[e['id'] for e in got2]}")
        w2.wait_live()

        # 3. Kill khaosan-queryd mid-stream; ingest 2 more while it is down; start it again.
        daemons["khaosan-queryd"].send_signal(signal.SIGKILL)
        daemons["khaosan-queryd"].wait()
        pending = ingest([(9, True), (10, False), (11, True)], "third", wait=False)
        time.sleep(1)
        start("khaosan-queryd")
        out, err = pending.communicate(timeout=120)
        check(pending.returncode == 0, f"ingest while khaosan-queryd was down: exit {pending.returncode} {err[-300:]}")
        got3 = w2.wait_events(4)
        ids3 = [e["id"] for e in got3]
        # One stream: its journal order is the ingester's, so the two may come either way round.
        check(ids3[:2] == [9006, 9008] and sorted(ids3[2:]) == [9009, 9011] and len(ids3) == 4,
              f"after the restart: nothing lost or repeated: {ids3}")
        p3 = [e["position"] for e in got3]
        check(p3 == sorted(set(p3)), f"positions still increase: {p3}")
        check("reconnecting" in open(w2.err_path).read(), "the watcher reconnected by itself")

        # 4. saved run --since-last agrees with the watch events.
        watched = [(e["id"], e["position"]) for e in got + got3]
        run = [json.loads(l) for l in cli("saved", "run", "birds", "--since-last", "--json").stdout.splitlines()]
        check([(e["id"], e["position"]) for e in run] == watched, f"saved run --since-last = the watch events: {[(e['id'], e['position']) for e in run]}")
        again = cli("saved", "run", "birds", "--since-last", "--json").stdout.strip()
        check(again == "", f"a second run right after has nothing new: {again[:100]}")
        ingest([(12, True), (13, False)], "fourth")
        got4 = w2.wait_events(5)
        run2 = [json.loads(l) for l in cli("saved", "run", "birds", "--since-last", "--json").stdout.splitlines()]
        check([(e["id"], e["position"]) for e in run2] == [(e["id"], e["position"]) for e in got4[4:]] == [(9012, got4[-1]["position"])],
              f"then only the new one, as the watcher saw it: {[(e['id'], e['position']) for e in run2]}")
        full = [json.loads(l)["id"] for l in cli("saved", "run", "birds", "--json").stdout.splitlines()]
        check(full == [e["id"] for e in got + got4], f"saved run without --since-last: every match, in the watch's order: {full}")

        # A graceful stop does not wait on open watches (they would hold the 10 s drain).
        t0 = time.time()
        daemons["khaosan-queryd"].send_signal(signal.SIGTERM)
        daemons["khaosan-queryd"].wait(timeout=30)
        check(time.time() - t0 < 5, f"SIGTERM with a watch open: khaosan-queryd stopped in {time.time() - t0:.1f} s")
        start("khaosan-queryd")
        w2.wait_live(times=3)
        check(len(w2.events()) == 5, f"the watcher resumed after the stop with nothing repeated ({len(w2.events())} events)")

        # 5. The Atom feed.
        feed_path = os.path.join(home, "feeds", "birds.atom")
        expected = [9012, 9011, 9009, 9008, 9006, 9005, 9003, 9001]
        deadline = time.time() + 30
        while time.time() < deadline:
            d = feedparser.parse(feed_path) if os.path.exists(feed_path) else None
            if d is not None and len(d.entries) == len(expected):
                break
            time.sleep(0.1)
        check(d is not None and not d.bozo, f"feeds/birds.atom parses with feedparser without errors ({getattr(d, 'bozo_exception', None)})")
        if d is not None:
            check(d.version == "atom10", f"it is Atom 1.0: {d.version}")
            urls = [e.id for e in d.entries]
            want = [release(i - 9000, True)["source_url"] for i in expected]
            check(urls == want, f"entries: id = source URL, newest first: {[u.rsplit('/', 1)[-1] for u in urls]}")
            check(all(e.get("link") == e.id for e in d.entries), "each entry links to its release")
            check(all(e.get("updated_parsed") for e in d.entries), "each entry has an updated time")
        # The restart above rewrites every feed once, so a temp file may exist for a moment;
        # "left" means one that stays.
        def temps():
            return [f for f in os.listdir(os.path.join(home, "feeds")) if f.endswith(".tmp")]
        deadline = time.time() + 10
        while temps() and time.time() < deadline:
            time.sleep(0.05)
        check(not temps(), "no temp file left beside the feed")
        cli("saved", "rm", "birds")
        deadline = time.time() + 10
        while os.path.exists(feed_path) and time.time() < deadline:
            time.sleep(0.05)
        check(not os.path.exists(feed_path), "saved rm removes the feed")
        cli("saved", "show", "birds", expect=1)
    finally:
        for w in watchers:
            if w.p.poll() is None:
                w.kill()
        for p in daemons.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in daemons.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        if args.keep or failed:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

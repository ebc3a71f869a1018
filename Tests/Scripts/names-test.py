#!/usr/bin/env python3
"""Names end to end (issue 16, item 4): real khaosan-queryd and khaosan-ingestd in a temporary
KHAOSAN_HOME, the fixture corpus ingested, then `khaosan search 'person:"..."' --json` must
return exactly the accepted fixture releases whose text names that person, the oracle being
the name itself found in the file (given and family name, any run of spaces between, behind a
title), not the extractor. Also: a bare given name finds the same releases; a filter under OR
is refused (exit 2); org: and place: find only releases containing the name; `khaosan names`
counts the person in exactly those releases and `khaosan entity` profiles them.

    Tests/Scripts/names-test.py [--bin DIR] [--keep]

About 10 s with debug binaries (most of it starting the daemons).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Sources", "KhaosanTestSupport", "Fixtures", "corpus")
TITLE = r"(?:นาย|นางสาว|นาง|พลเอก|พลตำรวจเอก|พล\.อ\.|พล\.ต\.อ\.|ดร\.)\s*"
# (query, regex naming the person in a file)
PEOPLE = [
    ("ประยุทธ์ จันทร์โอชา", TITLE + r"ประยุทธ์\s+จันทร์โอชา"),
    ("เศรษฐา ทวีสิน", TITLE + r"เศรษฐา\s+ทวีสิน"),
]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    home = tempfile.mkdtemp(prefix="kh-names-", dir="/tmp")
    env = dict(os.environ, KHAOSAN_HOME=home, NO_COLOR="1")
    env.pop("KHAOSAN_INGEST_SOCKET", None)
    env.pop("KHAOSAN_QUERY_SOCKET", None)
    procs = []

    def start(name):
        log = open(os.path.join(home, name + ".log"), "w")
        p = subprocess.Popen([os.path.join(bin_dir, name)], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        sock = os.path.join(home, "query.sock" if name.endswith("queryd") else "ingest.sock")
        deadline = time.time() + 120
        while not os.path.exists(sock):
            if p.poll() is not None or time.time() > deadline:
                sys.exit(f"{name} did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.05)

    def cli(*argv):
        return subprocess.run([os.path.join(bin_dir, "khaosan"), *argv], env=env, capture_output=True, text=True, timeout=120)

    def ids(query):
        r = cli("search", "--json", "--limit", "1000", "--sort", "oldest", query)
        if r.returncode != 0:
            check(False, f"search {query!r} exited {r.returncode}: {r.stderr[-300:]}")
            return set()
        return {o["id"] for o in map(json.loads, r.stdout.splitlines()) if "id" in o and "title" in o}

    try:
        start("khaosan-queryd")
        start("khaosan-ingestd")
        ingest = cli("ingest", "--json", FIXTURES)
        accepted = {}
        for line in ingest.stdout.splitlines():
            o = json.loads(line)
            if o.get("status") in ("accepted", "updated") and o.get("id") is not None:
                accepted[o["file"]] = o["id"]
        check(len(accepted) > 0, f"{len(accepted)} fixture releases accepted")
        texts = {}
        for f, rid in accepted.items():
            path = f if os.path.isabs(f) else os.path.join(FIXTURES, f)
            if not os.path.exists(path):
                path = os.path.join(ROOT, f)
            texts.setdefault(rid, "")
            texts[rid] += open(path, encoding="utf-8", errors="replace").read()
        for name, pattern in PEOPLE:
            want = {rid for rid, t in texts.items() if re.search(pattern, t)}
            got = ids(f'person:"{name}"')
            check(len(want) > 0, f"the fixtures name {name} ({len(want)} releases)")
            check(got == want, f'person:"{name}" finds exactly {sorted(want)} (got {sorted(got)})')
            given = name.split()[0]
            check(ids(f"person:{given}") == want, f"person:{given} (the given name alone) finds the same releases")
            r = cli("names", "--json", "--limit", "100", f'person:"{name}"')
            lines = [json.loads(l) for l in r.stdout.splitlines()]
            summary = lines[-1] if lines else {}
            mine = [o for o in lines[:-1] if o.get("kind") == "person" and name in o.get("name", "")]
            check(r.returncode == 0 and summary.get("releases") == len(want) and len(mine) == 1 and mine[0]["count"] == len(want),
                  f'khaosan names person:"{name}": {summary.get("releases")} releases, {name} counted in {mine[0]["count"] if mine else None} (want {len(want)})')
            r = cli("entity", "--json", name)
            e = json.loads(r.stdout) if r.returncode == 0 else {}
            check(e.get("kind") == "person" and e.get("releases") == len(want)
                  and sum(m["count"] for m in e.get("months", [])) == len(want)
                  and {h["id"] for h in e.get("latest", [])} <= want
                  and not any(name in w["name"] for w in e.get("with", [])),
                  f"khaosan entity {name}: person, {e.get('releases')} releases, months sum to it, latest among them, not named with itself")
        r = cli("search", 'person:"เศรษฐา ทวีสิน" OR ประชุม')
        check(r.returncode == 2 and "AND only" in r.stderr, f"a name filter under OR is refused with exit 2 ({r.returncode}: {r.stderr.strip()[:120]})")
        for query, word in [("org:กระทรวงสาธารณสุข", "กระทรวงสาธารณสุข"), ("place:นนทบุรี", "นนทบุรี")]:
            got = ids(query)
            contain = {rid for rid, t in texts.items() if word in t}
            check(len(got) > 0 and got <= contain, f"{query} finds {len(got)} releases, each containing {word} ({len(contain)} do)")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if args.keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    if failures:
        sys.exit(f"names-test.py: {len(failures)} check(s) failed")
    print("names-test.py: all checks passed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""End-to-end test of `khaosan diff`, `khaosan similar` and `search --collapse` (issue 16, items 5
and 6) over real daemons in a temp home.

Usage: Tests/Scripts/changes-test.py [--bin DIR] [--keep]

Ingests the sample corpus, then a hand-made second version of one release (one word replaced,
one paragraph added) and a planted copy of another release under a new id with 85% of its body
kept; checks that diff shows exactly the edited words (JSON and unified text), that the copy is
grouped with its original and an unrelated release is not, that search --collapse shows one of
them with the other as "also published as", and the errors for an unknown release and version.
Binaries: --bin, else $KHAOSAN_BIN_DIR, else .build/debug. About 10 s.
"""
import json, os, pathlib, re, shutil, signal, subprocess, sys, tempfile, time

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = REPO / "Sources/KhaosanTestSupport/Fixtures/corpus"

def main():
    args = sys.argv[1:]
    keep = "--keep" in args
    bin_dir = os.environ.get("KHAOSAN_BIN_DIR", str(REPO / ".build/debug"))
    if "--bin" in args:
        bin_dir = args[args.index("--bin") + 1]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="khaosan-changes."))
    home = tmp / "home"
    home.mkdir()
    env = dict(os.environ, KHAOSAN_HOME=str(home), NO_COLOR="1")
    env.pop("KHAOSAN_QUERY_SOCKET", None); env.pop("KHAOSAN_INGEST_SOCKET", None)
    procs = []
    def fail(msg):
        print(f"changes-test.py: FAIL: {msg}", file=sys.stderr)
        for p in procs: p.send_signal(signal.SIGTERM)
        sys.exit(1)
    def k(*a, check=True):
        r = subprocess.run([f"{bin_dir}/khaosan", *a], env=env, capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            fail(f"khaosan {' '.join(a)} exited {r.returncode}: {r.stderr.strip()}")
        return r
    try:
        for name in ("khaosan-queryd", "khaosan-ingestd"):
            log = open(tmp / f"{name}.log", "w")
            procs.append(subprocess.Popen([f"{bin_dir}/{name}", "--log-level", "warning"], env=env, stdout=log, stderr=log))
        deadline = time.time() + 120
        while not ((home / "query.sock").exists() and (home / "ingest.sock").exists()):
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                fail("daemons did not come up (logs in " + str(tmp) + ")")
            time.sleep(0.1)

        print("== changes: ingest the sample corpus")
        k("ingest", str(SAMPLES), check=False)
        files = sorted(SAMPLES.rglob("*.txt"))
        def parsed(f):
            r = k("parse", "--json", str(f), check=False)
            o = json.loads(r.stdout.splitlines()[0])
            return None if "error" in o else o
        # Thai releases of a few paragraphs, longest first.
        releases = [(f, o) for f in files if (o := parsed(f)) is not None and o["language"] == "th" and 3 <= len(o["paragraphs"]) <= 60]
        releases.sort(key=lambda fo: -sum(len(p) for p in fo[1]["paragraphs"]))
        # The first release with a Thai paragraph holding a number between spaces (a word of its own).
        number = re.compile(r"(?<= )[0-9]+(?= )")
        k1, p1 = next((k, i) for k, (_, o) in enumerate(releases) for i, p in enumerate(o["paragraphs"][:-1])
                      if number.search(p) and re.search("[\u0e01-\u0e5b]", p) and o["paragraphs"].count(p) == 1)
        f1, r1 = releases[k1]
        (f2, r2), (_, r3) = next(fo for k, fo in enumerate(releases) if k != k1), releases[-1]

        print("== changes: a hand-made second version: one word replaced, a paragraph added")
        text = f1.read_text(encoding="utf-8")
        target = r1["paragraphs"][p1]
        m = number.search(target)
        old_word, new_word = m.group(0), str(int(m.group(0)) + 1)
        edited = target[: m.start()] + new_word + target[m.end():]
        added = "ขอให้ประชาชนติดตามข่าวสารจากรัฐบาล"
        v2 = text.replace(target, edited, 1).replace(r1["paragraphs"][-1], r1["paragraphs"][-1] + "\n" + added, 1)
        d = tmp / "v2"; d.mkdir()
        (d / f1.name).write_text(v2, encoding="utf-8")
        out = k("ingest", "--json", str(d / f1.name)).stdout
        if json.loads(out.splitlines()[0])["status"] != "updated": fail(f"second version not updated: {out}")

        diff = json.loads(k("diff", str(r1["id"]), "--json").stdout)
        if (diff["old_version"], diff["new_version"], diff["versions"]) != (1, 2, 2): fail(f"versions: {diff}")
        changes = [(f["name"], f.get("old_paragraph"), f.get("new_paragraph"), [(e["op"], e["text"]) for e in f["edits"] if e["op"] != "equal"])
                   for f in diff["fields"] if f["changed"]]
        expected = [("paragraph", p1 + 1, p1 + 1, [("delete", old_word), ("insert", new_word)]),
                    ("paragraph", None, len(r1["paragraphs"]) + 1, [("insert", added)])]
        if changes != expected: fail(f"diff changes {changes}, expected {expected}")
        for f in diff["fields"]:
            old = "".join(e["text"] for e in f["edits"] if e["op"] != "insert")
            if f["name"] == "paragraph" and f["old_paragraph"] and old != r1["paragraphs"][f["old_paragraph"] - 1]:
                fail(f"old paragraph {f['old_paragraph']} not rebuilt from the edits")
        plain = k("diff", str(r1["id"])).stdout.splitlines()
        if not plain[0].startswith(f"--- #{r1['id']} version 1") or not plain[1].startswith(f"+++ #{r1['id']} version 2"):
            fail(f"unified header: {plain[:2]}")
        if plain[2:] != [f"@@ paragraph -{p1 + 1} +{p1 + 1} @@", "-" + target, "+" + edited, f"@@ paragraph +{len(r1['paragraphs']) + 1} (added) @@", "+" + added]:
            fail(f"unified diff: {plain[2:]}")
        if "\x1b[" in "".join(plain): fail("colour with NO_COLOR set")
        coloured = k("diff", str(r1["id"]), "--color", "always").stdout
        if f"\x1b[7m\x1b[32m{new_word}" not in coloured: fail("the inserted word is not highlighted with --color always")
        r = k("diff", "999999999", check=False)
        if r.returncode != 1 or "no release with id 999999999" not in r.stderr: fail(f"unknown release: {r.returncode} {r.stderr}")
        r = k("diff", str(r1["id"]), "1", "9", check=False)
        if r.returncode != 1 or "no version 9" not in r.stderr: fail(f"unknown version: {r.returncode} {r.stderr}")

        print("== changes: a planted copy with 85% of a release's body")
        text = f2.read_text(encoding="utf-8")
        body = "\n".join(r2["paragraphs"])
        keep_chars = len(body) * 85 // 100
        filler = "\n".join(r3["paragraphs"])
        copy_body = body[:keep_chars] + filler[: len(body) - keep_chars]
        copy_id = 990_000_001
        start = text.index(r2["paragraphs"][0])
        end = text.index(r2["paragraphs"][-1]) + len(r2["paragraphs"][-1])
        copy = (text[:start] + copy_body + text[end:]).replace(r2["source_url"], f"https://www.thaigov.go.th/news/contents/details/{copy_id}")
        (d / "copy").mkdir()
        (d / "copy" / f2.name).write_text(copy, encoding="utf-8")
        out = k("ingest", "--json", str(d / "copy" / f2.name)).stdout
        if json.loads(out.splitlines()[0])["status"] != "accepted": fail(f"planted copy not accepted: {out}")

        lines = [json.loads(l) for l in k("similar", str(copy_id), "--json").stdout.splitlines()]
        summary, hits = lines[-1], lines[:-1]
        if summary["group"] != r2["id"]: fail(f"copy's group {summary['group']}, expected {r2['id']}")
        if not hits or hits[0]["id"] != r2["id"] or not hits[0]["same_group"] or not (0.65 < hits[0]["exact"] < 0.85):
            fail(f"similar: {hits[:2]}")
        lines = [json.loads(l) for l in k("similar", str(r3["id"]), "--json").stdout.splitlines()]
        if lines[-1]["group"] != r3["id"] or any(h["same_group"] for h in lines[:-1]): fail(f"unrelated release grouped: {lines}")

        query = '"' + r2["title"][:12] + '"'
        plain_hits = [json.loads(l) for l in k("search", query, "--json", "--limit", "50").stdout.splitlines() if l.startswith('{"rank"')]
        coll = [json.loads(l) for l in k("search", query, "--collapse", "--json", "--limit", "50").stdout.splitlines() if l.startswith('{"rank"')]
        ids = {h["id"] for h in coll}
        if not {r2["id"], copy_id} <= {h["id"] for h in plain_hits} or len({r2["id"], copy_id} & ids) != 1:
            fail(f"collapse: plain {[h['id'] for h in plain_hits]}, collapsed {[h['id'] for h in coll]}")
        shown = next(h for h in coll if h["id"] in (r2["id"], copy_id))
        if shown["also_published_as"] != [copy_id if shown["id"] == r2["id"] else r2["id"]]: fail(f"also_published_as: {shown}")
        text_out = k("search", query, "--collapse").stdout
        if f"also published as #{shown['also_published_as'][0]}" not in text_out: fail("no 'also published as' line")
        print("changes-test.py: ok")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try: p.wait(timeout=20)
            except subprocess.TimeoutExpired: p.kill()
        if keep: print(f"changes-test.py: kept {tmp}")
        else: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()

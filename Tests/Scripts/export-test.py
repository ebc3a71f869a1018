#!/usr/bin/env python3
"""Export test (issue 16, item 3): starts real khaosan-queryd and khaosan-ingestd in a temporary
KHAOSAN_HOME, ingests the fixture corpus, then checks `khaosan export` end to end:

- an export of everything (no query) as CSV has exactly one row per accepted release, parses
  with Python's csv module (RFC 4180) into the header's columns, with each release's Thai title
  and full text byte for byte as `khaosan get --json` returns them, in date-then-id order;
- the same read by pandas when it is installed (not required), with --bom and utf-8-sig;
- --format jsonl: every line parses as JSON, the same ids and titles;
- a query's export has the search's total rows and its ids are the search's hits;
- -o FILE writes the file only when complete; --fields picks and orders the columns; a reader
  that stops early ends the export quietly (status 0);
- bad input: an unknown field or format, --bom with jsonl, a query that does not parse, each
  exits 2 naming the flag or the field.

    Tests/Scripts/export-test.py [--bin DIR] [--keep]

About 5 s on a debug build. Prints one line per check and a final 'N passed, M failed'; exits 1 on
any failure.
"""
import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

csv.field_size_limit(sys.maxsize)  # a body may be longer than the module's default 128 KiB
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Sources/KhaosanTestSupport/Fixtures/corpus")

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    home = tempfile.mkdtemp(prefix="kh-export-", dir="/tmp")
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
            time.sleep(0.02)

    def cli(*argv, expect=0, binary=False):
        r = subprocess.run([os.path.join(bin_dir, "khaosan"), *argv], env=env, capture_output=True, timeout=120)
        if expect is not None and r.returncode != expect:
            check(False, f"khaosan {' '.join(argv)} exited {r.returncode}, expected {expect}: {r.stderr.decode()[-500:]}")
        if not binary:
            r.stdout = r.stdout.decode("utf-8")
        r.stderr = r.stderr.decode("utf-8", "replace")
        return r

    try:
        start("khaosan-queryd")
        start("khaosan-ingestd")
        ingested = cli("ingest", "--json", FIXTURES, expect=None)
        accepted = []
        for line in ingested.stdout.splitlines():
            o = json.loads(line)
            if o.get("status") == "accepted":
                accepted.append(o["id"])
        check(len(accepted) > 10 and len(set(accepted)) == len(accepted), f"ingested the fixtures: {len(accepted)} accepted")

        # The truth: each release as `khaosan get --json` has it.
        truth = {}
        for i in set(accepted):
            g = json.loads(cli("get", "--json", str(i)).stdout.splitlines()[0])
            truth[i] = g
        some = next(iter(truth.values()))
        title_key = "title"
        body_of = (lambda g: "\n".join(g["paragraphs"])) if "paragraphs" in some else (lambda g: g.get("body", ""))
        date_of = lambda g: g.get("published")

        # 1. Everything, CSV with full text, parsed by the csv module.
        r = cli("export", "--full-text", binary=True)
        raw = r.stdout
        check(not raw.startswith(b"\xef\xbb\xbf"), "no byte order mark without --bom")
        text = raw.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        header, data = rows[0], rows[1:]
        check(header == ["id", "date", "category", "slug", "language", "title", "url", "body"], f"CSV header {header}")
        check(len(data) == len(accepted), f"CSV rows {len(data)} = accepted releases {len(accepted)}")
        check(all(len(row) == len(header) for row in data), "every CSV row has the header's columns")
        ids = [int(row[0]) for row in data]
        check(sorted(ids) == sorted(accepted), "CSV ids are exactly the accepted ids")
        same_title = all(row[5] == truth[int(row[0])][title_key] for row in data)
        check(same_title, "every CSV title equals the stored Thai title")
        same_body = all(row[7] == body_of(truth[int(row[0])]) for row in data)
        check(same_body, "every CSV body equals the stored text (line breaks and quotes intact)")
        check(any("\n" in row[7] for row in data) and any(any("\u0e00" <= ch <= "\u0e7f" for ch in row[5]) for row in data),
              "the bodies hold line breaks and the titles Thai letters (the quoting was exercised)")
        keys = [(row[1], int(row[0])) for row in data]
        check(keys == sorted(keys), "rows in date then id order")
        check(all(row[1] == date_of(truth[int(row[0])]) for row in data), "dates are ISO and equal the stored ones")
        check(text.count("\r\n") >= len(data) + 1, "CRLF line ends (RFC 4180)")

        # 2. pandas, when installed, with a BOM.
        r = cli("export", "--full-text", "--bom", binary=True)
        check(r.stdout.startswith(b"\xef\xbb\xbf"), "--bom starts the file with EF BB BF")
        try:
            import pandas  # noqa: F401
        except ImportError:
            print("skip  pandas is not installed")
        else:
            frame = pandas.read_csv(io.BytesIO(r.stdout), encoding="utf-8-sig", dtype=str, keep_default_na=False)
            check(list(frame.columns) == header and len(frame) == len(accepted), f"pandas reads {len(frame)} rows, the header's columns")
            check(all(frame["title"][k] == truth[int(frame["id"][k])][title_key] for k in range(len(frame))),
                  "pandas: Thai titles intact")
            check(all(frame["body"][k] == body_of(truth[int(frame["id"][k])]) for k in range(len(frame))),
                  "pandas: bodies intact")

        # 3. JSON Lines.
        r = cli("export", "--format", "jsonl", "--full-text")
        objs = [json.loads(line) for line in r.stdout.splitlines()]
        check(len(objs) == len(accepted), f"JSONL: {len(objs)} lines, each a JSON object")
        check([o["id"] for o in objs] == ids, "JSONL: the same ids in the same order as the CSV")
        check(all(o["title"] == truth[o["id"]][title_key] and o["body"] == body_of(truth[o["id"]]) for o in objs),
              "JSONL: titles and bodies intact")
        check(list(objs[0].keys()) == header, f"JSONL keys in the fields' order: {list(objs[0].keys())}")

        # 4. A query: the search's hits.
        q = "รัฐบาล"
        search = [json.loads(line) for line in cli("search", "--json", "--limit", "1000", q).stdout.splitlines()]
        hits = {o["id"] for o in search if "id" in o}
        r = cli("export", q, "--fields", "title,id")
        qrows = list(csv.reader(io.StringIO(r.stdout, newline="")))
        check(qrows[0] == ["title", "id"], "--fields picks and orders the columns")
        check({int(row[1]) for row in qrows[1:]} == hits and len(qrows) - 1 == len(hits),
              f"export '{q}': {len(qrows) - 1} rows = the search's {len(hits)} hits")

        # 5. -o FILE.
        out = os.path.join(home, "all.csv")
        r = cli("export", "-o", out)
        with open(out, newline="", encoding="utf-8") as f:
            frows = list(csv.reader(f))
        check(len(frows) - 1 == len(accepted) and r.stdout == "", f"-o wrote {len(frows) - 1} rows to the file, nothing to stdout")
        check(not [n for n in os.listdir(home) if ".partial-" in n], "no partial file left behind")

        # 6. A reader that stops early (| head) ends the export quietly.
        p = subprocess.Popen([os.path.join(bin_dir, "khaosan"), "export", "--full-text"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        head = p.stdout.read(1000)
        p.stdout.close()
        err = p.stderr.read().decode()
        rc = p.wait(timeout=60)
        check(len(head) == 1000 and rc == 0 and err == "", f"a reader that stops after 1,000 bytes: exit {rc}, stderr {err.strip()[:100]!r}")

        # 7. Bad input: exit 2, naming the flag or the field.
        for argv, needle in [
            (["export", "--fields", "id,titel"], "titel"),
            (["export", "--format", "xml"], "--format"),
            (["export", "--format", "jsonl", "--bom"], "--bom"),
            (["export", '"unterminated'], "query"),
        ]:
            r = cli(*argv, expect=None)
            check(r.returncode == 2 and needle in r.stderr, f"khaosan {' '.join(argv)}: exit {r.returncode}, says {r.stderr.strip()[:120]!r}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if args.keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

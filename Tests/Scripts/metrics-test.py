#!/usr/bin/env python3
"""Metrics test (issue 15, item 4): starts real khaosan-queryd and khaosan-ingestd in a temporary
KHAOSAN_HOME, ingests the fixture corpus twice (accepted, then duplicates), runs searches (one of
them a query that does not parse, for an error), `khaosan status`, then reads `khaosan metrics
--json` and parses each service's text with prometheus_client's text-format parser, checking:

- the call counter of every method used is there with a count > 0, and errors_total matches the
  non-OK calls exactly (by service, method and code);
- every latency histogram's buckets are monotonic, its +Inf bucket equals its _count, and its
  _count equals the calls of its method over all codes;
- a call of an unknown method is counted in khaosan_rpc_rejected_total, not as a method series;
- ingest outcomes equal what `khaosan ingest --json` reported, gauges agree with the store
  (journal lag 0 after the sync, index documents = stored releases);
- the --metrics-textfile file parses and holds the same families.

    Tests/Scripts/metrics-test.py [--bin DIR] [--keep]

Needs `prometheus_client` (scripts/install-deps.sh pip-installs it). About 5 s on a debug build.
Prints one line per check and a final 'N passed, M failed'; exits 1 on any failure.
"""
import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

from prometheus_client.parser import text_string_to_metric_families

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


def parse(text):
    """{family name: [(sample name, labels, value)]}, through the real parser."""
    families = {}
    for fam in text_string_to_metric_families(text):
        families[fam.name] = (fam.type, [(s.name, dict(s.labels), s.value) for s in fam.samples])
    return families


def samples(families, name):
    return families.get(name, (None, []))[1]


def calls_by(families, family):
    """{(service, method, code): count} of a calls/errors counter."""
    out = {}
    for name, labels, value in samples(families, family):
        if name.endswith("_total"):
            out[(labels["service"], labels["method"], labels["code"])] = value
    return out


def check_service(label, families, used):
    calls = calls_by(families, "khaosan_rpc_calls")
    errors = calls_by(families, "khaosan_rpc_errors")
    for service, method, code in used:
        n = calls.get((service, method, code), 0)
        check(n > 0, f"{label}: khaosan_rpc_calls_total{{{service}/{method}, code={code}}} = {n} > 0")
    non_ok = {k: v for k, v in calls.items() if k[2] != "OK"}
    check(errors == non_ok, f"{label}: khaosan_rpc_errors_total equals the non-OK calls ({len(errors)} series)")
    # Histograms, by (service, method).
    hist = {}
    for name, labels, value in samples(families, "khaosan_rpc_call_duration_seconds"):
        key = (labels.get("service"), labels.get("method"))
        h = hist.setdefault(key, {"buckets": [], "count": None, "sum": None})
        if name.endswith("_bucket"):
            h["buckets"].append((float(labels["le"]), value))
        elif name.endswith("_count"):
            h["count"] = value
        elif name.endswith("_sum"):
            h["sum"] = value
    check(families.get("khaosan_rpc_call_duration_seconds", (None,))[0] == "histogram",
          f"{label}: khaosan_rpc_call_duration_seconds is a histogram")
    methods_called = {}
    for (service, method, _), v in calls.items():
        methods_called[(service, method)] = methods_called.get((service, method), 0) + v
    check(set(hist) == set(methods_called), f"{label}: a latency histogram for each method called ({len(hist)})")
    for key, h in sorted(hist.items()):
        b = sorted(h["buckets"])
        counts = [v for _, v in b]
        monotonic = all(x <= y for x, y in zip(counts, counts[1:]))
        inf_ok = bool(b) and b[-1][0] == float("inf") and b[-1][1] == h["count"]
        check(monotonic and inf_ok and h["sum"] is not None and h["sum"] >= 0,
              f"{label}: {key[0]}/{key[1]} buckets monotonic, +Inf = _count = {h['count']}")
        check(h["count"] == methods_called.get(key), f"{label}: {key[0]}/{key[1]} _count {h['count']} = calls {methods_called.get(key)}")


def unknown_method_call(sock_path, path):
    """One call of a method the server does not have, by hand (the CLI cannot make one); returns
    the status code of its trailers."""
    p = path.encode()
    headers = struct.pack(">H", len(p)) + p + struct.pack(">Q", 5_000_000_000) + struct.pack(">H", 0)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sock_path)
    s.sendall(struct.pack(">IBBI", 6 + len(headers), 1, 0, 1) + headers)
    data = b""
    while True:
        if len(data) >= 4:
            n = struct.unpack(">I", data[:4])[0]
            if len(data) >= 4 + n:
                kind, payload = data[4], data[10:4 + n]
                data = data[4 + n:]
                if kind == 4:  # TRAILERS
                    s.close()
                    return struct.unpack(">H", payload[:2])[0]
                continue
        chunk = s.recv(65536)
        if not chunk:
            s.close()
            return None
        data += chunk


def gauge(families, name, **labels):
    for _, l, v in samples(families, name):
        if all(l.get(k) == v2 for k, v2 in labels.items()):
            return v
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bin_dir = args.bin or subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    home = tempfile.mkdtemp(prefix="kh-metrics-", dir="/tmp")
    env = dict(os.environ, KHAOSAN_HOME=home, NO_COLOR="1")
    env.pop("KHAOSAN_INGEST_SOCKET", None)
    env.pop("KHAOSAN_QUERY_SOCKET", None)
    textfile = os.path.join(home, "ingestd.prom")
    procs = []

    def start(name, *extra):
        log = open(os.path.join(home, name + ".log"), "w")
        p = subprocess.Popen([os.path.join(bin_dir, name), *extra], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        sock = os.path.join(home, "query.sock" if name.endswith("queryd") else "ingest.sock")
        deadline = time.time() + 30
        while not os.path.exists(sock):
            if p.poll() is not None or time.time() > deadline:
                sys.exit(f"{name} did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.02)

    def cli(*argv, expect=0):
        r = subprocess.run([os.path.join(bin_dir, "khaosan"), *argv], env=env, capture_output=True, text=True, timeout=60)
        if expect is not None and r.returncode != expect:
            check(False, f"khaosan {' '.join(argv)} exited {r.returncode}, expected {expect}: {r.stderr[-500:]}")
        return r

    try:
        start("khaosan-queryd")
        start("khaosan-ingestd", "--metrics-textfile", textfile, "--metrics-interval", "0.2")

        first = cli("ingest", "--json", FIXTURES, expect=None)
        again = cli("ingest", "--json", FIXTURES, expect=None)
        statuses = {}
        for line in (first.stdout + again.stdout).splitlines():
            o = json.loads(line)
            if "status" in o and "file" in o:
                statuses[o["status"]] = statuses.get(o["status"], 0) + 1
        check(statuses.get("accepted", 0) > 0 and statuses.get("duplicate", 0) > 0,
              f"ingested twice: {statuses}")
        for q in ["รัฐบาล", "นายกรัฐมนตรี", "ประชุม"]:
            cli("search", "--json", q)
        bad = cli("search", '"unterminated', expect=None)
        check(bad.returncode == 2, f"a query that does not parse exits 2 (got {bad.returncode})")
        cli("status")
        code = unknown_method_call(os.path.join(home, "query.sock"), "/khaosan.v1.QueryService/NoSuchMethod")
        check(code == 12, f"an unknown method is answered UNIMPLEMENTED (got {code})")

        out = cli("metrics", "--json")
        by_service = {}
        for line in out.stdout.splitlines():
            o = json.loads(line)
            by_service[o["service"]] = o
        check(set(by_service) == {"ingestd", "queryd"} and all("text" in o for o in by_service.values()),
              "khaosan metrics --json answers for both services")
        ing = parse(by_service["ingestd"]["text"])
        qry = parse(by_service["queryd"]["text"])

        I, Q, H = "khaosan.v1.IngestService", "khaosan.v1.QueryService", "khaosan.v1.Health"
        check_service("ingestd", ing, [(I, "IngestStream", "OK"), (I, "Sync", "OK"), (I, "Status", "OK"), (H, "Check", "OK")])
        check_service("queryd", qry, [(Q, "Search", "OK"), (Q, "Search", "INVALID_ARGUMENT"), (Q, "Stats", "OK"), (H, "Check", "OK")])
        rejected = {(l["code"], l["refusal"]): v for n, l, v in samples(qry, "khaosan_rpc_rejected") if n.endswith("_total")}
        check(rejected.get(("UNIMPLEMENTED", "")) == 1, f"queryd: khaosan_rpc_rejected_total{{code=UNIMPLEMENTED}} = 1 ({rejected})")
        check(not any(m == "NoSuchMethod" for (_, m, _) in calls_by(qry, "khaosan_rpc_calls")),
              "queryd: an unknown method makes no call series (a peer cannot grow the label set)")
        applied = sum(v for (s, m, c), v in calls_by(qry, "khaosan_rpc_calls").items() if s == Q and m in ("ApplyStream", "ApplyBatch") and c == "OK")
        check(applied > 0, f"queryd: the ingester's batches are counted ({applied} ApplyStream/ApplyBatch calls)")

        outcomes = {l["outcome"]: v for n, l, v in samples(ing, "khaosan_ingest_releases") if n.endswith("_total")}
        for status in ("accepted", "duplicate", "rejected", "updated"):
            check(outcomes.get(status, 0) == statuses.get(status, 0),
                  f"khaosan_ingest_releases_total{{outcome={status}}} {outcomes.get(status, 0)} = CLI's {statuses.get(status, 0)}")
        title_only = [v for n, _, v in samples(ing, "khaosan_ingest_title_only") if n.endswith("_total")]
        check(title_only and title_only[0] > 0, f"khaosan_ingest_title_only_total = {title_only}")
        check(gauge(ing, "khaosan_journal_lag_records") == 0, f"journal lag 0 after the sync ({gauge(ing, 'khaosan_journal_lag_records')})")
        check((gauge(ing, "khaosan_journal_segments") or 0) >= 1 and (gauge(ing, "khaosan_journal_bytes") or 0) > 0, "journal size gauges")
        releases = gauge(qry, "khaosan_store_releases")
        check(releases == statuses.get("accepted"), f"khaosan_store_releases {releases} = accepted {statuses.get('accepted')}")
        check(gauge(qry, "khaosan_index_live_documents") == releases, f"khaosan_index_live_documents = {gauge(qry, 'khaosan_index_live_documents')}")
        check((gauge(qry, "khaosan_index_segments") or 0) + (gauge(qry, "khaosan_index_memory_segments") or 0) >= 1, "index segment gauges")
        check((gauge(qry, "khaosan_store_file_bytes", file="db") or 0) > 0, "khaosan_store_file_bytes{file=db} > 0")

        text = cli("metrics", "--ingest").stdout
        check("khaosan_rpc_calls_total" in text and not text.startswith("# khaosan-"),
              "khaosan metrics --ingest prints one service, without a section header")
        both = cli("metrics").stdout
        check("# khaosan-ingestd " in both and "# khaosan-queryd " in both, "khaosan metrics prints a header per service")
        parse(both)  # the headers are comments: the whole output still parses

        time.sleep(0.5)
        tf = parse(open(textfile).read())
        check("khaosan_rpc_calls" in tf and "khaosan_journal_lag_records" in tf, f"the textfile {os.path.basename(textfile)} parses, with calls and journal lag")
        # The textfile is rewritten on a period, so a temp file may exist for a moment; "left"
        # means one that stays.
        def temps():
            return [f for f in os.listdir(home) if f.endswith(".tmp")]
        deadline = time.time() + 10
        while temps() and time.time() < deadline:
            time.sleep(0.05)
        check(not temps(), "no temp file left beside the textfile")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if failed or args.keep:
            print(f"logs kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

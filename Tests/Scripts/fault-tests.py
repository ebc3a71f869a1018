#!/usr/bin/env python3
"""Fault tests (issue 15, item 5): real daemons and the real CLI under three faults.

    Tests/Scripts/fault-tests.py [--bin DIR] [--keep] disk-full | queryd-stopped | journal-bitflip | all

disk-full        khaosan-ingestd's state directory is a 4 MiB tmpfs in a private mount namespace
                 (root: `unshare -m`), 3 MiB of it taken by a filler file. A bulk ingest fills
                 it: the CLI gets RESOURCE_EXHAUSTED naming the full disk, every release
                 acknowledged before is searchable, nothing is lost; the filler removed (through
                 `nsenter` into that namespace), the same ingest goes through, no restart.
queryd-stopped   khaosan-queryd is SIGSTOPped for 30 s during a bulk ingest of 3,000 releases,
                 and 3,000 more are sent while it is stopped: the ingester acknowledges all, a
                 search's deadline fires (DEADLINE_EXCEEDED within its 2 s), `khaosan status`
                 answers within its own deadline saying the query service is unreachable; after
                 SIGCONT exactly 6,000 releases are stored, a search counts exactly 6,000, and
                 each of a sample is found by its marker.
journal-bitflip  a bit flipped inside the journal segment, in the middle: start-up refuses,
                 naming the segment file and the offset; `khaosan-ingestd repair-journal`
                 salvages every intact record; all of them become searchable, and the lost
                 one is a DATA_LOSS dead letter shown by `khaosan status` and, sent again, is
                 stored (repair moves the intake catalog aside for that).

DIR holds the three executables (default: `swift build --show-bin-path`). Each scenario runs in
a fresh temporary KHAOSAN_HOME and takes under a minute. Prints one line per check; exits 1 on
any failure.
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = 0


def check(ok, what):
    global failures
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


class Env:
    def __init__(self, bin_dir, keep):
        self.bin = bin_dir
        self.keep = keep
        self.home = tempfile.mkdtemp(prefix="kh-fault-", dir="/tmp")
        self.procs = []
        self.env = dict(os.environ, KHAOSAN_HOME=self.home, NO_COLOR="1")
        self.env.pop("KHAOSAN_INGEST_SOCKET", None)
        self.env.pop("KHAOSAN_QUERY_SOCKET", None)

    def path(self, *p):
        return os.path.join(self.home, *p)

    def start(self, argv, log):
        f = open(self.path(log), "ab")
        p = subprocess.Popen(argv, env=self.env, stdout=f, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def queryd(self):
        return self.start([os.path.join(self.bin, "khaosan-queryd"), "--log-level", "warning"], "query.log")

    def ingestd(self, prefix=(), extra=()):
        return self.start(list(prefix) + [os.path.join(self.bin, "khaosan-ingestd"), "--log-level", "warning"] + list(extra), "ingest.log")

    def cli(self, *args, timeout=120):
        t0 = time.monotonic()
        r = subprocess.run([os.path.join(self.bin, "khaosan")] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        r.elapsed = time.monotonic() - t0
        return r

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.cli("status", "--timeout", "2").returncode != 3:
                return True
            time.sleep(0.1)
        return False

    def wait_socket(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.path(name)):
                return True
            time.sleep(0.05)
        return False

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                except OSError:
                    pass
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if not self.keep:
            shutil.rmtree(self.home, ignore_errors=True)
        else:
            print(f"kept {self.home}")


def write_releases(directory, first_id, count, paragraph_bytes=0, tag="faultmarker"):
    """Structured releases, each with a marker word found in no other; returns their ids."""
    os.makedirs(directory, exist_ok=True)
    filler = ("นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล " * (1 + paragraph_bytes // 170))
    ids = []
    for i in range(count):
        rid = first_id + i
        rel = {"id": rid, "source_url": f"https://www.thaigov.go.th/news/contents/details/{rid}",
               "title": f"ข่าวทดสอบ {tag}{rid}", "published": "2024-02-01", "category": "ด้านสังคม",
               "paragraphs": [f"เอกสารหมายเลข {tag}{rid}", "The Cabinet approved the plan."] + ([filler] if paragraph_bytes else [])}
        with open(os.path.join(directory, f"ด้านสังคม_{i}_{rid}.json"), "w", encoding="utf-8") as f:
            json.dump(rel, f, ensure_ascii=False)
        ids.append(rid)
    return ids


def acked_ids(stdout):
    ids = set()
    for line in stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("status") in ("accepted", "duplicate", "updated"):
            ids.add(o["id"])
    return ids


def stored_releases(e):
    r = e.cli("stats", "--json")
    try:
        return json.loads(r.stdout.splitlines()[0])["releases"]
    except (IndexError, ValueError, KeyError):
        return None


def found(e, rid, tag="faultmarker"):
    r = e.cli("search", f'"หมายเลข {tag}{rid}"', "--json", "--limit", "5")
    return sum(1 for line in r.stdout.splitlines() if '"id"' in line and '"facets"' not in line)


# ---------------------------------------------------------------- disk full

def disk_full(e):
    if os.geteuid() != 0:
        print("skip  disk-full: needs root (unshare -m, mount)")
        return
    state = e.path("ingest")
    os.makedirs(state)
    q = e.queryd()
    # The ingester in a mount namespace of its own, its state directory a small tmpfs there.
    wrapper = ("mount -t tmpfs -o size=4m tmpfs \"$1\" && "
               "head -c 3145728 /dev/zero > \"$1/filler\" && shift && exec \"$@\"")
    i = e.ingestd(prefix=["unshare", "-m", "--propagation", "private", "sh", "-c", wrapper, "sh", state])
    check(e.wait_ready(), "both daemons answer")
    ids = write_releases(e.path("inbox"), 910000, 120, paragraph_bytes=20000)
    first = e.cli("ingest", "--json", e.path("inbox"))
    acked = acked_ids(first.stdout)
    check(first.returncode != 0, f"the ingest that fills the disk fails (exit {first.returncode})")
    check("RESOURCE_EXHAUSTED" in first.stderr and "full" in first.stderr,
          "the error is RESOURCE_EXHAUSTED and says the disk is full: " + first.stderr.strip().splitlines()[-1][:160] if first.stderr.strip() else "no stderr")
    check(0 < len(acked) < len(ids), f"some releases acknowledged before the disk filled ({len(acked)} of {len(ids)})")
    st = e.cli("status", "--json")
    ingest_status = next((json.loads(l) for l in st.stdout.splitlines() if '"ingestd"' in l), {})
    check(ingest_status.get("health") == "serving", f"the ingester still serves (health {ingest_status.get('health')})")
    # Everything acknowledged is searchable: Sync through a duplicate of an acknowledged file.
    sync = e.cli("ingest", "--json", os.path.join(e.path("inbox"), sorted(os.listdir(e.path("inbox")))[0]))
    check(sync.returncode == 0, "Sync after the full disk succeeds")
    missing = [rid for rid in sorted(acked) if found(e, rid) != 1]
    check(not missing, f"every acknowledged release is found exactly once (missing or doubled: {missing[:5]})")
    # Space returns: the filler removed from inside the ingester's namespace.
    rm = subprocess.run(["nsenter", "-t", str(i.pid), "-m", "rm", "-f", os.path.join(state, "filler")], capture_output=True, text=True)
    check(rm.returncode == 0, f"filler removed in the ingester's mount namespace {rm.stderr.strip()}")
    again = e.cli("ingest", "--json", e.path("inbox"))
    check(again.returncode == 0, f"the same ingest goes through once space is back, no restart (exit {again.returncode}: {again.stderr.strip()[:160]})")
    check(acked_ids(again.stdout) == set(ids), "every release acknowledged")
    check(stored_releases(e) == len(ids), f"exactly {len(ids)} releases stored ({stored_releases(e)})")
    check(i.poll() is None and q.poll() is None, "both daemons still running")


# ---------------------------------------------------------------- query service stopped

def queryd_stopped(e):
    q = e.queryd()
    e.ingestd()
    check(e.wait_ready(), "both daemons answer")
    n = 3000
    ids = write_releases(e.path("inbox"), 920000, n)
    later = write_releases(e.path("inbox2"), 925000, n)
    cli = subprocess.Popen([os.path.join(e.bin, "khaosan"), "ingest", "--json", "--no-wait", e.path("inbox")],
                           env=e.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.2)
    os.kill(q.pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    out, err = cli.communicate(timeout=60)
    # A second bulk ingest, started and finished while the query service is stopped.
    second = e.cli("ingest", "--json", "--no-wait", e.path("inbox2"), timeout=60)
    took = time.monotonic() - stopped_at
    acked = acked_ids(out) | acked_ids(second.stdout)
    ids = ids + later
    n = len(ids)
    check(cli.returncode == 0 and second.returncode == 0 and len(acked) == n,
          f"all {n} releases acknowledged, {len(later)} of them sent after khaosan-queryd stopped ({len(acked)}, {took:.1f} s) {err.strip()[:120]}")
    check(took < 30, f"the ingests did not wait for the stopped query service ({took:.1f} s < 30 s)")
    s = e.cli("search", "ข่าวทดสอบ", "--timeout", "2", "--json")
    check(s.returncode != 0 and "DEADLINE_EXCEEDED" in s.stderr and s.elapsed < 4,
          f"a search's 2 s deadline fires ({s.elapsed:.1f} s, exit {s.returncode}: {s.stderr.strip()[:100]})")
    st = e.cli("status", "--json", "--timeout", "5")
    ingest_status = next((json.loads(l) for l in st.stdout.splitlines() if '"ingestd"' in l), {})
    check(st.elapsed < 6 and ingest_status.get("query_reachable") is False,
          f"status answers within its deadline and says queryd is unreachable ({st.elapsed:.1f} s, query_reachable={ingest_status.get('query_reachable')})")
    check(ingest_status.get("lag", 0) > 0, f"records wait in the journal (lag {ingest_status.get('lag')})")
    remaining = 30 - (time.monotonic() - stopped_at)
    if remaining > 0:
        time.sleep(remaining)
    os.kill(q.pid, signal.SIGCONT)
    t0 = time.monotonic()
    sync = e.cli("ingest", "--json", os.path.join(e.path("inbox"), sorted(os.listdir(e.path("inbox")))[0]), timeout=180)
    check(sync.returncode == 0, f"after SIGCONT, Sync returns ({time.monotonic() - t0:.1f} s)")
    check(stored_releases(e) == n, f"exactly {n} releases stored ({stored_releases(e)})")
    total = e.cli("search", "ข่าวทดสอบ", "--json", "--facets", "--limit", "1")
    facets = [json.loads(l) for l in total.stdout.splitlines() if '"facets"' in l]
    check(bool(facets) and facets[0].get("total") == n, f"a search over all of them counts exactly {n} ({facets[0].get('total') if facets else None})")
    sample = ids[::200]
    missing = [rid for rid in sample if found(e, rid) != 1]
    check(not missing, f"each of {len(sample)} sampled releases is found exactly once by its marker (not: {missing[:5]})")


# ---------------------------------------------------------------- bit-flipped journal

def journal_records(path):
    """(offset, sequence, length) of each record of a segment."""
    data = open(path, "rb").read()
    out, off = [], 0
    while off + 16 <= len(data):
        length, _crc, seq = struct.unpack_from("<IIQ", data, off)
        out.append((off, seq, length))
        off += 16 + length
    return out


def journal_bitflip(e):
    e.ingestd()
    check(e.wait_socket("ingest.sock"), "khaosan-ingestd listens (no query service: records stay in the journal)")
    ids = write_releases(e.path("inbox"), 930000, 40)
    r = e.cli("ingest", "--json", "--no-wait", e.path("inbox"))
    check(r.returncode == 0 and len(acked_ids(r.stdout)) == 40, "40 releases journaled")
    for p in e.procs:
        p.terminate()
        p.wait(timeout=15)
    journal = e.path("ingest", "journal")
    segments = sorted(f for f in os.listdir(journal) if f.endswith(".seg"))
    check(len(segments) == 1, f"one segment ({segments})")
    segment = os.path.join(journal, segments[0])
    records = journal_records(segment)
    off, seq, length = records[len(records) // 2]
    with open(segment, "r+b") as f:
        f.seek(off + 16 + length // 2)
        b = f.read(1)
        f.seek(off + 16 + length // 2)
        f.write(bytes([b[0] ^ 0x10]))
    size = os.path.getsize(segment)
    p = e.ingestd()
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
    log = open(e.path("ingest.log"), encoding="utf-8", errors="replace").read()
    check(p.returncode not in (0, None), f"start-up refuses (exit {p.returncode})")
    check(segment in log and f"offset {off}" in log, f"the refusal names the segment and offset {off}")
    check("repair-journal" in log, "the refusal names the repair command")
    check(os.path.getsize(segment) == size, "nothing was cut")
    rep = subprocess.run([os.path.join(e.bin, "khaosan-ingestd"), "repair-journal"], env=e.env, capture_output=True, text=True)
    print("      " + rep.stdout.strip().replace("\n", "\n      "))
    check(rep.returncode == 0 and "39 intact records salvaged" in rep.stdout and f"lost: record {seq} " in rep.stdout,
          f"repair-journal salvages 39 records and names the lost one, {seq}")
    e.queryd()
    e.ingestd()
    check(e.wait_ready(), "both daemons start on the repaired journal")
    extra = write_releases(e.path("more"), 939000, 1)
    sync = e.cli("ingest", "--json", e.path("more"))
    check(sync.returncode == 0, "a new ingest and Sync go through")
    check(stored_releases(e) == 40, f"39 salvaged + 1 new release stored ({stored_releases(e)})")
    not_found = [rid for rid in ids if found(e, rid) != 1]
    check(len(not_found) == 1, f"every salvaged release is found exactly once; only the lost one is not ({not_found[:5]})")
    lost_id = not_found[0] if not_found else None
    st = e.cli("status", "--json")
    ingest_status = next((json.loads(l) for l in st.stdout.splitlines() if '"ingestd"' in l), {})
    check(ingest_status.get("dead_letter_total") == 1 and "DATA_LOSS" in (ingest_status.get("last_dead_letter") or ""),
          f"the lost record is a DATA_LOSS dead letter ({ingest_status.get('last_dead_letter')})")
    # Sending the lost release's file again stores it: nothing is lost for good when the source exists.
    lost_file = [f for f in os.listdir(e.path("inbox")) if f.endswith(f"_{lost_id}.json")]
    again = e.cli("ingest", "--json", os.path.join(e.path("inbox"), lost_file[0])) if lost_file else None
    check(again is not None and again.returncode == 0 and found(e, lost_id) == 1, "the lost release, sent again, is stored")


SCENARIOS = {"disk-full": disk_full, "queryd-stopped": queryd_stopped, "journal-bitflip": journal_bitflip}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("scenario", choices=list(SCENARIOS) + ["all"])
    a = ap.parse_args()
    bin_dir = a.bin or subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    names = list(SCENARIOS) if a.scenario == "all" else [a.scenario]
    for name in names:
        print(f"== {name}", flush=True)
        e = Env(bin_dir, a.keep)
        t0 = time.monotonic()
        try:
            SCENARIOS[name](e)
        except Exception as ex:  # a crash of the script is a failure, not a pass
            check(False, f"{name} raised {ex!r}")
        finally:
            e.close()
        print(f"   {name}: {time.monotonic() - t0:.1f} s", flush=True)
    print(f"fault-tests: {'all passed' if failures == 0 else f'{failures} failed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

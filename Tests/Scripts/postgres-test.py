#!/usr/bin/env python3
"""End-to-end and fault test of the PostgreSQL store (issue 19) over real daemons and a real
PostgreSQL 15 primary with a streaming hot standby (scripts/pg-cluster.sh).

Usage: Tests/Scripts/postgres-test.py [--bin DIR] [--keep] [--require] [--skip primary-restart|replica-kill|writer-kill]

1. The cluster: both servers up, the standby streaming; a row written on the primary (as the
   khaosan role, by password) is read back on the standby, which refuses writes.
2. Needs khaosan-queryd's --store/--store-password-file/--replica (branch h7-pgstore): a writer
   khaosan-queryd on the primary fed by khaosan-ingestd, replica A on the primary, replica B on
   the hot standby, replica D on the primary over TCP with TLS (sslmode=verify-full, the
   cluster's own CA), and an embedded-SQLite pair as the reference. The fixture releases are
   ingested; after Sync and once each replica reports lag 0, every node answers a table of Thai
   and English searches with the same hits (ids, ranks, titles, snippets) and totals as the
   writer, and the writer as the SQLite pair. The contract's refusals: a group-readable password
   file, a password in the URL, ApplyBatch sent to a replica. Each node is configured as an
   installed one: the store keys in its queryd.conf (--config), checked by Deploy's check.
3. Faults, each followed by the check that every acknowledged release is found exactly once on
   the writer and on every replica: the primary restarted (pg_ctl restart -m fast) during a bulk
   ingest; replica A killed with -9 during an ingest and restarted; the writer khaosan-queryd
   killed with -9 during an ingest and restarted; replica B's local files
   deleted and B restarted (it rebuilds from the store); pg_dump (from the standby) restored with
   pg_restore into a new database, where a fresh replica answers as the writer does; a
   pg_basebackup checked by pg_verifybackup.

Without the --store flags part 1 still runs and the rest is reported as SKIPPED with what is
missing (exit 0), unless --require (or KHAOSAN_REQUIRE_POSTGRES=1) makes that a failure. Needs
Debian's postgresql-15 (/usr/lib/postgresql/15/bin, or $PG_BIN). Binaries: --bin, else
$KHAOSAN_BIN_DIR, else .build/debug. About 60 s.
"""
import json, os, pathlib, shutil, signal, subprocess, sys, tempfile, time

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = REPO / "Sources/KhaosanTestSupport/Fixtures/corpus"
PG_CLUSTER = REPO / "scripts/pg-cluster.sh"
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")

# Thai and English, words and phrases, inside-word matches, boolean operators and filters:
# each must have hits in the fixtures (checked), so an empty answer cannot pass as "the same".
QUERIES = [
    ["วัคซีน"], ["นายกรัฐมนตรี"], ['"เศรษฐา ทวีสิน"'], ["ไฟ"], ["น้ำท่วม OR ฝุ่น"], ["ยา"], ["=ยา"],
    ["ยา", "--sort", "newest"], ["นายกรัฐมนตรี", "--from", "2023-01-01"],
    ["Thailand"], ["Prime Minister"], ["economy AND Thailand"], ["cooperation"],
    ["Thailand", "--lang", "en"],
]
MARKER = "pgmarker"


def log(msg):
    print(f"postgres-test.py: {msg}", flush=True)


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


class Node:
    """One khaosan-queryd (and, for a writer, its khaosan-ingestd) in a home of its own."""

    def __init__(self, t, name, queryd_args, ingestd=False):
        self.t, self.name, self.args, self.with_ingestd = t, name, queryd_args, ingestd
        self.home = t.tmp / name
        self.home.mkdir(exist_ok=True)
        self.env = dict(t.env, KHAOSAN_HOME=str(self.home))
        self.queryd = self.ingestd = None

    @property
    def qsock(self):
        return str(self.home / "query.sock")

    def start(self, wait=True):
        logf = open(self.home / "queryd.log", "a")
        self.queryd = subprocess.Popen([f"{self.t.bin}/khaosan-queryd", "--log-level", "warning", *self.args],
                                       env=self.env, stdout=logf, stderr=logf)
        if self.with_ingestd and self.ingestd is None:
            logf = open(self.home / "ingestd.log", "a")
            self.ingestd = subprocess.Popen([f"{self.t.bin}/khaosan-ingestd", "--log-level", "warning"],
                                            env=self.env, stdout=logf, stderr=logf)
        if wait:
            self.wait_ready()

    def queryd_status(self):
        r = self.k("status", "--json", "--timeout", "2", "--ingest-socket", str(self.home / "ingest.sock"), check=False)
        for line in r.stdout.splitlines():
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get("service") == "queryd":
                return o
        return {}

    def wait_ready(self, timeout=60):
        # A socket file proves nothing after a kill -9 (the restarted daemon removes the stale one
        # before binding): ready is queryd answering `status`.
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.queryd.poll() is not None:
                fail(f"{self.name}: khaosan-queryd exited {self.queryd.returncode}; its log:\n{self.tail('queryd.log')}")
            if self.ingestd is not None and self.ingestd.poll() is not None:
                fail(f"{self.name}: khaosan-ingestd exited {self.ingestd.returncode}; its log:\n{self.tail('ingestd.log')}")
            s = self.queryd_status()
            if s.get("reachable") and s.get("health") == "serving" and (
                    self.ingestd is None or (self.home / "ingest.sock").exists()):
                return s
            time.sleep(0.1)
        fail(f"{self.name}: khaosan-queryd not serving after {timeout}s; its log:\n{self.tail('queryd.log')}")

    def tail(self, f):
        p = self.home / f
        return "".join(p.read_text(errors="replace").splitlines(True)[-20:]) if p.exists() else "(no log)"

    def kill9(self):
        self.queryd.send_signal(signal.SIGKILL)
        self.queryd.wait()

    def stop(self):
        for p in (self.ingestd, self.queryd):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in (self.ingestd, self.queryd):
            if p is not None:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill(); p.wait()
        self.queryd = self.ingestd = None

    def k(self, *a, check=True, timeout=120):
        r = subprocess.run([f"{self.t.bin}/khaosan", *a, "--query-socket", self.qsock] if a[0] in ("search", "export", "stats")
                           else [f"{self.t.bin}/khaosan", *a], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            fail(f"{self.name}: khaosan {' '.join(a)} exited {r.returncode}: {r.stderr.strip()[-2000:]}")
        return r

    def answers(self):
        """Every query of the table: (total, the hits without timings)."""
        out = []
        for q in QUERIES:
            lines = self.k("search", *q, "--json", "--total", "--limit", "50").stdout.splitlines()
            objs = [json.loads(l) for l in lines if l.strip()]
            total = objs[-1]
            hits = objs[:-1]
            # Not the score: its value depends on how the index happens to be cut into segments
            # (two embedded SQLite runs of the same ingest differ too); the order it gives is kept.
            for h in hits:
                h.pop("score", None)
            out.append((total["total"], hits))
        return out

    def marker_ids(self):
        """Ids of every release holding the bulk marker, as export lists them (no cap)."""
        r = self.k("export", MARKER, "--format", "jsonl", "--fields", "id")
        return [json.loads(l)["id"] for l in r.stdout.splitlines() if l.strip()]

    def stats(self):
        return json.loads(self.k("stats", "--json").stdout.splitlines()[0])


def first_key(o, names):
    for n in names:
        if n in o:
            return o[n]
    return None


# The status keys of the store (named by the other half of issue 19; the first present is used).
LAG_KEYS = ("store_lag_changes",)
STORE_SEQ_KEYS = ("store_sequence", "store_change_sequence", "store_latest_sequence", "latest_change_sequence")
LOCAL_SEQ_KEYS = ("applied_change_sequence", "local_change_sequence", "local_sequence", "applied_change")


class Test:
    def __init__(self, args):
        self.keep = "--keep" in args
        # --skip NAME (repeatable): leave out a fault while diagnosing another; said loudly.
        self.skip = {args[i + 1] for i, a in enumerate(args) if a == "--skip" and i + 1 < len(args)}
        self.require = "--require" in args or os.environ.get("KHAOSAN_REQUIRE_POSTGRES") == "1"
        self.bin = os.environ.get("KHAOSAN_BIN_DIR", str(REPO / ".build/debug"))
        if "--bin" in args:
            self.bin = args[args.index("--bin") + 1]
        # Short: the sockets' paths must stay under 107 bytes.
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="kpg.", dir="/tmp"))
        # The servers run as the postgres user, which must reach pg/ through it (mkdtemp makes 0700).
        os.chmod(self.tmp, 0o711)
        self.pgdir = self.tmp / "pg"
        self.env = dict(os.environ, NO_COLOR="1")
        for v in ("KHAOSAN_QUERY_SOCKET", "KHAOSAN_INGEST_SOCKET", "PGPASSWORD", "PGHOST", "PGUSER", "PGDATABASE"):
            self.env.pop(v, None)
        self.nodes = []
        self.n_bulk = 0

    # --- PostgreSQL -------------------------------------------------------------------------
    def cluster(self, *a, check=True):
        r = subprocess.run([str(PG_CLUSTER), *a], env=dict(self.env, PG_CLUSTER_AUTH="scram-sha-256", PG_CLUSTER_TLS="1"),
                           capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            fail(f"pg-cluster.sh {' '.join(a)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
        return r

    def pg_env(self):
        return dict(self.env, PGPASSWORD=self.password)

    def psql(self, url, sql, check=True):
        r = subprocess.run([f"{PG_BIN}/psql", "-X", "-w", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                           env=self.pg_env(), capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            fail(f"psql {url} -c {sql!r} exited {r.returncode}: {r.stderr.strip()}")
        return r

    def as_postgres(self, *cmd):
        r = subprocess.run(["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else list(cmd),
                           env=self.env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
        return r

    def wait_streaming(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.cluster("status", str(self.pgdir), check=False).returncode == 0:
                return
            time.sleep(0.2)
        fail(f"the standby is not streaming again after {timeout}s:\n{self.cluster('status', str(self.pgdir), check=False).stdout}")

    def part_cluster(self):
        log("== cluster: pg-cluster.sh start (primary + streaming hot standby, scram-sha-256 for khaosan)")
        t0 = time.time()
        self.cluster("start", str(self.pgdir))
        log(f"cluster up in {time.time() - t0:.1f}s")
        env = {}
        for line in (self.pgdir / "env").read_text().splitlines():
            k, _, v = line.partition("=")
            env[k] = v.strip("'")
        self.primary, self.standby = env["KHAOSAN_PG_PRIMARY"], env["KHAOSAN_PG_STANDBY"]
        self.primary_tls = env["KHAOSAN_PG_PRIMARY_TLS"]
        self.pg_port = env["KHAOSAN_PG_PORT"]
        self.pwfile = env["KHAOSAN_PG_PASSWORD_FILE"]
        if os.stat(self.pwfile).st_mode & 0o077:
            fail(f"{self.pwfile} is readable by group or others")
        self.password = pathlib.Path(self.pwfile).read_text().strip()
        st = self.cluster("status", str(self.pgdir)).stdout
        if "streaming" not in st or "hot standby" not in st:
            fail(f"pg-cluster.sh status does not show a streaming hot standby:\n{st}")
        # Without the password the khaosan role is refused: the password file is what admits it.
        r = subprocess.run([f"{PG_BIN}/psql", "-X", "-w", self.primary, "-c", "SELECT 1"], env=self.env,
                           capture_output=True, text=True, timeout=30)
        if r.returncode == 0:
            fail("the khaosan role connected without a password (pg_hba should ask scram-sha-256)")
        self.psql(self.primary, "CREATE TABLE cluster_probe (t text); INSERT INTO cluster_probe VALUES ('ข่าวสาร ทดสอบ')")
        deadline = time.time() + 15
        while True:
            r = self.psql(self.standby, "SELECT t FROM cluster_probe", check=False)
            if r.returncode == 0 and r.stdout.strip() == "ข่าวสาร ทดสอบ":
                break
            if time.time() > deadline:
                fail(f"the row written on the primary did not reach the standby in 15 s: {r.stdout}{r.stderr}")
            time.sleep(0.1)
        r = self.psql(self.standby, "INSERT INTO cluster_probe VALUES ('x')", check=False)
        if r.returncode == 0 or "read-only" not in r.stderr:
            fail(f"the hot standby accepted a write (or failed otherwise): {r.stderr.strip()}")
        self.restart_primary()
        self.wait_streaming()
        self.psql(self.primary, "DROP TABLE cluster_probe")
        log("ok: the standby streams (a Thai row written on the primary read back there), refuses writes, "
            "and streams again after the primary's restart")
        r = self.psql(self.primary_tls, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        if r.stdout.strip() != "t":
            fail(f"the primary's TCP listener did not give TLS: {r.stdout!r}")
        log("ok: the primary's loopback listener speaks TLS, verify-full against the cluster's CA (psql)")

    def wait_standby_has_schema(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.psql(self.standby, "SELECT to_regclass('khaosan_migrations') IS NOT NULL", check=False)
            if r.stdout.strip() == "t":
                return
            time.sleep(0.1)
        fail(f"the writer's schema did not reach the standby in {timeout}s")

    def restart_primary(self):
        self.as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(self.pgdir / "primary"), "-m", "fast", "-w", "restart",
                         "-l", str(self.pgdir / "primary.log"))

    # --- the contract -------------------------------------------------------------------------
    def store_flags_missing(self):
        r = subprocess.run([f"{self.bin}/khaosan-queryd", "--help"], capture_output=True, text=True, timeout=30)
        return [f for f in ("--store", "--store-password-file", "--replica") if f not in r.stdout]

    def store_args(self, url, replica=False):
        """A node's queryd.conf with the store keys, as an installed node has them: checked by
        Deploy/postgres-common.sh (install.sh's check) and read by khaosan-queryd itself."""
        conf = self.tmp / f"queryd-{len(list(self.tmp.glob('queryd-*.conf')))}.conf"
        conf.write_text(f"store = {url}\nstore_password_file = {self.pwfile}\nreplica = {'true' if replica else 'false'}\n")
        r = subprocess.run(["bash", "-c", '. "$1/Deploy/postgres-common.sh"; queryd_store_args "$2"', "-", str(REPO), str(conf)],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            fail(f"Deploy's queryd_store_args {conf}: {r.stderr.strip()}")
        want = ["--store", url, "--store-password-file", self.pwfile] + (["--replica"] if replica else [])
        if r.stdout.splitlines() != want:
            fail(f"Deploy's queryd_store_args {conf} gave {r.stdout.splitlines()}, expected {want}")
        return ["--config", str(conf)]

    def refused(self, *args):
        """khaosan-queryd started with args, expected to exit at once."""
        try:
            return subprocess.run([f"{self.bin}/khaosan-queryd", "--socket", str(self.tmp / "refused.sock"), *args],
                                  env=dict(self.env, KHAOSAN_HOME=str(self.tmp)), capture_output=True,
                                  text=True, timeout=30)
        except subprocess.TimeoutExpired:
            fail(f"khaosan-queryd {' '.join(args)} kept running (30 s) instead of refusing")

    def refusals(self):
        log("== contract: what khaosan-queryd refuses")
        loose = self.tmp / "loose.password"
        loose.write_text(self.password + "\n")
        os.chmod(loose, 0o640)
        r = self.refused("--store", self.primary, "--store-password-file", str(loose))
        if r.returncode == 0 or str(loose) not in r.stderr:
            fail(f"a group-readable password file was not refused naming it (exit {r.returncode}): {r.stderr.strip()}")
        secret = "pw-in-the-url"
        url = self.primary.replace("khaosan@", f"khaosan:{secret}@", 1)
        r = self.refused("--store", url)
        if r.returncode == 0 or "password" not in r.stderr or secret in r.stderr:
            fail(f"a store URL holding a password was not refused, or the refusal shows it (exit {r.returncode}): {r.stderr.strip()}")
        log("ok: a 0640 password file (named) and a URL holding a password (not shown) are refused")

    def replica_refuses_apply(self, replica):
        # An ingester pointed at a replica: the batch must be refused, never stored there.
        home = self.tmp / "stray-ingestd"
        home.mkdir()
        env = dict(self.env, KHAOSAN_HOME=str(home))
        logf = open(home / "ingestd.log", "w")
        p = subprocess.Popen([f"{self.bin}/khaosan-ingestd", "--log-level", "warning", "--query-socket", replica.qsock],
                             env=env, stdout=logf, stderr=logf)
        try:
            deadline = time.time() + 30
            while not (home / "ingest.sock").exists():
                if time.time() > deadline or p.poll() is not None:
                    fail("the stray khaosan-ingestd did not come up")
                time.sleep(0.1)
            d = self.tmp / "stray"
            d.mkdir()
            self.write_release(d, 990001, "strayrelease")
            subprocess.run([f"{self.bin}/khaosan", "ingest", "--no-wait", "--quiet", str(d)], env=env, timeout=60,
                           capture_output=True)
            deadline = time.time() + 20
            err = None
            while time.time() < deadline and not err:
                r = subprocess.run([f"{self.bin}/khaosan", "status", "--json", "--query-socket", replica.qsock], env=env,
                                   capture_output=True, text=True, timeout=30)
                for line in r.stdout.splitlines():
                    o = json.loads(line)
                    if o.get("service") == "ingestd":
                        err = o.get("last_forward_error") or o.get("last_dead_letter")
                time.sleep(0.2)
            if not err:
                fail("khaosan-ingestd forwarding to a replica reports no forward error after 20 s")
            if replica.k("search", "strayrelease", "--json", "--total").stdout.strip().splitlines()[-1].find('"total":0') < 0:
                fail("a release sent to a replica became searchable there")
            log(f"ok: ApplyBatch to a replica is refused (ingestd: {str(err)[:120]})")
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=20)

    # --- releases -----------------------------------------------------------------------------
    @staticmethod
    def write_release(d, rid, word):
        rel = {"id": rid, "source_url": f"https://www.thaigov.go.th/news/contents/details/{rid}",
               "title": f"ข่าวทดสอบสำเนา {word}{rid}", "published": "2024-02-01", "category": "ด้านสังคม",
               "paragraphs": [f"เอกสารหมายเลข {word}{rid} ของการทดสอบ", "คณะรัฐมนตรีเห็นชอบแผนงานประจำปี",
                              "The Cabinet approved the annual plan."]}
        (d / f"ด้านสังคม_1_{rid}.json").write_text(json.dumps(rel, ensure_ascii=False), encoding="utf-8")

    def bulk(self, name, n):
        d = self.tmp / name
        d.mkdir()
        for i in range(n):
            self.n_bulk += 1
            self.write_release(d, 950000 + self.n_bulk, MARKER)
        return d

    def ingest_background(self, writer, d):
        out = open(self.tmp / f"{d.name}.acks.jsonl", "w")
        return subprocess.Popen([f"{self.bin}/khaosan", "ingest", "--json", "--no-wait", str(d)], env=writer.env,
                                stdout=out, stderr=subprocess.DEVNULL)

    def acked(self):
        ids = set()
        for f in self.tmp.glob("*.acks.jsonl"):
            for line in f.read_text().splitlines():
                try:
                    o = json.loads(line)
                except ValueError:
                    continue  # a line cut by the CLI's exit
                if o.get("status") in ("accepted", "duplicate", "updated"):
                    ids.add(o["id"])
        return ids

    def sync(self, writer):
        # A last, undisturbed file through the writer: `ingest` returns once everything the
        # ingester journaled before it is searchable on the writer (Sync).
        d = self.tmp / f"sync{time.time_ns()}"
        d.mkdir()
        self.n_bulk += 1
        self.write_release(d, 950000 + self.n_bulk, MARKER)
        r = writer.k("ingest", "--quiet", "--wait-timeout", "120", str(d), timeout=150, check=False)
        if r.returncode != 0:
            fail(f"writer: the last ingest did not become searchable: {r.stderr.strip()[-300:]}\n"
                 f"  writer status: {json.dumps(writer.queryd_status())}\n  writer log:\n{writer.tail('queryd.log')}\n"
                 f"  ingestd log:\n{writer.tail('ingestd.log')}")
        (self.tmp / f"{d.name}.acks.jsonl").write_text(json.dumps({"status": "accepted", "id": 950000 + self.n_bulk}) + "\n")

    def wait_caught_up(self, node, writer, timeout=60):
        """Until the node's status says lag 0 and it holds as many releases as the writer."""
        want = writer.stats()["releases"]
        deadline = time.time() + timeout
        s = {}
        while time.time() < deadline:
            s = node.queryd_status()
            lag = first_key(s, LAG_KEYS)
            if lag == 0 and node.stats()["releases"] == want:
                return s
            time.sleep(0.1)
        fail(f"{node.name} did not catch up in {timeout}s (writer has {want} releases): status {json.dumps(s)}\n{node.tail('queryd.log')}")

    def check_same(self, nodes, reference, what):
        ref = reference.answers()
        empty = [QUERIES[i] for i, (total, _) in enumerate(ref) if total == 0]
        if empty:
            fail(f"{reference.name}: no hits for {empty}: the fixtures did not get in")
        for n in nodes:
            got = n.answers()
            for q, a, b in zip(QUERIES, ref, got):
                if a != b:
                    fields = sorted({f"#{x.get('id')}.{k}: {x.get(k)!r} vs {y.get(k)!r}" for x, y in zip(a[1], b[1])
                                     for k in set(x) | set(y) if x.get(k) != y.get(k)})[:4]
                    fail(f"{what}: {n.name} answers {q} differently from {reference.name}:\n  {reference.name}: total {a[0]}, ids {[h['id'] for h in a[1]]}\n  {n.name}: total {b[0]}, ids {[h['id'] for h in b[1]]}\n  {fields}")
        log(f"ok: {what}: {', '.join(n.name for n in nodes)} give {reference.name}'s {len(QUERIES)} answers "
            f"(totals {[a[0] for a in ref]})")

    def check_exactly_once(self, nodes, what):
        acked = self.acked()
        if not acked:
            fail(f"{what}: nothing was acknowledged")
        for n in nodes:
            ids = n.marker_ids()
            dup = len(ids) - len(set(ids))
            missing = acked - set(ids)
            if dup or missing:
                fail(f"{what}: on {n.name} {len(missing)} acknowledged release(s) missing (e.g. {sorted(missing)[:5]}), {dup} listed twice")
            st = n.stats()
            if st["versions"] != st["releases"]:
                fail(f"{what}: {n.name} holds {st['versions']} versions of {st['releases']} releases: a batch applied twice?")
        log(f"ok: {what}: all {len(acked)} acknowledged releases found exactly once on {', '.join(n.name for n in nodes)}")

    # --- the whole thing ----------------------------------------------------------------------
    def part_store(self):
        self.refusals()
        log("== store: writer (+ ingestd) on the primary, replica A on the primary, replica B on the standby, SQLite reference")
        writer = Node(self, "writer", self.store_args(self.primary), ingestd=True)
        a = Node(self, "replicaA", self.store_args(self.primary, replica=True))
        b = Node(self, "replicaB", self.store_args(self.standby, replica=True))
        sqlite = Node(self, "sqlite", [], ingestd=True)
        self.nodes += [writer, a, b, sqlite]
        # The writer first: it creates the schema, which a replica (above all one on a read-only
        # standby) needs before it starts.
        for n in (writer, sqlite):
            n.start(wait=False)
        writer.wait_ready()
        self.wait_standby_has_schema()
        for n in (a, b):
            n.start(wait=False)
        for n in (sqlite, a, b):
            n.wait_ready()

        for n in (writer, sqlite):
            n.k("ingest", "--quiet", str(SAMPLES), check=False)  # exit 1: the fixtures' three rejected files
        for n in (a, b):
            s = self.wait_caught_up(n, writer)
        log(f"replica B's status once caught up: {json.dumps(s, ensure_ascii=False)}")
        self.check_same([writer], sqlite, "the writer against embedded SQLite")
        self.check_same([a, b], writer, "replicas after Sync")
        log("== TLS: replica D reads the primary over TCP, sslmode=verify-full with the cluster's CA")
        d = Node(self, "replicaD-tls", self.store_args(self.primary_tls, replica=True))
        self.nodes.append(d)
        d.start()
        self.wait_caught_up(d, writer)
        self.check_same([d], writer, "replica D over TLS")
        d.stop()
        text = subprocess.run([f"{self.bin}/khaosan", "status", "--query-socket", b.qsock], env=b.env,
                              capture_output=True, text=True, timeout=30).stdout
        if "replica" not in text:
            fail(f"`khaosan status` on replica B does not say it is a replica:\n{text}")
        self.replica_refuses_apply(a)

        # Each fault: a bulk ingest into the writer, the fault during it, recovery, then every
        # acknowledged release exactly once on every node.
        faults = [
            ("primary-restart", "the primary restarted (pg_ctl restart -m fast) during a bulk ingest",
             "bulk1", 600, 0.5, self.restart_primary, self.wait_streaming, "after the primary's restart"),
            ("replica-kill", "replica A killed with -9 during an ingest, restarted",
             "bulk2", 400, 0.4, a.kill9, a.start, "after kill -9 of replica A"),
            ("writer-kill", "the writer khaosan-queryd killed with -9 during an ingest, restarted (ingestd keeps journaling)",
             "bulk3", 400, 0.4, writer.kill9, writer.start, "after kill -9 of the writer"),
        ]
        for key, title, bulk, count, pause, disrupt, recover, after in faults:
            if key in self.skip:
                log(f"SKIPPED by --skip: {key}")
                continue
            log(f"== fault: {title}")
            d = self.bulk(bulk, count)
            cli = self.ingest_background(writer, d)
            time.sleep(pause)
            disrupt()
            cli.wait(timeout=120)
            recover()
            self.sync(writer)
            for n in (a, b):
                self.wait_caught_up(n, writer)
            self.check_exactly_once([writer, a, b], after)

        log("== fault: replica B's local files deleted; B rebuilds from the store")
        b.stop()
        removed = [p.name for p in b.home.iterdir() if not p.name.endswith(".log")]
        for p in b.home.iterdir():
            if p.name.endswith(".log"):
                continue
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        log(f"removed {removed} from {b.home}")
        t0 = time.time()
        b.start()
        self.wait_caught_up(b, writer)
        log(f"replica B rebuilt its local index from the standby in {time.time() - t0:.1f}s")
        self.check_exactly_once([b], "after replica B's rebuild")
        self.check_same([b], writer, "rebuilt replica B")

        log("== backup: pg_dump -Fc (from the hot standby), pg_restore into a new database, a fresh replica on it")
        dump = self.tmp / "khaosan.dump"
        r = subprocess.run([f"{PG_BIN}/pg_dump", "-w", "-Fc", "-f", str(dump), self.standby], env=self.pg_env(),
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"pg_dump from the standby failed: {r.stderr.strip()}")
        self.cluster("psql", str(self.pgdir), "primary", "-c", "CREATE DATABASE khaosan_restored OWNER khaosan TEMPLATE template0")
        restored = self.primary.replace("/khaosan?", "/khaosan_restored?")
        r = subprocess.run([f"{PG_BIN}/pg_restore", "-w", "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
                           env=self.pg_env(), capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"pg_restore into khaosan_restored failed: {r.stderr.strip()}")
        c = Node(self, "replicaC", self.store_args(restored, replica=True))
        self.nodes.append(c)
        c.start()
        self.wait_caught_up(c, writer)
        self.check_exactly_once([c], "a replica on the restored dump")
        self.check_same([c], writer, "a replica on the restored dump")

        log("== backup: pg_basebackup of the primary, checked by pg_verifybackup")
        bb = self.tmp / "pg" / "basebackup"
        bb.mkdir(mode=0o700)
        if os.getuid() == 0:
            shutil.chown(bb, "postgres")
        self.as_postgres(f"{PG_BIN}/pg_basebackup", "-h", str(self.pgdir / "primary-sock"), "-p", self.pg_port, "-U", "replicator",
                         "-D", str(bb), "-X", "stream", "-c", "fast")
        v = self.as_postgres(f"{PG_BIN}/pg_verifybackup", str(bb))
        log(f"ok: {v.stdout.strip()}")

    def run(self):
        ok = False
        try:
            if not os.access(f"{PG_BIN}/pg_ctl", os.X_OK):
                fail(f"{PG_BIN}/pg_ctl not found: install Debian's postgresql-15 (scripts/install-deps.sh does)")
            for b in ("khaosan", "khaosan-queryd", "khaosan-ingestd"):
                if not os.access(f"{self.bin}/{b}", os.X_OK):
                    fail(f"{self.bin}/{b} not found: build first (swift build --product {b})")
            self.part_cluster()
            missing = self.store_flags_missing()
            if missing:
                msg = (f"SKIPPED: the end-to-end, replica and fault parts: khaosan-queryd ({self.bin}) has no "
                       f"{' '.join(missing)} (issue 19's PostgreSQL store, branch h7-pgstore, is not in this build)")
                if self.require:
                    fail(msg.replace("SKIPPED", "required but missing"))
                log(msg)
            else:
                self.part_store()
            ok = True
            log("cluster part passed; the rest SKIPPED (see above)" if missing else
                f"passed, but SKIPPED by --skip: {', '.join(sorted(self.skip))}" if self.skip else "all passed")
        except Failure as e:
            print(f"postgres-test.py: FAIL: {e}", file=sys.stderr)
        finally:
            for n in self.nodes:
                n.stop()
            self.cluster("stop", str(self.pgdir), check=False)
            if ok and not self.keep:
                shutil.rmtree(self.tmp, ignore_errors=True)
            else:
                print(f"postgres-test.py: files kept in {self.tmp}", file=sys.stderr)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(Test(sys.argv[1:]).run())

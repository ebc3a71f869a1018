#!/usr/bin/env python3
"""The anchor for Benchmarks/bench-corpus.sh: what an off-the-shelf SQLite FTS5 trigram index does
with the same corpus and queries, plus the exact-phrase ground truth both are scored against.

  anchor_fts5_trigram.py queries CORPUS OUT [--seed N]
      writes the query file (class<TAB>query, Khaosan syntax): title phrases (random substrings
      of titles of random releases, fixed seed), names, 1-2 character Thai, Thai topic words,
      English.
  anchor_fts5_trigram.py run CORPUS QUERYFILE --db PATH [--khaosan-ids FILE] [--repetitions N]
      builds the FTS5 trigram index (title = first line minus the thaigov prefix, body = the
      remaining lines; files with an empty body skipped), times top-10 queries with snippet(),
      and computes exact-phrase recall of the anchor and (from FILE, written by
      `KhaosanBench search --ids-out`) of Khaosan against a substring scan of the same text.

Recall is over release ids (the number after /details/ in the source line): Khaosan keeps one
current version per id, the anchor one row per file, so both are reduced to id sets.
Prints `anchor key: value` lines; the shell script picks them up.
"""
import argparse
import json
import math
import os
import random
import re
import sqlite3
import sys
import time
import unicodedata

PREFIXES = ("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-", "รัฐบาลไทย-")
SOURCE_RE = re.compile(r"/news/contents/details/(\d+)")
# Zero-width characters, soft hyphen, BOM, bidi controls: removed, as Khaosan's TextNormalizer does.
DROP = dict.fromkeys(
    [0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)))
SPACES_RE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
THAI_MARKS_RE = re.compile(r"([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\1+")


def norm_line(s):
    """An approximation of TextNormalizer.normalizeLine: NFC, nikhahit + sara aa recomposed,
    invisible characters dropped, spaces folded and collapsed, repeated Thai marks collapsed."""
    s = unicodedata.normalize("NFC", s).translate(DROP)
    s = s.replace("\u0e4d\u0e32", "\u0e33")
    s = CONTROL_RE.sub("", s.replace("\t", " "))
    s = SPACES_RE.sub(" ", s)
    s = THAI_MARKS_RE.sub(r"\1", s)
    return s.strip()


def corpus_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if not f.startswith("."):
                out.append(os.path.join(d, f))
    out.sort()
    return out


def read_doc(path):
    """(release id or None, title, body) of one file, normalised; None when unreadable."""
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = text.splitlines()
    if not lines:
        return None
    title = lines[0]
    for p in PREFIXES:
        if title.startswith(p):
            title = title[len(p):]
            break
    title = norm_line(title)
    body_lines = [norm_line(l) for l in lines[1:]]
    body = "\n".join(l for l in body_lines if l)
    # The footer's link is the release id; a body may link to other releases before it.
    ids = SOURCE_RE.findall(text)
    return (int(ids[-1]) if ids else None, title, body)


def cmd_queries(args):
    rng = random.Random(args.seed)
    files = corpus_files(args.corpus)
    titles = []
    for p in rng.sample(files, min(len(files), 600)):
        d = read_doc(p)
        if d and len(d[1]) >= 12:
            titles.append(d[1])
    phrases = []
    seen = set()
    while len(phrases) < args.phrases and titles:
        t = rng.choice(titles)
        n = rng.randint(4, 10)
        if len(t) <= n:
            continue
        i = rng.randrange(0, len(t) - n)
        # Whole characters as a user would select them: no combining mark at either edge (a Thai
        # vowel or tone mark belongs to the consonant before it), no quote, not all spaces.
        j = i + n
        while i > 0 and unicodedata.category(t[i]) == "Mn":
            i -= 1
        while j < len(t) and unicodedata.category(t[j]) == "Mn":
            j += 1
        s = t[i:j].strip()
        if len(s) < 4 or '"' in s or s in seen:
            continue
        seen.add(s)
        phrases.append(s)
    names = ["นายกรัฐมนตรี", "เศรษฐา ทวีสิน", "ประยุทธ์ จันทร์โอชา", "กระทรวงการคลัง", "กระทรวงสาธารณสุข",
             "อนุทิน ชาญวีรกูล", "ประวิตร วงษ์สุวรรณ", "แพทองธาร ชินวัตร", "อนุชา บูรพชัยศรี", "ธนกร วังบุญคงชนะ",
             "ชัยวุฒิ ธนาคมานุสรณ์", "จุรินทร์ ลักษณวิศิษฏ์", "ทำเนียบรัฐบาล", "คณะรัฐมนตรี", "ธนาคารแห่งประเทศไทย",
             "กระทรวงมหาดไทย", "กระทรวงการต่างประเทศ", "กรมควบคุมโรค", "สำนักงานตำรวจแห่งชาติ", "การท่องเที่ยวแห่งประเทศไทย"]
    short = ["ไฟ", "ยา", "น้ำ", "ข้าว", "ป่า", "ทอง", "ภาษี", "หมู", "ฝน", "ยาง"]
    words = ["วัคซีน", "โควิด", "ท่องเที่ยว", "เศรษฐกิจ", "น้ำท่วม", "ภัยแล้ง", "การศึกษา", "เกษตรกร", "ราคายาง",
             "ผู้สูงอายุ", "คนพิการ", "ยาเสพติด", "ฝุ่น PM2.5", "ดิจิทัล", "รถไฟฟ้า", "สนามบิน", "พลังงาน", "ไฟฟ้า",
             "แรงงาน", "ประกันสังคม", "หนี้ครัวเรือน", "สตาร์ทอัพ", "อาเซียน", "เอเปค", "ซอฟต์พาวเวอร์",
             "ชายแดนใต้", "โรงพยาบาล", "ข้าวหอมมะลิ", "ทุเรียน", "ภาษีมูลค่าเพิ่ม"]
    english = ["vaccine", "Cabinet", "tourism", '"Prime Minister"', "economy", "COVID-19", "investment",
               "ASEAN", "digital", '"Government House"']
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(f"# bench-corpus query set, seed {args.seed}: class<TAB>query (Khaosan syntax)\n")
        for p in phrases:
            fh.write(f'phrase\t"{p}"\n')
        for n in names:
            fh.write(f"name\t{n}\n")
        for s in short:
            fh.write(f"short\t{s}\n")
        for w in words:
            fh.write(f"word\t{w}\n")
        for e in english:
            fh.write(f"english\t{e}\n")
    print(f"anchor queries: {len(phrases)} phrase, {len(names)} name, {len(short)} short, {len(words)} word, {len(english)} english -> {args.out}")


def load_queries(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            kind, q = line.split("\t", 1)
            out.append((kind, q))
    return out


def terms(q):
    """Khaosan query -> list of (text, is_phrase): quoted strings and bare words."""
    return [(m.group(1), True) if m.group(1) is not None else (m.group(2), False)
            for m in re.finditer(r'"([^"]*)"|(\S+)', q)]


def fts_query(q):
    """The anchor's reading of a query: every term a quoted FTS5 string (a substring for the
    trigram tokenizer), all of them required."""
    return " ".join('"' + t.replace('"', '""') + '"' for t, _ in terms(q))


def pct(xs, p):
    if not xs:
        return 0.0
    s = sorted(xs)
    k = math.ceil(p / 100 * len(s))
    return s[min(max(k, 1), len(s)) - 1]


def cmd_run(args):
    files = corpus_files(args.corpus)
    raw_bytes = 0
    if os.path.exists(args.db):
        os.remove(args.db)
    t0 = time.perf_counter()
    docs = []  # (rowid, release id, title lower, body lower) for the ground truth
    con = sqlite3.connect(args.db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='trigram')")
    con.execute("CREATE TABLE ids(rowid INTEGER PRIMARY KEY, rid INTEGER)")
    skipped = 0
    con.execute("BEGIN")
    read_secs = 0.0
    for rowid, p in enumerate(files, start=1):
        r0 = time.perf_counter()
        raw_bytes += os.path.getsize(p)
        d = read_doc(p)
        read_secs += time.perf_counter() - r0
        if d is None or not d[2]:
            skipped += 1
            continue
        rid, title, body = d
        con.execute("INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)", (rowid, title, body))
        con.execute("INSERT INTO ids(rowid, rid) VALUES (?, ?)", (rowid, rid))
        docs.append((rowid, rid, title.lower(), body.lower()))
    con.execute("COMMIT")
    build = time.perf_counter() - t0
    size = os.path.getsize(args.db)
    print(f"anchor sqlite: {sqlite3.sqlite_version}")
    print(f"anchor files: {len(files)}, indexed {len(docs)}, skipped (empty body or unreadable) {skipped}")
    print(f"anchor raw_bytes: {raw_bytes}")
    print(f"anchor build_s: {build:.1f} (of which reading+normalising files {read_secs:.1f})")
    print(f"anchor db_bytes: {size}")
    print(f"anchor db_ratio: {size / raw_bytes:.3f}")

    queries = load_queries(args.queries)
    rid_of = dict(con.execute("SELECT rowid, rid FROM ids"))
    sql = ("SELECT rowid, title, snippet(t, -1, '[', ']', '…', 16) FROM t WHERE t MATCH ? "
           "ORDER BY rank LIMIT 10")
    first, rep = {}, {}
    zero = []
    slow_skipped = 0
    for kind, q in queries:
        fq = fts_query(q)
        s = time.perf_counter()
        rows = con.execute(sql, (fq,)).fetchall()
        first.setdefault(kind, []).append((time.perf_counter() - s) * 1e6)
        if not rows:
            zero.append(q)
        if first[kind][-1] > args.slow_ms * 1000:
            slow_skipped += 1
            continue
        for _ in range(args.repetitions):
            s = time.perf_counter()
            con.execute(sql, (fq,)).fetchall()
            rep.setdefault(kind, []).append((time.perf_counter() - s) * 1e6)
    for name, data in (("first", first), ("repeat", rep)):
        allv = [x for v in data.values() for x in v]
        if not allv:
            continue
        print(f"anchor query {name} all n={len(allv)} p50={pct(allv, 50) / 1000:.3f} ms p90={pct(allv, 90) / 1000:.3f} ms p99={pct(allv, 99) / 1000:.3f} ms max={max(allv) / 1000:.3f} ms")
        for kind, v in data.items():
            print(f"anchor query {name} {kind} n={len(v)} p50={pct(v, 50) / 1000:.3f} ms p90={pct(v, 90) / 1000:.3f} ms p99={pct(v, 99) / 1000:.3f} ms max={max(v) / 1000:.3f} ms")
    print(f"anchor repeats skipped for {slow_skipped} queries whose first run took over {args.slow_ms} ms (keeps the run short)")
    short_zero = [q for q in zero if any(len(t) < 3 for t, _ in terms(q))]
    print(f"anchor zero_result_queries: {len(zero)}, of which with a term under 3 characters {len(short_zero)}; list: {' | '.join(zero)}")

    # Exact-phrase recall: ground truth = release ids whose normalised title or body contains
    # the phrase (case-folded, as both indexes fold case).
    khaosan = {}
    if args.khaosan_ids and os.path.exists(args.khaosan_ids):
        with open(args.khaosan_ids, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    o = json.loads(line)
                    khaosan[o["query"]] = o
    rows_out = []
    # Per group (all, Thai-only phrases, phrases with Latin letters): truth size, anchor hits and
    # size, Khaosan hits and size, and per-phrase recalls for the macro average.
    groups = {}

    def add(group, key, v):
        groups.setdefault(group, {}).setdefault(key, []).append(v)

    g0 = time.perf_counter()
    for kind, q in queries:
        if kind != "phrase":
            continue
        phrase = terms(q)[0][0]
        needle = phrase.lower()
        gt = {rid for _, rid, ti, bo in docs if needle in ti or needle in bo}
        a = {rid_of[r] for (r,) in con.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts_query(q),))}
        a_hit = len(a & gt)
        gnames = ["all", "latin" if re.search(r"[A-Za-z]", phrase) else "thai"]
        line = f"anchor phrase {q}: truth {len(gt)}, anchor {len(a)} (recall {a_hit / len(gt) if gt else 1:.3f})"
        k = khaosan.get(q)
        k_hit = k_n = None
        if k is not None:
            kids = set(k["ids"])
            sample_hit = len(kids & gt)
            precision = sample_hit / len(kids) if kids else 1.0
            if k["total"] > len(kids):
                # Only the first pages were fetched: true positives estimated as total x the
                # precision of those pages.
                k_hit = min(len(gt), round(k["total"] * precision))
                k_n = k["total"]
                est = f" ESTIMATED from the first {len(kids)} ids"
            else:
                k_hit, k_n, est = sample_hit, len(kids), ""
            line += f", khaosan total {k['total']} (recall {k_hit / len(gt) if gt else 1:.3f}, precision {precision:.3f}{est})"
            missed = sorted(gt - kids)[:5] if not est else []
            if missed:
                line += f", khaosan missed e.g. ids {missed}"
        for g in gnames:
            add(g, "gt", len(gt))
            add(g, "a_hit", a_hit)
            add(g, "a_n", len(a))
            add(g, "a_rec", a_hit / len(gt) if gt else 1.0)
            if k_hit is not None:
                add(g, "k_hit", k_hit)
                add(g, "k_n", k_n)
                add(g, "k_rec", k_hit / len(gt) if gt else 1.0)
        rows_out.append(line)
    for l in rows_out:
        print(l)
    print(f"anchor truth_scan_s: {time.perf_counter() - g0:.1f}")
    for g in ("all", "thai", "latin"):
        d = groups.get(g)
        if not d or not sum(d["gt"]):
            continue
        n = len(d["gt"])
        for who, key in (("anchor", "a"), ("khaosan", "k")):
            if f"{key}_hit" not in d:
                continue
            micro = sum(d[f"{key}_hit"]) / sum(d["gt"])
            macro = sum(d[f"{key}_rec"]) / n
            prec = sum(d[f"{key}_hit"]) / max(1, sum(d[f"{key}_n"]))
            print(f"anchor recall_{who}_{g}: {micro:.4f} micro, {macro:.4f} macro over {n} phrases (precision {prec:.4f})")
    con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("queries")
    q.add_argument("corpus")
    q.add_argument("out")
    q.add_argument("--seed", type=int, default=20240601)
    q.add_argument("--phrases", type=int, default=30)
    r = sub.add_parser("run")
    r.add_argument("corpus")
    r.add_argument("queries")
    r.add_argument("--db", required=True)
    r.add_argument("--khaosan-ids")
    r.add_argument("--repetitions", type=int, default=5)
    r.add_argument("--slow-ms", type=float, default=1000)
    args = ap.parse_args()
    {"queries": cmd_queries, "run": cmd_run}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())

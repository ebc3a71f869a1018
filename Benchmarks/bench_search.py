#!/usr/bin/env python3
"""Helper of Benchmarks/bench-search.sh (issue 12): query set, anchors, exact-phrase truth, report.

Every engine is fed the same parsed texts: the JSON lines of `khaosan parse --json` over the
corpus (id, title, paragraphs per accepted release; one current version per id, the last one in
file order, as the ingester keeps it).

  bench_search.py queries PARSED OUT [--seed N] [--lexicon DIR]
      the query file (class<TAB>query, Khaosan syntax), generated from the parsed texts with a
      fixed seed: title-word, title-phrase, name, english, short, latin-partial, thai-partial.
  bench_search.py title-queries PARSED OUT [--n 200] [--seed N]
      class title-rank<TAB>title (quotes and parentheses dropped); OUT.expected holds the ids.
  bench_search.py tantivy-build PARSED DIR           Tantivy index of exact character bigrams
  bench_search.py tantivy-query DIR QUERIES OUT [--ids]
  bench_search.py fts5-build PARSED DB               SQLite FTS5 trigram
  bench_search.py fts5-query DB QUERIES OUT [--ids]
      first execution of each query (a fresh process and index), per-query latency, total and
      top 10 ids into OUT (JSON); with --ids also every matching id (not timed).
  bench_search.py truth PARSED QUERIES OUT           literal scan: ids per query
  bench_search.py score TRUTH QUERIES [--khaosan IDS.jsonl] [--tantivy OUT] [--fts5 OUT]
  bench_search.py title-score EXPECTED IDS.jsonl PARSED
  bench_search.py report WORKDIR                     the Markdown summary of a run

Normalisation (truth and anchors alike; the way Khaosan matches): NFC, Thai digits ๐-๙ as 0-9,
whitespace runs as one space, lower case. Title and body are separate fields (a phrase never
runs from the title into the body). The body is the paragraphs joined by newlines, and with
BENCH_PARAGRAPHS=space (the default) that newline is whitespace like any other, so a phrase with
a space in it matches across a paragraph break ("บาท พร้อม" in "…บาท\nพร้อมกันนี้…"); with
BENCH_PARAGRAPHS=break a paragraph break is never matched (the FTS5-era Khaosan's semantics).
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

THAI_DIGITS = {0x0E50 + i: 0x30 + i for i in range(10)}
WS_RE = re.compile(r"\s+")
THAI_RE = re.compile(r"[\u0e01-\u0e5b]+")
# Tantivy transform: a space is a character of its own (so a phrase with spaces is exact), a
# paragraph break one that no query has; neither is whitespace to tantivy's tokenizer.
SP = "\ue000"
PARA = "\ue001"

SEED = 20261201
PARAGRAPHS = os.environ.get("BENCH_PARAGRAPHS", "space")
if PARAGRAPHS not in ("space", "break"):
    sys.exit("BENCH_PARAGRAPHS must be space or break")


def norm(s):
    s = unicodedata.normalize("NFC", s).translate(THAI_DIGITS)
    return WS_RE.sub(" ", s).strip().lower()


def is_mark(c):
    return unicodedata.category(c) == "Mn"


def is_thai(c):
    return "\u0e01" <= c <= "\u0e5b"


LEADING_VOWELS = set("เแโใไ")


def load_parsed(path):
    """Accepted releases, one per id (the last in file order), as dicts."""
    by_id = {}
    rejected = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            if "error" in o:
                rejected += 1
                continue
            by_id[o["id"]] = o
    docs = [by_id[k] for k in sorted(by_id)]
    return docs, rejected


def doc_norm(d):
    """(title, body) normalised; the body's paragraphs joined by a space or kept apart by a
    newline (BENCH_PARAGRAPHS)."""
    paras = [norm(p) for p in d["paragraphs"]]
    body = " ".join(p for p in paras if p) if PARAGRAPHS == "space" else "\n".join(paras)
    return norm(d["title"]), body


def strip_edge_punctuation(w):
    """An unquoted word's leading and trailing punctuation and symbols are not searched
    (issue 12: `vaccine,` is `vaccine`); inside quotes everything is matched literally."""
    i, j = 0, len(w)
    def edge(c):  # ฯ and ๆ are letters of a Thai word here, as in Khaosan's analyser
        return unicodedata.category(c)[0] in "PS" and not is_thai(c)
    while i < j and edge(w[i]):
        i += 1
    while j > i and edge(w[j - 1]):
        j -= 1
    return w[i:j]


def terms(q):
    """Khaosan query -> terms (quoted phrases and bare words, implicit AND; the generated
    queries use no operators)."""
    out = []
    for m in re.finditer(r'"([^"]*)"|(\S+)', q):
        t = m.group(1) if m.group(1) is not None else strip_edge_punctuation(m.group(2))
        if t.strip():
            out.append(t)
    return out


def load_queries(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                k, q = line.split("\t", 1)
                out.append((k, q))
    return out


def pct(xs, p):
    if not xs:
        return 0.0
    s = sorted(xs)
    k = math.ceil(p / 100 * len(s))
    return s[min(max(k, 1), len(s)) - 1]


# ---------------------------------------------------------------- query generation

class Segmenter:
    """Longest matching over the project's Thai word list: approximate words, enough to cut
    titles into spans and to count short words. Unknown characters are glued together."""

    def __init__(self, lexicon):
        self.vocab = set()
        for rel in ("cc0/words_th.txt", "project/names_th.txt"):
            p = os.path.join(lexicon, rel)
            if os.path.exists(p):
                with open(p, encoding="utf-8") as fh:
                    for w in fh:
                        w = w.strip()
                        if w and not w.startswith("#") and " " not in w:
                            self.vocab.add(w)
        self.maxlen = max(len(w) for w in self.vocab)

    def words_of_run(self, run, base=0):
        """[(start, end)] of words in a Thai run starting at offset base."""
        out = []
        i, n = 0, len(run)
        unknown = None
        while i < n:
            best = 0
            for L in range(min(self.maxlen, n - i), 1, -1):
                if run[i:i + L] in self.vocab:
                    best = L
                    break
            if best and not (i + best < n and is_mark(run[i + best])):
                if unknown is not None:
                    out.append((base + unknown, base + i))
                    unknown = None
                out.append((base + i, base + i + best))
                i += best
            else:
                if unknown is None:
                    unknown = i
                i += 1
        if unknown is not None:
            out.append((base + unknown, base + n))
        return out

    def words(self, text):
        out = []
        for m in THAI_RE.finditer(text):
            out += self.words_of_run(m.group(0), m.start())
        return out


def clean_edges_ok(text, i, j):
    """text[i:j] starts and ends on whole characters: no combining mark at the start, none
    right after the end, no leading vowel at the end, no space at either edge."""
    if i >= j or j > len(text):
        return False
    if is_mark(text[i]) or (j < len(text) and is_mark(text[j])):
        return False
    if text[j - 1] in LEADING_VOWELS or text[i].isspace() or text[j - 1].isspace():
        return False
    return True


def base_chars(s):
    return sum(1 for c in s if not is_mark(c))


def usable(q):
    return ('"' not in q and "(" not in q and ")" not in q and "\t" not in q and "\n" not in q
            and not q.startswith("-") and q not in ("AND", "OR", "NOT") and len(q) >= 2)


def cmd_queries(a):
    rng = random.Random(a.seed)
    docs, _ = load_parsed(a.parsed)
    seg = Segmenter(a.lexicon)
    thai_docs = [d for d in docs if d["language"] == "th" and d["title"].strip()]
    en_docs = [d for d in docs if d["language"] == "en"]
    out = []
    seen = set()

    def add(kind, q, quote):
        key = norm(q)
        if not usable(q) or key in seen:
            return False
        seen.add(key)
        out.append((kind, f'"{q}"' if quote else q))
        return True

    counts = {k: 0 for k in ("title-word", "title-phrase", "name", "english", "short", "latin-partial", "thai-partial")}
    want = {"title-word": a.per_class + 2, "title-phrase": a.per_class + 2, "name": a.per_class,
            "english": a.per_class, "short": a.per_class - 2, "latin-partial": a.per_class,
            "thai-partial": a.per_class + 2}

    # title-word: a dictionary word of a random title, a third of the time cut at one end.
    tries = 0
    while counts["title-word"] < want["title-word"] and tries < 10000:
        tries += 1
        t = rng.choice(thai_docs)["title"]
        ws = [(i, j) for i, j in seg.words(t) if base_chars(t[i:j]) >= 3]
        if not ws:
            continue
        i, j = rng.choice(ws)
        if rng.random() < 1 / 3 and j - i >= 5:
            if rng.random() < 0.5:
                i = rng.randrange(i + 1, j - 2)
            else:
                j = rng.randrange(i + 3, j)
        if clean_edges_ok(t, i, j) and add("title-word", t[i:j], False):
            counts["title-word"] += 1

    # title-phrase: 2-4 consecutive words of a random title, spaces between them kept.
    tries = 0
    while counts["title-phrase"] < want["title-phrase"] and tries < 10000:
        tries += 1
        t = rng.choice(thai_docs)["title"]
        ws = seg.words(t)
        k = rng.randint(2, 4)
        if len(ws) < k:
            continue
        s = rng.randrange(0, len(ws) - k + 1)
        i, j = ws[s][0], ws[s + k - 1][1]
        if j - i > 40 or not clean_edges_ok(t, i, j) or "  " in t[i:j]:
            continue
        if add("title-phrase", t[i:j], True):
            counts["title-phrase"] += 1

    # name: a first name from the name lists right after an honorific, and the surname after
    # one space; half of them with the honorific.
    def name_list(*rels):
        out = set()
        for rel in rels:
            p = os.path.join(a.lexicon, rel)
            if os.path.exists(p):
                out |= {l.strip() for l in open(p, encoding="utf-8") if l.strip() and not l.startswith("#")}
        return out

    first_names = name_list("cc-by-sa-4.0/person_names_male_th.txt", "cc-by-sa-4.0/person_names_female_th.txt", "project/names_th.txt")
    family_names = name_list("cc-by-sa-4.0/family_names_th.txt", "project/names_th.txt")

    def surname_like(w):
        # A listed family name, or a word the dictionary cannot cut into known words only
        # (rejects "กล่าวด้วยว่า" after a first name).
        return w in family_names or any(w[i:j] not in seg.vocab for i, j in seg.words_of_run(w))
    name_re = re.compile(r"(นางสาว|นาย|นาง|พลเอก|พล\.อ\.|พล\.ต\.อ\.|ดร\.)([\u0e01-\u0e4e]{2,}) ([\u0e01-\u0e4e]{2,16})(?![\u0e01-\u0e4e])")
    found = []
    for d in rng.sample(thai_docs, min(len(thai_docs), 400)):
        for p in d["paragraphs"]:
            for m in name_re.finditer(p):
                if m.group(2) in first_names and surname_like(m.group(3)):
                    found.append(m.groups())
    rng.shuffle(found)
    for hon, fn, ln in found:
        if counts["name"] >= want["name"]:
            break
        q = f"{hon}{fn} {ln}" if rng.random() < 0.5 else f"{fn} {ln}"
        if add("name", q, True):
            counts["name"] += 1

    # english: a Latin word (4+ letters) or two words of an English release, by occurrence.
    tries = 0
    while counts["english"] < want["english"] and tries < 10000 and en_docs:
        tries += 1
        d = rng.choice(en_docs)
        if not d["paragraphs"]:
            continue
        p = rng.choice(d["paragraphs"])
        if counts["english"] % 2 == 0:
            ms = list(re.finditer(r"(?<![A-Za-z0-9])[A-Za-z]{4,}(?![A-Za-z0-9])", p))
            if ms and add("english", rng.choice(ms).group(0), False):
                counts["english"] += 1
        else:
            ms = list(re.finditer(r"(?<![A-Za-z0-9])(?=([A-Za-z]{3,} [A-Za-z]{3,}))", p))
            if ms:
                ph = rng.choice(ms).group(1)
                if add("english", ph, True):
                    counts["english"] += 1

    # short: words of 1-2 characters (marks not counted: ยา, ไฟ, น้ำ), drawn by their frequency
    # in the segmentation of 300 random bodies.
    freq = {}
    for d in rng.sample(thai_docs, min(len(thai_docs), 300)):
        for p in d["paragraphs"]:
            for i, j in seg.words(p):
                w = p[i:j]
                if len(w) >= 2 and base_chars(w) <= 2 and w in seg.vocab and all(is_thai(c) and not c.isdigit() for c in w):
                    freq[w] = freq.get(w, 0) + 1
    cands = sorted(freq)
    weights = [freq[w] for w in cands]
    tries = 0
    while counts["short"] < want["short"] and tries < 10000 and cands:
        tries += 1
        w = rng.choices(cands, weights)[0]
        if add("short", w, False):
            counts["short"] += 1

    # latin-partial: 4-9 characters of a Latin/number run (letters, digits, - . and single
    # spaces) that begin and/or end inside a word, from any release.
    run_re = re.compile(r"[A-Za-z0-9]+(?:[ .\-][A-Za-z0-9]+)*")
    tries = 0
    while counts["latin-partial"] < want["latin-partial"] and tries < 20000:
        tries += 1
        d = rng.choice(en_docs if rng.random() < 0.5 and en_docs else docs)
        if not d["paragraphs"]:
            continue
        p = rng.choice(d["paragraphs"])
        runs = [m for m in run_re.finditer(p) if len(m.group(0)) >= 6 and sum(c.isalpha() for c in m.group(0)) >= 4]
        if not runs:
            continue
        r = rng.choice(runs).group(0)
        L = rng.randint(4, min(9, len(r) - 1))
        i = rng.randrange(0, len(r) - L + 1)
        j = i + L
        s = r[i:j]
        inside_start = i > 0 and r[i - 1].isalnum() and r[i].isalnum()
        inside_end = j < len(r) and r[j - 1].isalnum() and r[j].isalnum()
        if not (inside_start or inside_end) or sum(c.isalpha() for c in s) < 3:
            continue
        if not s[0].isalnum() or not s[-1].isalnum():
            continue
        if add("latin-partial", s, True):
            counts["latin-partial"] += 1

    # thai-partial: 3-10 characters of a body paragraph (Thai letters, digits and single
    # spaces) starting or ending inside a word.
    tries = 0
    while counts["thai-partial"] < want["thai-partial"] and tries < 20000:
        tries += 1
        d = rng.choice(thai_docs)
        if not d["paragraphs"]:
            continue
        p = rng.choice(d["paragraphs"])
        if len(p) < 12:
            continue
        L = rng.randint(3, 10)
        i = rng.randrange(0, len(p) - L)
        j = i + L
        s = p[i:j]
        if not all(is_thai(c) or c == " " for c in s) or "  " in s or not clean_edges_ok(p, i, j):
            continue
        bounds = set()
        for wi, wj in seg.words(p):
            bounds.add(wi)
            bounds.add(wj)
        if i in bounds and j in bounds:
            continue
        if add("thai-partial", s, True):
            counts["thai-partial"] += 1

    with open(a.out, "w", encoding="utf-8") as fh:
        fh.write(f"# bench-search query set, seed {a.seed}, from {a.parsed}: class<TAB>query (Khaosan syntax)\n")
        for k, q in out:
            fh.write(f"{k}\t{q}\n")
    print(f"queries: {len(out)} -> {a.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def cmd_title_queries(a):
    rng = random.Random(a.seed)
    docs, _ = load_parsed(a.parsed)
    cands = [d for d in docs if d["title"].strip()]
    picked = rng.sample(cands, a.n)
    with open(a.out, "w", encoding="utf-8") as fh, open(a.out + ".expected", "w") as ex:
        fh.write(f"# title-as-query set, seed {a.seed}: {a.n} random releases, the title as typed (quotes, parentheses dropped)\n")
        for d in picked:
            q = WS_RE.sub(" ", d["title"].replace('"', " ").replace("(", " ").replace(")", " ")).strip()
            # A leading '-' would be NOT; AND/OR/NOT words would be operators.
            q = " ".join(w.lstrip("-") for w in q.split(" ") if w.lstrip("-") and w not in ("AND", "OR", "NOT"))
            fh.write(f"title-rank\t{q}\n")
            ex.write(f"{d['id']}\t{q}\n")
    print(f"title queries: {a.n} -> {a.out}")


# ---------------------------------------------------------------- Tantivy anchor

def bigrams(s):
    """Lower-cased, normalised text -> space-separated overlapping character bigrams; spaces
    and paragraph breaks are characters of their own (SP, PARA)."""
    s = s.replace(" ", SP)
    return " ".join(s[i:i + 2] for i in range(len(s) - 1))


def tantivy_schema():
    import tantivy
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("title", stored=False, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="position")
    sb.add_unsigned_field("rid", stored=True, indexed=True, fast=True)
    return sb.build()


def cmd_tantivy_build(a):
    import shutil
    import tantivy
    if os.path.exists(a.dir):
        shutil.rmtree(a.dir)
    os.makedirs(a.dir)
    t0 = time.perf_counter()
    docs, _ = load_parsed(a.parsed)
    t_load = time.perf_counter() - t0
    schema = tantivy_schema()
    index = tantivy.Index(schema, path=a.dir)
    writer = index.writer(heap_size=a.heap_mb * 1024 * 1024, num_threads=a.threads)
    t1 = time.perf_counter()
    tokens = 0
    for d in docs:
        title, body = doc_norm(d)
        bt, bb = bigrams(title), bigrams(body.replace("\n", PARA))
        tokens += bt.count(" ") + bb.count(" ") + 2
        doc = tantivy.Document()
        doc.add_text("title", bt)
        doc.add_text("body", bb)
        doc.add_unsigned("rid", d["id"])
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - t1
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(a.dir) for f in fs)
    index.reload()
    n = index.searcher().num_docs
    print(f"tantivy version: {tantivy.__version__}; paragraphs: {PARAGRAPHS}")
    print(f"tantivy docs: {n}, bigram tokens {tokens}")
    print(f"tantivy build_s: {build:.1f} (writer threads {a.threads or 'auto'}, heap {a.heap_mb} MB; loading the parsed JSON {t_load:.1f} s not counted)")
    print(f"tantivy index_bytes: {size}")
    segs = len([f for f in os.listdir(a.dir) if f.endswith(".idx")])
    print(f"tantivy segments: {segs}")


def tantivy_query(schema, q):
    import tantivy
    must = []
    for t in terms(q):
        bg = bigrams(norm(t)).split(" ") if len(norm(t)) >= 2 else []
        if not bg or bg == [""]:
            return None
        per_field = []
        for f in ("title", "body"):
            if len(bg) == 1:
                per_field.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, f, bg[0], index_option="position")))
            else:
                per_field.append((tantivy.Occur.Should, tantivy.Query.phrase_query(schema, f, bg)))
        must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(per_field)))
    return must[0][1] if len(must) == 1 else tantivy.Query.boolean_query(must)


def cmd_tantivy_query(a):
    import tantivy
    schema = tantivy_schema()
    t0 = time.perf_counter()
    index = tantivy.Index.open(a.dir)
    searcher = index.searcher()
    open_ms = (time.perf_counter() - t0) * 1000
    res = {"engine": "tantivy", "open_ms": open_ms, "queries": []}
    for kind, q in load_queries(a.queries):
        tq = tantivy_query(schema, q)
        if tq is None:
            res["queries"].append({"kind": kind, "query": q, "us": None, "total": None})
            continue
        s = time.perf_counter()
        r = searcher.search(tq, 10, count=True)
        us = (time.perf_counter() - s) * 1e6
        # Not in the figure: the stored ids of the 10 hits (Khaosan's time includes its hits).
        top = [searcher.doc(addr)["rid"][0] for _, addr in r.hits]
        fetch_us = (time.perf_counter() - s) * 1e6 - us
        e = {"kind": kind, "query": q, "us": us, "fetch_us": fetch_us, "total": r.count, "top": top}
        res["queries"].append(e)
    if a.ids:
        for e in res["queries"]:
            if e["total"]:
                r = searcher.search(tantivy_query(schema, e["query"]), e["total"], count=True, order_by_field="rid")
                e["ids"] = sorted(k for k, _ in r.hits)
            elif e["total"] == 0:
                e["ids"] = []
    json.dump(res, open(a.out, "w"), ensure_ascii=False)
    summarize("tantivy", res)


def summarize(name, res):
    xs = [e["us"] for e in res["queries"] if e["us"] is not None]
    extra = ""
    fs = [e["us"] + e["fetch_us"] for e in res["queries"] if e.get("fetch_us") is not None]
    if fs:
        extra = f"; with the 10 hits' stored ids fetched p50={pct(fs, 50) / 1000:.3f} ms p99={pct(fs, 99) / 1000:.3f} ms"
    print(f"{name} first all n={len(xs)} p50={pct(xs, 50) / 1000:.3f} ms p95={pct(xs, 95) / 1000:.3f} ms p99={pct(xs, 99) / 1000:.3f} ms max={max(xs) / 1000:.3f} ms (open {res['open_ms']:.1f} ms){extra}")


# ---------------------------------------------------------------- FTS5 trigram anchor

def cmd_fts5_build(a):
    if os.path.exists(a.db):
        os.remove(a.db)
    t0 = time.perf_counter()
    docs, _ = load_parsed(a.parsed)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    con = sqlite3.connect(a.db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='trigram')")
    con.execute("BEGIN")
    for d in docs:
        title, body = doc_norm(d)
        con.execute("INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)", (d["id"], title, body))
    con.execute("COMMIT")
    con.close()
    build = time.perf_counter() - t1
    print(f"fts5 sqlite: {sqlite3.sqlite_version}; paragraphs: {PARAGRAPHS}")
    print(f"fts5 docs: {len(docs)}")
    print(f"fts5 build_s: {build:.1f} (loading the parsed JSON {t_load:.1f} s not counted)")
    print(f"fts5 index_bytes: {os.path.getsize(a.db)}")


def fts_match(q):
    return " ".join('"' + norm(t).replace('"', '""') + '"' for t in terms(q))


def cmd_fts5_query(a):
    t0 = time.perf_counter()
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    con.execute("PRAGMA cache_size=-65536")
    open_ms = (time.perf_counter() - t0) * 1000
    count_sql = "SELECT count(*) FROM t WHERE t MATCH ?"
    top_sql = "SELECT rowid, snippet(t, -1, '[', ']', '…', 16) FROM t WHERE t MATCH ? ORDER BY rank LIMIT 10"
    res = {"engine": "fts5", "open_ms": open_ms, "queries": []}
    for kind, q in load_queries(a.queries):
        m = fts_match(q)
        s = time.perf_counter()
        total = con.execute(count_sql, (m,)).fetchone()[0]
        top = [r[0] for r in con.execute(top_sql, (m,)).fetchall()]
        us = (time.perf_counter() - s) * 1e6
        res["queries"].append({"kind": kind, "query": q, "us": us, "total": total, "top": top,
                               "short_term": any(len(norm(t)) < 3 for t in terms(q))})
    if a.ids:
        for e in res["queries"]:
            e["ids"] = sorted(r[0] for r in con.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts_match(e["query"]),)))
    json.dump(res, open(a.out, "w"), ensure_ascii=False)
    summarize("fts5", res)


# ---------------------------------------------------------------- truth and scores

def cmd_truth(a):
    t0 = time.perf_counter()
    docs, _ = load_parsed(a.parsed)
    texts = []
    for d in docs:
        title, body = doc_norm(d)
        texts.append((d["id"], title, body))
    t_norm = time.perf_counter() - t0
    out = {}
    t1 = time.perf_counter()
    for kind, q in load_queries(a.queries):
        needles = [norm(t) for t in terms(q)]
        out[q] = sorted(rid for rid, ti, bo in texts if all(n in ti or n in bo for n in needles))
    json.dump(out, open(a.out, "w"), ensure_ascii=False)
    print(f"truth (paragraphs: {PARAGRAPHS}): {len(out)} queries over {len(texts)} releases, literal scan {time.perf_counter() - t1:.1f} s (normalising {t_norm:.1f} s) -> {a.out}")


def load_khaosan_ids(path):
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                o = json.loads(line)
                out[o["query"]] = o
    return out


def cmd_score(a):
    truth = json.load(open(a.truth, encoding="utf-8"))
    queries = load_queries(a.queries)
    engines = {}
    if a.khaosan:
        k = load_khaosan_ids(a.khaosan)
        engines["khaosan"] = {q: (set(o["ids"]) if o["total"] >= 0 else set(), o.get("ids_complete", True)) for q, o in k.items()}
    for name, path in (("tantivy", a.tantivy), ("fts5", a.fts5)):
        if path and os.path.exists(path):
            r = json.load(open(path, encoding="utf-8"))
            engines[name] = {e["query"]: (set(e.get("ids") or []), "ids" in e) for e in r["queries"]}
    classes = []
    for kind, _ in queries:
        if kind not in classes:
            classes.append(kind)
    print("exact-phrase recall / precision against the literal scan (micro: summed over the queries' ids; "
          "'perfect' = queries with recall and precision both 1)")
    for name, data in engines.items():
        agg = {}
        worst = []
        for kind, q in queries:
            gt = set(truth.get(q, []))
            got, complete = data.get(q, (set(), False))
            tp = len(gt & got)
            for c in ("all", kind):
                s = agg.setdefault(c, [0, 0, 0, 0, 0, 0])
                s[0] += tp
                s[1] += len(gt)
                s[2] += len(got)
                s[3] += 1
                s[4] += (tp == len(gt) and tp == len(got))
                s[5] += (not complete)
            if tp != len(gt) or tp != len(got):
                fn = sorted(gt - got)[:4]
                fp = sorted(got - gt)[:4]
                worst.append((kind, q, len(gt), len(got), tp, fn, fp))
        for c in ["all"] + classes:
            if c not in agg:
                continue
            tp, g, n, nq, perfect, incomplete = agg[c]
            rec = tp / g if g else 1.0
            prec = tp / n if n else 1.0
            inc = f", {incomplete} id lists incomplete" if incomplete else ""
            print(f"score {name} {c}: recall {rec:.4f} precision {prec:.4f} ({perfect}/{nq} perfect, truth {g} ids{inc})")
        for kind, q, g, n, tp, fn, fp in worst:
            print(f"  {name} mismatch [{kind}] {q}: truth {g}, engine {n}, both {tp}; missed e.g. {fn}; extra e.g. {fp}")


def cmd_title_score(a):
    expected = [l.rstrip("\n").split("\t", 1) for l in open(a.expected, encoding="utf-8") if l.strip()]
    k = load_khaosan_ids(a.ids)
    docs, _ = load_parsed(a.parsed) if a.parsed else ([], 0)
    title_count = {}
    for d in docs:
        t = norm(d["title"])
        title_count[t] = title_count.get(t, 0) + 1
    title_of = {d["id"]: norm(d["title"]) for d in docs}
    first = 0
    same_title = 0
    misses = []
    for rid, q in expected:
        rid = int(rid)
        o = k.get(q)
        top = o["top"] if o else []
        if top and top[0] == rid:
            first += 1
        else:
            dup = title_count.get(title_of.get(rid, ""), 0) > 1
            same_title += dup
            misses.append((rid, q[:70], top[:3], "same title elsewhere" if dup else ""))
    n = len(expected)
    print(f"title-rank: {first}/{n} ranked first ({100 * first / n:.1f} %); of the {n - first} misses, {same_title} have a title that another release shares")
    for m in misses:
        print("  miss", m)


# ---------------------------------------------------------------- report

def parse_khaosan_out(path):
    """Per-query first-execution latencies of a KhaosanBench search output."""
    qs = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("query\t"):
            parts = line.rstrip("\n").split("\t")
            f = dict(p.split("=", 1) for p in parts[3:])
            qs.append({"kind": parts[1], "query": parts[2], "us": float(f["first_us"]), "total": int(f["total"])})
    return {"queries": qs}


def cmd_report(a):
    w = a.workdir
    meta = {}
    for line in open(os.path.join(w, "meta.txt"), encoding="utf-8"):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            meta[k] = v
    rounds = int(meta.get("rounds", "1"))
    engines = [("khaosan", "Khaosan (KhaosanBench search, top 10 + snippets + total)"),
               ("khaosan-facets", "Khaosan with facets"),
               ("tantivy", "Tantivy exact bigram phrases (count + top 10)"),
               ("fts5", "SQLite FTS5 trigram (count + top 10 + snippet)")]
    per = {}
    for e, _ in engines:
        per[e] = []
        for r in range(1, rounds + 1):
            p = os.path.join(w, f"round{r}-{e}.{'txt' if e.startswith('khaosan') else 'json'}")
            if not os.path.exists(p):
                continue
            res = parse_khaosan_out(p) if e.startswith("khaosan") else json.load(open(p, encoding="utf-8"))
            per[e].append(res)

    def stats(res):
        xs = [q["us"] / 1000 for q in res["queries"] if q["us"] is not None]
        return pct(xs, 50), pct(xs, 95), pct(xs, 99)

    print("| engine | p50 ms | p95 ms | p99 ms | p50 / Tantivy | p99 / Tantivy | index / raw | build s |")
    print("|---|---|---|---|---|---|---|---|")
    tan = [stats(r) for r in per["tantivy"]]
    raw = float(meta.get("raw_bytes", "0") or 0)
    sizes = {"khaosan": meta.get("khaosan_bytes"), "khaosan-facets": meta.get("khaosan_bytes"),
             "tantivy": meta.get("tantivy_bytes"), "fts5": meta.get("fts5_bytes")}
    builds = {"khaosan": meta.get("khaosan_build_s"), "khaosan-facets": "", "tantivy": meta.get("tantivy_build_s"),
              "fts5": meta.get("fts5_build_s")}
    for e, label in engines:
        if not per[e]:
            continue
        st = [stats(r) for r in per[e]]

        def rng(i):
            vs = sorted(s[i] for s in st)
            med = vs[len(vs) // 2]
            return f"**{med:.2f}**" + (f" ({vs[0]:.2f}-{vs[-1]:.2f})" if len(vs) > 1 else "")

        def ratio(i):
            if not tan or len(tan) != len(st):
                return ""
            rs = sorted(s[i] / t[i] for s, t in zip(st, tan) if t[i] > 0)
            if not rs:
                return ""
            return f"{rs[len(rs) // 2]:.2f}×" + (f" ({', '.join(f'{x:.2f}' for x in rs)})" if len(rs) > 1 else "")

        size = sizes.get(e)
        sz = f"{int(size) / raw:.2f}×" if size and raw else ""
        print(f"| {label} | {rng(0)} | {rng(1)} | {rng(2)} | {ratio(0)} | {ratio(2)} | {sz} | {builds.get(e) or ''} |")
    opens = []
    for r in range(1, rounds + 1):
        p = os.path.join(w, f"round{r}-khaosan.txt")
        if os.path.exists(p):
            for line in open(p, encoding="utf-8"):
                if line.startswith("search open-store-ms:"):
                    opens.append(float(line.split(":")[1]))
    if opens:
        print()
        print("Khaosan store open (ReleaseStore(path:logger:readOnly: true), not in the latencies): "
              + ", ".join(f"{x:.1f}" for x in opens) + " ms in the rounds.")
    print()
    print(f"Median over {rounds} interleaved rounds (range in brackets; each round: every query once, first execution, "
          "in a freshly started process); ratios are per round (engine / Tantivy of the same round), median first.")
    # Per class, all rounds pooled.
    classes = []
    for q in (per["tantivy"][0]["queries"] if per["tantivy"] else per["khaosan"][0]["queries"]):
        if q["kind"] not in classes:
            classes.append(q["kind"])
    print()
    print("| class (n) | " + " | ".join(e for e, _ in engines if per[e]) + " |")
    print("|---|" + "---|" * len([e for e, _ in engines if per[e]]))
    for c in classes:
        cells = []
        n = 0
        for e, _ in engines:
            if not per[e]:
                continue
            xs = [q["us"] / 1000 for r in per[e] for q in r["queries"] if q["kind"] == c and q["us"] is not None]
            n = len([q for q in per[e][0]["queries"] if q["kind"] == c])
            cells.append(f"{pct(xs, 50):.2f} / {pct(xs, 95):.2f} / {pct(xs, 99):.2f}")
        print(f"| {c} ({n}) | " + " | ".join(cells) + " |")
    print()
    nq = len(per["tantivy"][0]["queries"]) if per["tantivy"] else 0
    print(f"Per class: p50 / p95 / p99 ms of first executions, all rounds pooled. Percentiles are nearest-rank: "
          f"with {nq} queries a round's p99 is its slowest query.")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    lexicon = os.path.join(os.path.dirname(here), "Sources/KhaosanThai/Resources/lexicon")
    p = sub.add_parser("queries"); p.add_argument("parsed"); p.add_argument("out")
    p.add_argument("--seed", type=int, default=SEED); p.add_argument("--lexicon", default=lexicon)
    p.add_argument("--per-class", type=int, default=12)
    p = sub.add_parser("title-queries"); p.add_argument("parsed"); p.add_argument("out")
    p.add_argument("--seed", type=int, default=SEED); p.add_argument("--n", type=int, default=200)
    p = sub.add_parser("tantivy-build"); p.add_argument("parsed"); p.add_argument("dir")
    p.add_argument("--threads", type=int, default=0); p.add_argument("--heap-mb", type=int, default=1024)
    p = sub.add_parser("tantivy-query"); p.add_argument("dir"); p.add_argument("queries"); p.add_argument("out")
    p.add_argument("--ids", action="store_true")
    p = sub.add_parser("fts5-build"); p.add_argument("parsed"); p.add_argument("db")
    p = sub.add_parser("fts5-query"); p.add_argument("db"); p.add_argument("queries"); p.add_argument("out")
    p.add_argument("--ids", action="store_true")
    p = sub.add_parser("truth"); p.add_argument("parsed"); p.add_argument("queries"); p.add_argument("out")
    p = sub.add_parser("score"); p.add_argument("truth"); p.add_argument("queries")
    p.add_argument("--khaosan"); p.add_argument("--tantivy"); p.add_argument("--fts5")
    p = sub.add_parser("title-score"); p.add_argument("expected"); p.add_argument("ids"); p.add_argument("parsed", nargs="?")
    p = sub.add_parser("report"); p.add_argument("workdir")
    a = ap.parse_args()
    {"queries": cmd_queries, "title-queries": cmd_title_queries, "tantivy-build": cmd_tantivy_build,
     "tantivy-query": cmd_tantivy_query, "fts5-build": cmd_fts5_build, "fts5-query": cmd_fts5_query,
     "truth": cmd_truth, "score": cmd_score, "title-score": cmd_title_score, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

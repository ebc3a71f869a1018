#!/usr/bin/env python3
"""PyThaiNLP newmm on the benchmark sample: MB/s, and agreement of the Swift segmenter with it.

Usage: newmm_bench.py <file-list> <swift-boundaries.tsv> [lexicon-words.txt]
The TSV holds, per file, the UTF-8 byte ranges of the Swift words() Thai tokens.
Agreement = share of newmm word boundaries that the Swift segmenter also produces, counting only
boundaries strictly inside a Thai run (run edges are trivially shared) of newmm tokens that are
Thai dictionary words (words_th.txt, the dictionary newmm uses)."""
import re, sys, time
from pythainlp.tokenize import word_tokenize
from pythainlp.corpus import thai_words
import pythainlp

file_list, swift_tsv = sys.argv[1], sys.argv[2]
paths = [l.rstrip("\n") for l in open(file_list, encoding="utf-8") if l.strip()]
texts = [open(p, "rb").read().decode("utf-8") for p in paths]
nbytes = sum(len(t.encode("utf-8")) for t in texts)
dictionary = set(thai_words())
word_tokenize("สวัสดี", engine="newmm")  # load the dictionary outside the timing

t0 = time.perf_counter()
newmm = [word_tokenize(t, engine="newmm", keep_whitespace=True) for t in texts]
dt = time.perf_counter() - t0
print(f"pythainlp {pythainlp.__version__} newmm: {nbytes/1e6/dt:.2f} MB/s ({nbytes/1e6:.2f} MB in {dt:.1f} s)")

swift = {}
for line in open(swift_tsv, encoding="utf-8"):
    path, _, rest = line.rstrip("\n").partition("\t")
    b = set()
    for r in rest.split():
        s, e = r.split(":")
        b.add(int(s)); b.add(int(e))
    swift[path] = b

thai_run = re.compile("[\u0e01-\u0e3a\u0e40-\u0e4e]+")
thai_word = re.compile("[\u0e01-\u0e3a\u0e40-\u0e4e]+$")
shared = total = 0
words_same = words_total = 0
for path, text, toks in zip(paths, texts, newmm):
    # char offset -> byte offset
    off = [0]
    for ch in text:
        off.append(off[-1] + len(ch.encode("utf-8")))
    inside = bytearray(len(text) + 1)  # 1 where a position is strictly inside a Thai run
    for m in thai_run.finditer(text):
        for i in range(m.start() + 1, m.end()):
            inside[i] = 1
    sb = swift.get(path, set())
    pos = 0
    for tok in toks:
        s, e = pos, pos + len(tok)
        pos = e
        if not (thai_word.match(tok) and tok in dictionary):
            continue
        words_total += 1
        if off[s] in sb and off[e] in sb:
            words_same += 1
        for p in (s, e):
            if inside[p]:
                total += 1
                shared += off[p] in sb
print(f"agreement with newmm: {shared}/{total} = {100*shared/max(total,1):.2f}% of newmm's in-run boundaries "
      f"of dictionary words; {100*words_same/max(words_total,1):.2f}% of its dictionary words have both ends in Swift")

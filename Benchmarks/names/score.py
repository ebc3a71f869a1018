#!/usr/bin/env python3
"""Precision and recall of the name extractor per type, against hand labels.

    score.py LABELS.jsonl EXTRACTED.jsonl

LABELS: one line per held-out release, {"n", "id", "people", "organisations", "places"}
(lines with "skipped" are not counted). EXTRACTED: `khaosan-bench names` output (one line
per release, matched by "id"). Per release, each type is a set; true positives are counted
over all labelled releases (micro-averaged).

Matching: texts are normalised (NFC, ํ + า as ำ, runs of spaces as one). People are compared
without their titles (the list below, longest first, stacked), and a name matches when it
equals the label or one is the other plus more words (นางรัดเกล้า อินทวงศ์ for the label
รัดเกล้า อินทวงศ์ สุวรรณคีรี: the person was found, one family name short). Organisations and
places must be equal after normalisation.
"""
import json
import sys
import unicodedata

TITLES = sorted([
    "พลตำรวจเอก", "พลตำรวจโท", "พลตำรวจตรี", "พลอากาศเอก", "พลอากาศโท", "พลอากาศตรี", "พลเรือเอก",
    "พลเรือโท", "พลเรือตรี", "พลเอก", "พลโท", "พลตรี", "พันตำรวจเอก", "พันตำรวจโท", "พันเอก", "พันโท",
    "ร้อยตำรวจเอก", "ร้อยเอก", "ร้อยตรี", "รองศาสตราจารย์", "ผู้ช่วยศาสตราจารย์", "ศาสตราจารย์เกียรติคุณ",
    "ศาสตราจารย์", "ศ.เกียรติคุณ", "นายกองเอก", "นายหมวดตรี", "คุณหญิง", "ดาโช", "นายสัตวแพทย์", "สัตวแพทย์", "นายแพทย์", "แพทย์หญิง", "พล.ต.อ.", "พล.ต.ท.", "พล.ต.ต.", "พล.อ.อ.", "พล.อ.ท.",
    "พล.อ.ต.", "พล.ร.อ.", "พล.ร.ท.", "พล.ร.ต.", "พล.อ.", "พล.ท.", "พล.ต.", "พ.ต.อ.", "พ.ต.ท.", "พ.ต.ต.",
    "ร.ต.อ.", "ร.ต.", "พ.อ.", "พ.ท.", "พ.ต.", "ผศ.ดร.", "รศ.ดร.", "ศ.ดร.", "ผศ.", "รศ.", "ศ.", "นพ.", "พญ.",
    "ดร.", "น.ส.", "ม.ล.", "ม.ร.ว.", "ว่าที่", "นางสาว", "นาย", "นาง", "น้อง", "คุณ", "mr.", "mrs.", "ms.",
], key=len, reverse=True)


def norm(s):
    s = unicodedata.normalize("NFC", s).replace("\u0e4d\u0e32", "\u0e33").lower()
    return " ".join(s.split())


def bare(person):
    s = norm(person)
    again = True
    while again:
        again = False
        for t in TITLES:
            if s.startswith(t) and len(s) > len(t):
                s = s[len(t):].lstrip()
                again = True
                break
    return s


def same_person(a, b):
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def main():
    labels = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    found = {}
    for l in open(sys.argv[2], encoding="utf-8"):
        if l.strip() and not l.startswith("#"):
            d = json.loads(l)
            found[d["id"]] = d
    totals = {k: [0, 0, 0] for k in ("people", "organisations", "places")}  # tp, predicted, labelled
    misses = {k: [] for k in totals}
    extras = {k: [] for k in totals}
    counted = 0
    for lab in labels:
        if lab.get("skipped"):
            continue
        got = found.get(lab["id"])
        if got is None:
            sys.exit(f"{sys.argv[2]}: no extraction for release {lab['id']} (label line n={lab['n']})")
        counted += 1
        for kind in totals:
            if kind == "people":
                want = list(dict.fromkeys(bare(x) for x in lab[kind]))
                have = list(dict.fromkeys(bare(x) for x in got[kind]))
                tp = 0
                used = set()
                for h in have:
                    m = next((w for w in want if w not in used and same_person(h, w)), None)
                    if m is not None:
                        used.add(m)
                        tp += 1
                    else:
                        extras[kind].append((lab["id"], h))
                misses[kind] += [(lab["id"], w) for w in want if w not in used]
            else:
                want = set(norm(x) for x in lab[kind])
                have = set(norm(x) for x in got[kind])
                tp = len(want & have)
                extras[kind] += [(lab["id"], h) for h in sorted(have - want)]
                misses[kind] += [(lab["id"], w) for w in sorted(want - have)]
            totals[kind][0] += tp
            totals[kind][1] += len(have)
            totals[kind][2] += len(want)
    print(f"releases labelled and scored: {counted}")
    print("type           precision  recall   (found / extracted / labelled)")
    for kind, (tp, pred, gold) in totals.items():
        p = tp / pred if pred else 1.0
        r = tp / gold if gold else 1.0
        print(f"{kind:<14} {p:9.3f} {r:7.3f}   ({tp} / {pred} / {gold})")
    if "-v" in sys.argv:
        for kind in totals:
            for rid, x in extras[kind]:
                print(f"  extra {kind} #{rid}: {x}")
            for rid, x in misses[kind]:
                print(f"  missed {kind} #{rid}: {x}")


if __name__ == "__main__":
    main()

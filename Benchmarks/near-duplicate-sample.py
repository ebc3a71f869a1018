#!/usr/bin/env python3
"""Looks at near-duplicate groups by hand (BENCHMARKS.md, "Diff and near-duplicates"):

    Benchmarks/near-duplicate-sample.py HOME [--groups 20] [--seed 16] [--bin DIR]

HOME is a KHAOSAN_HOME whose khaosan-queryd is running (e.g. one kept by
`KEEP_HOME=DIR Benchmarks/bench-ingest.sh`). Prints the group counts and sizes, then for a
seeded sample of groups with two or more members each member's id, date, category and title
and `khaosan similar`'s exact Jaccard to the group's first release, for a person to judge.
"""
import collections, json, os, random, sqlite3, subprocess, sys

def main():
    a = sys.argv[1:]
    home = a[0]
    opt = lambda name, default: a[a.index(name) + 1] if name in a else default
    n, seed = int(opt("--groups", 20)), int(opt("--seed", 16))
    bin_dir = opt("--bin", os.path.join(os.path.dirname(__file__), "../.build/release"))
    env = dict(os.environ, KHAOSAN_HOME=home, NO_COLOR="1")
    db = sqlite3.connect(f"file:{home}/query.db?mode=ro", uri=True)
    rows = db.execute("SELECT id, group_id, length(signature) FROM near_duplicates").fetchall()
    groups = collections.defaultdict(list)
    for i, g, _ in rows: groups[g].append(i)
    multi = {g: sorted(m) for g, m in groups.items() if len(m) > 1}
    sizes = collections.Counter(len(m) for m in multi.values())
    print(f"releases {len(rows)}, without a signature (too short) {sum(1 for r in rows if r[2] == 0)}, "
          f"groups of 2+ {len(multi)} holding {sum(len(m) for m in multi.values())} releases; sizes {dict(sorted(sizes.items()))}")
    def k(*args):
        return subprocess.run([f"{bin_dir}/khaosan", *args], env=env, capture_output=True, text=True, check=True).stdout
    for g in random.Random(seed).sample(sorted(multi), min(n, len(multi))):
        members = multi[g]
        sim = {}
        for line in k("similar", str(g), "--json", "--limit", "100").splitlines()[:-1]:
            h = json.loads(line); sim[h["id"]] = h["exact"] if h["exact"] is not None else h["estimated"]
        print(f"\n== group {g}: {len(members)} releases")
        for m in members[:6]:
            r = json.loads(k("get", str(m), "--json"))
            score = "first" if m == g else f"{sim.get(m, float('nan')):.2f}"
            print(f"  {score:>5} #{m} {r['published']} {r['category'][:18]:18} {r['title'][:90]}")

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Write the benchmark sample list: the first files of DATA_DIR (default /tmp/corpus/data/2023)
in LC_ALL=C path order (byte order), as many as fit in 20 MiB."""
import os, sys

root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/corpus/data/2023"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 20 * 1024 * 1024
paths = []
for d, _, files in os.walk(root):
    for f in files:
        paths.append(os.path.join(d, f))
paths.sort(key=lambda p: os.fsencode(p))
total = 0
for p in paths:
    size = os.path.getsize(p)
    if total + size > limit:
        break
    total += size
    print(p)
